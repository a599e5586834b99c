"""Topic, language, competitors and the linear model's own file format."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from czujka.analysis.classifiers.linear import HashedFeatures, LinearTextModel
from czujka.analysis.competitors import find_competitors
from czujka.analysis.language import detect_language
from czujka.analysis.normalize import normalized_text
from czujka.analysis.topic import stem_votes, vote_topic
from tests.factories import DATA

TOPICS = DATA / "topics.jsonl"


def topic_of(text: str) -> str:
    return vote_topic(stem_votes(normalized_text(text))).topic


def test_topic_set_is_large_and_balanced():
    rows = [json.loads(line) for line in TOPICS.read_text(encoding="utf-8").splitlines()]
    counts = Counter(r["topic"] for r in rows)
    assert len(rows) >= 250 and min(counts.values()) >= 30 and len(counts) == 7
    assert {r["lang"] for r in rows} == {"pl", "en"}


def test_topic_accuracy_on_the_labelled_set():
    rows = [json.loads(line) for line in TOPICS.read_text(encoding="utf-8").splitlines()]
    right = sum(topic_of(r["text"]) == r["topic"] for r in rows)
    assert right / len(rows) >= 0.85


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Po waszym twarożku całe dziecko w szpitalu, zatrucie!", "legal-safety"),
        ("Zgłaszam to do UOKiK i do prawnika", "legal-safety"),
        ("Kurier zgubił moją paczkę", "delivery"),
        ("Pobraliście płatność dwa razy, BLIK", "payment"),
        ("Chcę zwrot pieniędzy i anulowanie zamówienia", "refund"),
        ("Ser spleśniały, termin ważności minął", "product"),
        ("Nikt nie odpowiada na infolinii", "service"),
        ("Ładne zdjęcie!", "other"),
    ],
)
def test_topic_examples(text, topic):
    assert topic_of(text) == topic


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Gdzie moja paczka?", "pl"),
        ("Where is my parcel? It is late.", "en"),
        ("ok", "pl"),
        ("Wo ist mein Paket? Ich warte seit einer Woche.", "other"),
        ("Dzięki", "pl"),
        ("Thanks a lot!", "en"),
    ],
)
def test_language(text, language):
    assert detect_language(text) == language


def test_competitors():
    names = ("Koszyk24", "eko-market.pl")
    assert find_competitors("Lepiej zamawiać w Koszyk24!", names) == ["Koszyk24"]
    assert find_competitors("sprawdźcie https://www.eko-market.pl/promocje", names) == ["eko-market.pl"]
    assert find_competitors("koszyk24.pl ma taniej", names) == ["Koszyk24"]
    assert find_competitors("Mój koszyk jest pełny", names) == []
    assert find_competitors("anything", ()) == []


def test_linear_model_round_trip(tmp_path):
    texts = ["super sklep polecam", "świetna obsługa", "beznadziejna dostawa", "nie polecam, oszuści"] * 10
    labels = [0, 0, 1, 1] * 10
    features = HashedFeatures(char_bits=12, word_bits=12)
    counts = features.counts(texts)
    features.fit_idf(counts)
    fitted = LogisticRegression().fit(features.weigh(counts), labels)
    model = LinearTextModel(
        "t", ["bad"], features, fitted.coef_, fitted.intercept_, 0.5, {"trained": "today"}
    )
    model.save(tmp_path / "m.npz")
    loaded = LinearTextModel.load(tmp_path / "m.npz")
    expected = fitted.predict_proba(features.weigh(features.counts(["nie polecam"])))[:, 1]
    assert np.allclose(loaded.predict_proba(["nie polecam"]), expected, atol=1e-2)
    assert loaded.meta == {"trained": "today"} and loaded.threshold == 0.5
