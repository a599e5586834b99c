"""The words every stage shares: incident kinds and complaint topics, each with its Polish and English name.

Defined once here, so the detectors, the incidents, the routes in `czujka.toml`, the pages, the dashboard and
the API's filters can never disagree about which kinds and topics exist, or what they are called.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    pl: str
    en: str

    def name(self, language: str) -> str:
        return self.pl if language == "pl" else self.en


KINDS: dict[str, Term] = {
    "negative_surge": Term("fala negatywnych komentarzy", "negative comments are surging"),
    "harm_surge": Term(
        "przybywa wulgarnych i obraźliwych komentarzy", "vulgar and abusive comments are piling up"
    ),
    "volume_surge": Term("nagły wzrost liczby komentarzy", "comment volume is surging"),
    "quarrel": Term("kłótnia w wątku", "a quarrel is heating up in a thread"),
    "coordinated": Term(
        "skoordynowany atak: seria niemal identycznych opinii",
        "a coordinated burst of near-identical opinions",
    ),
    "red_flag": Term(
        "komentarz o wadze prawnej lub dotyczący bezpieczeństwa", "a comment with legal or safety weight"
    ),
    "keyword": Term("obserwowane słowo", "a watched keyword"),
    "moderation_runaway": Term(
        "reguła moderacji działa zbyt często i została wstrzymana",
        "a moderation rule ran away and was stopped",
    ),
    "moderation_blocked": Term(
        "czujka nie może moderować profilu (brak uprawnień)",
        "czujka cannot moderate the profile (no permission)",
    ),
    "channel_down": Term(
        "czujka nie widzi profilu: połączenie zerwane albo cisza",
        "czujka is blind to the profile: the connection broke or it went silent",
    ),
}

# In the order of the topic model's labels (changing it means retraining); "other" is nobody's expertise.
TOPICS: dict[str, Term] = {
    "delivery": Term("dostawa", "delivery"),
    "payment": Term("płatności", "payments"),
    "product": Term("produkt", "product"),
    "refund": Term("zwroty", "returns"),
    "service": Term("obsługa", "service"),
    "legal-safety": Term("prawo i bezpieczeństwo", "legal and safety"),
    "other": Term("inne", "other"),
}
EXPERT_TOPICS = tuple(t for t in TOPICS if t != "other")
# Other spellings people write in czujka.toml for the same topics.
TOPIC_ALIASES = {"returns": "refund", "legal_safety": "legal-safety", "legal": "legal-safety"}


def kind_name(kind: str, language: str) -> str:
    term = KINDS.get(kind)
    return term.name(language) if term else kind


def kind_title(kind: str) -> str:
    """An incident's stored title: the English name, capitalised."""
    name = kind_name(kind, "en")
    return name[:1].upper() + name[1:]


def topic_name(topic: str | None, language: str) -> str | None:
    term = TOPICS.get(topic or "")
    return term.name(language) if term else topic
