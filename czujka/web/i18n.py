"""The dashboard's words; Polish is the default, English the other language."""

from __future__ import annotations

from collections.abc import Callable

WORDS: dict[str, dict[str, str]] = {
    "ack.title": {"pl": "Potwierdź incydent", "en": "Acknowledge the incident"},
    "ack.button": {"pl": "Potwierdzam, zajmuję się tym", "en": "Acknowledge: I am on it"},
    "ack.done": {
        "pl": "Potwierdzone. Eskalacja zatrzymana.",
        "en": "Acknowledged. The escalation has stopped.",
    },
    "ack.invalid": {"pl": "Tego linku nie da się użyć", "en": "This link cannot be used"},
    "ack.open": {"pl": "Otwórz incydent", "en": "Open the incident"},
    "severity": {"pl": "waga", "en": "severity"},
    "profile": {"pl": "profil", "en": "profile"},
    "opened": {"pl": "otwarty", "en": "opened"},
}
MESSAGES_PL = {
    "this acknowledge link is not valid": "ten link do potwierdzenia jest nieprawidłowy",
    "this acknowledge link was already used": "ten link do potwierdzenia został już użyty",
    "this acknowledge link has expired": "ten link do potwierdzenia wygasł",
}


def translator(language: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        entry = WORDS.get(key)
        if entry is None:
            return MESSAGES_PL.get(key, key) if language == "pl" else key
        return entry.get(language) or entry["en"]

    return t
