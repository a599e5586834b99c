"""Runs Graph API polls for the configured profiles and records how each went."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from czujka.comments.service import store
from czujka.config import ProfileConfig, Settings
from czujka.logs import get_logger
from czujka.sources import health
from czujka.sources.graph import GraphClient, GraphError, RateLimited, TokenExpired
from czujka.sources.models import PollState
from czujka.sources.poll import poll_profile
from czujka.storage.engine import session_scope

log = get_logger(__name__)


@dataclass(slots=True)
class PollOutcome:
    profile_id: str
    pages: int = 0
    stored: int = 0
    changed: int = 0
    error: str | None = None
    error_kind: str | None = None


def pollable(settings: Settings) -> list[ProfileConfig]:
    return [
        p
        for p in settings.profiles
        if p.poll and p.access_token is not None and p.platform in ("facebook", "instagram")
    ]


def poll_once(
    sessions: sessionmaker[Session],
    settings: Settings,
    profile: ProfileConfig,
    *,
    http: httpx.Client,
    now: datetime | None = None,
    sleep: Callable[[float], None] | None = None,
) -> PollOutcome:
    """One poll of one profile; each page is stored in its own transaction as it arrives."""
    if profile.access_token is None:
        raise ValueError(f"profile {profile.id} has no access_token to poll with")
    now = now or datetime.now(UTC)
    client = GraphClient(
        base_url=settings.graph_base_url,
        version=settings.graph_api_version,
        token=profile.access_token.get_secret_value(),
        http=http,
    )
    if sleep is not None:
        client.sleep = sleep
    with session_scope(sessions) as session:
        state = session.get(PollState, profile.id)
        watermark = state.watermark if state else None
    outcome = PollOutcome(profile.id)
    failure: Exception | None = None
    try:
        pages = poll_profile(
            client,
            profile,
            watermark=watermark,
            now=now,
            lookback=timedelta(days=settings.poll_lookback_days),
        )
        for raw, batch in pages:
            result = store(sessions, source=f"graph:{profile.id}", body=raw, batch=batch)
            outcome.pages += 1
            outcome.stored += result.stored
            outcome.changed += result.changed
    except TokenExpired as exc:
        outcome.error, outcome.error_kind, failure = str(exc), "token_expired", exc
    except RateLimited as exc:
        outcome.error, outcome.error_kind, failure = str(exc), "rate_limited", exc
    except (GraphError, httpx.HTTPError) as exc:
        outcome.error, outcome.error_kind, failure = f"{type(exc).__name__}: {exc}", "error", exc
    with session_scope(sessions, write=True) as session:
        health.polled(session, profile.id, error=failure, at=now)
        if outcome.stored:
            health.delivered(session, {profile.id}, at=now)
        state = session.get(PollState, profile.id) or PollState(profile_id=profile.id)
        state.last_run_at = now
        state.last_error, state.error_kind = outcome.error, outcome.error_kind
        if outcome.error is None:
            state.watermark = now
        session.add(state)
    if outcome.error:
        log.error("poll failed", profile=profile.id, kind=outcome.error_kind, error=outcome.error)
    else:
        log.info("poll done", profile=profile.id, pages=outcome.pages, stored=outcome.stored)
    return outcome


def backfill(
    sessions: sessionmaker[Session],
    settings: Settings,
    profiles: list[ProfileConfig],
    *,
    http: httpx.Client,
    now: datetime | None = None,
) -> list[PollOutcome]:
    """The last `poll_lookback_days` of each newly connected profile, so its charts and its surge
    baseline have history on day one."""
    return [poll_once(sessions, settings, p, http=http, now=now) for p in profiles if p.access_token]
