"""What detection takes in (a scored comment) and hands on to incidents (a signal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from czujka.detection.detectors.quarrel import Reply
from czujka.words import Joined, Phrase


@dataclass(slots=True)
class Scored:
    """A scored comment as the detectors see it."""

    id: int
    profile_id: str
    created_at: datetime
    author: str
    is_staff: bool
    root_id: int
    is_reply: bool
    text: str
    rating: int | None
    sentiment: str
    harm: float
    harmful: bool
    vulgar: bool
    topic: str
    topic_confidence: float
    competitors: list[str]
    new_account: bool = False

    def as_reply(self) -> Reply:
        """This comment as one turn of its thread, for the quarrel detector."""
        return Reply(
            self.id,
            self.author,
            self.created_at,
            self.is_staff,
            self.sentiment == "negative",
            self.harm,
            self.vulgar,
        )


@dataclass(slots=True)
class SignalIn:
    profile_id: str
    kind: str
    dedup_key: str
    score: float
    at: datetime
    reason: str | Phrase | Joined  # stored in English; a Phrase is also kept to be said in other languages
    evidence: list[int] = field(default_factory=list)
    topic: str | None = None

    @property
    def severity(self) -> int:
        """1–3 from the evidence: how sure the detector is and how much it has seen."""
        if self.kind == "red_flag":
            return 3 if self.score >= 1.0 else 2
        if self.score >= 0.9 or len(self.evidence) >= 20:
            return 3
        if self.score >= 0.7 or len(self.evidence) >= 8:
            return 2
        return 1
