"""czujka.toml, environment and .env: precedence, secrets from env:NAME, and check-config's reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from czujka.cli import app
from czujka.config import ConfigError, load_settings

GOOD = """
[service]
timezone = "Europe/Warsaw"
language = "pl"
public_url = "https://czujka.example.pl"

[[profiles]]
id = "koszyk-fb"
name = "Zielony Koszyk (Facebook)"
platform = "facebook"
platform_id = "1122334455"
access_token = "env:KOSZYK_FB_TOKEN"
competitors = ["Koszyk24", "eko-market.pl"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "czujka.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_env_and_secret_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "EAAB-very-secret")
    monkeypatch.setenv("CZUJKA_PUBLIC_URL", "https://env.example.pl")
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.profiles[0].access_token.get_secret_value() == "EAAB-very-secret"
    assert settings.public_url == "https://env.example.pl"  # the environment wins over the file
    assert "EAAB" not in repr(settings)


def test_dotenv_sits_between_environment_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "x")
    (tmp_path / ".env").write_text("CZUJKA_LANGUAGE=en\nCZUJKA_PORT=9000\n")
    monkeypatch.setenv("CZUJKA_PORT", "9100")
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.language == "en" and settings.port == 9100


def test_config_found_through_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "x")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("CZUJKA_CONFIG", str(write(other, GOOD)))
    assert load_settings().profiles[0].id == "koszyk-fb"


def test_postgres_urls_get_the_driver():
    assert load_settings(database_url="postgresql://u:p@h/db").sqlalchemy_url.startswith(
        "postgresql+psycopg://"
    )


BAD = """
[service]
timezone = "Europe/Nowhere"
port = 70000
colour = "green"

[[profiles]]
id = "Bad Id"
name = "x"
platform = "myspace"
platform_id = "1"
access_token = "env:MISSING_TOKEN"

[[profiles]]
id = "ok"
name = "y"
platform = "facebook"
platform_id = "2"
webhook_secret = "env:ALSO_MISSING"
"""


def test_every_problem_reported_with_key_and_reason(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, BAD))
    problems = dict(caught.value.problems)
    assert "unknown time zone" in problems["service.timezone"]
    assert "65535" in problems["service.port"]
    assert "colour" in " ".join(problems)
    assert "profiles[0].id" in problems and "profiles[0].platform" in problems
    assert problems["profiles[0].access_token"] == "environment variable MISSING_TOKEN is not set"
    assert problems["profiles[1].webhook_secret"] == "environment variable ALSO_MISSING is not set"


def test_check_config_cli(tmp_path, monkeypatch):
    runner = CliRunner()
    bad = runner.invoke(app, ["check-config", str(write(tmp_path, BAD))])
    assert bad.exit_code == 2
    assert (
        "czujka.toml: profiles[0].access_token: environment variable MISSING_TOKEN is not set" in bad.output
    )
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "EAAB-very-secret")
    good = runner.invoke(app, ["check-config", str(write(tmp_path, GOOD))])
    assert good.exit_code == 0, good.output
    assert "koszyk-fb" in good.output and "EAAB" not in good.output


def test_secrets_never_in_error_messages(tmp_path, monkeypatch):
    monkeypatch.setenv("CZUJKA_META_APP_SECRET", "s3cr3t-value")
    monkeypatch.setenv("CZUJKA_PORT", "not-a-port-s3cr3t")
    result = CliRunner().invoke(app, ["check-config", str(write(tmp_path, GOOD))])
    assert result.exit_code == 2
    assert "s3cr3t" not in result.output


def test_syntax_and_unknown_tables(tmp_path):
    with pytest.raises(ConfigError, match="syntax"):
        load_settings(write(tmp_path, "[[profiles]\nid="))
    with pytest.raises(ConfigError, match="unknown table"):
        load_settings(write(tmp_path, "[servce]\nport = 1\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_duplicate_profiles(tmp_path, monkeypatch):
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "x")
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(write(tmp_path, GOOD + GOOD.split("[service]")[1].split("\n\n", 1)[1]))


def test_surge_threshold_per_profile_and_its_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("KOSZYK_FB_TOKEN", "x")
    eager = GOOD.replace("[[profiles]]", "surge_p_value = 0.0002\n\n[[profiles]]") + "surge_p_value = 0.003\n"
    settings = load_settings(write(tmp_path, eager))
    assert settings.surge_p_value_of("koszyk-fb") == 0.003
    assert settings.surge_p_value_of("some-other-profile") == 0.0002
    shown = CliRunner().invoke(app, ["check-config", str(tmp_path / "czujka.toml")])
    assert "koszyk-fb: facebook 1122334455, token set, surge_p_value 0.003" in shown.output
    wrong = GOOD.replace("[[profiles]]", "surge_p_value = 0\n\n[[profiles]]") + "surge_p_value = 0.5\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, wrong))
    problems = dict(caught.value.problems)
    assert "greater than 0" in problems["service.surge_p_value"]
    assert "less than 0.1" in problems["profiles[0].surge_p_value"]
