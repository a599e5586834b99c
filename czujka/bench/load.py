"""`czujka bench load`: a viral post on a real `czujka serve` process, as Meta delivers it.

N clients send signed deliveries for T seconds: with `comments_per_post` > 1 many clients write under the
same new post at once (the viral case); with 1, every comment comes with its own post. A delivery that got
no answer or a 5xx is sent again, as Meta does, until it is acknowledged. With `kill_every`, the server is
killed with SIGKILL every few seconds and started again. At the end every acknowledged comment must be
stored exactly once. All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from czujka.comments.models import Comment
from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from czujka.storage.engine import make_engine

PAGE = "1100220033"
SECRET = "bench-load-secret"
CONFIG = f"""
[[profiles]]
id = "viral"
name = "Viral shop"
platform = "facebook"
platform_id = "{PAGE}"
"""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    resent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Server:
    """`czujka serve` as its own process, on a port of 127.0.0.1, that can be killed and started again."""

    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port = env, port
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "czujka", "serve", "--no-poll", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("czujka serve did not start within 60 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _body(comment: str, post: str) -> bytes:
    at = datetime.now(UTC)
    change = fb_comment_change(
        page_id=PAGE,
        post_id=f"{PAGE}_{post}",
        comment_id=comment,
        message=f"Gdzie jest moja paczka? Czekam od tygodnia ({comment})",
        at=at,
        author_id=f"fan-{comment}",
        author_name="Klientka",
    )
    return delivery("page", PAGE, [change], at)


def _client(server: Server, tally: Tally, numbers: Any, per_post: int, until: float, run: str) -> None:
    with httpx.Client(timeout=30) as http:
        while time.monotonic() < until:
            n = next(numbers)
            comment, post = f"{run}-c{n}", f"{run}-p{n // per_post}"
            body = _body(comment, post)
            headers = signed_headers(body, SECRET)
            while True:  # as Meta does: the same delivery again until it is acknowledged
                started = time.monotonic()
                try:
                    answer = http.post(f"{server.url}/webhooks/meta", content=body, headers=headers)
                    status = str(answer.status_code)
                except httpx.HTTPError:
                    status = "no answer"
                with tally.lock:
                    tally.statuses[status] += 1
                    if status == "200":
                        tally.latencies.append(time.monotonic() - started)
                        tally.acknowledged.add(comment)
                if status == "200":
                    break
                with tally.lock:
                    tally.resent += 1
                time.sleep(0.2)


def run_load(
    *,
    clients: int = 16,
    seconds: float = 60.0,
    comments_per_post: int = 25,
    kill_every: float | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="czujka-load-") as folder:
        data = Path(folder)
        (data / "czujka.toml").write_text(CONFIG, encoding="utf-8")
        env = {
            **os.environ,
            "CZUJKA_CONFIG": str(data / "czujka.toml"),
            "CZUJKA_DATA_DIR": str(data),
            "CZUJKA_META_APP_SECRET": SECRET,
            "CZUJKA_LOG_LEVEL": "error",
        }
        if database_url:
            env["CZUJKA_DATABASE_URL"] = database_url
        subprocess.run(
            [sys.executable, "-m", "czujka", "db", "upgrade"], env=env, check=True, capture_output=True
        )
        server = Server(env, _free_port())
        server.start()
        tally, numbers = Tally(), itertools.count()
        run = secrets.token_hex(4)  # this run's comments, apart from any an earlier run left in the database
        until = time.monotonic() + seconds
        workers = [
            threading.Thread(target=_client, args=(server, tally, numbers, comments_per_post, until, run))
            for _ in range(clients)
        ]
        kills = 0
        started = time.monotonic()
        for worker in workers:
            worker.start()
        try:
            while any(w.is_alive() for w in workers):
                if kill_every and time.monotonic() < until:
                    time.sleep(kill_every)
                    if time.monotonic() < until:
                        server.kill()
                        kills += 1
                        server.start()
                else:
                    time.sleep(0.2)
            for worker in workers:
                worker.join()
            elapsed = time.monotonic() - started
        finally:
            server.stop()
        engine = make_engine(database_url or f"sqlite:///{data / 'czujka.db'}")
        with engine.connect() as conn:
            mine = Comment.platform_id.startswith(f"{run}-", autoescape=True)
            rows = conn.scalar(select(func.count()).select_from(Comment).where(mine)) or 0
            stored = set(conn.scalars(select(Comment.platform_id).where(mine)))
        engine.dispose()
    latencies = sorted(tally.latencies)
    requests = sum(tally.statuses.values())
    server_errors = sum(n for s, n in tally.statuses.items() if s.startswith("5"))
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "comments_per_post": comments_per_post,
        "kills": kills,
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
        "statuses": dict(tally.statuses),
        "server_errors": server_errors,
        "no_answer": tally.statuses.get("no answer", 0),
        "resent": tally.resent,
        "acknowledged": len(tally.acknowledged),
        "stored": len(stored),
        "lost": len(tally.acknowledged - stored),
        "doubled": rows - len(stored),
    }
