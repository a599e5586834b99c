"""Shifts taken or handed over from the phone: an override kept in the database, made by a person on the
dashboard, used by the escalator at once (no restart), and approved by a lead where the schedule asks.

`with_changes` is pure: czujka.toml's schedules with the active changes added as their last overrides, so a
change made today wins over the file's overrides, as the later override always does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.config import Settings
from czujka.oncall.config import OverrideConfig, ScheduleConfig
from czujka.oncall.escalation import recipients
from czujka.oncall.models import DutyChange

LONGEST = timedelta(days=14)
EARLIEST = timedelta(hours=1)  # a change may start a little in the past (the shift already began)
KEEP = timedelta(days=7)  # ended changes still shown this long


class ChangeError(Exception):
    """A change that cannot be made or decided; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    person_id: str | None
    admin: bool


def with_changes(schedules: list[ScheduleConfig], changes: list[DutyChange]) -> list[ScheduleConfig]:
    extra: dict[str, list[OverrideConfig]] = {}
    for change in sorted(changes, key=lambda c: c.made_at):
        if change.state != "active":
            continue
        extra.setdefault(change.schedule_id, []).append(
            OverrideConfig(
                person=change.person_id,
                start=change.starts_at.isoformat(),
                end=change.ends_at.isoformat(),
                reason=f"change #{change.id} by {change.made_by}",
            )
        )
    return [
        s.model_copy(update={"overrides": [*s.overrides, *extra[s.id]]}) if s.id in extra else s
        for s in schedules
    ]


def current(session: Session, *, now: datetime) -> list[DutyChange]:
    """Changes that have not ended (any state), and those that ended in the last days."""
    return list(
        session.scalars(
            select(DutyChange).where(DutyChange.ends_at > now - KEEP).order_by(DutyChange.starts_at)
        )
    )


def propose(
    session: Session,
    settings: Settings,
    *,
    schedule_id: str,
    person_id: str,
    start: datetime,
    end: datetime,
    note: str,
    actor: Actor,
    now: datetime,
) -> DutyChange:
    """Put `person_id` on duty from `start` to `end`: taking a shift (oneself) or handing one over (to
    another). Active at once, or pending when the schedule's `approve_changes` names someone else."""
    schedule = settings.schedule(schedule_id)
    if schedule is None:
        raise ChangeError(f"no schedule {schedule_id!r}")
    if settings.person(person_id) is None:
        raise ChangeError(f"no person {person_id!r}")
    if start.tzinfo is None or end.tzinfo is None:
        raise ChangeError("times need a time zone")
    if end <= start:
        raise ChangeError("the end must be after the start")
    if end - start > LONGEST:
        raise ChangeError("a change lasts at most 14 days; change the rota in czujka.toml for longer")
    if start < now - EARLIEST or end <= now:
        raise ChangeError("a change cannot be made for the past")
    if not actor.admin and actor.person_id is None:
        raise ChangeError("your account is not linked to a person on the rota; ask an admin")
    approvers = approvers_of(settings, schedule, now=now)
    needs = bool(schedule.approve_changes) and not actor.admin and actor.person_id not in approvers
    change = DutyChange(
        schedule_id=schedule_id,
        person_id=person_id,
        starts_at=start,
        ends_at=end,
        note=note.strip()[:500],
        state="pending" if needs else "active",
        made_by=actor.username,
        made_at=now,
    )
    session.add(change)
    session.flush()
    return change


def approvers_of(settings: Settings, schedule: ScheduleConfig, *, now: datetime) -> set[str]:
    """The people the schedule's `approve_changes` reaches now."""
    found, _ = recipients(settings, schedule.approve_changes, topic=None, at=now)
    return {r.person.id for r in found}


def decide(
    session: Session, settings: Settings, *, change_id: int, approve: bool, actor: Actor, now: datetime
) -> DutyChange:
    change = _pending(session, change_id)
    schedule = settings.schedule(change.schedule_id)
    allowed = actor.admin or (
        schedule is not None and actor.person_id in approvers_of(settings, schedule, now=now)
    )
    if not allowed:
        raise ChangeError("only the schedule's approvers or an admin decide on a change")
    change.state = "active" if approve else "rejected"
    change.decided_by, change.decided_at = actor.username, now
    return change


def cancel(
    session: Session, settings: Settings, *, change_id: int, actor: Actor, now: datetime
) -> DutyChange:
    change = session.get(DutyChange, change_id)
    if change is None or change.state in ("rejected", "cancelled") or change.ends_at <= now:
        raise ChangeError("this change is over, or was rejected or cancelled already")
    schedule = settings.schedule(change.schedule_id)
    mine = change.made_by == actor.username or change.person_id == actor.person_id
    approver = schedule is not None and actor.person_id in approvers_of(settings, schedule, now=now)
    if not (mine or approver or actor.admin):
        raise ChangeError("only who made the change, the person on it, an approver or an admin cancel it")
    change.state, change.decided_by, change.decided_at = "cancelled", actor.username, now
    return change


def _pending(session: Session, change_id: int) -> DutyChange:
    change = session.get(DutyChange, change_id)
    if change is None or change.state != "pending":
        raise ChangeError("this change is not waiting for a decision")
    return change


def listing(session: Session, settings: Settings, *, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """The changes as the on-call page shows them, with what this person may do about each."""
    out = []
    for change in current(session, now=now):
        schedule = settings.schedule(change.schedule_id)
        zone = ZoneInfo(schedule.timezone if schedule and schedule.timezone else settings.timezone)
        person = settings.person(change.person_id)
        approver = schedule is not None and actor.person_id in approvers_of(settings, schedule, now=now)
        live = change.state in ("active", "pending") and change.ends_at > now
        out.append(
            {
                "id": change.id,
                "schedule_id": change.schedule_id,
                "schedule": schedule.name or schedule.id if schedule else change.schedule_id,
                "person": person.name if person else change.person_id,
                "from": change.starts_at.astimezone(zone),
                "to": change.ends_at.astimezone(zone),
                "note": change.note,
                "state": change.state,
                "made_by": change.made_by,
                "decided_by": change.decided_by,
                "may_decide": change.state == "pending" and (approver or actor.admin),
                "may_cancel": live
                and (
                    change.made_by == actor.username
                    or change.person_id == actor.person_id
                    or approver
                    or actor.admin
                ),
            }
        )
    return out
