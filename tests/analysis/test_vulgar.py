"""Vulgarity: disguises, positions, the NASK forms, and innocent words that must stay clean."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from czujka.analysis import datasets
from czujka.analysis.disguise import KINDS, disguises
from czujka.analysis.vulgar import find_vulgar
from tests.factories import DATA

INNOCENT = DATA / "innocent_pl.txt"


def innocent_words() -> list[str]:
    return [
        w.strip()
        for w in INNOCENT.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]


@pytest.mark.parametrize(
    ("text", "word", "entry"),
    [
        ("k*rwa mać", "k*rwa", "kurwa"),
        ("ch#j z tym", "ch#j", "chuj"),
        ("p***dolić to", "p***dolić", "pierdolić"),
        ("k.u.r.w.a", "k.u.r.w.a", "kurwa"),
        ("no k u r w a, gdzie paczka", "k u r w a", "kurwa"),
        ("k-u-r-w-a", "k-u-r-w-a", "kurwa"),
        ("kurwaaaa", "kurwaaaa", "kurwa"),
        ("kurw@", "kurw@", "kurwa"),
        ("ch0j", "ch0j", "chuj"),
        ("jebac to", "jebac", "jebać"),
        ("КУРВА", "КУРВА", "kurwa"),
        ("сhuj", "сhuj", "chuj"),  # Cyrillic с
        ("qrwa", "qrwa", "kurwa"),
        ("𝐤𝐮𝐫𝐰𝐚", "𝐤𝐮𝐫𝐰𝐚", "kurwa"),
        ("Spierdalajcie z takim kurierem", "Spierdalajcie", "pierdolić"),
        ("Zajebisty sklep", "Zajebisty", "jebać"),
        ("what the f**k", "f**k", "fuck"),
        ("bullshit", "bullshit", "shit"),
    ],
)
def test_disguised_forms(text, word, entry):
    found = find_vulgar(text)
    assert [(m.word, m.entry) for m in found] == [(word, entry)]
    assert text[found[0].start : found[0].end] == word


@pytest.mark.parametrize(
    "text", ["f***", "****", "Gdzie moja paczka?", "a i w z o u", "Scunthorpe", "k*t", "h**"]
)
def test_not_vulgar(text):
    assert find_vulgar(text) == []


def test_several_words_in_order():
    found = find_vulgar("Kurwa, co za chujowa obsługa, jebani złodzieje")
    assert [m.entry for m in found] == ["kurwa", "chuj", "jebać"]


def test_innocent_words_stay_clean():
    words = innocent_words()
    assert len(words) >= 200
    assert [w for w in words if find_vulgar(w)] == []
    assert [w for w in words if find_vulgar(w.upper())] == []
    assert [w for w in words if find_vulgar(f"Kupiłam {w} wczoraj.")] == []


@pytest.fixture(scope="module")
def nask() -> list[str]:
    try:
        return datasets.nask_forms()
    except datasets.DatasetMissing as exc:
        pytest.skip(f"NASK list not available: {exc}")


def test_recall_on_nask_forms(nask):
    missed = [w for w in nask if not find_vulgar(w)]
    assert 1 - len(missed) / len(nask) >= 0.99, missed[:20]


@pytest.mark.parametrize("kind", list(KINDS))
def test_recall_on_disguised_nask_forms(nask, kind):
    rng = random.Random(7)
    forms = [disguises(w, rng)[kind] for w in nask]
    missed = [f for f in forms if not find_vulgar(f)]
    assert 1 - len(missed) / len(forms) >= 0.95, missed[:20]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_spans_always_point_at_the_word(text):
    for match in find_vulgar(text):
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.word


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(innocent_words()), st.sampled_from(["", "!", "...", " :)", "?!"]), st.booleans())
def test_innocent_words_in_any_case_with_punctuation(word, tail, upper):
    text = (word.upper() if upper else word.capitalize()) + tail
    assert find_vulgar(text) == []
