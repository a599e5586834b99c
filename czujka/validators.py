"""Value checks and repairs shared by every part of czujka: the configuration, the sources and the API."""

from __future__ import annotations

import json
import math
import os
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "env:"


def resolve_secret(value: Any) -> Any:
    """`"env:NAME"` becomes the value of NAME; the error names the variable, never a value."""
    if isinstance(value, str) and value.startswith(ENV_PREFIX):
        name = value[len(ENV_PREFIX) :].strip()
        if not name:
            raise ValueError("'env:' needs the name of an environment variable")
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Warsaw)") from None
    return value


PROFILE_ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"  # a profile's id: URLs, imports, API filters
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: no database stores them
REPLACEMENT = "\ufffd"


def storable_text(text: str) -> str:
    """`text` as a database can hold it: a lone surrogate becomes U+FFFD, a NUL is dropped."""
    if UNSTORABLE.search(text) is None:
        return text
    return UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else REPLACEMENT, text)


def repair(value: Any) -> tuple[Any, int]:
    """`value` with every unstorable string repaired (keys too), and how many were; iterative, so any depth
    that `json.loads` accepted is walked without recursion."""
    repaired = 0

    def fix(text: str) -> str:
        nonlocal repaired
        clean = storable_text(text)
        repaired += clean is not text
        return clean

    def leaf(item: Any) -> Any:
        nonlocal repaired
        if isinstance(item, str):
            return fix(item)
        if isinstance(item, float) and not math.isfinite(item):  # JSON (and so JSONB) has no Infinity
            repaired += 1
            return json.dumps(item)
        if isinstance(item, dict | list):
            stack.append(item)
        return item

    stack: list[Any] = []
    value = leaf(value)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                item = leaf(node[key])
                clean_key = fix(key)
                if clean_key != key:
                    del node[key]
                node[clean_key] = item
        else:
            for index, item in enumerate(node):
                node[index] = leaf(item)
    return value, repaired


# The times anybody asks czujka about; beyond them a time zone conversion overflows (year 1 or 9999).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def check_moment(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give a UTC offset, e.g. 2026-11-28T22:00:00+01:00")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie between {EARLIEST:%Y} and {LATEST:%Y}")
    return value
