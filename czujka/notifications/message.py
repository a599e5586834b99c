"""The words of a page, in the person's language: what happened, where, how bad, who to call, and the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from czujka.vocabulary import kind_name, topic_name

WORDS = {
    "pl": {
        "severity": "waga",
        "of": "z",
        "profile": "Profil",
        "since": "od",
        "comments": "Najgorsze komentarze",
        "experts": "Eksperci do tematu",
        "ack": "Potwierdź jednym dotknięciem",
        "open": "Incydent",
        "step": "Eskalacja: krok",
        "topic": "temat",
        "none": "brak",
        "playbook": "Co robić",
        "approve": "Odpowiedź czeka na Twoją akceptację",
        "wrote": "napisał(a)",
        "flags": "Uwagi kontroli odpowiedzi",
        "decide": "Wyślij, popraw albo odrzuć",
        "review": "Ukryte komentarze czekają na przegląd",
        "waiting": "czeka na decyzję: zostawić ukryte, przywrócić czy usunąć",
        "review_link": "Przejrzyj",
    },
    "en": {
        "severity": "severity",
        "of": "of",
        "profile": "Profile",
        "since": "since",
        "comments": "Worst comments",
        "experts": "Experts for the topic",
        "ack": "Acknowledge with one tap",
        "open": "Incident",
        "step": "Escalation: step",
        "topic": "topic",
        "none": "none",
        "playbook": "What to do",
        "approve": "A reply waits for your approval",
        "wrote": "wrote",
        "flags": "The reply check says",
        "decide": "Send, edit or reject",
        "review": "Hidden comments wait for review",
        "waiting": "wait for a decision: keep hidden, unhide or delete",
        "review_link": "Review them",
    },
}


@dataclass(frozen=True, slots=True)
class Quote:
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class Expert:
    name: str
    topics: tuple[str, ...]
    phone: str | None
    email: str | None


def _topic(topic: str | None, language: str) -> str:
    return topic_name(topic, language) or WORDS.get(language, WORDS["en"])["none"]


def render_page(
    *,
    language: str,
    incident_id: int,
    kind: str,
    severity: int,
    profile_name: str,
    opened_at: datetime,
    timezone: str,
    topic: str | None,
    quotes: list[Quote],
    experts: list[Expert],
    url: str,
    ack_url: str,
    step: int,
    playbook: str | None = None,
) -> tuple[str, str]:
    """(title, plain-text body) short enough for an SMS gateway's first screen and a lock screen."""
    w = WORDS.get(language, WORDS["en"])
    local = opened_at.astimezone(ZoneInfo(timezone))
    title = f"[czujka] {w['severity']} {severity}/3 · {profile_name}: {kind_name(kind, language)}"
    lines = [
        f"{w['profile']}: {profile_name} · {w['since']} {local:%Y-%m-%d %H:%M} · "
        f"{w['topic']}: {_topic(topic, language)}",
        f"{w['ack']}: {ack_url}",
        f"{w['open']} #{incident_id}: {url}",
    ]
    if playbook:
        lines.append(f"{w['playbook']} ({playbook}): {url}#playbook")
    if quotes:
        lines.append(f"{w['comments']}:")
        lines += [f"  {q.author}: {_short(q.text)}" for q in quotes]
    if experts:
        lines.append(f"{w['experts']}:")
        for e in experts:
            contact = " · ".join(x for x in (e.phone, e.email) if x)
            lines.append(
                f"  {e.name} ({', '.join(topic_name(t, language) or t for t in e.topics)}) {contact}".rstrip()
            )
    lines.append(f"{w['step']} {step + 1}")
    return title, "\n".join(lines)


def render_approval(
    *, language: str, profile_name: str, author: str, text: str, reasons: list[str], url: str
) -> tuple[str, str]:
    """A lead's page: who wants to post what where, what the check said, and the one link to decide."""
    w = WORDS.get(language, WORDS["en"])
    title = f"[czujka] {w['approve']} · {profile_name}"
    lines = [f"{author} {w['wrote']}: {_short(text, 300)}"]
    if reasons:
        lines.append(f"{w['flags']}:")
        lines += [f"  - {_short(r, 160)}" for r in reasons]
    lines.append(f"{w['decide']}: {url}")
    return title, "\n".join(lines)


def render_review(*, language: str, profile_name: str, count: int, url: str) -> tuple[str, str]:
    """The weekly digest of the review queue."""
    w = WORDS.get(language, WORDS["en"])
    return (
        f"[czujka] {w['review']} · {profile_name}: {count}",
        f"{count} {w['waiting']}.\n{w['review_link']}: {url}",
    )


def _short(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
