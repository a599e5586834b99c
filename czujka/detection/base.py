"""The shape every detector has (after River's drift detectors): hyperparameters in `__init__`, state reset
in `_reset`, `update(...) -> self`, an `alarm` property, and state that survives a restart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, Self

from czujka.words import Joined, Phrase

# How improbable for its hour of the week a count must be to open a surge incident (split among the
# windows tested): the `surge_p_value` setting's default. 1e-4 keeps false surge incidents near one in
# twelve ordinary weeks of a page (`czujka bench scenarios --surge-p-value P` shows the trade).
SURGE_P_VALUE = 1e-4
# The series' resolution: surges judge (and the charts draw) comments per ten minutes.
BUCKET = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Alarm:
    """What a detector found: a score in [0, 1], the comments that show it, and why, in plain words."""

    score: float
    evidence: tuple[int, ...] = ()
    reason: str | Phrase | Joined = ""  # a Phrase is said in the reader's language
    details: dict[str, Any] = field(default_factory=dict)


def unnamed_author(comment_id: int) -> str:
    """The author of a comment whose source names nobody: the comment alone. One shared "unknown" would
    turn strangers into one person (arguing with themselves, or hiding a surge behind the authors rule)."""
    return f"#{comment_id}"


class Detector(Protocol):
    @property
    def alarm(self) -> Alarm | None: ...

    def update(self, *args: Any, **kwargs: Any) -> Self: ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> Self: ...
