"""The channel watch: every profile's connection judged like a crisis.

A broken connection (a token Meta rejects, a permission taken away, polls failing for
`channel_down_after_minutes`, webhooks unsubscribed) or a silence the profile's hour-of-week history makes
improbable becomes a `channel_down` signal, so the person on duty learns on Saturday night that czujka is
blind. The signal repeats every `RESIGNAL` while the problem lasts, which keeps its incident open; a channel
that works again is reported, so its incident can be resolved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.config import ProfileConfig, Settings
from czujka.detection.detectors import silence
from czujka.detection.models import SeriesBucket
from czujka.detection.signals import SignalIn
from czujka.sources.health import Problem, health_of, problem_of
from czujka.sources.models import ChannelHealth
from czujka.words import dumped, phrase

KIND = "channel_down"
RESIGNAL = timedelta(hours=1)
HISTORY = timedelta(weeks=8)
HOLIDAYS = "PL"


@dataclass(slots=True)
class Watch:
    signals: list[SignalIn] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # profiles whose channel works again


def dedup_key(profile_id: str) -> str:
    return f"{profile_id}:{KIND}"


def watched(profile: ProfileConfig) -> bool:
    """A profile whose comments arrive by themselves: Meta's, or a generic webhook."""
    return profile.platform in ("facebook", "instagram") or profile.webhook_secret is not None


def watch_channels(session: Session, settings: Settings, *, now: datetime) -> Watch:
    watch = Watch()
    # often enough that the quiet-incident rule never resolves a channel that is still down
    resignal = min(RESIGNAL, timedelta(hours=settings.incident_quiet_hours / 2))
    for profile in settings.profiles:
        if not watched(profile):
            continue
        row = health_of(session, profile.id, now=now)
        problem = problem_of(row, settings, now=now) or silent(session, settings, profile, row, now=now)
        if problem is None:
            if row.problem is not None:
                watch.recovered.append(profile.id)
            row.problem = row.problem_detail = row.problem_since = row.signalled_at = None
            continue
        fresh = row.problem != problem.kind
        if fresh or row.signalled_at is None or now - row.signalled_at >= resignal:
            row.problem = problem.kind
            row.problem_detail = json.dumps(dumped(problem.phrase()))
            row.problem_since = problem.since if fresh or row.problem_since is None else row.problem_since
            row.signalled_at = now
            watch.signals.append(
                SignalIn(
                    profile.id,
                    KIND,
                    dedup_key(profile.id),
                    1.0,
                    now,
                    f"{profile.name}: {problem.words('en')}",
                )
            )
    return watch


def silent(
    session: Session, settings: Settings, profile: ProfileConfig, row: ChannelHealth, *, now: datetime
) -> Problem | None:
    """A silence longer than the profile's own hours of the week make plausible."""
    quiet_from = max(row.last_delivery_at or row.watched_since, row.watched_since)
    if now - quiet_from < timedelta(minutes=10):
        return None
    zone = ZoneInfo(settings.timezone_of(profile.id))
    buckets = session.execute(
        select(SeriesBucket.start, SeriesBucket.total).where(
            SeriesBucket.profile_id == profile.id,
            SeriesBucket.start >= now - HISTORY,
            SeriesBucket.start < quiet_from,
        )
    ).all()
    if not buckets:
        return None
    first = min(start for start, _ in buckets)
    counts = silence.slot_counts(buckets, zone, HOLIDAYS)
    seen = silence.slot_hours(first, quiet_from, zone, HOLIDAYS)
    quiet = silence.slot_hours(quiet_from, now, zone, HOLIDAYS)
    log10_p = silence.log10_p_silent(counts, seen, quiet)
    if not silence.is_silent(log10_p, settings.channel_silence_p_value):
        return None
    usual = silence.expected(counts, seen, quiet)
    hours = (now - quiet_from).total_seconds() / 3600
    detail = phrase(
        "nothing for %(hours).1f h, when about %(usual).0f comments usually arrive in that time. Check the "
        "page and the connection.",
        hours=hours,
        usual=usual,
    )
    return Problem("silent", detail, quiet_from)
