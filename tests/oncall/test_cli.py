"""`czujka oncall who|simulate|export-ical` and what check-config says about on-call."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from czujka.cli import app
from tests.factories import DATA

CONFIG = DATA / "oncall.toml"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [*args, "--config", str(CONFIG)])


def test_who_at_a_time_as_json():
    result = invoke("oncall", "who", "--schedule", "duty", "--at", "2026-11-28 22:00", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "schedule": "duty",
        "at": "2026-11-28T22:00:00+01:00",
        "on_duty": ["marek"],
        "layer": "override",
    }
    text = invoke("oncall", "who", "--at", "2026-11-03 20:00")
    assert "NIKT (luka w grafiku)" in text.output  # czujka speaks Polish unless told otherwise


def test_who_says_until_when_and_who_comes_next():
    text = invoke("oncall", "who", "--schedule", "duty", "--at", "2026-11-28 22:00").output
    assert "Marek Kowalczyk (marek) [override] do 2026-11-29 08:00" in text
    assert "następnie: Katarzyna Wiśniewska (kasia) od 2026-11-29 08:00" in text


def test_who_refuses_bad_input():
    assert "no schedule 'nope'" in invoke("oncall", "who", "--schedule", "nope").output
    bad = invoke("oncall", "who", "--at", "Saturday night")
    assert bad.exit_code == 2 and "--at" in bad.output


def test_simulate_prints_the_chain_without_sending():
    result = invoke(
        "oncall",
        "simulate",
        "--profile",
        "koszyk-fb",
        "--kind",
        "negative_surge",
        "--severity",
        "3",
        "--at",
        "2026-11-28 22:00",
        "--topic",
        "delivery",
        "--no-ack",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["policy"] == "default"
    steps = [(p["at"][11:16], p["person"], p["step"], p["round"]) for p in out["pages"]]
    assert steps[:4] == [
        ("22:00", "marek", 1, 1),
        ("22:10", "kasia", 2, 1),
        ("22:25", "ola", 3, 1),
        ("22:45", "prezes", 4, 1),
    ]
    assert steps[4] == ("23:00", "marek", 1, 2)  # repeat = 1: the chain runs once more
    acked = invoke(
        "oncall",
        "simulate",
        "--profile",
        "koszyk-fb",
        "--kind",
        "red_flag",
        "--severity",
        "3",
        "--at",
        "2026-11-28 22:00",
        "--ack-after",
        "1",
    )
    assert acked.exit_code == 0 and "ścieżka eskalacji „red”" in acked.output and "Jan Prezes" in acked.output
    assert "krok 1, runda 1: Marek Kowalczyk" in acked.output  # in the configured language, with names
    assert (
        invoke("oncall", "simulate", "--profile", "x", "--kind", "quarrel", "--severity", "1").exit_code == 2
    )
    assert (
        "unknown kind"
        in invoke("oncall", "simulate", "--profile", "koszyk-fb", "--kind", "fire", "--severity", "1").output
    )


def test_export_ical(tmp_path):
    out = tmp_path / "duty.ics"
    result = invoke("oncall", "export-ical", "duty", "--weeks", "2", "--output", str(out))
    assert result.exit_code == 0, result.output
    from icalendar import Calendar

    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert len(events) > 5 and any("Katarzyna" in str(e["SUMMARY"]) for e in events)
    assert invoke("oncall", "export-ical", "nope").exit_code == 2


def test_check_config_reports_gaps_and_bad_channels(tmp_path):
    result = invoke("check-config")
    assert result.exit_code == 0, result.output
    assert "osoby: 6, grafiki: 1" in result.output  # in the configured language, Polish
    assert "brak eksperta od tematów: płatności, produkt, obsługa" in result.output
    broken = tmp_path / "broken.toml"
    text = CONFIG.read_text().replace('channels = ["json://127.0.0.1:9/ola"]', 'channels = ["nonsense://x"]')
    text = text.replace('start = "2026-11-06 17:00"', 'start = "2030-01-04 17:00"')  # nights not covered
    broken.write_text(text)
    bad = runner.invoke(app, ["check-config", str(broken)])
    assert bad.exit_code == 1
    assert "people[4].channels[0]: Apprise nie przyjmuje adresu nonsense://" in bad.output
    assert "uwaga: grafik duty: nikt nie ma dyżuru od" in bad.output


def test_references_are_checked_when_the_file_is_read(tmp_path):
    bad = tmp_path / "bad.toml"
    shutil.copy(CONFIG, bad)
    bad.write_text(
        bad.read_text()
        .replace('rotation = ["ania", "kasia"]', 'rotation = ["ania", "basia"]')
        .replace('policy = "red"', 'policy = "czerwona"')
    )
    result = runner.invoke(app, ["check-config", str(bad)])
    assert result.exit_code == 2
    assert "schedules[0].layers[0].rotation: unknown person 'basia'" in result.output
    assert "routes[0].policy: no escalation policy 'czerwona'" in result.output
