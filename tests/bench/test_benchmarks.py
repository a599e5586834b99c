"""The benchmark interfaces other tools call: `czujka bench nab` layout and causality, the scenario suite."""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from typer.testing import CliRunner

from czujka.bench.scenarios import WEEK_ONE, Scenario, run_scenario
from czujka.cli import app
from czujka.detection.detectors.surge import CountSurge


def write_series(path, values) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 1, 1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        for i, v in enumerate(values):
            writer.writerow([(start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"), v])


def read_scores(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_nab_layout_rows_and_causality(tmp_path):
    values = [10 + math.sin(i / 12) for i in range(600)] + [40.0] * 20 + [10.0] * 80
    write_series(tmp_path / "data" / "realThings" / "spiky.csv", values)
    write_series(tmp_path / "short" / "realThings" / "spiky.csv", values[:610])
    runner = CliRunner()
    result = runner.invoke(
        app, ["bench", "nab", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    rows = read_scores(tmp_path / "out" / "czujka" / "realThings" / "czujka_spiky.csv")
    assert len(rows) == len(values) and list(rows[0]) == ["timestamp", "value", "anomaly_score"]
    scores = [float(r["anomaly_score"]) for r in rows]
    assert all(0 <= s <= 1 for s in scores)
    assert max(scores[600:610]) > 0.99 and max(scores[100:590]) < 0.99
    runner.invoke(
        app, ["bench", "nab", "--data", str(tmp_path / "short"), "--out", str(tmp_path / "o2"), "--name", "x"]
    )
    prefix = [
        float(r["anomaly_score"]) for r in read_scores(tmp_path / "o2" / "x" / "realThings" / "x_spiky.csv")
    ]
    assert prefix == scores[:610]  # each score used only earlier rows


def test_nab_missing_data_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["bench", "nab", "--data", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "no <category>/<file>.csv" in result.output


def test_scenarios_small_shop():
    onset = WEEK_ONE + timedelta(weeks=2, days=5, hours=22, minutes=17)  # Saturday night
    for kind in ("negative_surge", "quarrel", "coordinated", "red_flag"):
        row = run_scenario(Scenario(f"small-{kind}", 4.0, kind, onset), seed=11)
        assert row["detected"], row
        assert row["latency_min"] <= 30, row
        if kind == "negative_surge":  # minimum evidence: never before the third crisis comment
            assert row["latency_min"] >= row["third_comment_min"], row
    quiet = run_scenario(Scenario("small-quiet", 4.0, None, None, busy_peaks=True), seed=12)
    assert quiet["false"] == 0


def test_paging_and_web_benchmarks_run_small():
    import json

    runner = CliRunner()
    paging = runner.invoke(app, ["bench", "paging", "--incidents", "20", "--rate", "40", "--json"])
    assert paging.exit_code == 0, paging.output
    result = json.loads(paging.output.strip().splitlines()[-1])
    assert result["paged"] == 20 and result["received"] == 20 and result["median_seconds"] is not None
    web = runner.invoke(
        app, ["bench", "web", "--comments", "600", "--incidents", "20", "--requests", "2", "--json"]
    )
    assert web.exit_code == 0, web.output
    pages = {row["page"] for row in json.loads(web.output.strip().splitlines()[-1])["rows"]}
    assert {"/", "/incidents", "/charts?range=7d", "/oncall"} <= pages


def test_surges_count_customers_not_the_shops_answers():
    """Three moderators answering in twenty minutes at night are no surge; eight people writing are."""
    from czujka.bench.scenarios import _Builder, _traffic
    from czujka.detection.service import Detectors

    def night_burst(staff: bool) -> list[str]:
        b = _Builder(5)
        history = _traffic(b, WEEK_ONE, 9, 4.0, busy=False)
        night = WEEK_ONE + timedelta(days=9, hours=2)
        burst = [
            b.comment(
                night + timedelta(minutes=2.5 * i),
                author=f"obsługa{i % 3}" if staff else f"k{i}",
                is_staff=staff,
            )
            for i in range(8)
        ]
        signals = feed_in_order(Detectors(lambda _: "Europe/Warsaw"), history + burst, ["shop"])
        return [s.kind for s in signals if s.at >= night]

    assert night_burst(staff=True) == []
    assert "volume_surge" in night_burst(staff=False)


def feed_in_order(detectors: Any, comments: list[Any], profiles: list[str]) -> list[Any]:
    """As the service runs: comments in time order, buckets closed as the clock passes them."""
    from czujka.detection.base import BUCKET

    signals, tick = [], WEEK_ONE + BUCKET
    for c in sorted(comments, key=lambda c: (c.created_at, c.id)):
        while c.created_at >= tick:
            signals += detectors.tick(tick, profiles)
            tick += BUCKET
        signals += detectors.feed(c)
    return signals


def test_each_profile_pages_at_its_own_surge_threshold():
    """The same five unhappy customers in twenty minutes of a small shop's afternoon: unusual, not yet
    improbable enough for the default threshold, enough for a profile that asked to be paged sooner."""
    from czujka.bench.scenarios import _Builder, _traffic
    from czujka.config import ProfileConfig, Settings
    from czujka.detection.service import Detectors

    b = _Builder(11)
    history = _traffic(b, WEEK_ONE, 15, 4.0, busy=False)
    afternoon = WEEK_ONE + timedelta(days=15, hours=14)
    burst = [
        b.comment(afternoon + timedelta(minutes=4 * i), author=f"k{i}", sentiment="negative")
        for i in range(5)
    ]
    profiles = [
        ProfileConfig(id="calm", name="Calm", platform="generic", platform_id="calm"),
        ProfileConfig(id="eager", name="Eager", platform="generic", platform_id="eager", surge_p_value=0.01),
    ]
    settings = Settings(profiles=profiles)
    both = [replace(c, profile_id=p.id) for c in history + burst for p in profiles]
    signals = feed_in_order(Detectors.from_settings(settings), both, ["calm", "eager"])
    paged = {(s.profile_id, s.kind) for s in signals if s.at >= afternoon}
    assert paged == {("eager", "negative_surge")}
    assert settings.surge_p_value_of("calm") == CountSurge().alpha  # the setting's default is the detector's


def test_scenarios_refuse_a_surge_threshold_the_setting_would_refuse():
    result = CliRunner().invoke(app, ["bench", "scenarios", "--weeks", "1", "--surge-p-value", "0.5"])
    assert result.exit_code == 2
    assert "--surge-p-value" in result.output and "less than 0.1" in result.output
