"""Schedules as iCalendar, so people see their duty in their phone's calendar; the feed URL carries a key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from czujka.config import Settings
from czujka.oncall.config import ScheduleConfig
from czujka.oncall.schedule import shifts
from czujka.storage.secrets import service_secret

CALENDAR_SECRET = "calendar_key"


def _secret(sessions: sessionmaker[Session]) -> str:
    return service_secret(sessions, CALENDAR_SECRET, lambda: secrets.token_hex(32))


def feed_key(sessions: sessionmaker[Session], schedule_id: str) -> str:
    """The key in a schedule's calendar URL: calendar apps cannot sign in, so the URL is the credential."""
    return hmac.new(_secret(sessions).encode(), schedule_id.encode(), hashlib.sha256).hexdigest()[:32]


def feed_url(settings: Settings, sessions: sessionmaker[Session], schedule_id: str) -> str:
    key = feed_key(sessions, schedule_id)
    return f"{settings.public_url.rstrip('/')}/oncall/{schedule_id}.ics?key={key}"


def to_ical(settings: Settings, schedule: ScheduleConfig, *, start: datetime, weeks: int = 8) -> bytes:
    """One event per shift (who is on duty, from which layer); gaps become 'nobody on duty' events."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//czujka//on-call//PL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"czujka: {schedule.name or schedule.id}")
    calendar.add("x-wr-timezone", schedule.timezone)
    for shift in shifts(schedule, start, start + timedelta(weeks=weeks)):
        names = [settings.person(p).name if settings.person(p) else p for p in shift.people]
        item = Event()
        item.add(
            "uid", f"{schedule.id}-{shift.start.timestamp():.0f}-{'-'.join(shift.people) or 'gap'}@czujka"
        )
        item.add("dtstamp", start)
        item.add("dtstart", shift.start)
        item.add("dtend", shift.end)
        if shift.people:
            item.add("summary", f"Dyżur / on duty: {', '.join(names)}")
            item.add("description", f"{schedule.id}: {shift.layer}")
        else:
            item.add("summary", "LUKA: nikt nie ma dyżuru / GAP: nobody on duty")
        calendar.add_component(item)
    return calendar.to_ical()
