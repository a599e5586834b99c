"""Value checks shared by every part of the configuration."""

from __future__ import annotations

import os
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
