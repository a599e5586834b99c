"""The escalation worker's database side: start an escalation per new incident, take due steps, re-page.

Each due escalation is advanced in its own transaction that locks its row (SKIP LOCKED on PostgreSQL) and
updates it only if its fencing id is still the one read; the pages of a step are inserted under unique dedup
keys. So two workers, or a worker restarted after SIGKILL, never page the same step twice.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from czujka.config import Settings
from czujka.incidents.flows import event
from czujka.incidents.models import Incident
from czujka.incidents.service import incident_topic
from czujka.notifications.models import Notification
from czujka.oncall.config import channel_label
from czujka.oncall.escalation import (
    Action,
    EscalationState,
    client_for,
    experts_for,
    next_action,
    policy_name,
    reached,
    recipients,
    route_policy,
    urgency,
)
from czujka.oncall.models import Escalation, LoopHeartbeat
from czujka.storage.dialect import insert_ignoring_duplicates, skip_locked
from czujka.storage.engine import session_scope
from czujka.vocabulary import STATES
from czujka.words import Joined, Phrase, joined, phrase

log = structlog.get_logger("czujka.oncall")
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def _told(
    session: Session,
    incident: Incident,
    now: datetime,
    message: str | Phrase | Joined,
    *,
    kind: str = "escalation",
    **data: object,
) -> None:
    """A timeline entry written by the escalator itself."""
    event(session, incident, at=now, kind=kind, actor="czujka", message=message, data=data or None)


def open_escalations(session: Session, *, settings: Settings, now: datetime) -> int:
    """Start the chain of command for triggered incidents that have none yet; returns how many started."""
    fresh = session.scalars(
        select(Incident)
        .outerjoin(Escalation, Escalation.incident_id == Incident.id)
        .where(Incident.state == "triggered", Escalation.incident_id.is_(None))
        .order_by(Incident.id)
        .limit(200)
    ).all()
    started = 0
    oldest = now - timedelta(minutes=settings.page_max_age_minutes)
    for incident in fresh:
        policy = route_policy(
            settings, profile=incident.profile_id, kind=incident.kind, severity=incident.severity
        )
        status, message = (
            "active",
            phrase("the chain of command “%(policy)s” started", policy=policy_name(policy)),
        )
        if policy is None:
            status = "unrouted"
            message = phrase(
                "nobody was paged: no route and no 'default' chain of command match this incident"
            )
        elif incident.last_signal_at < oldest:
            status = "not_paged"
            message = phrase("nobody was paged: its signals are too old (a replay or an import)")
        row = {
            "incident_id": incident.id,
            "policy_id": policy.id if policy else None,
            "status": status,
            "step": 0,
            "round": 0,
            "next_step_at": now if status == "active" else None,
            "severity": incident.severity,
            "fencing": 0,
            "started_at": now,
            "updated_at": now,
        }
        if insert_ignoring_duplicates(session, Escalation, [row], "incident_id"):
            _told(session, incident, now, message)
            started += status == "active"
    return (
        started
        + _wake_old(session, settings=settings, now=now, oldest=oldest)
        + _repage(session, settings=settings, now=now)
    )


def _wake_old(session: Session, *, settings: Settings, now: datetime, oldest: datetime) -> int:
    """An incident left unpaged because its signals were old pages after all when a fresh signal arrives
    (a crisis that began while czujka was down and is still going on)."""
    woken = session.execute(
        select(Incident, Escalation)
        .join(Escalation, Escalation.incident_id == Incident.id)
        .where(
            Escalation.status == "not_paged", Incident.state == "triggered", Incident.last_signal_at >= oldest
        )
    ).all()
    for incident, escalation in woken:
        if _fenced(session, incident.id, escalation.fencing, now, status="active", next_step_at=now):
            _told(
                session,
                incident,
                now,
                phrase(
                    "a fresh signal arrived: the chain of command “%(policy)s” started",
                    policy=policy_name(settings.policy(escalation.policy_id or ""), escalation.policy_id),
                ),
            )
    return len(woken)


def _repage(session: Session, *, settings: Settings, now: datetime) -> int:
    """Acknowledged incidents that grew more severe start their escalation again, if the policy says so."""
    risen = session.execute(
        select(Incident, Escalation)
        .join(Escalation, Escalation.incident_id == Incident.id)
        .where(Incident.state == "acknowledged", Incident.severity > Escalation.severity)
    ).all()
    repaged = 0
    for incident, escalation in risen:
        policy = settings.policy(escalation.policy_id or "")
        if policy is None or not policy.repage_on_severity:
            escalation.severity = incident.severity
            continue
        values = {
            "status": "active",
            "step": 0,
            "round": 0,
            "next_step_at": now,
            "severity": incident.severity,
        }
        if _fenced(session, incident.id, escalation.fencing, now, **values):
            incident.state, incident.acknowledged_at, incident.acknowledged_by = "triggered", None, None
            _told(
                session,
                incident,
                now,
                phrase(
                    "severity rose to %(severity)s after it was acknowledged: paging again",
                    severity=incident.severity,
                ),
                kind="repaged",
            )
            repaged += 1
    return repaged


def _fenced(session: Session, incident_id: int, fence: int, now: datetime, **values: object) -> bool:
    """Update the escalation only if no other worker moved it since `fence` was read; bump the fence."""
    return bool(
        session.execute(
            update(Escalation)
            .where(Escalation.incident_id == incident_id, Escalation.fencing == fence)
            .values(**values, fencing=fence + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def due_escalations(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    return list(
        session.scalars(
            select(Escalation.incident_id)
            .where(Escalation.status == "active", Escalation.next_step_at <= now)
            .order_by(Escalation.next_step_at)
            .limit(limit)
        )
    )


def advance(session: Session, *, settings: Settings, incident_id: int, now: datetime) -> int:
    """Take one escalation's due step; returns the number of pages queued (0 if another worker has it)."""
    escalation = session.scalar(
        skip_locked(
            session,
            select(Escalation).where(
                Escalation.incident_id == incident_id,
                Escalation.status == "active",
                Escalation.next_step_at <= now,
            ),
        )
    )
    if escalation is None:
        return 0
    incident = session.get(Incident, incident_id)
    policy = settings.policy(escalation.policy_id or "")
    fence = escalation.fencing
    values: dict = {}
    queued = 0
    if incident.state != "triggered" or policy is None:
        why = (
            phrase(
                "the chain of command “%(policy)s” is no longer in czujka.toml", policy=escalation.policy_id
            )
            if policy is None
            else phrase("the incident is %(state)s", state=phrase(STATES.get(incident.state, incident.state)))
        )
        values.update(status="stopped", next_step_at=None)
        _told(session, incident, now, phrase("paging stopped: %(why)s", why=why))
    else:
        step = min(escalation.step, len(policy.steps) - 1)
        state = EscalationState(step=step, round=escalation.round, due_at=escalation.next_step_at)
        action = next_action(policy, state, now)
        queued = _queue_pages(session, settings=settings, incident=incident, action=action, now=now)
        after = action.state
        values.update(
            step=after.step,
            round=after.round,
            next_step_at=after.due_at,
            status="finished" if after.finished else "active",
        )
    if not _fenced(session, incident_id, fence, now, **values):
        raise StaleEscalation(f"escalation of incident {incident_id} was advanced by another worker")
    return queued


class StaleEscalation(RuntimeError):
    """Another worker advanced this escalation first; this transaction must roll back."""


def _queue_pages(
    session: Session, *, settings: Settings, incident: Incident, action: Action, now: datetime
) -> int:
    topic = incident_topic(session, incident)
    client = client_for(settings, incident.profile_id)
    people, notes = recipients(settings, action.targets, topic=topic, at=now, client=client)
    level = urgency(settings, incident.severity)
    # The page names the experts to call: decided now, with the recipients, and kept with each page.
    experts = [
        {"name": e.name, "topics": list(e.expert_in), "phone": e.phone, "email": e.email}
        for e in experts_for(settings, topic, now, client=client)
    ]
    rows = []
    for r in people:
        page_key = f"{incident.id}:s{incident.severity}:r{action.round}:{action.step}:{r.person.id}"
        rule = r.person.rule(level)
        if not rule:
            notes.append(phrase("%(name)s has no channels in czujka.toml", name=r.person.name))
        for number, url, delay in rule:
            rows.append(
                {
                    "incident_id": incident.id,
                    "dedup_key": f"{page_key}:{number}",
                    "page_key": page_key,
                    "person_id": r.person.id,
                    "channel": channel_label(url)[:40],
                    "channel_number": number,
                    "step": action.step,
                    "round": action.round,
                    "via": r.via[:120],
                    "urgency": level,
                    "topic": topic,
                    "experts": experts,
                    "status": "pending",
                    "attempts": 0,
                    "send_after": now + timedelta(minutes=delay),
                    "created_at": now,
                }
            )
    queued = insert_ignoring_duplicates(session, Notification, rows, "dedup_key")
    who = reached(settings, people)
    said: Phrase | Joined = (
        phrase(
            "step %(step)s, round %(round)s: paging %(people)s",
            step=action.step + 1,
            round=action.round + 1,
            people=who,
        )
        if action.round
        else phrase("step %(step)s: paging %(people)s", step=action.step + 1, people=who)
    )
    if notes:
        said = joined([said, *notes])
    notes_data = {"notes": [str(n) for n in notes]} if notes else {}
    _told(
        session,
        incident,
        now,
        said,
        step=action.step,
        round=action.round,
        **notes_data,
    )
    return queued


def run_escalations(sessions: sessionmaker[Session], *, settings: Settings, now: datetime) -> int:
    """One round of the escalator: start new escalations, then take every due step. Returns pages queued.

    Due steps are first taken together in one transaction; if another worker got to one of them first, the
    batch rolls back and each is retried alone, so the others still go out in this round."""
    with session_scope(sessions, write=True) as session:
        open_escalations(session, settings=settings, now=now)
        due = due_escalations(session, now=now)
    if not due:
        return 0
    try:
        with session_scope(sessions, write=True) as session:
            return sum(advance(session, settings=settings, incident_id=i, now=now) for i in due)
    except (StaleEscalation, OperationalError):
        pass
    queued = 0
    for incident_id in due:
        try:
            with session_scope(sessions, write=True) as session:
                queued += advance(session, settings=settings, incident_id=incident_id, now=now)
        except (StaleEscalation, OperationalError) as exc:
            # Another worker took this step (or held SQLite's write lock); it is theirs, not lost.
            log.info("escalation skipped", incident=incident_id, reason=type(exc).__name__)
    return queued


def beat(sessions: sessionmaker[Session], *, loop: str, now: datetime) -> None:
    with session_scope(sessions, write=True) as session:
        row = session.get(LoopHeartbeat, loop)
        if row is None:
            session.add(LoopHeartbeat(loop=loop, worker=WORKER, at=now))
        else:
            row.worker, row.at = WORKER, now


def page_leads(
    session: Session,
    *,
    settings: Settings,
    targets: list[str],
    key: str,
    purpose: str,
    now: datetime,
    profile_id: str,
    incident_id: int | None = None,
    reply_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[int, list[str]]:
    """A low-urgency page (a reply to approve, the review or weekly digest) to each person `targets` reach, on their
    first low-urgency channel, through the outbox; `key` makes it once per person. Returns how many pages
    were new, and the names of the people reached."""
    people, _ = recipients(settings, targets, topic=None, at=now, client=client_for(settings, profile_id))
    rows = [
        {
            "incident_id": incident_id,
            "dedup_key": f"{key}:{r.person.id}:{number}",
            "page_key": f"{key}:{r.person.id}",
            "person_id": r.person.id,
            "channel": channel_label(url)[:40],
            "channel_number": number,
            "step": 0,
            "round": 0,
            "via": r.via[:120],
            "urgency": "low",
            "purpose": purpose,
            "reply_id": reply_id,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "send_after": now,
            "created_at": now,
        }
        for r in people
        for number, url, _delay in r.person.rule("low")[:1]
    ]
    return insert_ignoring_duplicates(session, Notification, rows, "dedup_key"), [
        r.person.name for r in people
    ]
