"""Topic of a complaint, to route it to the right expert: stems (lexicons/topics.py) vote, and a small
linear model trained on czujka's own labelled comments breaks ties and catches what no stem names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from czujka.analysis.classifiers.linear import LinearTextModel
from czujka.analysis.lexicons.topics import PRIORITY, STEMS, TOPICS
from czujka.analysis.normalize import fold

MIN_VOTE = 1.5
# Stems folded like the text they meet (press → pres, glass → glas).
FOLDED_STEMS = {topic: {fold(stem): w for stem, w in stems.items()} for topic, stems in STEMS.items()}
# One pattern for all topics: a stem at the start of a word, longest stems tried first.
STEM_TOPICS: dict[str, list[tuple[str, float]]] = {}
for _topic, _stems in FOLDED_STEMS.items():
    for _stem, _weight in _stems.items():
        STEM_TOPICS.setdefault(_stem, []).append((_topic, _weight))
PATTERN = re.compile(
    r"(?<![a-z0-9])(" + "|".join(sorted(map(re.escape, STEM_TOPICS), key=len, reverse=True)) + ")"
)


@dataclass(frozen=True, slots=True)
class TopicGuess:
    topic: str
    confidence: float
    votes: dict[str, float]


def stem_votes(folded_text: str) -> dict[str, float]:
    """Summed weights of the stems that start a word of the (folded) text, per topic."""
    votes: dict[str, float] = {}
    for match in PATTERN.finditer(folded_text):
        for topic, weight in STEM_TOPICS[match.group(1)]:
            votes[topic] = votes.get(topic, 0.0) + weight
    return votes


def vote_topic(votes: dict[str, float]) -> TopicGuess:
    if not votes or max(votes.values()) < MIN_VOTE:
        return TopicGuess("other", 0.5, votes)
    top = max(votes.values())
    leaders = [t for t in PRIORITY if votes.get(t) == top]
    topic = leaders[0]
    confidence = top / (sum(votes.values()) or 1.0)
    return TopicGuess(topic, round(float(confidence), 3), votes)


def vote_features(votes: dict[str, float]) -> np.ndarray:
    return np.array([votes.get(t, 0.0) for t in TOPICS[:-1]], dtype=np.float32)


@dataclass
class TopicModel:
    """Logistic regression over hashed words and the stem votes, trained on czujka's labelled comments
    (tests/data/topics.jsonl) by `czujka train`; the votes carry the lexicon, the words the rest."""

    text: LinearTextModel
    vote_weight: float

    @property
    def vote_coef(self) -> np.ndarray:
        return np.asarray(self.text.meta["vote_coef"], dtype=np.float32)

    def guess(self, folded_texts: list[str], counts: Any = None) -> list[TopicGuess]:
        """`counts`: the texts' hashed counts at this model's width (HashedFeatures.folded)."""
        if counts is None:
            counts = self.text.features.counts(folded_texts, normalized=True)
        votes = [stem_votes(t) for t in folded_texts]
        scores = self.text.decision(self.text.features.weigh(counts))
        scores += self.vote_weight * np.stack([vote_features(v) for v in votes]) @ self.vote_coef.T
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        return [
            TopicGuess(self.text.classes[b], round(float(probs[i, b]), 3), votes[i])
            for i, b in enumerate(best)
        ]

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        model = LinearTextModel.load(path)
        return cls(model, float(model.meta["vote_weight"]))
