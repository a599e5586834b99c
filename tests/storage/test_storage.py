"""Migrations on SQLite and PostgreSQL, and `serve` refusing an outdated schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from typer.testing import CliRunner

from czujka.cli import app
from czujka.storage.engine import make_engine
from czujka.storage.migrate import current_revision, head_revision, upgrade


def test_upgrade_creates_every_table(db_url):
    engine = make_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    assert current_revision(engine) is None
    upgrade(engine)
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "profiles",
        "posts",
        "comments",
        "comment_history",
        "ingest_log",
        "api_tokens",
        "poll_state",
    } <= tables
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'czujka.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_serve_refuses_outdated_schema_and_db_upgrade_fixes_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CZUJKA_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    refused = runner.invoke(app, ["serve", "--port", "1"])
    assert refused.exit_code == 1
    assert "Run `czujka db upgrade` first" in refused.output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and head_revision() in upgraded.output
    created = runner.invoke(app, ["token", "create", "--name", "ops", "--role", "admin"])
    assert created.exit_code == 0 and created.output.startswith("czk_")
    assert runner.invoke(app, ["token", "create", "--name", "x", "--role", "boss"]).exit_code == 1
