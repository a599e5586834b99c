"""The words of a page, in the person's language: what happened, where, how bad, who to call, and the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from czujka.vocabulary import kind_name, topic_name
from czujka.words import gettext as _
from czujka.words import ngettext


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
    return topic_name(topic, language) or _("none", language)


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
    client_name: str | None = None,
) -> tuple[str, str]:
    """(title, plain-text body) short enough for an SMS gateway's first screen and a lock screen."""
    local = format_datetime(
        opened_at, "EEE dd.MM HH:mm", tzinfo=ZoneInfo(timezone), locale=language if language else "en"
    )
    title = (
        "[czujka] "
        + (f"{client_name} · " if client_name else "")
        + _(
            "severity %(severity)s/3 · %(profile)s: %(kind)s",
            language,
            severity=severity,
            profile=profile_name,
            kind=kind_name(kind, language),
        )
    )
    lines = [
        _(
            "Profile: %(profile)s · since %(opened)s · topic: %(topic)s",
            language,
            profile=profile_name,
            opened=local,
            topic=_topic(topic, language),
        ),
        _("Acknowledge with one tap: %(url)s", language, url=ack_url),
        _("Incident #%(id)s: %(url)s", language, id=incident_id, url=url),
    ]
    if playbook:
        anchor = url + "#playbook"
        lines.append(_("What to do (%(playbook)s): %(url)s", language, playbook=playbook, url=anchor))
    if quotes:
        lines.append(_("Worst comments:", language))
        lines += [f"  {q.author}: {_short(q.text)}" for q in quotes]
    if experts:
        lines.append(_("Experts for the topic:", language))
        for e in experts:
            topics = ", ".join(topic_name(t, language) or t for t in e.topics)
            lines.append(" · ".join(x for x in (f"  {e.name}", topics, e.phone, e.email) if x))
    lines.append(_("Escalation: step %(step)s", language, step=step + 1))
    return title, "\n".join(lines)


def render_approval(
    *, language: str, profile_name: str, author: str, text: str, reasons: list[str], url: str
) -> tuple[str, str]:
    """A lead's page: who wants to post what where, what the check said, and the one link to decide."""
    title = "[czujka] " + _("A reply waits for your approval · %(profile)s", language, profile=profile_name)
    lines = [_("%(author)s wrote: %(text)s", language, author=author, text=_short(text, 300))]
    if reasons:
        lines.append(_("The reply check says:", language))
        lines += [f"  - {_short(r, 160)}" for r in reasons]
    lines.append(_("Send, edit or reject: %(url)s", language, url=url))
    return title, "\n".join(lines)


def render_review(*, language: str, profile_name: str, count: int, url: str) -> tuple[str, str]:
    """The weekly digest of the review queue."""
    return (
        "[czujka] "
        + _(
            "Hidden comments wait for review · %(profile)s: %(count)s",
            language,
            profile=profile_name,
            count=count,
        ),
        ngettext(
            "%(num)d hidden comment waits for a decision: keep hidden, unhide or delete.",
            "%(num)d hidden comments wait for a decision: keep hidden, unhide or delete.",
            count,
            language,
        )
        + "\n"
        + _("Review them: %(url)s", language, url=url),
    )


def render_digest(*, language: str, said: dict, url: str) -> tuple[str, str]:
    """The weekly digest's page: the week in numbers, and the link to the whole digest."""

    def share(value: float | None) -> str:
        return "—" if value is None else f"{round(value * 100)}%"

    lines = [
        ngettext(
            "%(num)d incident (%(weekend)s at the weekend).",
            "%(num)d incidents (%(weekend)s at the weekend).",
            int(said.get("incidents", 0)),
            language,
            weekend=said.get("weekend_incidents", 0),
        ),
        _(
            "Acknowledged within 10 minutes: %(hit)s of %(paged)s paged.",
            language,
            hit=said.get("acknowledged_in_goal", 0),
            paged=said.get("paged", 0),
        ),
        _(
            "Comments: %(comments)s, negative: %(share)s (the 4 weeks before: %(before)s).",
            language,
            comments=said.get("comments", 0),
            share=share(said.get("negative_share")),
            before=share(said.get("negative_share_before")),
        ),
        _(
            "Replies sent: %(sent)s. Hidden comments waiting for review: %(waiting)s.",
            language,
            sent=said.get("replies_sent", 0),
            waiting=said.get("waiting_review", 0),
        ),
        _("The whole digest: %(url)s", language, url=url),
    ]
    title = "[czujka] " + _(
        "Weekly digest · %(name)s · %(week)s", language, name=said.get("name", ""), week=said.get("week", "")
    )
    return title, "\n".join(lines)


def _short(text: str, limit: int = 140) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
