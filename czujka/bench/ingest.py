"""`czujka bench ingest`: the real `/webhooks/meta` endpoint against a plain SQLite bulk insert.

The server runs as its own `czujka serve` process on 127.0.0.1 (as in production) and receives signed
deliveries of 100 comments each over HTTP keep-alive. The baseline inserts the same rows, 100 per
transaction, with sqlite3's executemany into the same schema and the same pragmas: what storage alone
costs, without HTTP, signatures, parsing, dedup and the raw log.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from czujka.storage.engine import make_engine
from czujka.storage.migrate import upgrade

PAGE = "1122334455"
SECRET = "bench-secret"
PER_DELIVERY = 100


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WORDS = (
    "paczka kurier dostawa zamówienie jabłka miód chleb sklep super dzięki czekam od piątku gdzie jest "
    "moja nie przyjechał polecam świeże smaczne cena promocja kawa ser pytanie kiedy wysyłka"
).split()


def _text(n: int) -> str:
    """Ordinary comments of 6–16 words, different from one another as real ones are."""
    rng = random.Random(n)
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."


def _changes(deliveries: int) -> list[list[dict[str, Any]]]:
    start = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    batches = []
    for d in range(deliveries):
        batch = []
        for i in range(PER_DELIVERY):
            n = d * PER_DELIVERY + i
            batch.append(
                fb_comment_change(
                    page_id=PAGE,
                    post_id=f"{PAGE}_{n % 50}",
                    comment_id=f"{n % 50}_{n}",
                    message=_text(n),
                    at=start + timedelta(seconds=n),
                    author_id=str(10_000 + n % 997),
                    author_name=f"Klient {n % 997}",
                )
            )
        batches.append(batch)
    return batches


def _start_server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    config = workdir / "czujka.toml"
    config.write_text(
        f'[service]\ndata_dir = "{workdir}"\nlog_level = "warning"\n\n[[profiles]]\nid = "bench"\n'
        f'name = "Bench"\nplatform = "facebook"\nplatform_id = "{PAGE}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "CZUJKA_META_APP_SECRET": SECRET, "CZUJKA_CONFIG": str(config)}
    env.pop("CZUJKA_DATABASE_URL", None)
    cli = [sys.executable, "-m", "czujka.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (workdir / "serve.log").open("wb")  # a file, not a pipe nobody reads: a full pipe would stall it
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--no-poll"], env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"czujka serve did not start: {(workdir / 'serve.log').read_text()[-2000:]}")


def _endpoint_rate(bodies: list[bytes], port: int) -> float:
    url = f"http://127.0.0.1:{port}/webhooks/meta"
    with httpx.Client(timeout=60) as http:
        warm = delivery("page", PAGE, [], datetime.now(UTC))
        http.post(url, content=warm, headers=signed_headers(warm, SECRET))
        started = time.perf_counter()
        for body in bodies:
            response = http.post(url, content=body, headers=signed_headers(body, SECRET))
            if response.status_code != 200 or response.json()["stored"] != PER_DELIVERY:
                raise RuntimeError(f"delivery not stored: {response.status_code} {response.text[:200]}")
        elapsed = time.perf_counter() - started
    return len(bodies) * PER_DELIVERY / elapsed


def _plain_rate(batches: list[list[dict[str, Any]]], path: Path) -> float:
    upgrade(make_engine(f"sqlite:///{path}"))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "INSERT INTO profiles (id, name, platform, platform_id, timezone, created_at) "
        "VALUES ('bench', 'Bench', 'facebook', ?, 'Europe/Warsaw', '2026-11-27')",
        (PAGE,),
    )
    connection.commit()
    sql = (
        "INSERT INTO comments (profile_id, platform_id, parent_platform_id, author_id, author_name, "
        "author_is_staff, message, source, created_at, received_at, raw) VALUES "
        "('bench', ?, NULL, ?, ?, 0, ?, 'meta', ?, ?, ?)"
    )
    started = time.perf_counter()
    for batch in batches:
        now = datetime.now(UTC).isoformat()
        rows = [
            (
                c["value"]["comment_id"],
                c["value"]["from"]["id"],
                c["value"]["from"]["name"],
                c["value"]["message"],
                c["value"]["created_time"],
                now,
                json.dumps(c["value"]),
            )
            for c in batch
        ]
        with connection:
            connection.executemany(sql, rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return sum(len(b) for b in batches) / elapsed


def run_ingest_bench(*, deliveries: int, console: Console) -> dict[str, Any]:
    batches = _changes(deliveries)
    at = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    bodies = [delivery("page", PAGE, batch, at + timedelta(seconds=i)) for i, batch in enumerate(batches)]
    with tempfile.TemporaryDirectory(prefix="czujka-bench-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        console.print(f"starting czujka serve on 127.0.0.1:{port} …")
        server = _start_server(workdir / "server", port) if (workdir / "server").mkdir() is None else None
        try:
            endpoint = _endpoint_rate(bodies, port)
        finally:
            server.terminate()
            server.wait(timeout=20)
        plain = _plain_rate(batches, workdir / "plain.db")
    return {
        "deliveries": deliveries,
        "comments": deliveries * PER_DELIVERY,
        "endpoint_per_second": endpoint,
        "plain_per_second": plain,
        "ratio": endpoint / plain,
    }
