"""The two paging loops of `czujka serve` and `czujka worker`: the escalator and the sender.

The escalator takes due escalation steps and queues pages; the sender hands due pages to their channels on a
small thread pool, so one slow mail server does not hold back the pages of the next incident.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import structlog

from czujka.runtime import Runtime

log = structlog.get_logger("czujka.oncall")
TICK_SECONDS = 0.25
BEAT_SECONDS = 5.0


def escalate_forever(runtime: Runtime, stop: threading.Event) -> None:
    from czujka.oncall.service import beat, run_escalations

    last_beat = 0.0
    while not stop.is_set():
        now = datetime.now(UTC)
        try:
            if run_escalations(runtime.sessions, settings=runtime.settings, now=now):
                runtime.page_signal.set()
            if time.monotonic() - last_beat > BEAT_SECONDS:
                beat(runtime.sessions, loop="escalator", now=now)
                last_beat = time.monotonic()
            runtime.heartbeats["escalator"] = now
        except Exception:  # logged and retried: the escalation state is in the database, nothing is lost
            log.exception("escalation round failed")
            stop.wait(2)
        runtime.escalate_signal.wait(timeout=TICK_SECONDS)
        runtime.escalate_signal.clear()


def send_forever(runtime: Runtime, stop: threading.Event, *, threads: int = 4) -> None:
    from czujka.notifications.pipeline import claim, deliver
    from czujka.notifications.push import PushSender

    push = PushSender(runtime.settings, runtime.sessions)
    free = threading.BoundedSemaphore(threads)

    def run(notification_id: int, token: str) -> None:
        try:
            deliver(
                runtime.sessions,
                settings=runtime.settings,
                notification_id=notification_id,
                claim_token=token,
                push=push.for_person,
            )
        except Exception:  # the lease runs out and the page is claimed again
            log.exception("delivery failed", notification=notification_id)
        finally:
            free.release()

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sender") as pool:
        while not stop.is_set():
            slots = 0
            while free.acquire(blocking=False):
                slots += 1
            claimed: list[tuple[int, str]] = []
            try:
                if slots:
                    claimed = claim(runtime.sessions, now=datetime.now(UTC), limit=slots)
                runtime.heartbeats["sender"] = datetime.now(UTC)
            except Exception:
                log.exception("claiming pages failed")
                stop.wait(2)
            for _ in range(slots - len(claimed)):
                free.release()
            for notification_id, token in claimed:
                pool.submit(run, notification_id, token)
            if not claimed:
                runtime.page_signal.wait(timeout=TICK_SECONDS)
                runtime.page_signal.clear()
