"""Red flags: one comment with legal or safety weight (poisoning, injury, fraud, lawyer, UOKiK, police,
press) or a threat opens an incident at once, as severe as what is at stake (`stakes.py`)."""

from __future__ import annotations

import re
from typing import Any, Self

from czujka.analysis.normalize import normalized_text
from czujka.detection.base import Alarm
from czujka.detection.stakes import grave, in_words, stakes
from czujka.words import N_, Phrase, joined, phrase

LEGAL, THREAT = N_("legal or safety matter"), N_("a threat")
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
        """A red flag scores 1.0 (severity 3) when a threat comes with a legal or safety matter or anything
        at stake, or when what is at stake is grave (a child harmed, the police and a lawyer …); else 0.8
        (severity 2)."""
        reasons = []
        found = stakes(text)
        if (topic == "legal-safety" and topic_confidence >= self.min_topic_confidence) or grave(found):
            reasons.append(LEGAL)
        if THREATS.search(normalized_text(text)):
            reasons.append(THREAT)
        if not reasons:
            self._alarm = None
            return self
        said = phrase(reasons[0])
        if len(reasons) == 2:
            said = phrase("%(first)s and %(second)s", first=said, second=phrase(reasons[1]))
        parts: list[Phrase] = [said]
        if found:
            parts.append(phrase("at stake: %(stakes)s", stakes=in_words(found)))
        reason = joined(parts)
        score = 1.0 if len(reasons) > 1 or grave(found) or (THREAT in reasons and found) else 0.8
        self._alarm = Alarm(score, (comment_id,), reason, {"stakes": found})
        return self

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> Self:
        return self
