"""`czujka bench paging`: from a signal committed to the first page handed to its channel.

Incidents are opened one after another at a steady rate in a fresh database, while the escalator and the
sender run as in `czujka serve`; the channel is Apprise's json:// to a receiver on 127.0.0.1.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from czujka.config import load_settings
from czujka.detection.signals import SignalIn
from czujka.incidents import flows
from czujka.notifications.models import Notification
from czujka.notifications.receiver import LocalReceiver
from czujka.pipeline import Pipeline
from czujka.runtime import build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.migrate import upgrade


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_paging_bench(
    *, incidents: int, rate: float, database_url: str | None, console: Console
) -> dict[str, Any]:
    receiver = LocalReceiver().start()
    with tempfile.TemporaryDirectory(prefix="czujka-bench-") as tmp:
        settings = load_settings(
            None,
            data_dir=Path(tmp),
            database_url=database_url or f"sqlite:///{Path(tmp) / 'czujka.db'}",
            profiles=[{"id": "sklep", "name": "Sklep", "platform": "generic", "platform_id": "sklep"}],
            people=[{"id": "dyzurny", "name": "Dyżurny", "channels": [f"json://{receiver.url}/page"]}],
            escalation_policies=[{"id": "default", "steps": [{"notify": ["person:dyzurny"]}]}],
        )
        runtime = build_runtime(settings)
        upgrade(runtime.engine)
        runtime.sync_profiles()
        stop = threading.Event()
        Pipeline(runtime).start(stop, poll=False, score=False)
        committed: dict[int, datetime] = {}
        try:
            with Progress(TextColumn("incidents"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
                task = bar.add_task("incidents", total=incidents)
                start = time.monotonic()
                for i in range(incidents):
                    at = datetime.now(UTC)
                    with session_scope(runtime.sessions, write=True) as session:
                        signal = SignalIn("sklep", "red_flag", f"sklep:red_flag:{i}", 1.0, at, "bench", [])
                        incident_id = flows.open_or_attach(session, signal=signal).id
                    committed[incident_id] = datetime.now(UTC)
                    runtime.escalate_signal.set()  # as the scoring loop does after each batch
                    bar.advance(task)
                    delay = start + (i + 1) / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
            receiver.wait_for(incidents, timeout=120)
        finally:
            stop.set()
        with session_scope(runtime.sessions) as session:
            handed = dict(session.execute(select(Notification.incident_id, Notification.handed_at)).all())
        runtime.engine.dispose()
    receiver.stop()
    latencies = [(handed[i] - t).total_seconds() for i, t in committed.items() if handed.get(i)]
    return {
        "incidents": incidents,
        "paged": len(latencies),
        "received": len(receiver.requests),
        "rate_per_second": rate,
        "median_seconds": statistics.median(latencies) if latencies else None,
        "p99_seconds": _percentile(latencies, 0.99) if latencies else None,
        "max_seconds": max(latencies) if latencies else None,
    }
