"""Settings built from tests/data/oncall.toml with the channels and policies a paging test needs."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path
from typing import Any

from czujka.config import Settings, load_settings
from tests.factories import DATA

ONCALL = DATA / "oncall.toml"


def oncall_settings(
    tmp_path: Path,
    db_url: str,
    *,
    channels: dict[str, list[str]] | None = None,
    policy_steps: list[dict[str, Any]] | None = None,
    person_overrides: dict[str, dict[str, Any]] | None = None,
    **overrides: Any,
) -> Settings:
    raw = tomllib.loads(ONCALL.read_text(encoding="utf-8"))
    people = raw["people"]
    for person in people:
        if channels and person["id"] in channels:
            person["channels"] = channels[person["id"]]
        person.update((person_overrides or {}).get(person["id"], {}))
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": db_url,
        "people": people,
        "notify_retry_seconds": 0.05,
        **overrides,
    }
    if policy_steps is not None:
        values["escalation_policies"] = [{"id": "default", "steps": policy_steps}]
        values["routes"] = []
    return load_settings(ONCALL, **values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
