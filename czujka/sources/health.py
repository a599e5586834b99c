"""Channel health: what czujka knows of each profile's connection, and what is broken in plain words.

Deliveries and polls record themselves here as they happen; `check_connection` asks Meta now and then
whether the token is valid, when it expires, and whether the Page is still subscribed to the webhooks.
`problem_of` names what is broken; the channel watch (`detection/channel.py`) adds silence and turns a
problem into a `channel_down` signal.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from czujka.config import ProfileConfig, Settings
from czujka.sources import connect as meta
from czujka.sources.graph import GraphError, RateLimited, TokenExpired
from czujka.sources.models import ChannelHealth
from czujka.storage.engine import session_scope
from czujka.words import LANGUAGES, N_, Joined, Phrase, joined, phrase, say

TOKEN_CHECK_EVERY = timedelta(hours=6)
SUBSCRIPTION_CHECK_EVERY = timedelta(hours=1)
EXPIRY_WARNING = timedelta(days=7)

# Code 190's subcodes: why Meta stopped accepting the token.
TOKEN_SUBCODES: dict[int, str] = {
    458: N_("someone removed czujka's app from their account"),
    459: N_("Facebook locked the account for a check"),
    460: N_("the Facebook account's password was changed"),
    463: N_("the access token expired"),
    464: N_("the Facebook account is not confirmed"),
    467: N_("the access token is invalid"),
}
TOKEN_REJECTED = N_("Meta rejects the access token")
FIX_TOKEN = N_("Connect the page again (Profiles → Connect Facebook / Instagram) or set a new token.")
VAULT_LOST = N_(
    "czujka cannot read the stored token: CZUJKA_SECRET_KEY (or secret.key) is not the key it was stored with"
)

PROBLEMS: dict[str, str] = {
    "token": N_("czujka has lost access to the profile"),
    "permission": N_("czujka has lost a permission on the profile"),
    "polls_failing": N_("polling the profile keeps failing"),
    "unsubscribed": N_("the Page no longer sends webhooks"),
    "silent": N_("nothing has arrived from the profile for longer than is usual at this time"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # a key of PROBLEMS
    detail: Phrase | Joined
    since: datetime

    def phrase(self) -> Phrase:
        return phrase("%(problem)s: %(detail)s", problem=phrase(PROBLEMS[self.kind]), detail=self.detail)

    def words(self, language: str) -> str:
        return self.phrase().say(language)


def health_of(session: Session, profile_id: str, *, now: datetime) -> ChannelHealth:
    row = session.get(ChannelHealth, profile_id)
    if row is None:
        row = ChannelHealth(profile_id=profile_id, watched_since=now, missing_permissions=[])
        session.add(row)
    return row


def watch(session: Session, profile_ids: list[str], *, now: datetime) -> None:
    """A health row for every profile, made once when profiles are synced, so deliveries only update."""
    known = set(session.scalars(select(ChannelHealth.profile_id)))
    for profile_id in profile_ids:
        if profile_id not in known:
            session.add(ChannelHealth(profile_id=profile_id, watched_since=now, missing_permissions=[]))


def delivered(session: Session, profile_ids: set[str], *, at: datetime) -> None:
    """Something arrived for these profiles (a webhook delivery, or a poll that found new comments): one
    UPDATE, so concurrent deliveries never race to insert."""
    if not profile_ids:
        return
    session.execute(
        update(ChannelHealth)
        .where(
            ChannelHealth.profile_id.in_(sorted(profile_ids)),
            or_(ChannelHealth.last_delivery_at.is_(None), ChannelHealth.last_delivery_at < at),
        )
        .values(last_delivery_at=at)
    )


def polled(session: Session, profile_id: str, *, error: Exception | None, at: datetime) -> None:
    row = health_of(session, profile_id, now=at)
    if error is None:
        row.last_poll_ok_at, row.poll_failing_since = at, None
        row.error_kind = row.error_code = row.error_subcode = None
        return
    row.poll_failing_since = row.poll_failing_since or at
    row.error_kind = error_kind(error)
    row.error_code = getattr(error, "code", None)
    row.error_subcode = getattr(error, "subcode", None)


def error_kind(error: Exception) -> str:
    """What a failed Graph call says of the channel: token, permission, rate_limited or error."""
    if isinstance(error, TokenExpired):
        return "token"
    if isinstance(error, GraphError) and error.permission_denied:
        return "permission"
    if isinstance(error, RateLimited):
        return "rate_limited"
    return "error"


def check_connection(
    sessions: sessionmaker[Session],
    settings: Settings,
    profile: ProfileConfig,
    *,
    http: httpx.Client,
    now: datetime,
) -> None:
    """Ask Meta, when due, whether the token still works and the Page is still subscribed; the calls are
    made outside any transaction and their answers written in one short one."""
    if profile.access_token is None or profile.platform not in ("facebook", "instagram"):
        return
    with session_scope(sessions) as session:
        row = session.get(ChannelHealth, profile.id)
        token_due = (
            row is None or row.token_checked_at is None or now - row.token_checked_at >= TOKEN_CHECK_EVERY
        )
        subscription_due = profile.platform == "facebook" and (
            row is None
            or row.subscription_checked_at is None
            or now - row.subscription_checked_at >= SUBSCRIPTION_CHECK_EVERY
        )
    if not token_due and not subscription_due:
        return
    token = profile.access_token.get_secret_value()
    info: meta.TokenInfo | None = None
    rejected: TokenExpired | None = None
    subscribed: bool | None = None
    if token_due:
        try:
            info = meta.token_info(settings, token, http)
        except TokenExpired as exc:
            rejected = exc
        except (GraphError, httpx.HTTPError):
            pass  # not knowing is not a broken token; polls and deliveries still tell
    if subscription_due:
        with contextlib.suppress(GraphError, httpx.HTTPError):
            subscribed = meta.page_subscribed(
                meta.graph(settings, token, http), profile.platform_id, settings.meta_app_id
            )
    with session_scope(sessions, write=True) as session:
        row = health_of(session, profile.id, now=now)
        if token_due:
            row.token_checked_at = now
        if rejected is not None:
            row.token_valid, row.error_kind = False, "token"
            row.error_code, row.error_subcode = rejected.code, rejected.subcode
        elif info is not None:
            row.token_valid, row.token_expires_at = info.valid, info.expires_at
            if info.valid and row.error_kind == "token":
                row.error_kind = row.error_code = row.error_subcode = None
            if info.scopes:
                row.missing_permissions = meta.missing_permissions(info.scopes, {profile.platform})
        if subscription_due:
            row.subscription_checked_at = now
            if subscribed is not None:
                row.subscribed = subscribed
                row.was_subscribed = row.was_subscribed or subscribed


def problem_of(row: ChannelHealth, settings: Settings, *, now: datetime) -> Problem | None:
    """What is broken in this channel now, other than silence (which needs the profile's history)."""
    if row.error_kind == "vault":
        return Problem("token", phrase(VAULT_LOST), row.token_checked_at or now)
    if row.error_kind == "token" or row.token_valid is False:
        reason = TOKEN_SUBCODES.get(row.error_subcode or 0, TOKEN_REJECTED)
        return Problem(
            "token", _join(reason, FIX_TOKEN), row.poll_failing_since or row.token_checked_at or now
        )
    if row.error_kind == "permission":
        detail = phrase(
            "Meta refuses with code %(code)s; grant czujka its permissions again.", code=row.error_code
        )
        return Problem("permission", detail, row.poll_failing_since or now)
    if row.token_expires_at is not None and row.token_expires_at <= now:
        return Problem("token", _join(TOKEN_SUBCODES[463], FIX_TOKEN), row.token_expires_at)
    failing = row.poll_failing_since
    if failing is not None and now - failing >= timedelta(minutes=settings.channel_down_after_minutes):
        minutes = int((now - failing).total_seconds() // 60)
        detail = phrase(
            "every poll for %(minutes)s min has failed (%(error)s).", minutes=minutes, error=row.error_kind
        )
        return Problem("polls_failing", detail, failing)
    if row.was_subscribed and row.subscribed is False:
        detail = phrase("connect the page again so comments arrive at once.")
        return Problem("unsubscribed", detail, row.subscription_checked_at or now)
    return None


def warnings_of(row: ChannelHealth, *, now: datetime) -> list[str]:
    """What is not broken yet but will be: a token that expires within a week, permissions missing."""
    found = []
    if row.token_expires_at is not None and now < row.token_expires_at <= now + EXPIRY_WARNING:
        found.append(f"token expires {row.token_expires_at.isoformat(timespec='minutes')}")
    found += [f"missing permission {name}" for name in row.missing_permissions or []]
    return found


def _join(first: str, second: str) -> Joined:
    return joined([phrase(first), phrase(second)], ". ")


def channel_status(
    session: Session, settings: Settings, *, connected: set[str], now: datetime
) -> list[dict[str, Any]]:
    """Every profile's connection as the dashboard, the API and `czujka profiles list` show it; never a
    token."""
    rows = {r.profile_id: r for r in session.scalars(select(ChannelHealth))}
    found = []
    for profile in settings.profiles:
        row = rows.get(profile.id)
        problem = (
            (row.problem or (p.kind if (p := problem_of(row, settings, now=now)) else None)) if row else None
        )
        token = "none" if profile.access_token is None else "unknown"
        if row is not None and profile.access_token is not None and row.token_valid is not None:
            token = "valid" if row.token_valid else "invalid"
        found.append(
            {
                "id": profile.id,
                "name": profile.name,
                "platform": profile.platform,
                "platform_id": profile.platform_id,
                "origin": "connected" if profile.id in connected else "czujka.toml",
                "client": settings.client_of(profile.id),
                "token": token,
                "token_expires_at": _iso(row.token_expires_at if row else None),
                "subscribed": row.subscribed if row else None,
                "last_delivery_at": _iso(row.last_delivery_at if row else None),
                "last_poll_ok_at": _iso(row.last_poll_ok_at if row else None),
                "problem": problem,
                "problem_words": problem_words(row) if row else {},
                "problem_since": _iso(row.problem_since if row else None),
                "warnings": warnings_of(row, now=now) if row else [],
            }
        )
    return found


def problem_words(row: ChannelHealth) -> dict[str, str]:
    """What the channel watch last said of the problem, in each language (kept as a Phrase)."""
    if not row.problem_detail:
        return {}
    try:
        kept = json.loads(row.problem_detail)
    except ValueError:
        kept = row.problem_detail
    if isinstance(kept, dict) and "msgid" not in kept:  # kept in each language, before the catalogs
        return {str(k): str(v) for k, v in kept.items()}
    return {language: str(say(kept, language)) for language in LANGUAGES}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
