"""Reach: a thread that carries a red flag grows. When as many people join it, or as many comments come
within half an hour, as make a sensitive matter public, its red flag is raised to the highest severity.

Only threads with a red flag are followed (the newest `max_threads`, for `keep`), in one small state per
profile, so a busy page's thousands of ordinary threads cost nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Self

from czujka.detection.base import Alarm
from czujka.words import phrase

PEOPLE = 8
BURST = 10
WINDOW = timedelta(minutes=30)


class ThreadReach:
    def __init__(self, max_threads: int = 50, keep: timedelta = timedelta(hours=48)):
        self.max_threads, self.keep = max_threads, keep
        self.threads: dict[int, dict[str, Any]] = {}
        self._alarm: Alarm | None = None

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def follow(self, root_id: int, at: datetime) -> None:
        """Start following a thread (its red flag was just raised)."""
        self.threads.setdefault(
            root_id, {"since": at.isoformat(), "authors": [], "times": [], "raised": False}
        )
        while len(self.threads) > self.max_threads:
            oldest = min(self.threads, key=lambda k: self.threads[k]["since"])
            del self.threads[oldest]

    def update(self, root_id: int, comment_id: int, author: str, at: datetime) -> Self:
        self._alarm = None
        thread = self.threads.get(root_id)
        if thread is None:
            return self
        if at - datetime.fromisoformat(thread["since"]) > self.keep:
            del self.threads[root_id]
            return self
        if author not in thread["authors"]:
            thread["authors"].append(author)
        recent = [t for t in thread["times"] if at - datetime.fromisoformat(t) <= WINDOW]
        thread["times"] = [*recent, at.isoformat()]
        people, burst = len(thread["authors"]), len(thread["times"])
        if not thread["raised"] and (people >= PEOPLE or burst >= BURST):
            thread["raised"] = True
            self._alarm = Alarm(
                1.0,
                (comment_id,),
                phrase(
                    "the thread of a red flag is spreading: %(people)s people, %(comments)s comments in 30 min",
                    people=people,
                    comments=burst,
                ),
            )
        return self

    def state(self) -> dict[str, Any]:
        return {"threads": {str(k): v for k, v in self.threads.items()}}

    def restore(self, state: dict[str, Any]) -> Self:
        self.threads = {int(k): v for k, v in state.get("threads", {}).items()}
        return self
