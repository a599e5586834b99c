"""What an operator sees when czujka cannot start: one line that names the path or setting and what to do,
and exit code 2, never a traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from czujka.cli import app


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, list(args), env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    return result, lines


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("not a database", "is not a czujka database"),
        ("data_dir is a file", "is a file, not a folder"),
        ("unknown scheme", "czujka does not run on 'mongodb'"),
        ("not a URL", "is not a database URL"),
        ("PostgreSQL unreachable", "cannot reach PostgreSQL at 127.0.0.1:"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path, setup: str, expected: str):
    env = {"CZUJKA_DATA_DIR": str(tmp_path / "data")}
    if setup == "not a database":
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "czujka.db").write_text("these are my notes, not a database")
    elif setup == "data_dir is a file":
        (tmp_path / "data").write_text("a file")
    elif setup == "unknown scheme":
        env["CZUJKA_DATABASE_URL"] = "mongodb://db.example/czujka"
    elif setup == "not a URL":
        env["CZUJKA_DATABASE_URL"] = "just words"
    else:
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now
        env["CZUJKA_DATABASE_URL"] = f"postgresql://czujka:x@127.0.0.1:{port}/czujka"
    for command in (["db", "upgrade"], ["serve", "--port", "0"], ["incidents", "list"]):
        result, lines = run(*command, env=env)
        assert result.exit_code == 2, (command, result.output)
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.output
        assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only folder; run as another user")
def test_a_read_only_data_directory_is_named(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result, lines = run("db", "upgrade", env={"CZUJKA_DATA_DIR": str(folder)})
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2 and len(lines) == 1 and f"{folder} is read-only" in lines[0]


def test_a_config_that_is_not_utf8_names_its_line(tmp_path: Path):
    config = tmp_path / "czujka.toml"
    config.write_bytes(b'[service]\ntimezone = "Europe/Warsaw"\nlanguage = "pl\xff"\n')
    result, lines = run("check-config", str(config))
    assert result.exit_code == 2 and lines == [f"{config}: line 3: is not UTF-8 text; save the file as UTF-8"]
    result, lines = run("serve", "--config", str(config))
    assert result.exit_code == 2 and len(lines) == 1


def test_every_problem_of_a_config_at_once(tmp_path: Path):
    config = tmp_path / "czujka.toml"
    config.write_text('[service]\nlanguage = "xx"\nport = "abc"\n', encoding="utf-8")
    result, lines = run("serve", "--config", str(config))
    assert result.exit_code == 2 and len(lines) == 2
    assert any("service.language" in line for line in lines) and any("service.port" in line for line in lines)


def test_serve_on_a_taken_port_says_so(tmp_path: Path):
    env = {"CZUJKA_DATA_DIR": str(tmp_path / "data")}
    assert run("db", "upgrade", env=env)[0].exit_code == 0
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        result, lines = run("serve", "--port", str(taken.getsockname()[1]), env=env)
    finally:
        taken.close()
    assert result.exit_code == 2 and len(lines) == 1 and "is already in use" in lines[0], result.output
