"""Connected profiles: connecting the Pages a token manages (and their Instagram accounts), keeping their
tokens sealed, reading them back as profiles beside those of czujka.toml, and disconnecting.

Every Graph call of a connection is made before anything is stored, so a token Meta refuses (code 190)
leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from slugify import slugify
from sqlalchemy import column, select, table
from sqlalchemy.orm import Session, sessionmaker

from czujka.config import ProfileConfig, Settings
from czujka.logs import get_logger
from czujka.sources import connect as meta
from czujka.sources.graph import GraphError, TokenExpired
from czujka.sources.models import ChannelHealth, ConnectAttempt, ConnectedProfile
from czujka.storage.engine import session_scope
from czujka.storage.vault import Vault, VaultError

ATTEMPT_MINUTES = 15
SUFFIX = {"facebook": "fb", "instagram": "ig"}
log = get_logger(__name__)


@dataclass(slots=True)
class Connected:
    id: str
    platform: str
    platform_id: str
    name: str
    subscribed: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform,
            "platform_id": self.platform_id,
            "name": self.name,
            "subscribed": self.subscribed,
        }


@dataclass(slots=True)
class ConnectResult:
    profiles: list[Connected] = field(default_factory=list)
    missing_permissions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "profiles": [p.as_json() for p in self.profiles],
            "missing_permissions": self.missing_permissions,
            "notes": self.notes,
        }


@dataclass(slots=True)
class _Plan:
    """One profile to store, with everything Meta said of it."""

    id: str
    platform: str
    platform_id: str
    name: str
    username: str | None
    page: meta.ManagedPage
    subscribed: bool


def read_pages(
    settings: Settings, user_token: str, http: httpx.Client
) -> tuple[list[meta.ManagedPage], set[str]]:
    """The Pages the token manages and the permissions it was granted; `TokenExpired` on code 190."""
    user = meta.graph(settings, user_token, http)
    granted = meta.granted_permissions(user)
    return meta.managed_pages(user), granted


def connect_pages(
    sessions: sessionmaker[Session],
    settings: Settings,
    vault: Vault,
    *,
    pages: list[meta.ManagedPage],
    granted: set[str],
    chosen: list[str] | None,
    in_files: list[ProfileConfig],
    http: httpx.Client,
    actor: str,
    now: datetime,
    client: str | None = None,
) -> ConnectResult:
    """Subscribe each chosen Page (all when `chosen` is None) and store it and its Instagram account, for
    `client` (None: the implicit one of a single shop). Meta is called outside any transaction; what it said
    is stored in one at the end."""
    result = ConnectResult()
    known = {p.id for p in pages}
    result.notes += [
        f"page {c}: not among the Pages this token manages" for c in chosen or [] if c not in known
    ]
    picked = [p for p in pages if chosen is None or p.id in chosen]
    platforms = {"facebook"} | ({"instagram"} if any(p.instagram for p in picked) else set())
    result.missing_permissions = meta.missing_permissions(granted, platforms)
    if not picked:
        return result
    with session_scope(sessions) as session:
        existing = {(r.platform, r.platform_id): r.id for r in session.scalars(select(ConnectedProfile))}
        # ids that ever had comments, so a new profile never inherits a removed one's
        ever = set(session.scalars(select(column("id")).select_from(table("profiles"))))
    taken = {p.id for p in in_files} | set(existing.values()) | ever
    instagram_hooked = True
    if any(p.instagram for p in picked):
        problem = meta.ensure_instagram_webhook(settings, http)
        if problem:
            result.notes.append(problem)
        instagram_hooked = problem is None
    plans: list[_Plan] = []
    for page in picked:
        subscribed = _subscribe(meta.graph(settings, page.token, http), page, result)
        accounts: list[tuple[str, str, str | None]] = [("facebook", page.id, None)]
        if page.instagram:
            accounts.append(("instagram", page.instagram.id, page.instagram.username))
        for platform, platform_id, username in accounts:
            in_file = next(
                (p for p in in_files if (p.platform, p.platform_id) == (platform, platform_id)), None
            )
            if in_file is not None:
                result.notes.append(
                    f"{platform} {platform_id}: already watched as profile {in_file.id} in czujka.toml"
                )
                continue
            profile_id = existing.get((platform, platform_id)) or _profile_id(page.name, platform, taken)
            taken.add(profile_id)
            name = (
                page.name if platform == "facebook" else f"{page.name} (Instagram @{username or platform_id})"
            )
            hooked = subscribed and (platform == "facebook" or instagram_hooked)
            plans.append(_Plan(profile_id, platform, platform_id, name, username, page, hooked))
    with session_scope(sessions, write=True) as session:
        for plan in plans:
            row = session.get(ConnectedProfile, plan.id) or ConnectedProfile(id=plan.id)
            row.platform, row.platform_id, row.name, row.username = (
                plan.platform,
                plan.platform_id,
                plan.name,
                plan.username,
            )
            row.page_id, row.tasks, row.permissions = plan.page.id, plan.page.tasks, sorted(granted)
            row.subscribed, row.token_sealed, row.token_expires_at = (
                plan.subscribed,
                vault.seal(plan.page.token),
                None,
            )
            row.connected_at, row.connected_by, row.disconnected_at = now, actor, None
            row.client_id = client
            session.add(row)
            health = session.get(ChannelHealth, plan.id)
            if health is not None:  # a reconnection: what was wrong before is judged afresh
                health.error_kind = health.error_code = health.error_subcode = None
                health.poll_failing_since, health.token_valid = None, True
                health.subscribed, health.was_subscribed = plan.subscribed, plan.subscribed
                health.missing_permissions = result.missing_permissions
            result.profiles.append(
                Connected(plan.id, plan.platform, plan.platform_id, plan.name, plan.subscribed)
            )
    log.info("profiles connected", profiles=[p.id for p in result.profiles], by=actor)
    return result


def _subscribe(client: Any, page: meta.ManagedPage, result: ConnectResult) -> bool:
    try:
        return meta.subscribe_page(client, page.id)
    except TokenExpired:
        result.notes.append(f"page {page.id}: Meta refused its Page token; webhooks are not subscribed")
    except GraphError as exc:
        result.notes.append(f"page {page.id}: webhooks not subscribed: {exc}")
    return False


def _profile_id(name: str, platform: str, taken: set[str]) -> str:
    base = slugify(name, max_length=50, word_boundary=True) or "page"
    candidate = f"{base}-{SUFFIX[platform]}"
    number = 2
    while candidate in taken:
        candidate = f"{base}-{SUFFIX[platform]}-{number}"
        number += 1
    return candidate


def connected_profiles(session: Session, open_vault: Callable[[], Vault]) -> list[ProfileConfig]:
    """Every connected profile that is not disconnected, with its token, as the rest of czujka reads
    profiles. The vault is opened only for a sealed token; a token it cannot open leaves its profile
    without one, and its channel says why."""
    rows = session.scalars(
        select(ConnectedProfile)
        .where(ConnectedProfile.disconnected_at.is_(None))
        .order_by(ConnectedProfile.id)
    )
    found = []
    for row in rows:
        token = None
        if row.token_sealed:
            try:
                token = open_vault().open(row.token_sealed)
            except VaultError as exc:
                log.error("stored token unreadable", profile=row.id, error=str(exc))
                health = session.get(ChannelHealth, row.id)
                if health is not None:
                    health.error_kind = "vault"
        found.append(
            ProfileConfig(
                id=row.id,
                name=row.name,
                platform=row.platform,  # type: ignore[arg-type]
                platform_id=row.platform_id,
                username=row.username,
                access_token=token,
                client=row.client_id,
            )
        )
    return found


def disconnect(
    sessions: sessionmaker[Session],
    settings: Settings,
    vault: Vault,
    *,
    profile_id: str,
    http: httpx.Client | None,
    now: datetime,
) -> str | None:
    """Stop watching a connected profile and forget its token; the comments stay. With `http`, the Page
    is unsubscribed from the app's webhooks first (unless another connected profile uses the same Page).
    Returns a note when Meta could not be told."""
    with session_scope(sessions) as session:
        row = session.get(ConnectedProfile, profile_id)
        if row is None or row.disconnected_at is not None:
            if settings.profile(profile_id) is not None:
                raise ValueError(f"profile {profile_id} comes from czujka.toml: remove it there")
            raise ValueError(f"no connected profile {profile_id}")
        shared = session.scalars(
            select(ConnectedProfile.id).where(
                ConnectedProfile.page_id == row.page_id,
                ConnectedProfile.id != row.id,
                ConnectedProfile.disconnected_at.is_(None),
            )
        ).first()
        page_id, sealed = row.page_id, row.token_sealed
        unsubscribe = http is not None and shared is None and sealed
    note = None
    if unsubscribe and http is not None and sealed:
        try:
            meta.unsubscribe_page(meta.graph(settings, vault.open(sealed), http), page_id)
        except (GraphError, VaultError, httpx.HTTPError) as exc:
            note = f"the Page's webhooks could not be unsubscribed ({type(exc).__name__}); remove the app in Meta"
    with session_scope(sessions, write=True) as session:
        row = session.get(ConnectedProfile, profile_id)
        if row is not None:
            row.disconnected_at, row.token_sealed, row.subscribed = now, None, False
    log.info("profile disconnected", profile=profile_id)
    return note


def start_attempt(session: Session, *, user_id: int, now: datetime) -> str:
    """A fresh `state` for Facebook Login, bound to the admin who asked."""
    state = secrets.token_urlsafe(32)
    session.add(ConnectAttempt(state_hash=_hash(state), user_id=user_id, created_at=now))
    return state


def finish_attempt(session: Session, *, state: str, user_id: int, now: datetime) -> ConnectAttempt:
    """The attempt of this `state`, if this admin started it in the last minutes and never finished it."""
    attempt = session.get(ConnectAttempt, _hash(state or ""))
    if (
        attempt is None
        or attempt.user_id != user_id
        or attempt.used_at is not None
        or now - attempt.created_at > timedelta(minutes=ATTEMPT_MINUTES)
    ):
        raise ConnectionRefused("this sign-in with Facebook is unknown, expired or already used: start again")
    attempt.used_at = now
    return attempt


def picking(
    session: Session, *, attempt_id: str, user_id: int, now: datetime, fresh: bool = False
) -> ConnectAttempt:
    """The finished attempt whose Pages this admin is picking from (`fresh`: just finished, before its
    token is stored)."""
    attempt = session.get(ConnectAttempt, attempt_id)
    if (
        attempt is None
        or attempt.user_id != user_id
        or (attempt.token_sealed is None and not fresh)
        or attempt.used_at is None
        or now - attempt.created_at > timedelta(minutes=2 * ATTEMPT_MINUTES)
    ):
        raise ConnectionRefused("this list of Pages has expired: start again")
    return attempt


def forget_attempts(session: Session, *, now: datetime) -> None:
    """User tokens are kept only while the admin picks Pages."""
    cutoff = now - timedelta(minutes=2 * ATTEMPT_MINUTES)
    for attempt in session.scalars(select(ConnectAttempt).where(ConnectAttempt.created_at < cutoff)):
        session.delete(attempt)


class ConnectionRefused(Exception):
    """A Facebook Login callback or a pick that cannot be trusted or has expired."""


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()
