"""The reply check's small model: is this draft's tone risky, and for which reason.

Two linear models on the hashed character and word n-grams analysis already uses (so it reads "kłamie" and
"klamie" alike): one says risky or good, the other which tone reason (argues, defensive, defers, curt,
promises) a risky draft has. Both are trained from `data/replies.jsonl` alone by `czujka reply train`, and
measured by `czujka reply eval` with the model refitted inside every fold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from czujka.analysis.classifiers.linear import HashedFeatures, LinearTextModel
from czujka.analysis.normalize import normalized_text

DATA = Path(__file__).parent / "data"
REPLIES = DATA / "replies.jsonl"
HOLDOUT = DATA / "replies_holdout.jsonl"
MODELS = Path(__file__).parent / "models"
RISKY_MODEL, REASON_MODEL = "reply_risky.npz", "reply_reason.npz"
TONE = ("argues", "defensive", "defers", "curt", "promises")  # what the model may name; the rest is rules
THRESHOLD = 0.6
CHAR_BITS = WORD_BITS = 14
SEED = 16
CODES = ("argues", "defensive", "defers", "curt", "shouts", "personal_data", "promises")


class LabelledSetError(ValueError):
    """A labelled line that cannot be used; the message names the file, the line and the field."""


@dataclass(frozen=True, slots=True)
class Labelled:
    text: str
    lang: str
    reasons: tuple[str, ...]

    @property
    def risky(self) -> bool:
        return bool(self.reasons)


def read_labelled(path: Path) -> list[Labelled]:
    """The labelled replies; a line that is not one is an error naming the line, since a set with a bad
    line would measure something else than it says."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise LabelledSetError(f"{path}:{number}: not JSON ({exc})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise LabelledSetError(f"{path}:{number}: needs a non-empty string 'text'")
        reasons = item.get("reasons", [])
        if not isinstance(reasons, list) or any(r not in CODES for r in reasons):
            raise LabelledSetError(f"{path}:{number}: 'reasons' must be a list of {', '.join(CODES)}")
        if "risky" in item and bool(item["risky"]) != bool(reasons):
            raise LabelledSetError(f"{path}:{number}: 'risky' disagrees with 'reasons'")
        lang = item.get("lang", "pl")
        if lang not in ("pl", "en"):
            raise LabelledSetError(f"{path}:{number}: 'lang' must be pl or en")
        rows.append(Labelled(item["text"], lang, tuple(reasons)))
    return rows


def _primary_tone(reasons: Sequence[str]) -> str | None:
    return next((r for r in reasons if r in TONE), None)


@dataclass
class ToneModel:
    """P(risky) and the most likely tone reason of each draft."""

    risky: LinearTextModel
    reason: LinearTextModel

    @classmethod
    def load(cls, folder: Path = MODELS) -> ToneModel:
        return cls(LinearTextModel.load(folder / RISKY_MODEL), LinearTextModel.load(folder / REASON_MODEL))

    def predict(self, texts: list[str]) -> list[tuple[float, str]]:
        docs = [normalized_text(t) for t in texts]
        matrix = self.risky.features.transform(docs, normalized=True)
        scores = self.risky.decision(matrix)[:, 0]
        probs = 1 / (1 + np.exp(-scores))
        reason_scores = self.reason.decision(self.reason.features.transform(docs, normalized=True))
        reasons = [self.reason.classes[i] for i in reason_scores.argmax(axis=1)]
        return list(zip(probs.tolist(), reasons, strict=True))

    @property
    def threshold(self) -> float:
        return self.risky.threshold


def fit(rows: Sequence[Labelled], *, c: float = 4.0) -> ToneModel:
    """Both models on `rows`; classes are weighted so the larger side does not decide alone."""
    docs = [normalized_text(r.text) for r in rows]
    features = HashedFeatures(char_bits=CHAR_BITS, word_bits=WORD_BITS)
    counts = features.counts(docs, normalized=True)
    features.fit_idf(counts)
    matrix = features.weigh(counts)
    labels = np.array([r.risky for r in rows], dtype=int)
    risky = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(matrix, labels)
    tones = [_primary_tone(r.reasons) for r in rows]
    keep = np.array([t is not None for t in tones])
    reason = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(
        matrix[keep], np.array([t for t in tones if t is not None])
    )
    return ToneModel(
        LinearTextModel("reply_risky", ["good", "risky"], features, risky.coef_, risky.intercept_, THRESHOLD),
        LinearTextModel(
            "reply_reason", [str(c) for c in reason.classes_], features, reason.coef_, reason.intercept_
        ),
    )


def cross_validated(
    rows: Sequence[Labelled],
    judge: Callable[[ToneModel, list[str], list[str]], list[bool]],
    *,
    folds: int = 5,
) -> list[bool]:
    """Each row's verdict from a model that never saw it: stratified by language and label."""
    strata = [f"{r.lang}-{r.risky}" for r in rows]
    verdicts: list[bool] = [False] * len(rows)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train, test in splitter.split(np.zeros(len(rows)), strata):
        model = fit([rows[i] for i in train])
        got = judge(model, [rows[i].text for i in test], [rows[i].lang for i in test])
        for i, verdict in zip(test, got, strict=True):
            verdicts[i] = verdict
    return verdicts


def save(model: ToneModel, folder: Path, metrics: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for part in (model.risky, model.reason):
        part.meta = {
            "trained": datetime.now(UTC).date().isoformat(),
            "data": REPLIES.name,
            "metrics": metrics,
        }
    model.risky.save(folder / RISKY_MODEL)
    model.reason.save(folder / REASON_MODEL)
