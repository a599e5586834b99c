"""Severity from what is at stake: a table of comments and the severity their red flag gets, and a red flag
whose thread spreads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czujka.detection.detectors.reach import ThreadReach
from czujka.detection.detectors.red_flag import RedFlagDetector
from czujka.detection.signals import SignalIn
from czujka.detection.stakes import grave, stakes

T0 = datetime(2026, 11, 28, 23, tzinfo=UTC)

# text, topic the model gave, severity expected (None: no red flag)
TABLE = [
    # a child harmed or in hospital, poisoning with the police, a lawyer and the press: the highest
    (
        "Po waszym jogurcie cała rodzina się zatruła, córka wylądowała w szpitalu. Zgłaszam to do sanepidu "
        "i na policję, a sprawę przekażę prawnikowi!",
        "legal-safety",
        3,
    ),
    ("Mój syn trafił do szpitala po waszych cukierkach", "product", 3),
    ("My daughter was poisoned by your yoghurt", "product", 3),
    ("Zgłaszam to na policję, a mój prawnik już pisze pozew", "service", 3),
    ("Idę z tym do TVN, a potem do UOKiK", "service", 3),
    ("Po waszej kiełbasie zatrucie, zgłaszam do sanepidu", "legal-safety", 3),
    ("Zabiję was, a potem pójdę na policję", "other", 3),
    # one thing at stake, or a legal topic alone: a red flag, severity 2
    ("Przekażę sprawę prawnikowi", "legal-safety", 2),
    ("Wasz produkt jest niebezpieczny, zgłaszam", "legal-safety", 2),
    ("Zabiję was za to", "other", 2),
    # ordinary complaints, with a child or a court in an ordinary sense: no red flag
    ("Gdzie moja paczka? Syn czeka na prezent", "delivery", None),
    ("Kupiłam dziecku kurtkę, zły rozmiar", "refund", None),
    ("I am sad the parcel is late", "delivery", None),
]


@pytest.mark.parametrize(("text", "topic", "severity"), TABLE)
def test_severity_from_what_is_at_stake(text, topic, severity):
    alarm = RedFlagDetector().update(1, text, topic, 0.9).alarm
    if severity is None:
        assert alarm is None
        return
    assert alarm is not None
    signal = SignalIn("p", "red_flag", "k", alarm.score, T0, alarm.reason, list(alarm.evidence))
    assert signal.severity == severity, alarm.reason


def test_the_reason_names_what_is_at_stake():
    alarm = RedFlagDetector().update(
        1, "Córka w szpitalu po waszym jogurcie, idę na policję", "legal-safety", 0.9
    )
    reason = alarm.alarm.reason
    assert "a child" in str(reason) and "the police" in str(reason)
    assert "dziecko" in reason.say("pl") and "policja" in reason.say("pl")  # said in the reader's language


def test_a_red_flags_thread_that_spreads_is_raised_once():
    reach = ThreadReach()
    reach.follow(10, T0)
    alarms = [reach.update(10, i, f"osoba{i % 9}", T0 + timedelta(minutes=i)).alarm for i in range(20)]
    raised = [i for i, a in enumerate(alarms) if a is not None]
    assert raised == [7]  # the eighth person; then never again for this thread
    assert "8 people" in str(alarms[7].reason)
    copy = ThreadReach().restore(reach.state())
    assert copy.update(10, 99, "nowa", T0 + timedelta(minutes=30)).alarm is None


def test_a_burst_of_comments_from_few_people_raises_it_too():
    reach = ThreadReach()
    reach.follow(5, T0)
    alarms = [reach.update(5, i, f"a{i % 3}", T0 + timedelta(minutes=i)).alarm for i in range(12)]
    assert [i for i, a in enumerate(alarms) if a] == [9]


def test_threads_without_a_red_flag_are_not_followed():
    reach = ThreadReach()
    assert all(reach.update(1, i, f"p{i}", T0).alarm is None for i in range(30))
    assert reach.state() == {"threads": {}}


@given(st.text(max_size=200))
def test_stakes_never_fail_on_any_text(text):
    found = stakes(text)
    assert isinstance(grave(found), bool)
