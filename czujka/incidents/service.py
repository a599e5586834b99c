"""Reading incidents for the API and the CLI: lists, one incident with its timeline and evidence."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.incidents.models import OPEN_STATES, Incident, IncidentEvidence, TimelineEvent


def incident_topic(session: Session, incident: Incident) -> str | None:
    """The incident's topic, else the most common topic of its evidence (other than 'other')."""
    if incident.topic:
        return incident.topic
    topics = session.scalars(
        select(CommentScore.topic)
        .join(IncidentEvidence, IncidentEvidence.comment_id == CommentScore.comment_id)
        .where(IncidentEvidence.incident_id == incident.id, CommentScore.topic != "other")
        .limit(500)
    ).all()
    return Counter(topics).most_common(1)[0][0] if topics else None


def open_incident_of(session: Session, comment_ids: list[int]) -> int | None:
    """The newest open incident any of these comments is evidence of (a reply or a moderation action is
    recorded on its timeline)."""
    return session.scalar(
        select(Incident.id)
        .join(IncidentEvidence, IncidentEvidence.incident_id == Incident.id)
        .where(IncidentEvidence.comment_id.in_(comment_ids), Incident.state.in_(OPEN_STATES))
        .order_by(Incident.opened_at.desc())
        .limit(1)
    )


def incident_summary(incident: Incident, evidence_count: int) -> dict[str, Any]:
    return {
        "id": incident.id,
        "profile_id": incident.profile_id,
        "kind": incident.kind,
        "state": incident.state,
        "severity": incident.severity,
        "title": incident.title,
        "topic": incident.topic,
        "opened_at": incident.opened_at.isoformat(),
        "last_signal_at": incident.last_signal_at.isoformat(),
        "acknowledged_at": incident.acknowledged_at.isoformat() if incident.acknowledged_at else None,
        "acknowledged_by": incident.acknowledged_by,
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "resolved_by": incident.resolved_by,
        "evidence_count": evidence_count,
    }


def evidence_counts() -> Subquery:
    """Evidence comments per incident (`incident_id`, `n`), to join onto incident lists."""
    return (
        select(IncidentEvidence.incident_id, func.count().label("n"))
        .group_by(IncidentEvidence.incident_id)
        .subquery()
    )


def open_first(query: Select[Any], limit: int) -> Select[Any]:
    """Open ones first (most severe, newest), then the rest, newest first."""
    is_open = Incident.state.in_(OPEN_STATES)
    return query.order_by(is_open.desc(), Incident.severity.desc(), Incident.opened_at.desc()).limit(limit)


def list_incidents(
    session: Session,
    *,
    state: str | None = None,
    profile: str | None = None,
    limit: int = 100,
    profiles: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Open ones first; `profiles` (when given) are the only profiles whose incidents may be listed."""
    counts = evidence_counts()
    query = select(Incident, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.incident_id == Incident.id
    )
    if state == "open":
        query = query.where(Incident.state.in_(OPEN_STATES))
    elif state:
        query = query.where(Incident.state == state)
    if profile:
        query = query.where(Incident.profile_id == profile)
    if profiles is not None:
        query = query.where(Incident.profile_id.in_(profiles))
    return [incident_summary(incident, n) for incident, n in session.execute(open_first(query, limit))]


def incident_timeline(session: Session, incident_id: int) -> list[TimelineEvent]:
    return list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    )


def incident_evidence(
    session: Session, incident_id: int, limit: int | None = None
) -> list[tuple[Comment, CommentScore | None]]:
    """The evidence comments in time order, each with its scores if it has been scored."""
    rows = session.execute(
        select(Comment, CommentScore)
        .join(IncidentEvidence, IncidentEvidence.comment_id == Comment.id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(IncidentEvidence.incident_id == incident_id)
        .order_by(Comment.created_at)
        .limit(limit)
    )
    return [(c, s) for c, s in rows]


def get_incident(session: Session, incident_id: int) -> dict[str, Any] | None:
    incident = session.get(Incident, incident_id)
    if incident is None:
        return None
    timeline = incident_timeline(session, incident_id)
    evidence = incident_evidence(session, incident_id)
    data = incident_summary(incident, len(evidence))
    data["timeline"] = [
        {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "message": e.message, "data": e.data}
        for e in timeline
    ]
    data["evidence"] = [
        {
            "id": c.id,
            "platform_id": c.platform_id,
            "parent_id": c.parent_id,
            "author_name": c.author_name,
            "author_is_staff": c.author_is_staff,
            "message": c.message,
            "created_at": c.created_at.isoformat(),
            "sentiment": s.sentiment if s else None,
            "harm": s.harm if s else None,
            "vulgar_words": s.vulgar_words if s else [],
        }
        for c, s in evidence
    ]
    return data
