"""Comments per hour against the hour-of-week baseline, with negative and harmful shares and incident markers.

The numbers come from `series_buckets`; the baseline of an hour is the mean of the same hour of the week over
the four weeks before it. A share is drawn only where enough comments stand behind it: pooled over the hour
and its neighbours, and left out (a gap in the line, "—" in the table) under `MIN_FOR_SHARE` comments, so one
angry comment at 4 a.m. is not "100 % negative".

The geometry is computed here and drawn as SVG by the template: the plot stretches to the page's width
(its own viewBox, strokes that do not scale) while the labels stay in pixels, readable on a phone. No chart
library, nothing from a CDN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.detection.series import hourly
from czujka.incidents.models import Incident

PLOT_W, PLOT_H = 1000, 200  # the plot's own units; it is stretched to the page's width
HEIGHT = 232  # px: the plot, and a strip for the time labels under it
BASELINE_WEEKS = 4
MIN_FOR_SHARE = 5  # comments behind a share before it is drawn
SHARE_SPAN = 1  # hours pooled on each side of an hour for its share


@dataclass
class HourPoint:
    start: datetime  # local time
    total: int
    baseline: float
    negative_share: float | None  # pooled, None where too few comments stand behind it
    harmful_share: float | None


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
    plot_w: int = PLOT_W
    plot_h: int = PLOT_H
    height: int = HEIGHT
    daily: bool = False  # ticks name days, not hours


def latest_incident(session: Session, profile_ids: list[str]) -> tuple[int, datetime] | None:
    """The newest incident of these profiles: the charts open on it when it is older than a day."""
    row = session.execute(
        select(Incident.id, Incident.opened_at)
        .where(Incident.profile_id.in_(profile_ids))
        .order_by(Incident.opened_at.desc(), Incident.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def window(
    range_: str | None, *, now: datetime, latest: tuple[int, datetime] | None
) -> tuple[str, datetime, int]:
    """(range shown, end, hours): what was asked for, else the last day, or the day around the latest
    incident when the last day has none."""
    this_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if range_ == "7d":
        return "7d", this_hour, 24 * 7
    if range_ != "24h" and latest is not None and now - latest[1] > timedelta(hours=24):
        around = latest[1].replace(minute=0, second=0, microsecond=0) + timedelta(hours=12)
        return "incident", min(around, this_hour), 24
    return "24h", this_hour, 24


def _pooled(history: dict[datetime, list[int]], at: datetime, column: int) -> float | None:
    cells = [history.get(at + timedelta(hours=d), [0, 0, 0]) for d in range(-SHARE_SPAN, SHARE_SPAN + 1)]
    total = sum(c[0] for c in cells)
    return sum(c[column] for c in cells) / total if total >= MIN_FOR_SHARE else None


def build_chart(session: Session, *, profile_id: str, zone: str, end: datetime, hours: int) -> Chart:
    start = end - timedelta(hours=hours)
    history = hourly(
        session, profile_id, start - timedelta(weeks=BASELINE_WEEKS), end + timedelta(hours=SHARE_SPAN)
    )
    tz = ZoneInfo(zone)
    points = []
    for i in range(hours):
        at = start + timedelta(hours=i)
        past = [history.get(at - timedelta(weeks=w), [0, 0, 0])[0] for w in range(1, BASELINE_WEEKS + 1)]
        points.append(
            HourPoint(
                start=at.astimezone(tz),
                total=history.get(at, [0, 0, 0])[0],
                baseline=sum(past) / len(past),
                negative_share=_pooled(history, at, 1),
                harmful_share=_pooled(history, at, 2),
            )
        )
    chart = Chart(profile_id, points, daily=hours > 48)
    _geometry(chart)
    incidents = session.execute(
        select(Incident.id, Incident.kind, Incident.opened_at)
        .where(Incident.profile_id == profile_id, Incident.opened_at >= start, Incident.opened_at < end)
        .order_by(Incident.opened_at)
        .limit(100)
    ).all()
    span = (end - start).total_seconds()
    for incident_id, kind, opened in incidents:
        chart.markers.append(
            {
                "x": round(PLOT_W * (opened - start).total_seconds() / span, 1),
                "id": incident_id,
                "kind": kind,
                "at": opened.astimezone(tz),
            }
        )
    return chart


@dataclass
class Plot:
    """Hourly bars of counts against a dashed baseline, and lines of shares (0–1), in the plot's own units."""

    bars: list[dict]
    y_max: int
    centre: list[float]
    count_path: Callable[[list[float]], str]
    share_path: Callable[[list[float | None]], str]


def plot(counts: list[float], baselines: list[float], *, plot_w: int = PLOT_W, plot_h: int = PLOT_H) -> Plot:
    n = len(counts)
    y_max = max(1, math.ceil(max([*counts, *baselines], default=1)))
    step = plot_w / max(n, 1)
    centre = [i * step + step / 2 for i in range(n)]

    def y(value: float) -> float:
        return round(plot_h * (1 - value / y_max), 1)

    bars = [
        {
            "x": round(i * step + step * 0.1, 1),
            "y": y(c),
            "w": round(step * 0.8, 1),
            "h": round(plot_h - y(c), 1),
        }
        for i, c in enumerate(counts)
    ]
    return Plot(
        bars,
        y_max,
        centre,
        lambda values: svg_path(centre, [y(v) for v in values]),
        lambda shares: svg_path(centre, [None if v is None else round(plot_h * (1 - v), 1) for v in shares]),
    )


def _geometry(chart: Chart) -> None:
    n = len(chart.hours)
    drawn = plot([p.total for p in chart.hours], [p.baseline for p in chart.hours])
    chart.y_max, chart.bars = drawn.y_max, drawn.bars
    chart.baseline_path = drawn.count_path([p.baseline for p in chart.hours])
    chart.negative_path = drawn.share_path([p.negative_share for p in chart.hours])
    chart.harmful_path = drawn.share_path([p.harmful_share for p in chart.hours])
    for i, p in enumerate(chart.hours):
        pct = 100 * (i + 0.5) / max(n, 1)
        if 4 <= pct <= 94 and (
            (not chart.daily and p.start.hour % 4 == 0) or (chart.daily and p.start.hour == 12)
        ):
            chart.ticks.append({"pct": round(pct, 2), "at": p.start})  # centred under its hour (a day's noon)


def svg_path(xs: list[float], ys: list[float | None]) -> str:
    """An SVG path through the points, broken where a value is missing."""
    parts, pen_down = [], False
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return " ".join(parts)
