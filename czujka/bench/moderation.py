"""`czujka bench moderation`: seconds from a vulgar comment's webhook delivery to its hide reaching the
Graph API (a stand-in on 127.0.0.1), at a steady rate of deliveries, with `czujka serve`'s loops running."""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from czujka.app import build_app
from czujka.config import load_settings
from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from czujka.demo.meta import TOKEN, MetaStandIn
from czujka.logs import configure_logging
from czujka.pipeline import Pipeline
from czujka.runtime import build_runtime
from czujka.storage.migrate import upgrade
from czujka.web.server import start_in_thread

PAGE = "1122334455"
VULGAR = ["Jesteście bandą chujów", "k*rwa, co za syf", "spierdalajcie z tym sklepem", "ch*j wam w dupę"]
CLEAN = ["Gdzie moja paczka?", "Super truskawki, dziękuję!", "Kiedy dostawa do Gdańska?", "Polecam!"]


def run_moderation_bench(*, rate: float = 20.0, seconds: float = 30.0, budget: float = 2.0) -> dict[str, Any]:
    configure_logging("warning")
    with tempfile.TemporaryDirectory(prefix="czujka-bench-moderation-") as folder:
        data = Path(folder)
        meta = MetaStandIn(data / "calls.jsonl").start()
        secret = secrets.token_hex(16)
        settings = load_settings(
            None,
            data_dir=data,
            database_url=f"sqlite:///{data / 'czujka.db'}",
            meta_app_secret=secret,
            graph_base_url=meta.url,
            profiles=[
                {
                    "id": "shop",
                    "name": "Shop",
                    "platform": "facebook",
                    "platform_id": PAGE,
                    "access_token": TOKEN,
                }
            ],
            moderation_rules=[
                {"id": "vulgar", "when": "always", "vulgar": True, "action": "hide", "max_per_hour": 10_000}
            ],
        )
        runtime = build_runtime(settings)
        upgrade(runtime.engine)
        runtime.sync_profiles()
        server = start_in_thread(build_app(settings, runtime), port=0)
        stop = threading.Event()
        Pipeline(runtime).start(stop, poll=False)
        delivered: dict[str, float] = {}
        vulgar_ids: set[str] = set()
        total = int(rate * seconds)
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                started = time.monotonic()
                for i in range(total):
                    due = started + i / rate
                    time.sleep(max(0.0, due - time.monotonic()))
                    comment_id = f"{PAGE}_p1_{i}"
                    bad = i % 2 == 0
                    text = (VULGAR if bad else CLEAN)[i % 4]
                    change = fb_comment_change(
                        page_id=PAGE,
                        post_id=f"{PAGE}_p1",
                        comment_id=comment_id,
                        message=f"{text} ({i})",
                        at=datetime.now(UTC),
                        author_id=f"u{i}",
                        author_name=f"Osoba {i}",
                    )
                    body = delivery("page", PAGE, [change], datetime.now(UTC))
                    answer = http.post("/webhooks/meta", content=body, headers=signed_headers(body, secret))
                    answer.raise_for_status()
                    delivered[comment_id] = time.monotonic()
                    if bad:
                        vulgar_ids.add(comment_id)
                sent_for = time.monotonic() - started
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not all(("hide", c) in meta.arrivals for c in vulgar_ids):
                time.sleep(0.05)
        finally:
            stop.set()
            server.stop()
            meta.stop()
            runtime.engine.dispose()
        lags = [meta.arrivals[("hide", c)] - delivered[c] for c in vulgar_ids if ("hide", c) in meta.arrivals]
        wrong = [c for (edge, c) in meta.arrivals if edge == "hide" and c not in vulgar_ids]
        p50, p99 = np.percentile(lags, [50, 99]) if lags else (float("nan"), float("nan"))
        return {
            "rate": rate,
            "achieved_rate": round(total / sent_for, 1),
            "deliveries": total,
            "vulgar": len(vulgar_ids),
            "hidden": len(lags),
            "clean_hidden": len(wrong),
            "p50_seconds": round(float(p50), 3),
            "p99_seconds": round(float(p99), 3),
            "max_seconds": round(max(lags), 3) if lags else None,
            "budget_seconds": budget,
            "within_budget": bool(lags)
            and float(p99) <= budget
            and len(lags) == len(vulgar_ids)
            and not wrong,
        }
