"""The weekly digest: a profile's (and a client's) week — its incidents and how fast they were answered, the
volume and the negative share against the weeks before, the top complaint topics, the replies sent and the
moderation queue waiting — and its Monday page to the people in `digest_to`.

A week is an ISO week (Monday 00:00 to Monday 00:00) in the service's time zone, or the client's.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.config import Settings
from czujka.detection.models import SeriesBucket
from czujka.moderation.config import last_moment
from czujka.moderation.review import waiting_count
from czujka.notifications.models import Notification
from czujka.oncall.service import page_leads
from czujka.playbooks.models import Reply
from czujka.reports.figures import incident_times, is_weekend, within_goal
from czujka.reports.impact import scored_counts

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
TREND_WEEKS = 4  # the weeks before, for the trend
TOP_TOPICS = 5


def parse_week(text: str) -> date:
    """`2026-W48` as the Monday of that ISO week."""
    found = WEEK.match(text.strip())
    if not found:
        raise ValueError(f"week: {text!r} is not an ISO week such as 2026-W48")
    try:
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise ValueError(f"week: {text!r} does not exist (weeks run from W01 to W52 or W53)") from None


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(now: datetime, zone: str) -> date:
    """The Monday of the ISO week before the one `now` falls in (local)."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return today - timedelta(days=today.weekday() + 7)


def _span(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time(), zone)
    end = datetime.combine(monday + timedelta(weeks=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def weekly_digest(
    session: Session,
    *,
    settings: Settings,
    week: date,
    profiles: list[str] | None = None,
    client: str | None = None,
) -> dict[str, Any]:
    """The digest of `week` (its Monday) for these profiles (None: every profile), or a client's."""
    chosen = [p for p in settings.profiles if profiles is None or p.id in profiles]
    if client is not None:
        chosen = [p for p in chosen if settings.client_of(p.id) == client]
    found = settings.client(client) if client else None
    zone_name = (found.timezone if found else None) or settings.timezone
    zone = ZoneInfo(zone_name)
    start, end = _span(week, zone)
    per_profile = [_profile_week(session, settings, p.id, p.name, start, end, zone) for p in chosen]
    totals = _totals(per_profile)
    return {
        "week": week_label(week),
        "start": start.astimezone(zone),
        "end": end.astimezone(zone),
        "last_day": week + timedelta(days=6),
        "timezone": zone_name,
        "client_id": client,
        "client_name": found.name if found else None,
        "totals": totals,
        "profiles": per_profile,
    }


def _profile_week(
    session: Session,
    settings: Settings,
    profile_id: str,
    name: str,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> dict[str, Any]:
    incidents = incident_times(session, profile_ids=[profile_id], start=start, end=end)
    own = ZoneInfo(settings.timezone_of(profile_id))  # a weekend is the profile's, as on the figures page
    rows = [
        {
            "id": i["id"],
            "kind": i["kind"],
            "severity": i["severity"],
            "state": i["state"],
            "opened_at": i["opened_at"].astimezone(zone),
            "weekend": is_weekend(i["opened_at"], own),
            "paged": i["paged"],
            "time_to_acknowledge_seconds": i["tta"],
            "time_to_resolve_seconds": i["ttr"],
        }
        for i in incidents
    ]
    goal = within_goal(incidents)
    trend = _trend(session, profile_id, start)
    topics = _topics(session, profile_id, start, end)
    replies = dict(
        session.execute(
            select(Reply.state, func.count())
            .where(Reply.profile_id == profile_id, Reply.created_at >= start, Reply.created_at < end)
            .group_by(Reply.state)
        ).all()
    )
    return {
        "profile_id": profile_id,
        "name": name,
        "client_id": settings.client_of(profile_id) if settings.agency else None,
        "incidents": rows,
        "paged": goal["paged"],
        "acknowledged_in_goal": goal["acknowledged_in_goal"],
        "weeks": trend,
        "comments": trend[-1]["comments"],
        "negative_share": trend[-1]["negative_share"],
        "negative_share_before": _share(
            sum(w["negative"] for w in trend[:-1]), sum(w["comments"] for w in trend[:-1])
        ),
        "topics": topics,
        "replies_sent": replies.get("sent", 0),
        "replies": replies,
        "waiting_review": waiting_count(session, profile=profile_id),
    }


def _share(negative: int, total: int) -> float | None:
    return round(negative / total, 4) if total else None


def _trend(session: Session, profile_id: str, start: datetime) -> list[dict[str, Any]]:
    """Customers' comments and the negative share of the week and the `TREND_WEEKS` before it, oldest first
    (from the series the detectors count)."""
    first = start - timedelta(weeks=TREND_WEEKS)
    rows = session.execute(
        select(SeriesBucket.start, SeriesBucket.total, SeriesBucket.negative).where(
            SeriesBucket.profile_id == profile_id,
            SeriesBucket.start >= first,
            SeriesBucket.start < start + timedelta(weeks=1),
        )
    ).all()
    weeks = [[0, 0] for _ in range(TREND_WEEKS + 1)]
    for at, total, negative in rows:
        index = int((at - first) / timedelta(weeks=1))
        weeks[index][0] += total
        weeks[index][1] += negative
    return [
        {
            "start": (first + timedelta(weeks=n)),
            "comments": total,
            "negative": negative,
            "negative_share": _share(negative, total),
        }
        for n, (total, negative) in enumerate(weeks)
    ]


def _topics(session: Session, profile_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The week's complaint topics: customers' negative comments by topic, against the weeks before (per week)."""

    def counted(a: datetime, b: datetime) -> Counter[str]:
        negative = (CommentScore.sentiment == "negative", CommentScore.topic != "other")
        return Counter(scored_counts(session, profile_id, a, b, CommentScore.topic, *negative))

    now, before = counted(start, end), counted(start - timedelta(weeks=TREND_WEEKS), start)
    return [
        {"topic": t, "comments": n, "weekly_before": round(before[t] / TREND_WEEKS, 1)}
        for t, n in now.most_common(TOP_TOPICS)
    ]


def _totals(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    incidents = [i for p in profiles for i in p["incidents"]]
    return {
        "incidents": len(incidents),
        "weekend_incidents": sum(1 for i in incidents if i["weekend"]),
        "paged": sum(p["paged"] for p in profiles),
        "acknowledged_in_goal": sum(p["acknowledged_in_goal"] for p in profiles),
        "comments": sum(p["comments"] for p in profiles),
        "negative_share": _share(
            sum(p["weeks"][-1]["negative"] for p in profiles), sum(p["comments"] for p in profiles)
        ),
        "negative_share_before": _share(
            sum(w["negative"] for p in profiles for w in p["weeks"][:-1]),
            sum(w["comments"] for p in profiles for w in p["weeks"][:-1]),
        ),
        "replies_sent": sum(p["replies_sent"] for p in profiles),
        "waiting_review": sum(p["waiting_review"] for p in profiles),
    }


# --- the Monday page ---------------------------------------------------------------------------------------


def summary(digest: dict[str, Any], name: str) -> dict[str, Any]:
    """What the page says: the digest's totals, with whose and which week it is."""
    return {"name": name, "week": digest["week"], **digest["totals"]}


def queue_weekly_digests(session: Session, *, settings: Settings, now: datetime) -> int:
    """At `digest_at`, the week before's digest to each profile's and each client's `digest_to`, once a
    person a week (the outbox's key names the week). One due over an hour ago is not sent late."""
    queued = 0
    scopes: list[tuple[str, str, str, list[str], dict[str, Any]]] = [
        ("profile", p.id, settings.timezone_of(p.id), p.digest_to, {"profiles": [p.id]})
        for p in settings.profiles
        if p.digest_to
    ]
    scopes += [
        ("client", c.id, c.timezone or settings.timezone, c.digest_to, {"client": c.id})
        for c in settings.clients
        if c.digest_to
    ]
    for kind, scope_id, zone, targets, chosen in scopes:
        moment = last_moment(settings.digest_at, zone, now)
        if now - moment > timedelta(hours=1):
            continue
        week = last_week(moment, zone)
        key = f"digest:{kind}:{scope_id}:{week_label(week)}"
        if session.scalar(
            select(Notification.id)
            .where(Notification.page_key.startswith(f"{key}:", autoescape=True))
            .limit(1)
        ):
            continue  # queued in an earlier round of this hour: the digest is not made again every minute
        made = weekly_digest(session, settings=settings, week=week, **chosen)
        if not made["profiles"]:
            continue
        name = made["client_name"] if kind == "client" else made["profiles"][0]["name"]
        url = f"/digest?week={made['week']}" + (
            f"&profile={scope_id}" if kind == "profile" else f"&client={scope_id}"
        )
        queued += page_leads(
            session,
            settings=settings,
            targets=targets,
            key=key,
            purpose="digest",
            now=now,
            profile_id=made["profiles"][0]["profile_id"],
            payload={**summary(made, name or scope_id), "path": url},
        )[0]
    return queued
