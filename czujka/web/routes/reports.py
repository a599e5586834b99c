"""The dashboard's reports: an incident's post-crisis report (page and PDF) with the team's review, the
weekly digest and the response figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from czujka.incidents.flows import NoSuchIncident
from czujka.oncall.escalation import client_for, serves
from czujka.reports import digest as digests
from czujka.reports import figures as response_figures
from czujka.reports import service
from czujka.web.deps import MAX_ID, IncidentId, RuntimeDep, SessionDep
from czujka.web.reporting import PdfUnavailable, pdf_of, render_report, report_chart
from czujka.web.routes.pages import seen_incident
from czujka.web.session import Page, ResponderAction
from czujka.web.templating import render
from czujka.words import N_

router = APIRouter(include_in_schema=False)


def _report(session, runtime, user, incident_id: int) -> dict:
    seen_incident(session, runtime.settings, user, incident_id)
    try:
        return service.incident_report(session, settings=runtime.settings, incident_id=incident_id)
    except NoSuchIncident:
        raise HTTPException(404, "no such incident") from None


def _page(request: Request, runtime, user, report: dict, *, error: str | None = None, status: int = 200):
    return render(
        request,
        "report.html",
        {
            "user": user,
            "active": "incidents",
            "report": report,
            "chart": report_chart(report),
            "settings": runtime.settings,
            "people": [
                p
                for p in runtime.settings.people
                if serves(p, client_for(runtime.settings, report["profile_id"]))
            ],
            "editable": user.may("responder"),
            "csrf": user.web_session.csrf_token,
            "error": error,
        },
        status_code=status,
    )


@router.get("/incidents/{incident_id}/report", response_class=HTMLResponse)
def report_page(
    incident_id: IncidentId, request: Request, runtime: RuntimeDep, session: SessionDep, user: Page
):
    return _page(request, runtime, user, _report(session, runtime, user, incident_id))


@router.get("/incidents/{incident_id}/report.pdf")
def report_pdf(
    incident_id: IncidentId, request: Request, runtime: RuntimeDep, session: SessionDep, user: Page
):
    report = _report(session, runtime, user, incident_id)
    language = getattr(request.state, "language", None) or runtime.settings.language
    try:
        pdf = pdf_of(render_report(report, language=language, settings=runtime.settings))
    except PdfUnavailable as exc:
        return render(
            request,
            "error.html",
            {"message": N_("The PDF cannot be made on this server."), "detail": str(exc)},
            status_code=503,
        )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="czujka-incident-{incident_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def _change(request: Request, session, runtime, user, incident_id: int, change, **args):
    """Run one change of the review; a refused one shows the report again with the reason, and keeps nothing."""
    seen_incident(session, runtime.settings, user, incident_id)
    try:
        change(
            session, incident_id=incident_id, actor=f"user:{user.user.username}", at=datetime.now(UTC), **args
        )
    except service.ReportError as exc:
        session.rollback()
        report = service.incident_report(session, settings=runtime.settings, incident_id=incident_id)
        return _page(request, runtime, user, report, error=str(exc), status=422)
    return RedirectResponse(f"/incidents/{incident_id}/report#review", status_code=303)


@router.post("/incidents/{incident_id}/report/review")
def save_review(
    incident_id: IncidentId,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    what_happened: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    went_well: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
    to_change: Annotated[str, Form(max_length=service.MAX_TEXT)] = "",
):
    answers = {"what_happened": what_happened, "went_well": went_well, "to_change": to_change}
    return _change(request, session, runtime, user, incident_id, service.save_review, answers=answers)


@router.post("/incidents/{incident_id}/report/actions")
def add_action_item(
    incident_id: IncidentId,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
    text: Annotated[str, Form(max_length=500)],
    owner: Annotated[str, Form(max_length=100)],
    due: Annotated[str, Form(max_length=20)],
):
    return _change(
        request, session, runtime, user, incident_id, service.add_action_item, text=text, owner=owner, due=due
    )


@router.post("/incidents/{incident_id}/report/actions/{item_id}/done")
def finish_action_item(
    incident_id: IncidentId,
    item_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: ResponderAction,
):
    return _change(request, session, runtime, user, incident_id, service.finish_action_item, item_id=item_id)


@router.get("/digest", response_class=HTMLResponse)
def digest_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Page,
    week: Annotated[str | None, Query(max_length=10)] = None,
    profile: Annotated[str | None, Query(max_length=64)] = None,
    client: Annotated[str | None, Query(max_length=64)] = None,
):
    """A week's digest of what this user may see (narrowed to one profile or client, as a page links it)."""
    settings = runtime.settings
    try:
        chosen = digests.parse_week(week) if week else digests.last_week(datetime.now(UTC), settings.timezone)
    except ValueError as exc:
        return render(
            request, "error.html", {"message": N_("No such week."), "detail": str(exc)}, status_code=422
        )
    profiles = user.profiles(settings)
    if profile is not None:
        profiles = [p for p in (profiles if profiles is not None else [profile]) if p == profile]
    if client is not None and not user.scope.sees_client(client):
        client = None
    made = digests.weekly_digest(session, settings=settings, week=chosen, profiles=profiles, client=client)
    this_week = digests.last_week(datetime.now(UTC), settings.timezone) + timedelta(weeks=1)
    return render(
        request,
        "digest.html",
        {
            "user": user,
            "active": "figures",
            "digest": made,
            "previous": digests.week_label(chosen - timedelta(weeks=1)),
            "following": digests.week_label(chosen + timedelta(weeks=1)) if chosen < this_week else None,
        },
    )


@router.get("/figures", response_class=HTMLResponse)
def figures_page(request: Request, runtime: RuntimeDep, session: SessionDep, user: Page):
    settings = runtime.settings
    made = response_figures.response_figures(
        session, settings=settings, now=datetime.now(UTC), profiles=user.profiles(settings)
    )
    return render(
        request,
        "figures.html",
        {"user": user, "active": "figures", "figures": made, "zone": ZoneInfo(settings.timezone)},
    )
