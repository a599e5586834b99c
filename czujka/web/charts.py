"""Comments per hour against the hour-of-week baseline, with negative and harmful shares and incident markers.

The numbers come from `series_buckets`; the baseline of an hour is the mean of the same hour of the week over
the four weeks before it. The geometry is computed here and drawn as SVG by the template: no chart library,
nothing from a CDN.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.detection.models import SeriesBucket
from czujka.incidents.models import Incident

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 12, 28
BASELINE_WEEKS = 4


@dataclass
class HourPoint:
    start: datetime
    label: str
    total: int
    baseline: float
    negative_share: float
    harmful_share: float


@dataclass
class Chart:
    profile_id: str
    hours: list[HourPoint]
    bars: list[dict] = field(default_factory=list)
    baseline_path: str = ""
    negative_path: str = ""
    harmful_path: str = ""
    markers: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    y_max: int = 1
    width: int = WIDTH
    height: int = HEIGHT


def _hourly(session: Session, profile_id: str, start: datetime, end: datetime) -> dict[datetime, list[int]]:
    rows = session.execute(
        select(SeriesBucket.start, SeriesBucket.total, SeriesBucket.negative, SeriesBucket.harmful).where(
            SeriesBucket.profile_id == profile_id, SeriesBucket.start >= start, SeriesBucket.start < end
        )
    ).all()
    hours: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0])
    for at, total, negative, harmful in rows:
        cell = hours[at.replace(minute=0, second=0, microsecond=0)]
        cell[0] += total
        cell[1] += negative
        cell[2] += harmful
    return hours


def build_chart(session: Session, *, profile_id: str, zone: str, now: datetime, hours: int) -> Chart:
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    history = _hourly(session, profile_id, start - timedelta(weeks=BASELINE_WEEKS), end)
    tz = ZoneInfo(zone)
    points = []
    for i in range(hours):
        at = start + timedelta(hours=i)
        total, negative, harmful = history.get(at, [0, 0, 0])
        past = [history.get(at - timedelta(weeks=w), [0, 0, 0])[0] for w in range(1, BASELINE_WEEKS + 1)]
        local = at.astimezone(tz)
        points.append(
            HourPoint(
                start=at,
                label=local.strftime("%a %H:%M"),
                total=total,
                baseline=sum(past) / len(past),
                negative_share=negative / total if total else 0.0,
                harmful_share=harmful / total if total else 0.0,
            )
        )
    chart = Chart(profile_id, points)
    _geometry(chart, tz)
    incidents = session.execute(
        select(Incident.id, Incident.kind, Incident.opened_at)
        .where(Incident.profile_id == profile_id, Incident.opened_at >= start, Incident.opened_at < end)
        .order_by(Incident.opened_at)
        .limit(100)
    ).all()
    plot_w = WIDTH - LEFT - RIGHT
    span = (end - start).total_seconds()
    for incident_id, kind, opened in incidents:
        x = LEFT + plot_w * (opened - start).total_seconds() / span
        chart.markers.append(
            {
                "x": round(x, 1),
                "id": incident_id,
                "kind": kind,
                "label": opened.astimezone(tz).strftime("%a %H:%M"),
            }
        )
    return chart


def _geometry(chart: Chart, tz: ZoneInfo) -> None:
    n = len(chart.hours)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    chart.y_max = max(1, max((max(p.total, p.baseline) for p in chart.hours), default=1))
    step = plot_w / max(n, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / chart.y_max), 1)

    def y_share(value: float) -> float:
        return round(TOP + plot_h * (1 - value), 1)

    for i, p in enumerate(chart.hours):
        top = y(p.total)
        chart.bars.append(
            {
                "x": round(LEFT + i * step + step * 0.1, 1),
                "y": top,
                "w": round(step * 0.8, 1),
                "h": round(TOP + plot_h - top, 1),
                "label": p.label,
                "total": p.total,
                "baseline": round(p.baseline, 1),
            }
        )
    centre = [LEFT + i * step + step / 2 for i in range(n)]
    chart.baseline_path = _path(centre, [y(p.baseline) for p in chart.hours])
    chart.negative_path = _path(centre, [y_share(p.negative_share) for p in chart.hours])
    chart.harmful_path = _path(centre, [y_share(p.harmful_share) for p in chart.hours])
    every = 3 if n <= 24 else 24
    for i, p in enumerate(chart.hours):
        local = p.start.astimezone(tz)
        if (n <= 24 and local.hour % every == 0) or (n > 24 and local.hour == 0):
            chart.ticks.append(
                {
                    "x": round(LEFT + i * step, 1),
                    "label": local.strftime("%H:%M") if n <= 24 else local.strftime("%a %d.%m"),
                }
            )


def _path(xs: list[float], ys: list[float]) -> str:
    return " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )
