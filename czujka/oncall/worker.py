"""The two paging loops of `czujka serve` and `czujka worker`: the escalator and the sender.

The escalator takes due escalation steps and queues pages; the sender hands due pages to their channels on a
thread pool, so one slow mail server does not hold back the pages of the next incident.
"""

from __future__ import annotations

import queue
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


def send_forever(runtime: Runtime, stop: threading.Event, *, threads: int = 16) -> None:
    """Claims and records pages on this thread (one writer, few commits) and overlaps the sends on a pool."""
    from czujka.notifications.channels import Delivery
    from czujka.notifications.pipeline import claim, record, send_prepared
    from czujka.notifications.push import PushSender

    settings = runtime.settings
    push = PushSender(settings, runtime.sessions)
    done: queue.SimpleQueue = queue.SimpleQueue()
    in_flight = 0

    def run(item) -> None:
        try:
            result = send_prepared(item, settings=settings, push=push.for_person)
        except Exception as exc:  # send() catches channel errors; this is a bug, recorded as a failure
            log.exception("sending failed", notification=item.notification_id)
            result = Delivery(False, f"{type(exc).__name__}")
        done.put((item, result))
        runtime.page_signal.set()  # record it and claim the next due page now, not at the next tick

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sender") as pool:
        while not stop.is_set():
            outcomes = []
            while not done.empty():
                outcomes.append(done.get())
            claimed = []
            try:
                if outcomes:
                    record(runtime.sessions, settings=settings, outcomes=outcomes)
                if threads - in_flight + len(outcomes) > 0:
                    claimed = claim(
                        runtime.sessions,
                        settings=settings,
                        now=datetime.now(UTC),
                        limit=threads - in_flight + len(outcomes),
                    )
                runtime.heartbeats["sender"] = datetime.now(UTC)
            except Exception:  # unrecorded outcomes are sent again when their lease ends: at least once
                log.exception("claiming or recording pages failed")
                stop.wait(2)
            in_flight += len(claimed) - len(outcomes)
            for item in claimed:
                pool.submit(run, item)
            if not claimed and not outcomes:
                runtime.page_signal.wait(timeout=TICK_SECONDS)
                runtime.page_signal.clear()
