"""What every source is: a parser of its own format into the plain events of `comments/events.py`, and
the time parsing they share."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from czujka.comments.events import Batch


class Source(Protocol):
    """A way comments of a profile arrive; `name` labels the ingest log and each stored comment."""

    name: str

    def parse(self, body: bytes) -> Batch: ...


def parse_time(value: Any, local: tzinfo | None = None) -> datetime | None:
    """Meta sends Unix seconds in webhooks and ISO 8601 (`+0000`) in the Graph API; files send either.

    A time without an offset is read in `local` (the profile's zone) when given, else refused.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):  # 1e30, Infinity, NaN: no time anybody wrote
            raise ValueError(f"not a time: {value!r} is out of range") from None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text))
        try:  # Python 3.11 reads Z and +0000 as well as +00:00
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an ISO 8601 time or Unix seconds: {value!r}") from None
        if parsed.tzinfo is None and local is not None:
            parsed = parsed.replace(tzinfo=local)
        if parsed.tzinfo is None:
            raise ValueError(f"time without a UTC offset: {value!r}")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59:59-01:00 lies past the last time Python can hold
            raise ValueError(f"not a time: {value!r} is out of range") from None
    raise ValueError(f"not a time: {value!r}")
