"""Shift changes from the phone: take a shift, hand one over, approve, reject or cancel a change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse

from czujka.oncall.changes import Actor, ChangeError, cancel, decide, propose
from czujka.oncall.models import DutyChange
from czujka.web.dashboard import seen_oncall
from czujka.web.deps import MAX_ID, RuntimeDep, SessionDep, Text
from czujka.web.session import ResponderAction, SignedIn

router = APIRouter(include_in_schema=False)
LOCAL_TIME = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def actor_of(user: SignedIn) -> Actor:
    return Actor(user.user.username, user.user.person_id, user.may("admin"))


@router.post("/oncall/changes")
def make_change(
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    schedule: Annotated[str, Form(max_length=64)],
    person: Annotated[str, Form(max_length=64)],
    start: Annotated[str, Form(max_length=20)],
    end: Annotated[str, Form(max_length=20)],
    note: Annotated[Text, Form(max_length=500)] = "",
):
    seen = seen_oncall(runtime.settings, user)
    if seen.schedule(schedule) is None or seen.person(person) is None:
        raise HTTPException(404, "no such schedule or person")  # another client's: as if there were none
    chosen = runtime.settings.schedule(schedule)
    zone = ZoneInfo(chosen.timezone if chosen and chosen.timezone else runtime.settings.timezone)
    try:
        starts = datetime.strptime(start, LOCAL_TIME).replace(tzinfo=zone)
        ends = datetime.strptime(end, LOCAL_TIME).replace(tzinfo=zone)
    except ValueError:
        raise HTTPException(422, "from and until must be a date and a time") from None
    try:
        propose(
            session,
            runtime.settings,
            schedule_id=schedule,
            person_id=person,
            start=starts,
            end=ends,
            note=note,
            actor=actor_of(user),
            now=datetime.now(UTC),
        )
    except ChangeError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    runtime.refresh_schedules()  # this process's escalator and pages use it at once; workers within seconds
    return RedirectResponse("/oncall?saved=1#changes", status_code=303)


@router.post("/oncall/changes/{change_id}/{verb}")
def act_on_change(
    change_id: int,
    verb: str,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
):
    if not 1 <= change_id <= MAX_ID or verb not in ("approve", "reject", "cancel"):
        raise HTTPException(404, "no such change")
    now = datetime.now(UTC)
    change = session.get(DutyChange, change_id)
    if change is None or seen_oncall(runtime.settings, user).schedule(change.schedule_id) is None:
        raise HTTPException(404, "no such change")
    try:
        if verb == "cancel":
            cancel(session, runtime.settings, change_id=change_id, actor=actor_of(user), now=now)
        else:
            decide(
                session,
                runtime.settings,
                change_id=change_id,
                approve=verb == "approve",
                actor=actor_of(user),
                now=now,
            )
    except ChangeError as exc:
        raise HTTPException(409, str(exc)) from None
    session.commit()
    runtime.refresh_schedules()
    return RedirectResponse("/oncall#changes", status_code=303)
