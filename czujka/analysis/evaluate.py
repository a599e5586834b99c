"""Measuring analysis against labelled JSONL files, and building those files from the public sets.

The eval files are plain JSONL (`{"text": ..., "label": ...}`), so any tool can produce or read them;
`czujka eval datasets` writes czujka's own from ../shared/data without copying the sets into the repo.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from czujka.analysis import datasets
from czujka.analysis.datasets import EvalInputError
from czujka.analysis.disguise import disguises

SENTIMENT_LABELS = ("negative", "neutral", "positive", "mixed")


def read_labelled(path: Path, allowed: tuple[Any, ...]) -> tuple[list[str], list[Any]]:
    texts, labels = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalInputError(f"{path}: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise EvalInputError(f"{path}:{number}: text: missing or not a string")
        if row.get("label") not in allowed:
            raise EvalInputError(
                f"{path}:{number}: label: {row.get('label')!r} is not one of {list(allowed)}"
            )
        texts.append(row["text"])
        labels.append(row["label"])
    if not texts:
        raise EvalInputError(f"{path}: no labelled lines")
    return texts, labels


def timed(predict: Callable[[list[str]], list[Any]], texts: list[str]) -> tuple[list[Any], float]:
    started = time.perf_counter()
    predicted = predict(texts)
    elapsed = time.perf_counter() - started
    return predicted, len(texts) / elapsed if elapsed else float("inf")


def binary_report(labels: list[int], predicted: list[int], per_second: float) -> dict[str, Any]:
    p, r, f, _ = precision_recall_fscore_support(labels, predicted, average="binary", zero_division=0)
    return {
        "f1": round(100 * f, 2),
        "precision": round(100 * p, 2),
        "recall": round(100 * r, 2),
        "accuracy": round(100 * accuracy_score(labels, predicted), 2),
        "n": len(labels),
        "per_second": round(per_second, 1),
    }


def sentiment_report(labels: list[str], predicted: list[str], per_second: float) -> dict[str, Any]:
    per_class = f1_score(labels, predicted, labels=list(SENTIMENT_LABELS), average=None, zero_division=0)
    return {
        "accuracy": round(100 * accuracy_score(labels, predicted), 2),
        "macro_f1": round(100 * f1_score(labels, predicted, average="macro", zero_division=0), 2),
        "per_class_f1": {c: round(100 * f, 2) for c, f in zip(SENTIMENT_LABELS, per_class, strict=True)},
        "n": len(labels),
        "per_second": round(per_second, 1),
    }


def _write(path: Path, rows: list[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def build_eval_sets(out: Path, root: Path | None, innocent: Path, seed: int = 2019) -> dict[str, int]:
    """JSONL eval files from the shared data: what `czujka eval` reads. Nothing is copied into the repo."""
    written: dict[str, int] = {}
    cbd = datasets.cbd(root)
    written["harm-cbd.jsonl"] = _write(
        out / "harm-cbd.jsonl", [{"text": t, "label": y} for t, y in zip(cbd.texts, cbd.labels, strict=True)]
    )
    for name, pair in (
        ("hotels-medicine", ("hotels", "medicine")),
        ("products-school", ("products", "reviews")),
    ):
        dev = datasets.polemo(pair, "dev", "text", root)
        written[f"sentiment-{name}-dev.jsonl"] = _write(
            out / f"sentiment-{name}-dev.jsonl",
            [{"text": t, "label": y} for t, y in zip(dev.texts, dev.labels, strict=True)],
        )
    forms = datasets.nask_forms(root)
    written["vulgar-nask.jsonl"] = _write(out / "vulgar-nask.jsonl", [{"text": w, "label": 1} for w in forms])
    rng = random.Random(seed)
    disguised = [
        {"text": form, "label": 1, "kind": kind} for w in forms for kind, form in disguises(w, rng).items()
    ]
    written["vulgar-disguised.jsonl"] = _write(out / "vulgar-disguised.jsonl", disguised)
    words = [
        w.strip()
        for w in innocent.read_text(encoding="utf-8").splitlines()
        if w.strip() and not w.startswith("#")
    ]
    written["vulgar-innocent.jsonl"] = _write(
        out / "vulgar-innocent.jsonl", [{"text": w, "label": 0} for w in words]
    )
    return written
