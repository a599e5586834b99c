"""Dashboard pages: now, incidents, one incident, charts, on-call; and the htmx fragments that refresh them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from czujka.config import config_path
from czujka.incidents import flows
from czujka.incidents.models import Incident
from czujka.moderation.review import waiting_count
from czujka.oncall.changes import approvers_of, listing
from czujka.oncall.escalation import client_for, target_words
from czujka.oncall.schedule import duty_overview, shifts
from czujka.playbooks import service as replies
from czujka.playbooks.models import Reply
from czujka.sources.health import channel_status
from czujka.web.charts import MIN_FOR_SHARE, build_chart, latest_incident, window
from czujka.web.dashboard import feed, incident_detail, incident_rows, seen_oncall
from czujka.web.deps import MAX_ID, IncidentId, ProfileFilter, RuntimeDep, SessionDep
from czujka.web.responding import playbook_view, worsening_replies
from czujka.web.routes.duty import actor_of
from czujka.web.session import Page, ResponderAction
from czujka.web.templating import render
from czujka.words import N_

router = APIRouter(include_in_schema=False)


def _now_context(runtime, session, now: datetime, flagged: bool, user) -> dict:
    """What the Now page shows, of the user's clients only."""
    settings = runtime.settings
    seen = user.profiles(settings)
    return {
        "incidents": _worst_first(
            settings, incident_rows(session, settings, now=now, open_only=True, profiles=seen)
        ),
        "duty": [d for d in duty_overview(settings, now) if user.shows(_client_of_schedule(settings, d))],
        "feed": feed(session, settings, flagged_only=flagged, profiles=seen),
        "flagged": flagged,
        "people": {p.id: p.name for p in settings.people},
        "waiting": replies.waiting(session, profiles=seen),
        "hidden_count": waiting_count(session, profiles=seen),
        "blind": [
            r
            for r in channel_status(session, settings, connected=set(), now=now)
            if r["problem"] is not None and user.sees(settings, r["id"])
        ],
    }


def _worst_first(settings, rows: list) -> list:
    """An agency's Now page, across its clients: the most severe first, then the newest."""
    if not settings.agency:
        return rows
    return sorted(rows, key=lambda r: (-r.severity, -r.opened.timestamp()))


def _shows_change(settings, user, schedule_id: str) -> bool:
    """A shift change belongs on the page when its schedule does; one of a schedule gone from czujka.toml
    only for agency-wide users."""
    schedule = settings.schedule(schedule_id)
    return user.shows(schedule.client) if schedule is not None else user.scope.everything


def _client_of_schedule(settings, duty: dict) -> str | None:
    """The client a schedule belongs to; the agency's (None) are seen by every client's users."""
    schedule = settings.schedule(duty["schedule"])
    return schedule.client if schedule else None


@router.get("/", response_class=HTMLResponse)
def now_page(request: Request, runtime: RuntimeDep, session: SessionDep, user: Page, flagged: bool = False):
    context = _now_context(runtime, session, datetime.now(UTC), flagged, user)
    return render(request, "now.html", {"user": user, "active": "now", **context})


@router.get("/fragments/now", response_class=HTMLResponse)
def now_fragment(
    request: Request, runtime: RuntimeDep, session: SessionDep, user: Page, flagged: bool = False
):
    """The live part of the Now page; htmx swaps it in every few seconds."""
    context = _now_context(runtime, session, datetime.now(UTC), flagged, user)
    return render(request, "_now_live.html", {"user": user, **context})


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, runtime: RuntimeDep, session: SessionDep, user: Page):
    rows = incident_rows(
        session,
        runtime.settings,
        now=datetime.now(UTC),
        open_only=False,
        profiles=user.profiles(runtime.settings),
    )
    return render(request, "incidents.html", {"user": user, "active": "incidents", "incidents": rows})


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    incident_id: IncidentId,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Page,
    reply: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    now = datetime.now(UTC)
    seen_incident(session, runtime.settings, user, incident_id)
    detail = incident_detail(session, runtime.settings, incident_id)
    if detail is None:
        raise HTTPException(404, "no such incident")
    incident = detail["incident"]
    playbook, _ = playbook_view(
        runtime.settings,
        kind=incident.kind,
        topic=detail["topic"],
        language=user.language,
        now=now,
        client=client_for(runtime.settings, incident.profile_id),
    )
    worsened = (
        worsening_replies(
            session,
            runtime.reply_checker,
            profile_id=incident.profile_id,
            threads=detail["threads"],
            language=user.language,
        )
        if incident.kind == "quarrel"
        else []
    )
    me = runtime.settings.person(user.user.person_id or "")
    outcome = session.get(Reply, reply) if reply else None
    waiting = [r for r in replies.waiting(session) if r.incident_id == incident_id]
    return render(
        request,
        "incident.html",
        {
            "user": user,
            "active": "incidents",
            "playbook": playbook,
            "worsened": worsened,
            "outcome": outcome if outcome and outcome.incident_id == incident_id else None,
            "waiting": waiting,
            "signer": me.name if me else user.user.username,
            "settings": runtime.settings,
            "now": now,
            **detail,
        },
    )


def seen_incident(session, settings, user, incident_id: int) -> None:
    """Another client's incident is a missing one for this user."""
    incident = session.get(Incident, incident_id)
    if incident is None or not user.sees(settings, incident.profile_id):
        raise HTTPException(404, "no such incident")


def _act(request: Request, session, incident_id: int, action, *, user, **args):
    seen_incident(session, request.app.state.runtime.settings, user, incident_id)
    try:
        action(session, incident_id=incident_id, at=datetime.now(UTC), **args)
    except flows.NoSuchIncident:
        raise HTTPException(404, "no such incident") from None
    except flows.FlowError as exc:
        session.rollback()
        return render(
            request,
            "error.html",
            {"message": N_("This cannot be done in the incident's state."), "detail": str(exc)},
            status_code=409,
        )
    request.app.state.runtime.escalate_signal.set()
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _actor(user) -> str:
    return f"user:{user.user.username}"


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(incident_id: IncidentId, request: Request, session: SessionDep, user: ResponderAction):
    return _act(request, session, incident_id, flows.acknowledge, user=user, actor=_actor(user), reason="")


@router.post("/incidents/{incident_id}/resolve")
def resolve(
    incident_id: IncidentId,
    request: Request,
    session: SessionDep,
    user: ResponderAction,
    why: Annotated[str, Form(min_length=1, max_length=2000)],
    signed_off_by: Annotated[str, Form(min_length=1, max_length=200)],
):
    """Resolving names who signs it off and why: the post-crisis record needs a person, not a click."""
    if not why.strip() or not signed_off_by.strip():
        return render(
            request,
            "error.html",
            {"message": N_("Say who signs the incident off and why."), "detail": ""},
            status_code=422,
        )
    return _act(
        request,
        session,
        incident_id,
        flows.resolve,
        user=user,
        actor=_actor(user),
        reason=why.strip(),
        signed_off_by=signed_off_by.strip(),
    )


@router.post("/incidents/{incident_id}/notes")
def add_note(
    incident_id: IncidentId,
    request: Request,
    session: SessionDep,
    user: ResponderAction,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
):
    return _act(request, session, incident_id, flows.note, user=user, actor=_actor(user), text=text.strip())


@router.post("/incidents/{incident_id}/silence")
def silence(
    incident_id: IncidentId,
    request: Request,
    session: SessionDep,
    user: ResponderAction,
    hours: Annotated[float, Form(gt=0, le=336)],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
):
    return _act(
        request,
        session,
        incident_id,
        flows.silence_incident,
        user=user,
        actor=_actor(user),
        hours=hours,
        reason=reason.strip(),
    )


@router.get("/charts", response_class=HTMLResponse)
def charts_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    user: Page,
    range: Annotated[Literal["24h", "7d", "incident"] | None, Query()] = None,
    profile: ProfileFilter = None,
):
    """By default the last day, or, when the last day had no incident, the day around the latest one."""
    settings = runtime.settings
    now = datetime.now(UTC)
    seen = user.profiles(settings)
    chosen = [p for p in settings.profiles if profile in (None, p.id) and (seen is None or p.id in seen)]
    latest = latest_incident(session, [p.id for p in chosen])
    shown, end, hours = window(range, now=now, latest=latest)
    charts = [
        (p, build_chart(session, profile_id=p.id, zone=settings.timezone_of(p.id), end=end, hours=hours))
        for p in chosen
    ]
    zone = ZoneInfo(settings.timezone)
    return render(
        request,
        "charts.html",
        {
            "user": user,
            "active": "charts",
            "charts": charts,
            "range": shown,
            "latest": {"id": latest[0], "at": latest[1].astimezone(zone)} if latest else None,
            "start": (end - timedelta(hours=hours)).astimezone(zone),
            "end": end.astimezone(zone),
            "now": now,
            "min_for_share": MIN_FOR_SHARE,
        },
    )


@router.get("/oncall", response_class=HTMLResponse)
def oncall_page(request: Request, runtime: RuntimeDep, session: SessionDep, user: Page, saved: bool = False):
    settings = seen_oncall(runtime.settings, user)
    now = datetime.now(UTC)
    zone = ZoneInfo(settings.timezone)
    start = now.astimezone(zone).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 15)
    approvers = {
        s.id: [
            settings.person(p).name for p in sorted(approvers_of(settings, s, now=now)) if settings.person(p)
        ]
        for s in settings.schedules
        if s.approve_changes
    }
    change_form = {
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "person": user.user.person_id,
        "approvers": approvers,
    }
    week = []
    for schedule in settings.schedules:
        zone = ZoneInfo(schedule.timezone)
        start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        days = []
        for d in range(7):
            day_start = start + timedelta(days=d)
            day_end = day_start + timedelta(days=1)
            items = [
                {
                    "from": s.start.astimezone(zone).strftime("%H:%M"),
                    "to": "24:00" if s.end >= day_end else s.end.astimezone(zone).strftime("%H:%M"),
                    "people": [settings.person(p).name if settings.person(p) else p for p in s.people],
                    "layer": s.layer,
                }
                for s in shifts(schedule, day_start, day_end)
            ]
            days.append({"day": day_start, "shifts": items})
        week.append({"schedule": schedule, "days": days})
    path = config_path()
    return render(
        request,
        "oncall.html",
        {
            "user": user,
            "active": "oncall",
            "week": week,
            "duty": duty_overview(settings, datetime.now(UTC)),
            "settings": settings,
            "changes": [
                c
                for c in listing(session, runtime.settings, actor=actor_of(user), now=now)
                if _shows_change(runtime.settings, user, c["schedule_id"])
            ],
            "change_form": change_form,
            "saved": saved,
            "config_file": str(path) if path else "czujka.toml",
            "target_words": lambda target: target_words(settings, target),
        },
    )
