"""Weekly windows such as `mon-fri 09:00-17:00` or `fri 17:00-mon 09:00`, as minutes of the week.

Pure parsing and membership; the schedule, the experts' reachable hours and the escalation all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_TIME = r"(\d{1,2}):(\d{2})"
_SPAN = re.compile(rf"^([a-z]{{3}})\s+{_TIME}\s*-\s*([a-z]{{3}})\s+{_TIME}$")
_DAILY = re.compile(rf"^([a-z,\-\s]+?)(?:\s+{_TIME}\s*-\s*{_TIME})?$")


class WindowError(ValueError):
    """A window that cannot be read; the message quotes it and says what is wrong."""


@dataclass(frozen=True, slots=True)
class WeeklyWindows:
    """Half-open intervals [start, end) in minutes from Monday 00:00, none crossing the week's end."""

    spans: tuple[tuple[int, int], ...]
    text: tuple[str, ...] = ()

    def contains(self, weekday: int, minute: int) -> bool:
        at = weekday * DAY_MINUTES + minute
        return any(start <= at < end for start, end in self.spans)

    def edges(self) -> set[int]:
        """Minutes of the week at which being inside may change."""
        return {m % WEEK_MINUTES for span in self.spans for m in span}

    @property
    def always(self) -> bool:
        return self.spans == ((0, WEEK_MINUTES),)


ALWAYS = WeeklyWindows(((0, WEEK_MINUTES),), ("always",))


def _day(name: str, text: str) -> int:
    try:
        return DAYS.index(name.strip())
    except ValueError:
        raise WindowError(f"{text!r}: unknown day {name.strip()!r} (use {', '.join(DAYS)})") from None


def _minute(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        raise WindowError(f"{text!r}: {hours}:{minutes} is not a time of day (00:00 to 24:00)")
    return h * 60 + m


def _days(spec: str, text: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = (_day(p, text) for p in part.split("-", 1))
            days.extend((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            days.append(_day(part, text))
    return days


def _add(spans: list[tuple[int, int]], start: int, end: int) -> None:
    """Add [start, end) where end may pass the week's end; wrap the rest to Monday."""
    if end > WEEK_MINUTES:
        spans.append((start, WEEK_MINUTES))
        spans.append((0, end - WEEK_MINUTES))
    else:
        spans.append((start, end))


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_window(text: str, spans: list[tuple[int, int]]) -> None:
    """Add one window's spans: `DAYS`, `DAYS HH:MM-HH:MM` (end ≤ start crosses midnight) or a span."""
    clean = " ".join(text.lower().split())
    if not clean:
        raise WindowError("an empty window (write e.g. 'mon-fri 09:00-17:00')")
    if clean == "always":
        spans.append((0, WEEK_MINUTES))
        return
    if span := _SPAN.match(clean):
        first, last = _day(span[1], text), _day(span[4], text)
        start = first * DAY_MINUTES + _minute(span[2], span[3], text)
        end = last * DAY_MINUTES + _minute(span[5], span[6], text)
        if end <= start:
            end += WEEK_MINUTES
        _add(spans, start, end)
        return
    daily = _DAILY.match(clean)
    if daily is None:
        raise WindowError(
            f"{text!r}: not a window (write 'mon-fri 09:00-17:00', 'sat,sun', or 'fri 17:00-mon 09:00')"
        )
    begin = 0 if daily[2] is None else _minute(daily[2], daily[3], text)
    finish = DAY_MINUTES if daily[4] is None else _minute(daily[4], daily[5], text)
    length = (finish - begin) % DAY_MINUTES or DAY_MINUTES
    for day in _days(daily[1], text):
        start = day * DAY_MINUTES + begin
        _add(spans, start, start + length)


def parse_windows(texts: list[str] | tuple[str, ...]) -> WeeklyWindows:
    """All windows together; none given means always."""
    if not texts:
        return ALWAYS
    spans: list[tuple[int, int]] = []
    for text in texts:
        parse_window(text, spans)
    return WeeklyWindows(_merge(spans), tuple(texts))
