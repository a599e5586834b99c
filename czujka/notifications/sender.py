"""The sender loop: hands due pages to their channels on a thread pool, so one slow mail server does not hold
back the pages of the next incident. Claims and outcomes are written on the loop's own thread (one writer, few
commits); the sends overlap."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import structlog
from sqlalchemy.orm import Session, sessionmaker

from czujka.config import Settings
from czujka.notifications.channels import Delivery
from czujka.notifications.pipeline import Prepared, claim, record, send_prepared
from czujka.notifications.push import PushSender

log = structlog.get_logger("czujka.notifications")
TICK_SECONDS = 0.25


def send_forever(
    sessions: sessionmaker[Session],
    settings: Settings,
    stop: threading.Event,
    *,
    wake: threading.Event,
    alive: Callable[[], None] = lambda: None,
    threads: int = 16,
) -> None:
    """Until `stop`: claim due pages, send them, record what the channels said. `wake` cuts the wait short
    (a page was queued); `alive` is called after every round, for the health check."""
    push = PushSender(settings, sessions)
    done: queue.SimpleQueue[tuple[Prepared, Delivery]] = queue.SimpleQueue()
    in_flight = 0

    def run(item: Prepared) -> None:
        try:
            result = send_prepared(item, settings=settings, push=push.for_person)
        except Exception as exc:  # send() catches channel errors; this is a bug, recorded as a failure
            log.exception("sending failed", notification=item.notification_id)
            result = Delivery(False, f"{type(exc).__name__}")
        done.put((item, result))
        wake.set()  # record it and claim the next due page now, not at the next tick

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sender") as pool:
        while not stop.is_set():
            outcomes = []
            while not done.empty():
                outcomes.append(done.get())
            claimed: list[Prepared] = []
            try:
                if outcomes:
                    record(sessions, settings=settings, outcomes=outcomes)
                if threads - in_flight + len(outcomes) > 0:
                    claimed = claim(
                        sessions,
                        settings=settings,
                        now=datetime.now(UTC),
                        limit=threads - in_flight + len(outcomes),
                    )
                alive()
            except Exception:  # unrecorded outcomes are sent again when their lease ends: at least once
                log.exception("claiming or recording pages failed")
                stop.wait(2)
            in_flight += len(claimed) - len(outcomes)
            for item in claimed:
                pool.submit(run, item)
            if not claimed and not outcomes:
                wake.wait(timeout=TICK_SECONDS)
                wake.clear()
