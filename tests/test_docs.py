"""Document what can be checked, and check it: every setting and every command appears in the docs."""

from __future__ import annotations

from pathlib import Path

import typer

from czujka.cli import app
from czujka.config import TOP_LEVEL_TABLES, ProfileConfig, Settings
from czujka.moderation.config import ModerationRuleConfig
from czujka.oncall.config import (
    LayerConfig,
    OverrideConfig,
    PersonConfig,
    PolicyConfig,
    RouteConfig,
    ScheduleConfig,
    StepConfig,
)
from czujka.playbooks.config import ApprovalConfig, PlaybookConfig, TemplateConfig

DOCS = Path(__file__).resolve().parent.parent / "docs"
SECTION_TABLES = TOP_LEVEL_TABLES - {"service"}


def commands(group: typer.Typer, prefix: str = "czujka") -> list[str]:
    found = [f"{prefix} {c.name or c.callback.__name__.replace('_', '-')}" for c in group.registered_commands]
    for sub in group.registered_groups:
        found += commands(sub.typer_instance, f"{prefix} {sub.name}")
    return found


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if name not in SECTION_TABLES and f"`{name}`" not in text
    ]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"
    missing = [name for name in ProfileConfig.model_fields if f"`{name}`" not in text]
    assert not missing, f"profile keys missing from docs/configuration.md: {missing}"


def test_every_oncall_key_is_documented():
    """People, schedules with their layers and overrides, policies with their steps, and routes."""
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    tables = (
        PersonConfig,
        ScheduleConfig,
        LayerConfig,
        OverrideConfig,
        PolicyConfig,
        StepConfig,
        RouteConfig,
    )
    missing = [f"{t.__name__}.{name}" for t in tables for name in t.model_fields if f"`{name}`" not in text]
    assert not missing, f"on-call keys missing from docs/configuration.md: {missing}"


def test_every_playbook_key_is_documented():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    tables = (PlaybookConfig, TemplateConfig, ApprovalConfig, ModerationRuleConfig)
    missing = [f"{t.__name__}.{name}" for t in tables for name in t.model_fields if f"`{name}`" not in text]
    assert not missing, f"playbook keys missing from docs/configuration.md: {missing}"


def test_every_command_is_documented():
    text = (DOCS / "operations.md").read_text(encoding="utf-8")
    names = commands(app)
    assert len(names) >= 10
    missing = [name for name in names if f"`{name}" not in text]
    assert not missing, f"commands missing from docs/operations.md: {missing}"
