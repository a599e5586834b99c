"""A quarrel heating up in one thread: replies coming fast, the same people answering each other back and
forth, rising harm and vulgarity, and above all a staff member arguing with a customer."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from czujka.detection.base import Alarm
from czujka.words import Phrase, joined, phrase


@dataclass(frozen=True, slots=True)
class Reply:
    comment_id: int
    author: str
    at: datetime
    is_staff: bool
    negative: bool
    harm: float
    vulgar: bool


class QuarrelDetector:
    """One per thread. Scores the last `window` of replies; alarms from `threshold`."""

    def __init__(
        self,
        window: timedelta = timedelta(minutes=45),
        min_replies: int = 3,
        threshold: float = 0.6,
        staff_weight: float = 0.35,
    ):
        self.window = window
        self.min_replies = min_replies
        self.threshold = threshold
        self.staff_weight = staff_weight
        self._reset()

    def _reset(self) -> None:
        self.replies: deque[Reply] = deque()
        self.score = 0.0
        self._alarm: Alarm | None = None

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def update(self, reply: Reply) -> Self:
        self.replies.append(reply)
        while self.replies and reply.at - self.replies[0].at > self.window:
            self.replies.popleft()
        self.score, reasons = self._score()
        if self.score >= self.threshold:
            self._alarm = Alarm(self.score, tuple(r.comment_id for r in self.replies), joined(reasons))
        else:
            self._alarm = None
        return self

    def _score(self) -> tuple[float, list[Phrase]]:
        replies = list(self.replies)
        if len(replies) < self.min_replies:
            return 0.0, []
        authors = [r.author for r in replies]
        turns = sum(1 for a, b in itertools.pairwise(authors) if a != b)
        people = len(set(authors))
        back_and_forth = min(1.0, turns / max(1, len(replies) - 1)) * (1.0 if people <= 3 else 0.5)
        pace = min(1.0, len(replies) / 8)
        heat = sum(r.negative or r.harm >= 0.5 or r.vulgar for r in replies) / len(replies)
        staff = [r for r in replies if r.is_staff]
        customers = [r for r in replies if not r.is_staff]
        staff_arguing = bool(staff and customers and sum(1 for r in replies if r.is_staff) >= 2)
        score = (
            0.25 * back_and_forth + 0.15 * pace + 0.35 * heat + (self.staff_weight if staff_arguing else 0.0)
        )
        reasons = [
            phrase(
                "%(replies)s replies in %(minutes)s min", replies=len(replies), minutes=self._span(replies)
            ),
            phrase("%(people)s people answering each other", people=people),
        ]
        if heat >= 0.5:
            reasons.append(phrase("%(share)d%% of them negative or harmful", share=round(heat * 100)))
        if staff_arguing:
            reasons.append(phrase("a staff member is arguing with a customer"))
        return min(1.0, score), reasons

    @staticmethod
    def _span(replies: list[Reply]) -> int:
        return int((replies[-1].at - replies[0].at).total_seconds() // 60)

    def state(self) -> dict[str, Any]:
        return {
            "replies": [
                [r.comment_id, r.author, r.at.isoformat(), r.is_staff, r.negative, r.harm, r.vulgar]
                for r in self.replies
            ]
        }

    def restore(self, state: dict[str, Any]) -> Self:
        self._reset()
        for cid, author, at, staff, negative, harm, vulgar in state["replies"]:
            self.replies.append(Reply(cid, author, datetime.fromisoformat(at), staff, negative, harm, vulgar))
        return self
