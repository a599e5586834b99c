"""The shape every detector has (after River's drift detectors): hyperparameters in `__init__`, state reset
in `_reset`, `update(...) -> self`, an `alarm` property, and state that survives a restart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Self


@dataclass(frozen=True, slots=True)
class Alarm:
    """What a detector found: a score in [0, 1], the comments that show it, and why, in plain words."""

    score: float
    evidence: tuple[int, ...] = ()
    reason: str = ""
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
