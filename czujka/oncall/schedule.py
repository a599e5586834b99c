"""Who is on duty when: pure functions of a schedule and a time.

Layers are rotations active in weekly windows; a later layer wins where layers overlap, and overrides win over
all. Turns and windows follow the schedule's wall clock, so a handoff at 09:00 stays at 09:00 across the
daylight-saving changes. Public holidays can switch a layer off, on all day, or to its Sunday windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from czujka.days import is_holiday
from czujka.oncall.config import LayerConfig, ScheduleConfig, parse_local_time
from czujka.oncall.windows import DAY_MINUTES

SUNDAY = 6


@dataclass(frozen=True, slots=True)
class OnDuty:
    people: tuple[str, ...]
    layer: str | None  # the winning layer's name, "override", or None when nobody is on duty


@dataclass(frozen=True, slots=True)
class Shift:
    start: datetime
    end: datetime
    people: tuple[str, ...]
    layer: str | None


def _zone(schedule: ScheduleConfig) -> ZoneInfo:
    return ZoneInfo(schedule.timezone or "Europe/Warsaw")


def _layer_person(layer: LayerConfig, local: datetime, holiday: bool, zone: str) -> str | None:
    """The person whose turn it is in this layer at the local wall-clock time, or None if inactive."""
    start = parse_local_time(layer.start, zone).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    if local < start:
        return None
    if layer.end is not None:
        end = parse_local_time(layer.end, zone).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        if local >= end:
            return None
    weekday, minute = local.weekday(), local.hour * 60 + local.minute
    if holiday and layer.on_holidays == "off":
        return None
    if holiday and layer.on_holidays == "weekend":
        weekday = SUNDAY
    if not (holiday and layer.on_holidays == "all_day") and not layer.active_windows.contains(
        weekday, minute
    ):
        return None
    turn = (local - start) // layer.turn
    return layer.rotation[turn % len(layer.rotation)]


def who_is_on_duty(schedule: ScheduleConfig, at: datetime) -> OnDuty:
    """The people on duty at `at` (an aware time) and the layer that put them there."""
    if at.tzinfo is None:
        raise ValueError("who_is_on_duty needs a time with a zone")
    zone = schedule.timezone or "Europe/Warsaw"
    for override in reversed(schedule.overrides):
        if parse_local_time(override.start, zone) <= at < parse_local_time(override.end, zone):
            return OnDuty((override.person,), "override")
    local = at.astimezone(_zone(schedule)).replace(tzinfo=None)
    holiday = is_holiday(local.date(), schedule.holidays)
    for layer in reversed(schedule.layers):
        person = _layer_person(layer, local, holiday, zone)
        if person is not None:
            return OnDuty((person,), layer.name)
    return OnDuty((), None)


def _change_points(schedule: ScheduleConfig, start: datetime, end: datetime) -> list[datetime]:
    """Every moment in [start, end) at which who is on duty may change."""
    zone = _zone(schedule)
    name = schedule.timezone or "Europe/Warsaw"
    points = {start}
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    edges = {m for layer in schedule.layers for m in layer.active_windows.edges()}
    day = first_day
    while day <= last_day:
        midnight = datetime.combine(day, time(0))
        points.add(midnight.replace(tzinfo=zone))
        for minute in edges:
            if minute // DAY_MINUTES == day.weekday():
                points.add((midnight + timedelta(minutes=minute % DAY_MINUTES)).replace(tzinfo=zone))
        day += timedelta(days=1)
    for layer in schedule.layers:
        first = parse_local_time(layer.start, name).astimezone(zone).replace(tzinfo=None)
        local_start = start.astimezone(zone).replace(tzinfo=None)
        turns = max(0, (local_start - first) // layer.turn)
        handoff = first + turns * layer.turn
        while handoff.replace(tzinfo=zone) < end:
            points.add(handoff.replace(tzinfo=zone))
            handoff += layer.turn
        if layer.end is not None:
            points.add(parse_local_time(layer.end, name))
    for override in schedule.overrides:
        points.update((parse_local_time(override.start, name), parse_local_time(override.end, name)))
    return sorted(p for p in points if start <= p < end)


def shifts(schedule: ScheduleConfig, start: datetime, end: datetime) -> list[Shift]:
    """Who is on duty from `start` to `end`, as consecutive shifts (gaps have no people)."""
    out: list[Shift] = []
    points = _change_points(schedule, start, end)
    for i, point in enumerate(points):
        duty = who_is_on_duty(schedule, point)
        until = points[i + 1] if i + 1 < len(points) else end
        if out and out[-1].people == duty.people and out[-1].layer == duty.layer:
            out[-1] = Shift(out[-1].start, until, duty.people, duty.layer)
        else:
            out.append(Shift(point, until, duty.people, duty.layer))
    return out


def coverage_gaps(schedule: ScheduleConfig, start: datetime, end: datetime) -> list[Shift]:
    """The stretches in which nobody is on duty."""
    return [s for s in shifts(schedule, start, end) if not s.people]


GAP_HORIZON = timedelta(weeks=4)


def duty_overview(settings: Any, now: datetime) -> list[dict[str, Any]]:
    """Per schedule: who is on duty now and until when, who comes next, and the gaps in the next 4 weeks,
    from one pass over the shifts."""
    out = []
    for schedule in settings.schedules:
        upcoming = shifts(schedule, now, now + GAP_HORIZON)
        current = upcoming[0] if upcoming else None
        following = next((s for s in upcoming[1:] if s.people and s.people != current.people), None)
        out.append(
            {
                "schedule": schedule.id,
                "name": schedule.name or schedule.id,
                "on_duty": list(current.people) if current else [],
                "layer": current.layer if current else None,
                "until": current.end.isoformat() if current else None,
                "next": {
                    "people": list(following.people),
                    "from": following.start.isoformat(),
                    "layer": following.layer,
                }
                if following
                else None,
                "gaps": [
                    {"start": g.start.isoformat(), "end": g.end.isoformat()} for g in upcoming if not g.people
                ],
            }
        )
    return out
