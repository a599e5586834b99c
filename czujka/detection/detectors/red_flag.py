"""Red flags: one comment with legal or safety weight (poisoning, injury, fraud, lawyer, UOKiK, police,
press) or a threat opens an incident at once."""

from __future__ import annotations

import re
from typing import Any, Self

from czujka.analysis.normalize import normalized_text
from czujka.detection.base import Alarm

THREATS = re.compile(
    r"\b(zabij\w*|zabic|zajeb\w* cie|dopadn\w*|znajd\w* cie|spal\w* (wam|wasz)|podpal\w*|bomb\w*|"
    r"kill you|burn (it|your)|find you)\b"
)


class RedFlagDetector:
    """Stateless: each comment is judged alone."""

    def __init__(self, min_topic_confidence: float = 0.5):
        self.min_topic_confidence = min_topic_confidence
        self._alarm: Alarm | None = None

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def update(self, comment_id: int, text: str, topic: str, topic_confidence: float) -> Self:
        reasons = []
        if topic == "legal-safety" and topic_confidence >= self.min_topic_confidence:
            reasons.append("legal or safety matter")
        if THREATS.search(normalized_text(text)):
            reasons.append("a threat")
        self._alarm = (
            Alarm(1.0 if len(reasons) > 1 else 0.8, (comment_id,), " and ".join(reasons)) if reasons else None
        )
        return self

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> Self:
        return self
