"""Language of a comment: pl, en or other, offline (py3langid), with a nudge for short Polish texts."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

Language = Literal["pl", "en", "other"]
CANDIDATES = ["pl", "en", "de", "uk", "ru", "cs", "sk", "fr", "es", "it", "lt"]
POLISH_LETTERS = re.compile(r"[ąćęłńóśźż]", re.IGNORECASE)
# Words common in one of the two languages and rare in the other (and in their neighbours).
POLISH_WORDS = frozenset(
    "nie się jest że jak ale czy już tak dla jestem był była było może mnie mój moja moje wasz wasze wasza "
    "tylko jeszcze bardzo dziś teraz gdzie kiedy dlaczego który która które oraz przez tego tej ten "
    "super dzięki polecam paczka paczki sklep zamówienie kurier dostawa czekam macie".split()
)
ENGLISH_WORDS = frozenset(
    "the and is it of you my for not this that was with your have are but what when where why which "
    "very just thanks thank please order delivery parcel shop great love".split()
)
WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def detect_language(text: str, default: Language = "pl") -> Language:
    """Short or unclear texts (\"ok\", \"Super!\") get `default`, the profile's language."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return default
    if POLISH_LETTERS.search(text):
        return "pl"
    polish = sum(w in POLISH_WORDS for w in words)
    english = sum(w in ENGLISH_WORDS for w in words)
    if polish > english:
        return "pl"
    if english > polish and english * 4 >= len(words):
        return "en"
    language, confidence = _identifier().classify(text)
    if confidence < 0.6 or len(words) < 3:
        return default if language not in ("pl", "en") or confidence < 0.6 else language
    return language if language in ("pl", "en") else "other"
