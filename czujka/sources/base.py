"""What every source is: a parser of its own format into the plain events of `comments/events.py`, and
the time parsing they share."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from czujka.comments.events import Batch
from czujka.validators import REPLACEMENT, repair


class PayloadError(ValueError):
    """The body is not a delivery at all (not JSON, nested beyond reason, not an object); answered with a
    400."""


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


def load_json(data: bytes | str) -> tuple[Any, int]:
    """JSON as a source sent it, ready to store: a string no database can hold (a lone surrogate, as in
    `"x\\ud800y"`, or a NUL) is repaired, the surrogate to U+FFFD and the NUL dropped, so one odd emoji does
    not cost a customer's comment; `Infinity` and `NaN`, which JSON columns refuse, become strings.
    Returns the value and how many values were repaired; a body that is not JSON or is nested too deeply
    to read is a `PayloadError`."""
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise PayloadError("JSON nested too deeply to read") from None
    return repair(value)


def repaired_note(count: int) -> str:
    return f"{count} value(s) no database can store (NUL, lone surrogates, Infinity): repaired"


def check_id(value: str, name: str = "id") -> str:
    """An id repaired by `load_json` is not the platform's id any more: the item is skipped instead."""
    if REPLACEMENT in value or not value.isprintable():
        raise ValueError(f"{name} {value!r} holds characters that cannot be part of an id")
    return value
