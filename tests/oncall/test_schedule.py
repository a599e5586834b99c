"""who_is_on_duty, table-style: rotations, windows, holidays, overrides and both daylight-saving changes."""

from __future__ import annotations

import itertools
import tomllib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from czujka.config import load_settings
from czujka.oncall.config import ScheduleConfig
from czujka.oncall.schedule import coverage_gaps, shifts, who_is_on_duty
from czujka.oncall.windows import WindowError, parse_windows
from tests.factories import DATA

CONFIG = DATA / "oncall.toml"
WARSAW = ZoneInfo("Europe/Warsaw")

# at: local Warsaw time unless it has an offset; expect: people; layer: the winning layer
CASES = tomllib.loads("""
cases = [
  { at = "2026-11-03 10:00", expect = ["ania"], layer = "office hours", why = "week 1 of the office rotation" },
  { at = "2026-11-10 10:00", expect = ["kasia"], layer = "office hours", why = "week 2: the turn moved on" },
  { at = "2026-11-16 08:59", expect = ["tomek"], layer = "weekend duty", why = "before office hours the night layer" },
  { at = "2026-11-16 09:00", expect = ["ania"], layer = "office hours", why = "later layer wins at its window" },
  { at = "2026-11-03 20:00", expect = [], layer = "", why = "before a layer starts nobody covers: a gap" },
  { at = "2026-11-27 16:59", expect = ["kasia"], layer = "office hours", why = "Friday afternoon, office week 4" },
  { at = "2026-11-27 17:00", expect = ["kasia"], layer = "weekend duty", why = "weekend handoff at 17:00" },
  { at = "2026-11-28 22:00", expect = ["marek"], layer = "override", why = "override wins over every layer" },
  { at = "2026-11-29 00:30", expect = ["marek"], layer = "override", why = "override crossing midnight" },
  { at = "2026-11-29 08:00", expect = ["kasia"], layer = "weekend duty", why = "override end is exclusive" },
  { at = "2026-11-11 10:00", expect = ["kasia"], layer = "weekend duty", why = "holiday on a Wednesday: office off, duty all day" },
  { at = "2026-12-24 10:00", expect = ["kasia"], layer = "weekend duty", why = "Christmas Eve is a public holiday in Poland from 2025" },
  { at = "2026-11-12 10:00", expect = ["kasia"], layer = "office hours", why = "the day after the holiday is ordinary" },
  { at = "2026-11-28T21:00:00+00:00", expect = ["marek"], layer = "override", why = "a time given in UTC" },
]
""")["cases"]


@pytest.fixture(scope="module")
def duty():
    return load_settings(CONFIG).schedule("duty")


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_who_is_on_duty(duty, case):
    at = datetime.fromisoformat(case["at"])
    at = at if at.tzinfo else at.replace(tzinfo=WARSAW)
    found = who_is_on_duty(duty, at)
    assert list(found.people) == case["expect"]
    assert (found.layer or "") == case["layer"]


def _schedule(text: str) -> ScheduleConfig:
    return ScheduleConfig.model_validate(tomllib.loads(text))


# A weekly Friday 17:00 handoff and a daily 09:00 handoff around the October and March changes: the handoff
# stays at the local wall-clock time, so the real length of the turn spanning the change is 1 h longer/shorter.
DST = _schedule("""
id = "dst"
timezone = "Europe/Warsaw"
holidays = ""
[[layers]]
name = "weekly"
rotation = ["a", "b", "c", "d", "e"]
length = "1w"
start = "2026-10-02 17:00"
[[layers]]
name = "daily"
rotation = ["x", "y"]
length = "1d"
start = "2027-03-20 09:00"
windows = ["mon-sun 09:00-12:00"]
""")
DST_CASES = [
    ("2026-10-30T15:30:00+00:00", "d", "16:30 CET after the October change: still the turn of 23 Oct"),
    ("2026-10-30T16:00:00+00:00", "e", "17:00 CET: the handoff at local 17:00, not 16:00"),
    ("2026-10-25T00:30:00+00:00", "d", "02:30 CEST, before the clocks go back"),
    ("2026-10-25T01:30:00+00:00", "d", "02:30 CET, the repeated hour"),
    ("2027-03-29T06:59:00+00:00", "weekly", "08:59 CEST: the daily layer is outside its window"),
    ("2027-03-29T07:00:00+00:00", "y", "09:00 CEST after the March change: day 9 (odd) of the daily turn"),
    ("2027-03-28T08:30:00+00:00", "x", "10:30 CEST on the day of the change: day 8"),
]


@pytest.mark.parametrize(("at", "expect", "why"), DST_CASES, ids=[c[2] for c in DST_CASES])
def test_daylight_saving(at, expect, why):
    person = who_is_on_duty(DST, datetime.fromisoformat(at)).people[0]
    if expect == "weekly":
        assert person in ("a", "b", "c", "d", "e")
    else:
        assert person == expect


def test_holiday_can_follow_weekend_rules():
    weekend = _schedule("""
id = "w"
[[layers]]
name = "weekend"
rotation = ["kasia"]
start = "2026-01-01 00:00"
windows = ["sat,sun"]
on_holidays = "weekend"
""")
    wednesday_holiday = datetime(2026, 11, 11, 3, 0, tzinfo=WARSAW)
    assert who_is_on_duty(weekend, wednesday_holiday).people == ("kasia",)
    assert who_is_on_duty(weekend, datetime(2026, 11, 12, 3, 0, tzinfo=WARSAW)).people == ()


def test_shifts_and_gaps(duty):
    start = datetime(2026, 11, 23, 0, 0, tzinfo=WARSAW)
    week = shifts(duty, start, datetime(2026, 11, 30, 0, 0, tzinfo=WARSAW))
    assert week[0].start == start and all(a.end == b.start for a, b in itertools.pairwise(week))
    assert [(s.start.astimezone(WARSAW).strftime("%a %H:%M"), s.people) for s in week[:3]] == [
        ("Mon 00:00", ("ania",)),  # the weekend turn of 20-27 Nov is ania's
        ("Mon 09:00", ("kasia",)),  # office week 4 (odd): kasia
        ("Mon 17:00", ("ania",)),
    ]
    assert any(s.layer == "override" and s.people == ("marek",) for s in week)
    assert coverage_gaps(duty, start, start.replace(day=30)) == []
    gaps = coverage_gaps(duty, datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 7, tzinfo=UTC))
    assert [
        (g.start.astimezone(WARSAW).strftime("%a %H:%M"), g.end.astimezone(WARSAW).strftime("%a %H:%M"))
        for g in gaps[:2]
    ] == [("Mon 01:00", "Mon 09:00"), ("Mon 17:00", "Tue 09:00")]


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("mon-fri 09:00-17:00", [(0, 540), (4, 1019)], [(0, 1020), (5, 600)]),
        ("fri 17:00-mon 09:00", [(4, 1020), (6, 0), (0, 539)], [(0, 540), (4, 1019)]),
        ("sun 22:00-06:00", [(6, 1380), (0, 300)], [(0, 360)]),
        ("sat,sun", [(5, 0), (6, 1439)], [(4, 1439)]),
        ("fri-mon 20:00-24:00", [(4, 1200), (0, 1439)], [(1, 1200)]),
    ],
)
def test_windows(text, inside, outside):
    windows = parse_windows([text])
    assert all(windows.contains(d, m) for d, m in inside)
    assert not any(windows.contains(d, m) for d, m in outside)


@pytest.mark.parametrize("text", ["", "monday 9-17", "mon 25:00-26:00", "xyz", "mon 09:60-10:00"])
def test_bad_windows_say_what_is_wrong(text):
    with pytest.raises(WindowError):
        parse_windows([text])
