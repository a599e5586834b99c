"""On-call API: who is on duty now and next, coverage gaps, and each schedule's calendar feed."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from czujka.auth.scope import scope_of
from czujka.oncall.ical import feed_key, to_ical
from czujka.oncall.schedule import duty_overview
from czujka.web.deps import ERRORS, Moment, RuntimeDep, Viewer

router = APIRouter(tags=["on-call"], responses=ERRORS)


@router.get("/api/oncall")
def oncall_now(
    runtime: RuntimeDep,
    token: Viewer,
    at: Annotated[Moment | None, Query(description="ISO time with offset; default now")] = None,
) -> list[dict[str, Any]]:
    """The schedules the token's clients are served by: the agency's and their own."""
    now = at or datetime.now(UTC)
    scope = scope_of(token.clients)
    seen = {s.id for s in runtime.settings.schedules if scope.sees_shared(s.client)}
    return [d for d in duty_overview(runtime.settings, now) if d["schedule"] in seen]


@router.get("/oncall/{schedule_id}.ics", include_in_schema=False)
def calendar_feed(
    schedule_id: str, runtime: RuntimeDep, key: Annotated[str, Query(min_length=1, max_length=100)]
) -> Response:
    schedule = runtime.settings.schedule(schedule_id)
    if schedule is None or not hmac.compare_digest(key, feed_key(runtime.sessions, schedule_id)):
        raise HTTPException(404, "no such calendar")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    body = to_ical(runtime.settings, schedule, start=now - timedelta(days=7), weeks=9)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{schedule_id}.ics"'},
    )
