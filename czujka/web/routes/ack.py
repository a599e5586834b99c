"""The one-tap acknowledge link from a page: works without signing in, and only for this one act."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from czujka.notifications.ack import AckLinkError, look_up, use_link
from czujka.vocabulary import kind_name
from czujka.web.deps import RuntimeDep, SessionDep
from czujka.web.templating import render

router = APIRouter(tags=["acknowledge"], include_in_schema=False)


def _context(runtime, incident, language: str) -> dict:
    settings = runtime.settings
    profile = settings.profile(incident.profile_id)
    opened = incident.opened_at.astimezone(ZoneInfo(settings.timezone_of(incident.profile_id)))
    return {
        "incident": incident,
        "kind_name": kind_name(incident.kind, language),
        "profile_name": profile.name if profile else incident.profile_id,
        "client": settings.client_name_of(incident.profile_id),
        "opened": opened,
        "incident_url": f"/incidents/{incident.id}#playbook",  # what to do next
    }


def _language(runtime, person_id: str | None) -> str:
    person = runtime.settings.person(person_id) if person_id else None
    return (person.language if person else None) or runtime.settings.language


@router.get("/ack/{token}", response_class=HTMLResponse)
def confirm_page(token: str, request: Request, runtime: RuntimeDep, session: SessionDep):
    """Shows the incident and one button; a GET changes nothing (link previews fetch it too)."""
    try:
        view = look_up(session, token=token, now=datetime.now(UTC))
    except AckLinkError as exc:
        return render(request, "ack.html", {"error": str(exc)}, status_code=410)
    language = _language(runtime, view.link.person_id)
    return render(request, "ack.html", {"language": language, **_context(runtime, view.incident, language)})


@router.post("/ack/{token}", response_class=HTMLResponse)
def acknowledge(token: str, request: Request, runtime: RuntimeDep, session: SessionDep):
    try:
        incident = use_link(session, token=token, now=datetime.now(UTC))
    except AckLinkError as exc:
        session.rollback()
        return render(request, "ack.html", {"error": str(exc)}, status_code=410)
    runtime.escalate_signal.set()
    person = incident.acknowledged_by.removeprefix("person:")
    language = _language(runtime, person)
    context = _context(runtime, incident, language)
    return render(request, "ack.html", {"language": language, "done": True, **context})
