"""What every `czujka` sub-command shares: the consoles, the common options, reading the settings and
opening the database, each with a clear exit instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from czujka.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from czujka.runtime import Runtime

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="czujka.toml (else $CZUJKA_CONFIG, else ./czujka.toml).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on standard output.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def settings_or_exit(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        for where, reason in exc.problems:
            errors.print(f"{exc.source}: {where}: {reason}", highlight=False, markup=False)
        raise typer.Exit(2) from None


def engine_or_exit(settings: Settings) -> Engine:
    """An engine on a database that answers, or one line naming the path or setting and what to do."""
    from czujka.storage.engine import DatabaseUnavailable, check_database, make_engine

    try:
        engine = make_engine(settings.sqlalchemy_url)
        check_database(engine)
    except DatabaseUnavailable as exc:
        raise fail(str(exc), 2) from None
    return engine


def migrated_runtime(settings: Settings) -> Runtime:
    """A runtime on a database whose schema is current, or a clear exit."""
    from czujka.runtime import build_runtime
    from czujka.storage.migrate import SchemaOutdated, ensure_current

    runtime = build_runtime(settings, engine_or_exit(settings))
    try:
        ensure_current(runtime.engine)
    except SchemaOutdated as exc:
        raise fail(str(exc)) from None
    runtime.sync_profiles()
    return runtime


def runtime_or_exit(config: Path | None) -> Runtime:
    return migrated_runtime(settings_or_exit(config))
