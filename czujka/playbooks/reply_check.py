"""The reply check: warns before a staff reply makes a crisis worse, and says how to fix it.

It runs on every pause in typing and again on send, so it is rules plus one small linear model, with no
database and no network (`czujka bench reply-check` measures it). A draft is risky when any rule fires or
the model's probability passes its threshold; every reason comes with a message in the interface language.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from czujka.analysis.language import detect_language
from czujka.playbooks.check_model import ToneModel
from czujka.playbooks.rules import rule_reasons
from czujka.words import N_, gettext

Language = Literal["pl", "en"]
PUBLIC_REPLIES_BEFORE_PRIVATE = 2  # the staff's third public answer in a thread should go private

# code: why it is risky, and how to fix it (a catalog message)
MESSAGES: dict[str, str] = {
    "argues": N_(
        'The reply argues with or blames the customer (calling them a liar, "read the terms", sarcasm). '
        "Don't judge them: acknowledge what went wrong and offer a concrete step."
    ),
    "defensive": N_(
        'The reply defends the shop instead of solving the problem ("not our fault", "the courier\'s '
        'fault"). The customer does not care whose fault it is: apologise and say what you will do.'
    ),
    "defers": N_(
        'The reply puts the customer off without a concrete step ("contact us on Monday", "we\'ll look '
        'into it"). Say what you will do and by when, e.g. "I\'ll message you privately today by 6 pm".'
    ),
    "curt": N_(
        "The reply is too short and curt. Add a greeting or a thank-you and one sentence on what happens "
        "next."
    ),
    "shouts": N_(
        'The reply shouts (capitals, "!!!"). Write in normal case with at most one exclamation mark.'
    ),
    "personal_data": N_(
        "The reply shows the customer's data in public (phone, address, e-mail, order or parcel number) or "
        "asks them to post it here. Move the details to a private message."
    ),
    "promises": N_(
        'The reply promises what nobody can check or keep now ("we guarantee", "definitely today", '
        '"never again"). Promise only the next step you will take yourself.'
    ),
    "third_reply": N_(
        "This would be the staff's third public answer in this thread. Move the conversation to a private "
        "message instead of holding it in front of everyone."
    ),
    "empty": N_("The reply is empty."),
}
ORDER = (
    "empty",
    "argues",
    "defensive",
    "defers",
    "curt",
    "shouts",
    "personal_data",
    "promises",
    "third_reply",
)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    risky: bool
    reasons: list[Reason] = field(default_factory=list)
    probability: float = 0.0  # the model's P(risky), for the report and the bench

    def as_dict(self) -> dict[str, object]:
        return {
            "risky": self.risky,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
        }


def message(code: str, language: str) -> str:
    return gettext(MESSAGES[code], language)


class ReplyChecker:
    """Loads the model once (thread-safe) and checks drafts."""

    def __init__(self, model: ToneModel | None = None):
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self) -> ToneModel:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = ToneModel.load()
        return self._model

    def warm(self) -> ReplyChecker:
        """Load the model and the language identifier now, so the first draft typed is as quick as the rest."""
        self.model.predict(["ok"])
        detect_language("xyz")  # an unknown word reaches the identifier
        return self

    def codes(self, texts: list[str]) -> list[tuple[list[str], float]]:
        """The reason codes of each draft (rules, then the model's tone reason) and P(risky)."""
        predicted = self.model.predict(texts) if texts else []
        out = []
        for text, (probability, tone) in zip(texts, predicted, strict=True):
            codes = rule_reasons(text)
            if not codes and probability >= self.model.threshold:
                codes = [tone]
            out.append((codes, probability))
        return out

    def check(
        self,
        text: str,
        *,
        language: str | None = None,
        staff_public_replies: int = 0,
        private: bool = False,
    ) -> CheckResult:
        """`language` is the interface's, for the messages (default: the draft's own); `staff_public_replies`
        counts the staff's public answers already in the thread."""
        return self.check_many([text], [language], [staff_public_replies], private=private)[0]

    def check_many(
        self,
        texts: list[str],
        languages: list[str | None] | None = None,
        staff_public_replies: list[int] | None = None,
        *,
        private: bool = False,
    ) -> list[CheckResult]:
        """Many drafts at once (a file of them): the model runs once over all."""
        languages = languages or [None] * len(texts)
        earlier = staff_public_replies or [0] * len(texts)
        found = iter(self.codes([t for t in texts if t.strip()]))
        results = []
        for text, language, replies in zip(texts, languages, earlier, strict=True):
            if not text.strip():
                results.append(CheckResult(True, [Reason("empty", message("empty", language or "pl"))], 1.0))
                continue
            codes, probability = next(found)
            if not private and replies >= PUBLIC_REPLIES_BEFORE_PRIVATE:
                codes = [*codes, "third_reply"]
            shown = language or detect_language(text)
            reasons = [Reason(c, message(c, shown)) for c in ORDER if c in codes]
            results.append(CheckResult(bool(reasons), reasons, probability))
        return results
