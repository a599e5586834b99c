"""The dashboard's words through the gettext catalogs (`czujka.words`), for Jinja2's i18n extension: the
page's language, names for the stored codes (states, kinds, channels), counts with plural forms, and dates
and time spans formatted for the locale by Babel."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_percent
from jinja2 import Environment

from czujka.moderation.service import ACTION_STATES
from czujka.notifications.channels import KIND_NAMES
from czujka.vocabulary import STATES, kind_name, topic_name
from czujka.words import N_, say, translations

# The language of the page being rendered: set around each render (Starlette renders in the handler).
LANGUAGE: ContextVar[str] = ContextVar("czujka_page_language", default="pl")

EVENTS = {
    "opened": N_("opened"),
    "signal": N_("signal"),
    "severity": N_("severity"),
    "acknowledged": N_("acknowledged"),
    "resolved": N_("resolved"),
    "silenced": N_("silenced"),
    "note": N_("note"),
    "escalation": N_("escalation"),
    "page": N_("page sent"),
    "page_failed": N_("page failed"),
    "repaged": N_("paged again"),
    "reply": N_("reply sent"),
    "reply_failed": N_("reply failed"),
    "reply_unknown": N_("reply: no confirmation"),
    "reply_waiting": N_("reply waits for approval"),
    "reply_approved": N_("reply approved"),
    "reply_rejected": N_("reply rejected"),
    "moderation": N_("moderation"),
    "moderation_failed": N_("moderation failed"),
    "review": N_("review"),
    "action_item": N_("action item"),
    "action_done": N_("action item done"),
    "detected": N_("detected"),
}
FLAGS = {
    "harm": N_("harmful"),
    "vulgar": N_("vulgar"),
    "negative": N_("negative"),
    "positive": N_("positive"),
    "neutral": N_("neutral"),
    "mixed": N_("mixed"),
    "competitor": N_("competitor"),
}
CHANGE_STATES = {
    "active": N_("in force"),
    "pending": N_("waiting for approval"),
    "rejected": N_("rejected"),
    "cancelled": N_("cancelled"),
}
ORIGINS = {"connected": N_("connected here"), "czujka.toml": N_("from czujka.toml")}
TOKENS = {
    "valid": N_("token works"),
    "invalid": N_("token does not work"),
    "unknown": N_("token not checked yet"),
    "none": N_("no token"),
}
REPLY_STATES = {
    "sent": N_("Reply sent."),
    "pending_approval": N_("The reply waits for a lead's approval."),
    "sending": N_("The reply is being sent."),
    "failed": N_("The reply was not sent."),
    "unknown": N_("Unknown whether the reply was posted: check the thread."),
    "rejected": N_("The reply was rejected by a lead."),
}
ACTIONS = {
    "hide": N_("hidden"),
    "delete": N_("deleted"),
    "unhide": N_("unhidden"),
    "flag": N_("flagged"),
    "keep": N_("kept hidden"),
}
REASONS = {
    "argues": N_("argues with the customer"),
    "defensive": N_("defends the shop"),
    "defers": N_("puts the customer off"),
    "curt": N_("curt"),
    "shouts": N_("shouts"),
    "personal_data": N_("personal data in public"),
    "promises": N_("promises too much"),
    "third_reply": N_("third public answer in the thread"),
    "empty": N_("empty"),
}
ROLES = {"admin": N_("admin"), "responder": N_("responder"), "viewer": N_("viewer")}
# Date patterns (CLDR): "wt. 01.12 21:15" / "Tue 01.12 21:15".
PATTERNS = {
    "short": "EEE dd.MM HH:mm",
    "day": "EEE dd.MM",
    "weekday": "EEE d",
    "time": "HH:mm",
    "seconds": "dd.MM HH:mm:ss",
}


def _lang() -> str:
    return LANGUAGE.get()


def gettext(message: str) -> str:
    return translations(_lang()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_lang()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_lang()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(_lang()).npgettext(context, singular, plural, n)


def _labeller(names: dict[str, str]) -> Any:
    def label(code: str | None) -> str:
        return gettext(names[code]) if code in names else (code or "")

    return label


def kind_label(kind: str) -> str:
    return kind_name(kind, _lang())


def topic_label(topic: str | None) -> str:
    return topic_name(topic, _lang()) or ""


def timespan(delta: timedelta, language: str | None = None) -> str:
    """How long, rounded the way people say it: '12 minut', '3 godziny', '4 dni'."""
    return format_timedelta(delta, threshold=1.5, granularity="minute", locale=language or _lang())


def waited(minutes: float) -> str:
    """A step's wait in words: '15 minut', '6 sekund'."""
    return format_timedelta(timedelta(minutes=minutes), threshold=1.5, granularity="second", locale=_lang())


def duration(seconds: int | float | None, language: str | None = None) -> str:
    """How long, to the two largest units: '2 godz. 15 min', '3 dni 4 godz.', '7 sek.'; '—' for None."""
    if seconds is None:
        return "—"
    locale = language or _lang()
    left = round(seconds)
    parts = []
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        count, left = divmod(left, size)
        if count or (unit == "seconds" and not parts):
            parts.append(
                format_timedelta(
                    timedelta(**{unit: count}),
                    granularity=unit[:-1],
                    threshold=10**9,  # never a larger unit: 8 days stay 8 days
                    format="short",
                    locale=locale,
                )
            )
        if len(parts) == 2 or (parts and unit == "minutes"):
            break
    return " ".join(parts)


def pct(share: float | None) -> str:
    """A share as a percentage in the page's language ('31 %'); '—' where there is none."""
    return "—" if share is None else format_percent(share, locale=_lang())


def when(at: datetime | str | None, pattern: str = "short") -> str:
    """A local time in the page's language ('wt. 01.12 21:15'); an ISO string keeps its own offset."""
    if not at:
        return "—"
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if not isinstance(at, datetime):  # a day, such as an action item's due date
        return format_date(at, PATTERNS.get(pattern, pattern), locale=_lang())
    return format_datetime(at, PATTERNS.get(pattern, pattern), tzinfo=at.tzinfo, locale=_lang())


def ago(at: datetime | None, now: datetime | None = None) -> str:
    """'12 minut temu' / '12 minutes ago'."""
    if at is None:
        return ""
    return format_timedelta(
        at - (now or datetime.now(UTC)),
        threshold=1.5,
        granularity="minute",
        add_direction=True,
        locale=_lang(),
    )


def install(env: Environment) -> None:
    """Jinja2's i18n extension with callables that read the page's language, and the helpers above."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals.update(
        timespan=timespan,
        ago=ago,
        waited=waited,
        duration=duration,
        pct=pct,
        said=lambda text: say(text, _lang()),
        kind_label=kind_label,
        topic_label=topic_label,
        event_label=_labeller(EVENTS),
        flag_label=_labeller(FLAGS),
        channel_label=_labeller(KIND_NAMES),
        state_label=_labeller(STATES),
        change_state_label=_labeller(CHANGE_STATES),
        origin_label=_labeller(ORIGINS),
        token_label=_labeller(TOKENS),
        reply_state_label=_labeller(REPLY_STATES),
        action_label=_labeller(ACTIONS),
        role_label=_labeller(ROLES),
        moderation_state_label=_labeller(ACTION_STATES),
    )
    env.filters["when"] = when
    env.filters["reason_label"] = _labeller(REASONS)
