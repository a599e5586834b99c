"""The response figures over time: for the last weeks, per week and per kind, how many incidents, and the
median time to acknowledge and to resolve; and the number a shop owner cares about, the share of incidents
acknowledged within 10 minutes at weekends against weekdays.

- An incident counts for the share when czujka paged somebody for it: one it could not page (too old when it
  arrived, or no route) says nothing of the team. One never acknowledged counts as not within 10 minutes.
- A weekend is Saturday and Sunday in the profile's time zone, and a public holiday (`holidays_country`).
- Times count from detection, as in the report; acknowledgement and resolution are the incident's own
  (the first `acknowledged` and the final `resolved` of its timeline).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.config import Settings
from czujka.days import is_holiday
from czujka.incidents.models import Incident
from czujka.notifications.models import Notification
from czujka.reports.service import seconds

ACK_GOAL = timedelta(minutes=10)
WEEKS = 12
SLOW_SHOWN = 20  # the newest incidents paged but not acknowledged within the goal, to open
HOLIDAYS = "PL"


def is_weekend(at: datetime, zone: ZoneInfo, country: str | None = HOLIDAYS) -> bool:
    local = at.astimezone(zone).date()
    return local.weekday() >= 5 or is_holiday(local, country)


def incident_times(
    session: Session, *, profile_ids: list[str] | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Incidents opened in [start, end), with their times and whether anybody was paged for them."""
    query = select(Incident).where(Incident.opened_at >= start, Incident.opened_at < end)
    if profile_ids is not None:
        query = query.where(Incident.profile_id.in_(profile_ids))
    incidents = session.scalars(query.order_by(Incident.opened_at, Incident.id)).all()
    ids = [i.id for i in incidents]
    paged: set[int] = set()
    for chunk in range(0, len(ids), 500):
        paged |= set(
            session.scalars(
                select(Notification.incident_id).where(
                    Notification.incident_id.in_(ids[chunk : chunk + 500]),
                    Notification.purpose == "incident",
                    Notification.status == "sent",
                )
            )
        )
    return [
        {
            "id": i.id,
            "profile_id": i.profile_id,
            "kind": i.kind,
            "severity": i.severity,
            "state": i.state,
            "opened_at": i.opened_at,
            "paged": i.id in paged,
            "tta": seconds(i.opened_at, i.acknowledged_at),
            "ttr": seconds(i.opened_at, i.resolved_at if i.state == "resolved" else None),
        }
        for i in incidents
    ]


def _median(values: list[int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(median(known)) if known else None


def within_goal(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Of the incidents paged (`incident_times` rows), how many were acknowledged within `ACK_GOAL`."""
    paged = [r for r in rows if r["paged"]]
    hit = sum(1 for r in paged if r["tta"] is not None and r["tta"] <= ACK_GOAL.total_seconds())
    return {
        "incidents": len(rows),
        "paged": len(paged),
        "acknowledged_in_goal": hit,
        "share": round(hit / len(paged), 4) if paged else None,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "incidents": len(rows),
        "acknowledged": sum(1 for r in rows if r["tta"] is not None),
        "median_tta_seconds": _median([r["tta"] for r in rows]),
        "median_ttr_seconds": _median([r["ttr"] for r in rows]),
    }


def response_figures(
    session: Session,
    *,
    settings: Settings,
    now: datetime,
    profiles: list[str] | None = None,
    weeks: int = WEEKS,
) -> dict[str, Any]:
    """The last `weeks` ISO weeks up to this one (local), oldest first."""
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    first: date = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    rows = incident_times(session, profile_ids=profiles, start=start, end=now)
    for r in rows:
        r["weekend"] = is_weekend(r["opened_at"], ZoneInfo(settings.timezone_of(r["profile_id"])))
        local = r["opened_at"].astimezone(zone).date()
        r["week"] = local - timedelta(days=local.weekday())
    table = []
    for n in range(weeks):
        monday = first + timedelta(weeks=n)
        inside = [r for r in rows if r["week"] == monday]
        year, number, _ = monday.isocalendar()
        kinds = sorted({r["kind"] for r in inside})
        table.append(
            {
                "week": f"{year}-W{number:02d}",
                "start": monday,
                **_summary(inside),
                "within_goal": within_goal(inside),
                "kinds": {k: _summary([r for r in inside if r["kind"] == k]) for k in kinds},
            }
        )
    slow = [
        {
            "id": r["id"],
            "kind": r["kind"],
            "opened_at": r["opened_at"],
            "tta": r["tta"],
            "weekend": r["weekend"],
        }
        for r in rows
        if r["paged"] and (r["tta"] is None or r["tta"] > ACK_GOAL.total_seconds())
    ]
    return {
        "weeks": table,
        "slow": sorted(slow, key=lambda r: r["opened_at"], reverse=True)[:SLOW_SHOWN],
        "goal_minutes": int(ACK_GOAL.total_seconds() // 60),
        "weekend": within_goal([r for r in rows if r["weekend"]]),
        "weekday": within_goal([r for r in rows if not r["weekend"]]),
        "kinds": {
            k: _summary([r for r in rows if r["kind"] == k]) for k in sorted({r["kind"] for r in rows})
        },
        "total": _summary(rows),
    }
