"""Reports in the API: an incident's post-crisis report, a week's digest and the response figures, as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from czujka.incidents.models import Incident
from czujka.reports import digest as digests
from czujka.reports.figures import response_figures
from czujka.reports.service import as_json, incident_report, plain
from czujka.web.deps import (
    ERRORS,
    IncidentId,
    ProfileFilter,
    RuntimeDep,
    SessionDep,
    Viewer,
    hidden_from,
    unprocessable,
    visible_profiles,
)

router = APIRouter(prefix="/api", tags=["reports"], responses=ERRORS)
Week = Annotated[
    str | None, Query(max_length=10, description="An ISO week such as 2026-W48 (default: last week).")
]


@router.get("/incidents/{incident_id}/report")
def get_report(
    incident_id: IncidentId, session: SessionDep, runtime: RuntimeDep, token: Viewer
) -> dict[str, Any]:
    """The post-crisis report, as `czujka report ID --format json` prints it."""
    incident = session.get(Incident, incident_id)
    if incident is None or hidden_from(runtime, token, incident.profile_id):
        raise HTTPException(404, f"no incident {incident_id}")
    return plain(as_json(incident_report(session, settings=runtime.settings, incident_id=incident_id)))


@router.get("/digest")
def get_digest(
    session: SessionDep, runtime: RuntimeDep, token: Viewer, week: Week = None, profile: ProfileFilter = None
) -> dict[str, Any]:
    """A week's digest of the token's clients' profiles."""
    settings = runtime.settings
    try:
        monday = digests.parse_week(week) if week else digests.last_week(datetime.now(UTC), settings.timezone)
    except ValueError as exc:
        raise unprocessable("week", str(exc)) from None
    profiles = visible_profiles(runtime, token, profile)
    return as_json(digests.weekly_digest(session, settings=settings, week=monday, profiles=profiles))


@router.get("/figures")
def get_figures(
    session: SessionDep,
    runtime: RuntimeDep,
    token: Viewer,
    weeks: Annotated[int, Query(ge=1, le=104)] = 12,
    profile: ProfileFilter = None,
) -> dict[str, Any]:
    """The response figures of the token's clients' profiles over the last weeks."""
    return as_json(
        response_figures(
            session,
            settings=runtime.settings,
            now=datetime.now(UTC),
            profiles=visible_profiles(runtime, token, profile),
            weeks=weeks,
        )
    )
