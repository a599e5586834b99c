"""Each detector on a fixed stream, with the positions where it must alarm; state survives a restart."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from czujka.detection.calendar import slot_of
from czujka.detection.detectors.coordinated import CoordinatedDetector, Opinion
from czujka.detection.detectors.quarrel import QuarrelDetector, Reply
from czujka.detection.detectors.red_flag import RedFlagDetector
from czujka.detection.detectors.surge import CountSurge, ShareSurge
from czujka.detection.detectors.value_surge import ShapeMemory, ValueSurge

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime(2026, 11, 2, tzinfo=WARSAW)  # a Monday
BUCKET = timedelta(minutes=10)  # what production uses: the detectors' defaults are its settings
_names = itertools.count()


def people(count: int) -> tuple[str, ...]:
    """`count` different authors, never seen before."""
    return tuple(f"u{next(_names)}" for _ in range(count))


def week_of_buckets(rate_by_hour, weeks: int = 2):
    """Counts following a daily pattern, for `weeks` weeks of 10-minute buckets."""
    for i in range(weeks * 7 * 24 * 6):
        at = MONDAY + i * BUCKET
        yield at, rate_by_hour(at.astimezone(WARSAW).hour)


def alarms(detector, stream):
    return [
        i for i, (at, count) in enumerate(stream) if detector.update(count, at, authors=people(count)).alarm
    ]


def learn(detector, stream) -> None:
    for at, count in stream:
        detector.update(count, at, authors=people(count))


def daytime(hour: int) -> int:
    return 3 if 8 <= hour < 22 else 0


def test_slots_know_holidays():
    assert slot_of(MONDAY, WARSAW) == 0
    independence_day = datetime(2026, 11, 11, 12, tzinfo=WARSAW)  # a Wednesday, a public holiday
    assert slot_of(independence_day, WARSAW) == 6 * 24 + 12
    assert slot_of(independence_day, WARSAW, None) == 2 * 24 + 12


def test_count_surge_quiet_on_a_regular_pattern_and_alarms_on_a_surge():
    stream = list(week_of_buckets(daytime))
    detector = CountSurge()
    assert alarms(detector, stream) == []
    surge_at = MONDAY + timedelta(days=14, hours=23)  # 23:00, when nights are empty
    hits = [i for i in range(6) if detector.update(2, surge_at + i * BUCKET, authors=people(2)).alarm]
    # Two comments a bucket by different people at night: 2 and 4 are not yet a surge, 6 in half an hour are.
    assert hits == [2, 3, 4, 5]


def test_count_surge_minimum_evidence_at_night():
    detector = CountSurge()
    learn(detector, week_of_buckets(daytime))
    night = MONDAY + timedelta(days=14, hours=3)
    assert detector.update(2, night, authors=people(2)).alarm is None  # 2 comments at 3 a.m. page nobody
    assert detector.update(0, night + BUCKET).alarm is None


def test_count_surge_wants_several_authors():
    """Six comments at 3 a.m. by six people page; the same six by one angry customer do not."""
    detector = CountSurge()
    learn(detector, week_of_buckets(daytime))
    state = detector.state()
    night = MONDAY + timedelta(days=14, hours=3)
    one = [detector.update(3, night + i * BUCKET, authors=("anna",) * 3).alarm for i in range(2)]
    assert one == [None, None] and detector.p_value < detector.alpha / 3  # improbable, yet one person
    detector = CountSurge().restore(state)
    assert detector.update(3, night, authors=("u1", "u2", "u3")).alarm is None
    assert detector.peek(3, night + BUCKET, 0.5, (4, 5, 6), ("u4", "u5", "u6")) is not None  # open
    assert detector.update(3, night + BUCKET, authors=("u4", "u5", "u6")).alarm is not None


def test_count_surge_restores_state_saved_before_authors_were_kept():
    detector = CountSurge()
    learn(detector, week_of_buckets(daytime))
    state = detector.state()
    state["recent"] = [row[:4] for row in state["recent"]]  # the older layout
    state["recent"][-1][2] = [7, 8, 9]
    restored = CountSurge().restore(state)
    assert restored.recent[-1][4] == ("#7", "#8", "#9")  # each comment its own author
    assert restored.state()["baseline"] == detector.state()["baseline"]


def test_seasonal_rate_does_not_believe_an_empty_slot_of_a_quiet_page():
    """A page with a comment every few hours: a slot that happened to stay empty for two weeks is still
    expected to get about the page's rate at that hour, so the next ordinary comments are no surge."""
    detector = CountSurge()
    sparse = [(at, 1 if i % 13 == 0 else 0) for i, (at, _) in enumerate(week_of_buckets(daytime))]
    empty = {slot_of(at, WARSAW) for at, n in sparse} - {slot_of(at, WARSAW) for at, n in sparse if n}
    assert empty  # some slots saw nothing
    overall = sum(n for _, n in sparse) / len(sparse)
    learn(detector, sparse)
    assert min(detector.baseline.rate(slot) for slot in empty) > overall / 3


def test_count_surge_busy_monday_is_not_a_crisis():
    detector = CountSurge()
    for at, count in week_of_buckets(lambda h: 8 if h == 9 else daytime(h), weeks=3):
        assert detector.update(count, at, authors=people(count)).alarm is None or (
            at.astimezone(WARSAW).weekday() == 0 and at < MONDAY + timedelta(days=7)
        )


def test_count_surge_is_not_poisoned_and_restores():
    detector = CountSurge()
    learn(detector, week_of_buckets(daytime))
    before = detector.baseline.rate(slot_of(MONDAY + timedelta(hours=23), WARSAW))
    start = MONDAY + timedelta(days=14, hours=23)
    for i in range(8):
        detector.update(20, start + i * BUCKET, authors=people(20))
    after = detector.baseline.rate(slot_of(MONDAY + timedelta(hours=23), WARSAW))
    assert after < before + 1.0  # the surge taught the baseline only what was expected
    copy = CountSurge().restore(detector.state())
    probe = start + timedelta(hours=3)
    six = people(6)
    assert copy.update(6, probe, authors=six).p_value == pytest.approx(
        detector.update(6, probe, authors=six).p_value
    )


def test_share_surge():
    detector = ShareSurge(window_buckets=1)
    fired = [i for i in range(60) if detector.update(2 if i < 50 else 9, 10).alarm]
    assert fired == list(range(50, 60))


def test_quarrel_staff_arguing_with_customer():
    t0 = datetime(2026, 11, 28, 11, tzinfo=UTC)
    stream = [
        ("anna", False),
        ("shop", True),
        ("anna", False),
        ("shop", True),
        ("anna", False),
        ("shop", True),
    ]
    detector = QuarrelDetector()
    fired = []
    for i, (author, staff) in enumerate(stream):
        reply = Reply(i, author, t0 + timedelta(minutes=3 * i), staff, negative=True, harm=0.4, vulgar=False)
        if detector.update(reply).alarm:
            fired.append(i)
    assert fired == [2, 3, 4, 5]
    assert "staff member" in str(detector.alarm.reason) and detector.alarm.evidence == (0, 1, 2, 3, 4, 5)
    restored = QuarrelDetector().restore(detector.state())
    assert restored.update(Reply(9, "anna", t0 + timedelta(minutes=20), False, True, 0.5, False)).alarm


def test_quarrel_friendly_thread_stays_quiet():
    t0 = datetime(2026, 11, 28, 11, tzinfo=UTC)
    detector = QuarrelDetector()
    for i in range(8):
        detector.update(Reply(i, f"fan{i}", t0 + timedelta(minutes=i), False, False, 0.05, False))
        assert detector.alarm is None


def test_coordinated_burst_of_near_identical_opinions():
    t0 = datetime(2026, 11, 29, 14, tzinfo=UTC)
    texts = [
        "Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł. Lepiej zamawiać w Koszyk24!",
        "Ocena 1/5. Nie polecam, to oszuści, towar nigdy nie dotarł. Lepiej zamówić w Koszyk24!",
        "Super sklep, polecam wszystkim, jabłka pyszne",
        "1/5 nie polecam oszuści towar nigdy nie dotarł, lepiej zamawiać w Koszyk24",
        "Ocena 1/5!!! Nie polecam, oszuści, towar nigdy nie dotarł. Zamawiajcie w Koszyk24.",
        "Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł. Lepiej zamawiać w Koszyk24!",
        "Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł. Lepiej zamawiać w Koszyk24!!",
    ]
    detector = CoordinatedDetector()
    fired = [
        i
        for i, text in enumerate(texts)
        if detector.update(Opinion(i, f"new{i}", t0 + timedelta(minutes=i), text, True, 1, True)).alarm
    ]
    assert fired == [5, 6]
    assert 2 not in detector.alarm.evidence and "new accounts" in str(detector.alarm.reason)
    copy = CoordinatedDetector().restore(detector.state())
    assert copy.update(Opinion(9, "new9", t0 + timedelta(minutes=9), texts[0], True, 1, True)).alarm


def test_coordinated_ignores_one_author_repeating_and_old_opinions():
    t0 = datetime(2026, 11, 29, 14, tzinfo=UTC)
    detector = CoordinatedDetector()
    text = "Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł."
    for i in range(6):
        assert detector.update(Opinion(i, "same", t0 + timedelta(minutes=i), text)).alarm is None
    for i in range(6):
        assert detector.update(Opinion(10 + i, f"a{i}", t0 + timedelta(hours=2 * i), text)).alarm is None


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("Po waszej kiełbasie zatrucie, zgłaszam do sanepidu", "legal-safety", True),
        ("Zabiję was za to", "other", True),
        ("Gdzie moja paczka?", "delivery", False),
    ],
)
def test_red_flag(text, topic, expected):
    assert (RedFlagDetector().update(1, text, topic, 0.9).alarm is not None) is expected


def test_value_surge_two_sided_and_one_alarm_per_episode():
    detector = ValueSurge(warmup=50, refractory=20)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    values = [10.0 + (i % 5) * 0.1 for i in range(400)] + [2.0] * 30 + [10.0] * 100
    scores = [detector.update(v, t0 + timedelta(minutes=5 * i)).score for i, v in enumerate(values)]
    high = [i for i, s in enumerate(scores) if s >= detector.alarm_level]
    assert high and 400 <= high[0] <= 405  # a drop is caught within a few points
    assert all(s <= 0.5 for s in scores[high[0] + 1 : high[0] + 21])  # then it keeps quiet for the episode
    assert max(scores[60:400]) < detector.alarm_level


def test_shape_memory_knows_repeats_and_ignores_its_own_overlap():
    memory = ShapeMemory(length=4, capacity=50)
    saw = [memory.update(v) for v in [0.0, 1.0, 2.0, 3.0] * 6]
    assert saw[:11] == [None] * 11  # no old enough shape to compare with yet
    assert all(d == 0.0 for d in saw[12:])  # a repeating cycle: every shape was seen one cycle before
    rising = ShapeMemory(length=4, capacity=50)
    distances = [d for d in (rising.update(float(v)) for v in range(20)) if d is not None]
    # a steady rise: the overlapping neighbours (1 step away) are left out, older shapes are ≥ 4 steps away
    assert distances and min(distances) == pytest.approx(4.0)


def test_value_surge_sees_a_new_shape_that_no_single_value_betrays():
    """A sawtooth that gets stuck half-way: 5 is the most ordinary value of the series, only the shape
    of the stuck stretch never happened before."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    values = [float(i % 10) for i in range(600)] + [5.0] * 50
    detector = ValueSurge(warmup=100, refractory=50, shape_length=10)
    scores = [detector.update(v, t0 + timedelta(minutes=5 * i)).score for i, v in enumerate(values)]
    high = [i for i, s in enumerate(scores) if s >= detector.alarm_level]
    assert detector.level_surprises.score < 0.9  # the value alone is no news
    assert high and 600 <= high[0] <= 603 and max(scores[100:600]) < detector.alarm_level


def test_value_surge_state_survives_a_restart():
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    values = [5.0 + ((i * 13) % 7) * 0.3 for i in range(600)] + [12.0] * 20
    at = [t0 + timedelta(minutes=5 * i) for i in range(len(values))]
    straight = ValueSurge(warmup=50)
    expected = [straight.update(v, t).score for v, t in zip(values, at, strict=True)]
    first = ValueSurge(warmup=50)
    for v, t in zip(values[:400], at[:400], strict=True):
        first.update(v, t)
    restarted = ValueSurge(warmup=50).restore(json.loads(json.dumps(first.state())))
    assert [restarted.update(v, t).score for v, t in zip(values[400:], at[400:], strict=True)] == expected[
        400:
    ]


def test_value_surge_record_values_score_at_once_and_the_range_survives_a_restart():
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    values = [5.0 + (i % 7) * 0.3 for i in range(300)]
    values[20] = 20.0  # a spike during warm-up: the range runs from 5 to 20
    at = [t0 + timedelta(minutes=5 * i) for i in range(301)]
    detector = ValueSurge(warmup=50)
    for v, t in zip(values, at[:300], strict=True):
        detector.update(v, t)
    saved = json.loads(json.dumps(detector.state()))
    assert detector.update(20.5, at[300]).score < 1.0  # within 5 % of the range seen: no record
    restarted = ValueSurge(warmup=50).restore(saved)
    assert restarted.update(20.5, at[300]).score == detector.score  # it remembers the old spike
    assert ValueSurge(warmup=50).restore(saved).update(21.0, at[300]).score == 1.0  # a record
    assert ValueSurge(warmup=50).restore(saved).update(4.0, at[300]).score == 1.0  # a record low


def test_value_surge_trusts_the_weekly_rhythm_of_a_series_that_has_one():
    """Busy days and quiet nights: the hour-of-week slots predict far better than the overall level, so
    they set the expectation; without a rhythm the slots earn no such trust."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    noise = random.Random(5)
    rhythm, flat = ValueSurge(warmup=50), ValueSurge(warmup=50)
    for i in range(24 * 7 * 4):
        at = t0 + timedelta(hours=i)
        rhythm.update((100.0 if 8 <= at.hour < 20 else 10.0) + noise.gauss(0, 3), at)
        flat.update(55.0 + noise.gauss(0, 3), at)
    noon = slot_of(t0 + timedelta(hours=12), ZoneInfo("UTC"), None)
    assert rhythm.misses[1] < rhythm.misses[0] / 100
    assert rhythm.expected_level(noon) == pytest.approx(100.0, abs=3)  # not halfway to the daily mean
    assert flat.misses[1] > flat.misses[0] / 3 and flat.expected_level(noon) == pytest.approx(55.0, abs=3)


def test_value_surge_a_new_record_alarms_even_in_the_quiet_after_an_alarm():
    detector = ValueSurge(warmup=50, refractory=50)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    values = [10.0 + (i % 5) * 0.1 for i in range(400)] + [2.0] * 10 + [-10.0] + [2.0] * 10
    scores = [detector.update(v, t0 + timedelta(minutes=5 * i)).score for i, v in enumerate(values)]
    assert [i for i, s in enumerate(scores) if s >= detector.alarm_level] == [400, 410]
    assert max(scores[401:410] + scores[411:]) <= 0.5 and detector.alarms == 2


def test_value_surge_asks_more_of_a_series_that_keeps_alarming():
    """The same small step twice: the first is a record; the second must be twice as unlikely to page
    as it would have to be on a series that never alarmed, because this one has shown it does that."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    values = [10.0 + ((i * 7) % 5) * 0.2 for i in range(700)]
    for start in (400, 600):
        values[start : start + 5] = [12.5] * 5
    detector = ValueSurge(warmup=50, refractory=20, alarm_level=0.997)
    for i, v in enumerate(values[:602]):
        detector.update(v, t0 + timedelta(minutes=5 * i))
    assert detector.alarms == 1  # the record at 400
    forgetful = ValueSurge(warmup=50, refractory=20, alarm_level=0.997).restore(
        {**json.loads(json.dumps(detector.state())), "alarms": 0}
    )
    at = t0 + timedelta(minutes=5 * 602)
    assert forgetful.update(values[602], at).alarm is not None
    assert detector.update(values[602], at).alarm is None
    assert 1 - detector.score == pytest.approx(2 * (1 - forgetful.score))  # twice the evidence asked for
    restarted = ValueSurge(warmup=50, refractory=20, alarm_level=0.997).restore(detector.state())
    assert restarted.alarms == 1


def test_comments_without_a_named_author_count_as_different_people():
    from czujka.detection.service import author_key

    assert author_key("1029", "Anna K.", 1) == "1029" and author_key(None, "Anna K.", 2) == "Anna K."
    strangers = {author_key(None, None, i) for i in range(3)}
    detector = CountSurge()
    assert len(strangers) == 3 and detector._enough_authors([(0, 3.0, (0, 1, 2), 0.1, tuple(strangers))])
