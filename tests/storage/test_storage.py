"""Migrations on SQLite and PostgreSQL, and `serve` refusing an outdated schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
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


def test_migrations_keep_the_data_of_an_older_schema(db_url):
    """A database made by revision 0006, with copies of one delivery that raced in as two originals and a
    page queued before pages kept their topic: upgrading keeps every row and marks the later copy."""
    engine = make_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    upgrade(engine, "0006")
    with engine.begin() as conn:
        for body in ("a", "a", "b"):
            conn.execute(
                text(
                    "INSERT INTO ingest_log (source, digest, received_at, body, stored, changed, ignored) "
                    "VALUES ('meta', :d, CURRENT_TIMESTAMP, :b, 1, 0, 0)"
                ),
                {"d": f"digest-{body}", "b": body},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, digest, duplicate_of FROM ingest_log ORDER BY id")).all()
    assert [(digest, dup) for _, digest, dup in rows] == [
        ("digest-a", None),
        ("digest-a", rows[0][0]),
        ("digest-b", None),
    ]
    engine.dispose()
