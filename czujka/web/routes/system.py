"""Health for load balancers and monitors, and the raw ingest log for admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select, text

from czujka import __version__
from czujka.analysis.service import backlog
from czujka.background import PROFILE
from czujka.comments.models import Comment, IngestLog
from czujka.moderation.models import ModerationAction
from czujka.moderation.service import blocked_profiles
from czujka.notifications.models import Notification
from czujka.oncall.models import Escalation, LoopHeartbeat
from czujka.sources.files import detect_format, import_text
from czujka.sources.health import channel_status
from czujka.sources.models import PollState
from czujka.storage.leases import alive, holders
from czujka.storage.migrate import current_revision, head_revision
from czujka.web.deps import (
    BAD_BODY,
    ERRORS,
    Admin,
    Responder,
    RuntimeDep,
    SessionDep,
    read_body,
    visible_profiles,
)

router = APIRouter(prefix="/api", tags=["system"], responses=ERRORS)
STALE_AFTER = timedelta(seconds=30)
BACKLOG_TOO_OLD = timedelta(seconds=60)
# What monitors see of each channel: its state, never a name, a token or a person's words.
CHANNEL_KEYS = (
    "platform",
    "problem",
    "problem_since",
    "last_delivery_at",
    "last_poll_ok_at",
    "token",
    "subscribed",
)


@router.get("/health")
def health(runtime: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    """Open to monitors: says whether the database answers, the schema is current and polls succeed."""
    problems: list[str] = []
    try:
        session.execute(text("SELECT 1"))
        revision = current_revision(runtime.engine)
    except Exception as exc:  # the database itself is the thing being checked
        return {"status": "down", "problems": [f"database: {type(exc).__name__}"]}
    if revision != head_revision():
        problems.append(f"schema at {revision}, needs {head_revision()}")
    for state in session.scalars(select(PollState).where(PollState.error_kind.is_not(None))):
        problems.append(f"poll {state.profile_id}: {state.error_kind}")
    now = datetime.now(UTC)
    channels = {
        r["id"]: {k: r[k] for k in CHANNEL_KEYS}
        for r in channel_status(session, runtime.settings, connected=set(), now=now)
    }
    problems += [f"channel {pid}: {c['problem']}" for pid, c in channels.items() if c["problem"]]
    beats = {name: (now - at).total_seconds() for name, at in runtime.heartbeats.items()}
    problems += paging_problems(session, now)
    work = work_status(session, runtime.settings, now)
    problems += work.pop("problems")
    blocked = blocked_profiles(session, since=now - timedelta(days=7))
    problems += [f"moderation: {b['profile']}: {b['problem']} (since {b['since']})" for b in blocked]
    waiting = session.scalar(
        select(func.count())
        .select_from(ModerationAction)
        .where(ModerationAction.state.in_(("pending", "sending")))
    )
    if (
        runtime.settings.agency
    ):  # open to anyone: no client's profiles are named (a token reads /api/profiles)
        named = [p for p in problems if p.startswith(("poll ", "channel ", "moderation: "))]
        problems = [p for p in problems if p not in named]
        if named:
            problems.append(f"{len(named)} problems of profiles (GET /api/profiles with a token names them)")
        channels, blocked = {}, []
        for worker in work["workers"]:  # how many, not which
            worker["owns"] = len(worker["owns"])
    return {
        "status": "ok" if not problems else "degraded",
        "version": __version__,
        "time": now.isoformat(),
        "comments": session.scalar(select(func.count(Comment.id))),
        "heartbeats_seconds_ago": beats,
        "problems": problems,
        "moderation": {"blocked": blocked, "actions_waiting": waiting},
        "channels": channels,
        **work,
    }


def work_status(session: SessionDep, settings: Any, now: datetime) -> dict[str, Any]:
    """The workers alive and the profiles each owns, and the backlog: comments waiting to be scored (and
    the age of the oldest), and scored ones waiting for their profile's detectors."""
    within = timedelta(seconds=settings.worker_lease_seconds)
    owners = holders(session, prefix=PROFILE, now=now)
    workers = [
        {
            "id": w["id"],
            "roles": w["roles"],
            "started_at": w["started_at"].isoformat(),
            "seen_seconds_ago": round((now - w["seen_at"]).total_seconds(), 1),
            "owns": sorted(p for p, holder in owners.items() if holder == w["id"]),
        }
        for w in alive(session, within=within, now=now)
    ]
    queue = backlog(session)
    age = (now - queue.oldest_at).total_seconds() if queue.oldest_at else 0.0
    problems = []
    if queue.waiting and not any("score" in w["roles"] for w in workers):
        problems.append(f"scoring: {queue.waiting} comments wait and no worker scores")
    elif age > BACKLOG_TOO_OLD.total_seconds():
        problems.append(f"scoring: {queue.waiting} comments wait, the oldest for {age:.0f} s: add a worker")
    unowned = [p.id for p in settings.profiles if p.id not in owners]
    if workers and unowned and any("detect" in w["roles"] for w in workers):
        problems.append(f"detection: {len(unowned)} profiles have no owner yet")
    return {
        "workers": workers,
        "backlog": {
            "waiting": queue.waiting,
            "oldest_seconds": round(age, 1),
            "detecting": queue.detecting,
        },
        "problems": problems,
    }


def _seen_by(runtime, token):
    """The settings with only the profiles this token may see (all of them for an agency-wide token)."""
    seen = visible_profiles(runtime, token)
    if seen is None:
        return runtime.settings
    return runtime.settings.model_copy(
        update={"profiles": [p for p in runtime.settings.profiles if p.id in seen]}
    )


def paging_problems(session: SessionDep, now: datetime) -> list[str]:
    """Escalations are due or pages are waiting, and no worker's escalator has finished a round lately."""
    waiting = session.scalar(
        select(func.count())
        .select_from(Escalation)
        .where(Escalation.status == "active", Escalation.next_step_at < now - STALE_AFTER)
    ) or session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == "pending", Notification.send_after < now - STALE_AFTER)
    )
    if not waiting:
        return []
    beat = session.get(LoopHeartbeat, "escalator")
    age = f"{(now - beat.at).total_seconds():.0f} s ago" if beat else "never"
    return [f"paging: steps or pages are overdue and the escalation worker last ran {age}"]


@router.get("/ingest-log")
def ingest_log(
    session: SessionDep,
    _token: Admin,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    with_body: bool = False,
) -> list[dict[str, Any]]:
    """Raw deliveries hold personal data, so only admins read them."""
    rows = session.scalars(select(IngestLog).order_by(IngestLog.id.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "source": r.source,
            "received_at": r.received_at.isoformat(),
            "digest": r.digest,
            "duplicate_of": r.duplicate_of,
            "stored": r.stored,
            "changed": r.changed,
            "unchanged": r.ignored,
            "notes": r.notes or [],
            **({"body": r.body} if with_body else {}),
        }
        for r in rows
    ]


@router.post("/import", responses=BAD_BODY)
async def import_comments(
    request: Request, runtime: RuntimeDep, token: Responder, format: Literal["jsonl", "csv"] = "jsonl"
) -> dict[str, Any]:
    """The same as `czujka import`, for a JSONL or CSV body; rows of another client's profile are refused
    as rows of an unknown profile are."""
    fmt = detect_format(Path("upload"), format)
    body = await read_body(request, runtime.settings.max_body_bytes)
    try:
        text_body = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(400, "body is not UTF-8 text") from None
    report = await run_in_threadpool(
        import_text,
        runtime.sessions,
        text=text_body,
        fmt=fmt,
        settings=_seen_by(runtime, token),
        source="api-import",
    )
    return {
        "rows": report.rows,
        "stored": report.stored,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in report.errors],
    }
