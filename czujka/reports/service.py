"""The post-crisis report of one incident, and what the team writes into it afterwards.

Every moment of the report is read from the incident's timeline, so the report and the timeline can never
tell two stories: detection is the `opened` entry, the first page the first `page`, acknowledgement the
first `acknowledged`, the first public reply the first `reply`, and resolution the last `resolved` (while
the incident is resolved). The onset is the first evidence comment. Every "time to" counts from detection,
except the time to detect (from the onset) and the recovery (from the onset, see `impact.py`).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.config import Settings
from czujka.incidents.flows import NoSuchIncident, event
from czujka.incidents.models import Incident, IncidentEvidence, TimelineEvent
from czujka.incidents.service import incident_timeline
from czujka.moderation.models import ModerationAction
from czujka.notifications.channels import kind_of
from czujka.notifications.models import Notification
from czujka.oncall.models import Escalation
from czujka.playbooks.models import Reply
from czujka.reports.impact import impact
from czujka.reports.models import REVIEW_FIELDS, ActionItem, IncidentReview
from czujka.validators import storable_text
from czujka.words import phrase

WORST = 5  # evidence comments quoted
MAX_TEXT = 4000  # characters of one review answer
STEP_EVENTS = ("escalation", "repaged")


class ReportError(ValueError):
    """What the team wrote cannot be kept as it is (the message names the field and why)."""


def seconds(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else max(0, round((end - start).total_seconds()))


def actor_name(settings: Settings, actor: str | None) -> str | None:
    """`person:kasia` as the person's name, `user:anna` as anna, `rule:weekend` as weekend; czujka and
    detectors as they are."""
    if not actor:
        return None
    kind, _, rest = actor.partition(":")
    if kind == "person" and (person := settings.person(rest)) is not None:
        return person.name
    return rest if kind in ("user", "token", "person", "rule") and rest else actor


def milestones(incident: Incident, timeline: list[TimelineEvent]) -> dict[str, datetime | None]:
    """The moments of the report, each from its timeline entry."""

    def first(kind: str) -> datetime | None:
        return next((e.at for e in timeline if e.kind == kind), None)

    resolved = [e.at for e in timeline if e.kind == "resolved"]
    return {
        "detected": first("opened") or incident.opened_at,
        "first_page": first("page"),
        "acknowledged": first("acknowledged"),
        "first_reply": first("reply"),
        "resolved": resolved[-1] if resolved and incident.state == "resolved" else None,
    }


def incident_report(
    session: Session, *, settings: Settings, incident_id: int, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the report shows, with times in the profile's time zone (JSON-ready through `as_json`)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NoSuchIncident(f"no incident {incident_id}")
    now = now or datetime.now(UTC)
    tz = ZoneInfo(settings.timezone_of(incident.profile_id))
    timeline = incident_timeline(session, incident_id)
    moments = milestones(incident, timeline)
    onset = session.scalar(
        select(func.min(Comment.created_at))
        .join(IncidentEvidence, IncidentEvidence.comment_id == Comment.id)
        .where(IncidentEvidence.incident_id == incident_id)
    )
    onset = min(onset, moments["detected"]) if onset else moments["detected"]
    detected = moments["detected"]
    profile = settings.profile(incident.profile_id)
    client = settings.client(settings.client_of(incident.profile_id))
    escalation = session.get(Escalation, incident_id)
    report: dict[str, Any] = {
        "id": incident.id,
        "kind": incident.kind,
        "title": incident.title,
        "state": incident.state,
        "severity": incident.severity,
        "profile_id": incident.profile_id,
        "profile_name": profile.name if profile else incident.profile_id,
        "client_id": client.id if client and settings.agency else None,
        "client_name": client.name if client and settings.agency else None,
        "topic": incident.topic,
        "topics": _topics(session, incident_id),
        "timezone": str(tz),
        "generated_at": now,
        "onset": onset,
        **moments,
        "last_signal": incident.last_signal_at,
        "time_to_detect_seconds": seconds(onset, detected),
        "time_to_first_page_seconds": seconds(detected, moments["first_page"]),
        "time_to_acknowledge_seconds": seconds(detected, moments["acknowledged"]),
        "time_to_first_reply_seconds": seconds(detected, moments["first_reply"]),
        "time_to_resolve_seconds": seconds(detected, moments["resolved"]),
        "acknowledged_by": incident.acknowledged_by,
        "acknowledged_by_name": actor_name(settings, incident.acknowledged_by),
        "resolved_by": incident.resolved_by if moments["resolved"] else None,
        "resolved_by_name": _closer(settings, incident, timeline) if moments["resolved"] else None,
        "evidence_count": session.scalar(
            select(func.count()).where(IncidentEvidence.incident_id == incident_id)
        ),
        "worst_comments": _worst(session, incident_id),
        "timeline": [_entry(settings, e) for e in timeline],
        "paged": _paged(session, settings, incident_id),
        "escalation": {
            "policy": escalation.policy_id if escalation else None,
            "status": escalation.status if escalation else None,
            "steps": [_entry(settings, e) for e in timeline if e.kind in STEP_EVENTS],
        },
        "replies": _replies(session, settings, incident_id),
        "moderation": _moderation(session, incident_id),
        **impact(
            session,
            profile_id=incident.profile_id,
            onset=onset,
            last_signal=incident.last_signal_at,
            now=now,
        ),
        **review_of(session, settings, incident_id),
    }
    return _local(report, tz)


def _closer(settings: Settings, incident: Incident, timeline: list[TimelineEvent]) -> str | None:
    """Who signed the resolution off (the name they gave), else who resolved it."""
    last = next((e for e in reversed(timeline) if e.kind == "resolved"), None)
    signed = (last.data or {}).get("signed_off_by") if last is not None else None
    return signed or actor_name(settings, incident.resolved_by)


def _local(value: Any, tz: ZoneInfo) -> Any:
    """Every time of the report in the profile's zone (the page and the PDF show local times)."""
    if isinstance(value, datetime):
        return value.astimezone(tz)
    if isinstance(value, dict):
        return {k: _local(v, tz) for k, v in value.items()}
    if isinstance(value, list):
        return [_local(v, tz) for v in value]
    return value


def as_json(value: Any) -> Any:
    """The report with ISO times and dates, for `--format json` and the API."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """The report for other tools: each timeline message in English (`message`), without the phrase it is
    said from on the page."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "said"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _entry(settings: Settings, e: TimelineEvent) -> dict[str, Any]:
    said = (e.data or {}).get("said")
    return {
        "at": e.at,
        "kind": e.kind,
        "actor": e.actor,
        "actor_name": actor_name(settings, e.actor),
        "message": e.message,
        "said": said,  # the message as a phrase, said in the reader's language
    }


def _topics(session: Session, incident_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(CommentScore.topic, func.count())
        .join(IncidentEvidence, IncidentEvidence.comment_id == CommentScore.comment_id)
        .where(IncidentEvidence.incident_id == incident_id)
        .group_by(CommentScore.topic)
    ).all()
    counted = Counter({topic: n for topic, n in rows})
    return [{"topic": t, "comments": n} for t, n in counted.most_common()]


def _worst(session: Session, incident_id: int) -> list[dict[str, Any]]:
    """The most harmful evidence comments first (vulgar ones before others of the same harm)."""
    rows = session.execute(
        select(Comment, CommentScore)
        .join(IncidentEvidence, IncidentEvidence.comment_id == Comment.id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(IncidentEvidence.incident_id == incident_id, Comment.author_is_staff.is_(False))
        .order_by(
            func.coalesce(CommentScore.harm, 0).desc(),
            func.coalesce(CommentScore.vulgar, False).desc(),
            Comment.created_at,
        )
        .limit(WORST)
    ).all()
    return [
        {
            "id": c.id,
            "author": c.author_name,
            "message": c.message,
            "at": c.created_at,
            "sentiment": s.sentiment if s else None,
            "harm": round(s.harm, 2) if s else None,
            "vulgar": bool(s and s.vulgar),
            "topic": s.topic if s else None,
            "hidden": c.hidden_at is not None,
        }
        for c, s in rows
    ]


def _paged(session: Session, settings: Settings, incident_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Notification)
        .where(Notification.incident_id == incident_id, Notification.purpose == "incident")
        .order_by(Notification.created_at, Notification.id)
    ).all()
    return [
        {
            "person_id": n.person_id,
            "name": actor_name(settings, f"person:{n.person_id}"),
            "channel": kind_of(n.channel),
            "step": n.step + 1,
            "round": n.round + 1,
            "via": n.via,
            "status": n.status,
            "queued_at": n.created_at,
            "sent_at": n.sent_at,
            "attempts": n.attempts,
            "error": n.last_error if n.status == "failed" else None,
        }
        for n in rows
    ]


def _replies(session: Session, settings: Settings, incident_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Reply).where(Reply.incident_id == incident_id).order_by(Reply.created_at, Reply.id)
    ).all()
    return [
        {
            "id": r.id,
            "at": r.sent_at or r.created_at,
            "author": r.author,
            "author_name": actor_name(settings, r.author),
            "text": r.text,
            "private": r.private,
            "state": r.state,
            "check": {"passed": not r.check_reasons, "reasons": list(r.check_reasons or [])},
            "decided_by": r.decided_by,
        }
        for r in rows
    ]


def _moderation(session: Session, incident_id: int) -> dict[str, Any]:
    """Comments hidden, unhidden or deleted for this incident, or of its evidence."""
    evidence = select(IncidentEvidence.comment_id).where(IncidentEvidence.incident_id == incident_id)
    rows = session.scalars(
        select(ModerationAction)
        .where(
            or_(ModerationAction.incident_id == incident_id, ModerationAction.comment_id.in_(evidence)),
            ModerationAction.verb.in_(("hide", "unhide", "delete")),
        )
        .order_by(ModerationAction.created_at, ModerationAction.id)
    ).all()
    done = [a for a in rows if a.state in ("done", "gone") and not a.dry_run]
    counts = Counter(a.verb for a in done)
    reviewed = Counter(a.review for a in done if a.review)
    return {
        "hidden": counts["hide"],
        "unhidden": counts["unhide"] + reviewed["unhidden"],
        "deleted": counts["delete"] + reviewed["deleted"],
        "waiting_review": sum(1 for a in done if a.verb == "hide" and not a.review),
        "by_rule": sum(1 for a in done if a.source.startswith("rule:")),
        "actions": [
            {
                "at": a.done_at or a.created_at,
                "verb": a.verb,
                "source": a.source,
                "state": a.state,
                "dry_run": a.dry_run,
                "review": a.review,
                "comment_id": a.comment_id,
            }
            for a in rows
        ],
    }


# --- what the team writes afterwards ---------------------------------------------------------------------


def review_of(session: Session, settings: Settings, incident_id: int) -> dict[str, Any]:
    row = session.get(IncidentReview, incident_id)
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.incident_id == incident_id)
        .order_by(ActionItem.due, ActionItem.id)
    ).all()
    return {
        "review": {
            **{f: getattr(row, f) if row else "" for f in REVIEW_FIELDS},
            "updated_by": row.updated_by if row else None,
            "updated_at": row.updated_at if row else None,
        },
        "action_items": [
            {
                "id": a.id,
                "text": a.text,
                "owner": a.owner,
                "owner_name": actor_name(settings, f"person:{a.owner}") or a.owner,
                "due": a.due,
                "done": a.done_at is not None,
                "done_at": a.done_at,
                "done_by": a.done_by,
                "created_by": a.created_by,
            }
            for a in items
        ],
    }


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NoSuchIncident(f"no incident {incident_id}")
    return incident


def _text(name: str, value: str, limit: int, *, required: bool = False) -> str:
    value = storable_text(value or "").strip()
    if required and not value:
        raise ReportError(f"{name}: must not be empty")
    if len(value) > limit:
        raise ReportError(f"{name}: {len(value)} characters, at most {limit}")
    return value


def save_review(
    session: Session, *, incident_id: int, actor: str, at: datetime, answers: dict[str, str]
) -> list[str]:
    """Keep the review's answers; returns the fields that changed, each change on the timeline."""
    incident = _incident(session, incident_id)
    unknown = set(answers) - set(REVIEW_FIELDS)
    if unknown:
        raise ReportError(f"unknown review field(s): {', '.join(sorted(unknown))}")
    cleaned = {f: _text(f, v, MAX_TEXT) for f, v in answers.items()}
    row = session.get(IncidentReview, incident_id)
    if row is None:
        row = IncidentReview(
            incident_id=incident_id, **dict.fromkeys(REVIEW_FIELDS, ""), updated_by=actor, updated_at=at
        )
        session.add(row)
    changed = [f for f, v in cleaned.items() if getattr(row, f) != v]
    for f in changed:
        setattr(row, f, cleaned[f])
    if changed:
        row.updated_by, row.updated_at = actor, at
        event(
            session,
            incident,
            at=at,
            kind="review",
            actor=actor,
            message=phrase("the post-crisis review was changed: %(fields)s", fields=", ".join(changed)),
            data={"fields": changed},
        )
    return changed


def add_action_item(
    session: Session, *, incident_id: int, actor: str, at: datetime, text: str, owner: str, due: date | str
) -> ActionItem:
    incident = _incident(session, incident_id)
    text = _text("text", text, 500, required=True)
    owner = _text("owner", owner, 100, required=True)
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due.strip())
        except ValueError:
            raise ReportError(f"due: {due!r} is not a date such as 2026-12-11") from None
    item = ActionItem(
        incident_id=incident_id, text=text, owner=owner, due=due, created_by=actor, created_at=at
    )
    session.add(item)
    session.flush()
    event(
        session,
        incident,
        at=at,
        kind="action_item",
        actor=actor,
        message=phrase(
            "action item: %(text)s (%(owner)s, by %(due)s)", text=text, owner=owner, due=due.isoformat()
        ),
        data={"action_item": item.id},
    )
    return item


def finish_action_item(
    session: Session, *, incident_id: int, item_id: int, actor: str, at: datetime
) -> ActionItem:
    incident = _incident(session, incident_id)
    item = session.get(ActionItem, item_id)
    if item is None or item.incident_id != incident_id:
        raise ReportError(f"incident {incident_id} has no action item {item_id}")
    if item.done_at is None:
        item.done_at, item.done_by = at, actor
        event(
            session,
            incident,
            at=at,
            kind="action_done",
            actor=actor,
            message=phrase("action item done: %(text)s", text=item.text),
            data={"action_item": item.id},
        )
    return item
