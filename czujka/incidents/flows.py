"""Incident lifecycle: open or attach a signal, acknowledge, resolve, resolve after quiet, silence.

Every change writes a timeline event with time, actor and reason. Functions take the session first and
keyword arguments, and leave committing to the caller.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from czujka.detection.signals import SignalIn
from czujka.incidents.models import OPEN_STATES, Incident, IncidentEvidence, Signal, Silence, TimelineEvent
from czujka.vocabulary import kind_title
from czujka.words import Joined, Phrase, dumped, phrase

MAX_EVIDENCE_PER_SIGNAL = 200


class FlowError(ValueError):
    """An action that does not fit the incident's state (acknowledging a resolved incident, …)."""


class NoSuchIncident(FlowError):
    """The action names an incident that does not exist."""


def event(
    session: Session,
    incident: Incident,
    *,
    at: datetime,
    kind: str,
    actor: str,
    message: str | Phrase | Joined,
    data: dict | None = None,
) -> None:
    """A timeline entry. A Phrase is kept to be said in the reader's language (`data["said"]`) and stored in
    English as the message the API and the CLI show."""
    if not isinstance(message, str):
        data = {**(data or {}), "said": dumped(message)}
    session.add(
        TimelineEvent(incident_id=incident.id, at=at, kind=kind, actor=actor, message=str(message), data=data)
    )


def mutes(session: Session, signal: SignalIn) -> Silence | None:
    """The silence (or maintenance window) that covers this signal, if any."""
    return session.scalar(
        select(Silence)
        .where(
            Silence.starts_at <= signal.at,
            Silence.ends_at > signal.at,
            or_(Silence.profile_id.is_(None), Silence.profile_id == signal.profile_id),
            or_(Silence.kind.is_(None), Silence.kind == signal.kind),
        )
        .limit(1)
    )


def open_incident(session: Session, dedup_key: str) -> Incident | None:
    """The open incident with this dedup key, if any."""
    return session.scalar(
        select(Incident).where(Incident.dedup_key == dedup_key, Incident.state.in_(OPEN_STATES)).limit(1)
    )


def open_or_attach(session: Session, *, signal: SignalIn) -> Incident | None:
    """Record the signal; attach it to the open incident with its dedup key or open one. None when muted."""
    silence = mutes(session, signal)
    row = Signal(
        profile_id=signal.profile_id,
        kind=signal.kind,
        dedup_key=signal.dedup_key,
        severity=signal.severity,
        score=signal.score,
        at=signal.at,
        reason=str(signal.reason),
        evidence=list(signal.evidence),
        muted_by=silence.id if silence else None,
    )
    session.add(row)
    if silence is not None:
        session.flush()
        return None
    incident = open_incident(session, signal.dedup_key)
    if incident is None:
        incident = Incident(
            profile_id=signal.profile_id,
            kind=signal.kind,
            dedup_key=signal.dedup_key,
            state="triggered",
            severity=signal.severity,
            title=kind_title(signal.kind),
            topic=signal.topic,
            opened_at=signal.at,
            last_signal_at=signal.at,
        )
        session.add(incident)
        session.flush()
        event(
            session,
            incident,
            at=signal.at,
            kind="opened",
            actor=f"detector:{signal.kind}",
            message=signal.reason,
            data={"score": round(signal.score, 3), "severity": signal.severity},
        )
    else:
        incident.last_signal_at = max(incident.last_signal_at, signal.at)
        event(
            session,
            incident,
            at=signal.at,
            kind="signal",
            actor=f"detector:{signal.kind}",
            message=signal.reason,
            data={"score": round(signal.score, 3)},
        )
        if signal.severity > incident.severity:
            event(
                session,
                incident,
                at=signal.at,
                kind="severity",
                actor=f"detector:{signal.kind}",
                message=phrase(
                    "severity %(before)s → %(after)s", before=incident.severity, after=signal.severity
                ),
            )
            incident.severity = signal.severity
        incident.topic = incident.topic or signal.topic
    row.incident_id = incident.id
    known = set(
        session.scalars(
            select(IncidentEvidence.comment_id).where(IncidentEvidence.incident_id == incident.id)
        )
    )
    for comment_id in list(dict.fromkeys(signal.evidence))[:MAX_EVIDENCE_PER_SIGNAL]:
        if comment_id not in known:
            session.add(IncidentEvidence(incident_id=incident.id, comment_id=comment_id))
    session.flush()
    return incident


def _get(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NoSuchIncident(f"no incident {incident_id}")
    return incident


def acknowledge(
    session: Session, *, incident_id: int, actor: str, at: datetime, reason: str | Phrase = ""
) -> Incident:
    incident = _get(session, incident_id)
    if incident.state != "triggered":
        raise FlowError(
            f"incident {incident_id} is {incident.state}; only a triggered incident can be acknowledged"
        )
    incident.state, incident.acknowledged_at, incident.acknowledged_by = "acknowledged", at, actor
    event(
        session, incident, at=at, kind="acknowledged", actor=actor, message=reason or phrase("acknowledged")
    )
    return incident


def resolve(
    session: Session,
    *,
    incident_id: int,
    actor: str,
    at: datetime,
    reason: str = "",
    signed_off_by: str | None = None,
) -> Incident:
    """Resolve an incident; `signed_off_by` names who takes responsibility for closing it (and `reason` why)."""
    incident = _get(session, incident_id)
    if incident.state not in OPEN_STATES and incident.state != "silenced":
        raise FlowError(f"incident {incident_id} is {incident.state} already")
    incident.state, incident.resolved_at, incident.resolved_by = "resolved", at, actor
    if signed_off_by:
        said = phrase("resolved, signed off by %(who)s: %(why)s", who=signed_off_by, why=reason or "—")
        data = {"signed_off_by": signed_off_by, "why": reason}
        event(session, incident, at=at, kind="resolved", actor=actor, message=said, data=data)
    else:
        event(session, incident, at=at, kind="resolved", actor=actor, message=reason or phrase("resolved"))
    return incident


def note(session: Session, *, incident_id: int, actor: str, at: datetime, text: str) -> Incident:
    incident = _get(session, incident_id)
    event(session, incident, at=at, kind="note", actor=actor, message=text)
    return incident


def silence_incident(
    session: Session, *, incident_id: int, actor: str, at: datetime, hours: float, reason: str
) -> Silence:
    """Silence an incident's profile and kind for `hours`, and mark the incident silenced."""
    incident = _get(session, incident_id)
    if incident.state not in OPEN_STATES:
        raise FlowError(f"incident {incident_id} is {incident.state}; only an open incident can be silenced")
    if not hours > 0:
        raise FlowError(f"hours must be positive, not {hours}")
    silence = Silence(
        profile_id=incident.profile_id,
        kind=incident.kind,
        starts_at=at,
        ends_at=at + timedelta(hours=hours),
        reason=reason,
        author=actor,
    )
    session.add(silence)
    incident.state = "silenced"
    event(
        session,
        incident,
        at=at,
        kind="silenced",
        actor=actor,
        message=phrase("silenced for %(hours)g h: %(reason)s", hours=hours, reason=reason),
    )
    session.flush()
    return silence


def auto_resolve(
    session: Session, *, now: datetime, quiet: timedelta, profile_ids: list[str] | None = None
) -> list[int]:
    """Resolve open incidents (of `profile_ids`, else all) with no new signal for `quiet`; returns their ids."""
    query = select(Incident).where(Incident.state.in_(OPEN_STATES), Incident.last_signal_at < now - quiet)
    if profile_ids is not None:
        query = query.where(Incident.profile_id.in_(profile_ids))
    stale = session.scalars(query).all()
    for incident in stale:
        incident.state, incident.resolved_at, incident.resolved_by = "resolved", now, "czujka"
        event(
            session,
            incident,
            at=now,
            kind="resolved",
            actor="czujka",
            message=phrase(
                "resolved by czujka: no new signal for %(hours)g h", hours=quiet.total_seconds() / 3600
            ),
        )
    return [i.id for i in stale]
