"""Incident API: list, one with timeline and evidence, acknowledge, resolve, notes, silences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from czujka.incidents import flows
from czujka.incidents.models import Incident
from czujka.incidents.service import get_incident, list_incidents
from czujka.web.deps import (
    ERRORS,
    IncidentId,
    ProfileFilter,
    Responder,
    RuntimeDep,
    SessionDep,
    Text,
    Viewer,
    hidden_from,
    visible_profiles,
)

router = APIRouter(prefix="/api/incidents", tags=["incidents"], responses=ERRORS)
State = Literal["open", "triggered", "acknowledged", "resolved", "silenced"]


class ActionIn(BaseModel):
    reason: Text = Field("", max_length=2000)


@router.get("")
def get_incidents(
    session: SessionDep,
    runtime: RuntimeDep,
    token: Viewer,
    state: State | None = None,
    profile: ProfileFilter = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The token's clients' incidents only."""
    return list_incidents(
        session, state=state, limit=limit, profiles=visible_profiles(runtime, token, profile)
    )


def _visible(session: SessionDep, runtime: RuntimeDep, token: Any, incident_id: int) -> None:
    """Another client's incident answers as a missing one does."""
    incident = session.get(Incident, incident_id)
    if incident is None or hidden_from(runtime, token, incident.profile_id):
        raise HTTPException(404, f"no incident {incident_id}")


@router.get("/{incident_id}")
def get_one(
    incident_id: IncidentId, session: SessionDep, runtime: RuntimeDep, token: Viewer
) -> dict[str, Any]:
    _visible(session, runtime, token, incident_id)
    return get_incident(session, incident_id) or {}


def _act(
    action: Any, session: SessionDep, runtime: RuntimeDep, token: Any, incident_id: int, **args: Any
) -> dict[str, Any]:
    _visible(session, runtime, token, incident_id)
    try:
        action(session, incident_id=incident_id, actor=f"token:{token.name}", at=datetime.now(UTC), **args)
    except flows.FlowError as exc:
        status = 404 if isinstance(exc, flows.NoSuchIncident) else 409
        raise HTTPException(status, str(exc)) from None
    session.flush()
    return get_incident(session, incident_id) or {}


@router.post("/{incident_id}/acknowledge")
def acknowledge(
    incident_id: IncidentId,
    session: SessionDep,
    runtime: RuntimeDep,
    token: Responder,
    body: ActionIn | None = None,
) -> dict[str, Any]:
    return _act(flows.acknowledge, session, runtime, token, incident_id, reason=body.reason if body else "")


@router.post("/{incident_id}/resolve")
def resolve(
    incident_id: IncidentId,
    session: SessionDep,
    runtime: RuntimeDep,
    token: Responder,
    body: ActionIn | None = None,
) -> dict[str, Any]:
    return _act(flows.resolve, session, runtime, token, incident_id, reason=body.reason if body else "")


class NoteIn(BaseModel):
    text: Text = Field(..., min_length=1, max_length=5000)


class SilenceIn(BaseModel):
    hours: float = Field(
        ..., gt=0, le=24 * 14, description="How long to mute the incident's profile and kind."
    )
    reason: Text = Field(..., min_length=1, max_length=2000)


@router.post("/{incident_id}/notes")
def add_note(
    incident_id: IncidentId, body: NoteIn, session: SessionDep, runtime: RuntimeDep, token: Responder
) -> dict[str, Any]:
    return _act(flows.note, session, runtime, token, incident_id, text=body.text)


@router.post("/{incident_id}/silence")
def silence(
    incident_id: IncidentId, body: SilenceIn, session: SessionDep, runtime: RuntimeDep, token: Responder
) -> dict[str, Any]:
    return _act(
        flows.silence_incident, session, runtime, token, incident_id, hours=body.hours, reason=body.reason
    )
