"""Scores of comments: everything analysis says of one comment, computed in batches.

The fast tier scores every comment. The accurate tier (e5 embeddings) is asked only where it pays off:
comments whose fast harm probability sits in the uncertain band, where a second opinion changes the
answer; the caller sees one harm score and which tier gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np

from czujka.analysis.classifiers.embedding import EmbeddingHead, Encoder
from czujka.analysis.classifiers.linear import LinearTextModel
from czujka.analysis.competitors import find_competitors
from czujka.analysis.language import Language, detect_language
from czujka.analysis.normalize import normalized_text, tokens
from czujka.analysis.topic import TopicGuess, TopicModel, stem_votes, vote_topic
from czujka.analysis.vulgar import LEXICON_VERSION, find_vulgar

MODELS = Path(__file__).parent / "models"
UNCERTAIN = (0.3, 0.75)
Accurate = Literal["never", "auto", "always"]


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    competitors: tuple[str, ...] = ()
    language: Language = "pl"  # the profile's language, for texts too short to tell


@dataclass(slots=True)
class Score:
    language: str
    sentiment: str
    sentiment_confidence: float
    harm: float
    harm_tier: str
    harmful: bool
    vulgar: bool
    vulgar_words: list[dict[str, Any]]
    topic: str
    topic_confidence: float
    competitors: list[str]
    model_version: str
    sentiment_probabilities: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Analyzer:
    """Loads the shipped models once; `score` is safe to call from several threads."""

    def __init__(self, models: Path = MODELS, *, accurate: Accurate = "auto"):
        self.models = models
        self.accurate = accurate

    @cached_property
    def harm(self) -> LinearTextModel:
        return LinearTextModel.load(self.models / "harm_fast.npz")

    @cached_property
    def sentiment(self) -> LinearTextModel:
        return LinearTextModel.load(self.models / "sentiment_fast.npz")

    @cached_property
    def topic(self) -> TopicModel | None:
        path = self.models / "topic_fast.npz"
        return TopicModel.load(path) if path.exists() else None

    @cached_property
    def harm_head(self) -> EmbeddingHead | None:
        path = self.models / "harm_e5.npz"
        return EmbeddingHead.load(path) if path.exists() and Encoder.available() else None

    @cached_property
    def version(self) -> str:
        trained = self.harm.meta.get("trained", "?"), self.sentiment.meta.get("trained", "?")
        topic = self.topic.text.meta.get("trained", "?") if self.topic else "stems"
        return f"harm {trained[0]}; sentiment {trained[1]}; topic {topic}; {LEXICON_VERSION}"

    def load(self) -> Analyzer:
        """Load everything now (at start-up) rather than on the first comment."""
        _ = self.harm, self.sentiment, self.topic, self.harm_head, self.version
        return self

    def score(self, items: Sequence[Item], *, accurate: Accurate | None = None) -> list[Score]:
        if not items:
            return []
        found = [tokens(item.text) for item in items]
        normalized = [normalized_text(item.text, toks) for item, toks in zip(items, found, strict=True)]
        counts = self.harm.features.counts(normalized, normalized=True)
        sentiment = self._sentiment(counts)
        harm_final, tiers, thresholds = self.harm_scores([i.text for i in items], counts, accurate)
        topics = self.topics(normalized, counts)
        scores = []
        for i, item in enumerate(items):
            vulgar = find_vulgar(item.text, found[i])
            guess = topics[i]
            best = int(sentiment[i].argmax())
            scores.append(
                Score(
                    language=detect_language(item.text, item.language),
                    sentiment=self.sentiment.classes[best],
                    sentiment_confidence=round(float(sentiment[i, best]), 3),
                    harm=round(float(harm_final[i]), 4),
                    harm_tier=tiers[i],
                    harmful=bool(harm_final[i] >= thresholds[i]),
                    vulgar=bool(vulgar),
                    vulgar_words=[
                        {"word": m.word, "start": m.start, "end": m.end, "entry": m.entry} for m in vulgar
                    ],
                    topic=guess.topic,
                    topic_confidence=guess.confidence,
                    competitors=find_competitors(item.text, item.competitors),
                    model_version=self.version,
                    sentiment_probabilities={
                        c: round(float(p), 3)
                        for c, p in zip(self.sentiment.classes, sentiment[i], strict=True)
                    },
                )
            )
        return scores

    def harm_scores(
        self, texts: Sequence[str], counts: Any = None, accurate: Accurate | None = None
    ) -> tuple[np.ndarray, list[str], list[float]]:
        """Harm probability, tier and the threshold that applies, per text."""
        if counts is None:
            counts = self.harm.features.counts(list(texts))
        fast = 1 / (1 + np.exp(-self.harm.decision(self.harm.features.weigh(counts))[:, 0]))
        return self._accurate_harm(texts, fast, accurate or self.accurate)

    def topics(self, normalized: list[str], counts: Any = None) -> list[TopicGuess]:
        if self.topic is None:
            return [vote_topic(stem_votes(text)) for text in normalized]
        if counts is None:
            counts = self.harm.features.counts(normalized, normalized=True)
        small = self.topic.text.features
        return self.topic.guess(
            normalized, self.harm.features.folded(counts, small.char_bits, small.word_bits)
        )

    def sentiments(self, texts: Sequence[str]) -> list[str]:
        probs = self._sentiment(self.sentiment.features.counts(list(texts)))
        return [self.sentiment.classes[i] for i in probs.argmax(axis=1)]

    def _sentiment(self, counts: Any) -> np.ndarray:
        scores = self.sentiment.decision(self.sentiment.features.weigh(counts))
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def _accurate_harm(
        self, texts: Sequence[str], fast: np.ndarray, mode: Accurate
    ) -> tuple[np.ndarray, list[str], list[float]]:
        final = fast.copy()
        tiers = ["fast"] * len(texts)
        thresholds = [self.harm.threshold] * len(texts)
        head = self.harm_head if mode != "never" else None
        if head is None:
            return final, tiers, thresholds
        low, high = UNCERTAIN
        chosen = [i for i, p in enumerate(fast) if mode == "always" or low <= p <= high]
        if not chosen:
            return final, tiers, thresholds
        embeddings = Encoder.encode([texts[i] for i in chosen])
        second = head.predict_proba(embeddings)
        for j, i in enumerate(chosen):
            final[i] = head.blend * second[j] + (1 - head.blend) * fast[i]
            tiers[i] = "accurate"
            thresholds[i] = head.threshold
        return final, tiers, thresholds
