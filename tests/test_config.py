"""czujka.toml, environment and .env: precedence, secrets from env:NAME, and check-config's reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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
    assert "koszyk-fb: facebook 1122334455, token ustawiony, surge_p_value 0.003" in shown.output
    wrong = GOOD.replace("[[profiles]]", "surge_p_value = 0\n\n[[profiles]]") + "surge_p_value = 0.5\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, wrong))
    problems = dict(caught.value.problems)
    assert "greater than 0" in problems["service.surge_p_value"]
    assert "less than 0.1" in problems["profiles[0].surge_p_value"]


def test_init_writes_a_commented_config_that_is_valid_as_written(tmp_path):
    from czujka.oncall.schedule import who_is_on_duty

    runner = CliRunner()
    target = tmp_path / "czujka.toml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("#") > 30  # it explains its keys
    settings = load_settings(target)
    assert settings.profiles and settings.people and settings.escalation_policies and settings.routes
    schedule = settings.schedule("duty")
    assert len(schedule.layers) == 2
    saturday_night = datetime(2026, 11, 28, 22, tzinfo=ZoneInfo("Europe/Warsaw"))
    assert who_is_on_duty(schedule, saturday_night).people
    assert runner.invoke(app, ["check-config", str(target)]).exit_code == 0
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, ["init", str(target), "--force"]).exit_code == 0


def test_check_config_without_a_file_says_so(tmp_path):
    answer = CliRunner().invoke(app, ["check-config"])
    assert answer.exit_code == 2 and "czujka init" in answer.output


@pytest.mark.parametrize(
    ("toml", "where", "suggestion"),
    [
        ('[service]\ntimezon = "Europe/Warsaw"\n', "service.timezon", "'timezone'"),
        ('[[people]]\nid = "a"\nname = "A"\nrolse = ["x"]\n', "people[0].rolse", "'roles'"),
        (
            '[[profiles]]\nid = "p"\nname = "P"\nplatform = "generic"\nplatform_id = "p"\ncompetitor = []\n',
            "profiles[0].competitor",
            "'competitors'",
        ),
    ],
)
def test_unknown_keys_get_the_closest_known_name(tmp_path, toml, where, suggestion):
    answer = CliRunner().invoke(app, ["check-config", str(write(tmp_path, toml))])
    assert answer.exit_code == 2
    assert f"{where}: unknown key; did you mean {suggestion}?" in answer.output
