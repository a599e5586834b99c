"""Readers of the public labelled sets in `../shared/data` (see each folder's README for licences).

Nothing here downloads: a missing folder raises `DatasetMissing` naming the path, and callers (tests,
`czujka train`, `czujka eval datasets`) skip or stop with that message.
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
POLEMO_LABELS = {"minus_m": "negative", "plus_m": "positive", "zero": "neutral", "amb": "mixed"}
SENTIMENTS = ("negative", "neutral", "positive", "mixed")


class EvalInputError(ValueError):
    """A line of an eval file is not `{"text": str, "label": ...}` with an allowed label. (Here, beside the
    other input errors, so the command line can catch it without loading scikit-learn at start-up.)"""


class DatasetMissing(FileNotFoundError):
    """A public set is not where czujka looks; the message names the path and how to point elsewhere."""


@dataclass
class Labelled:
    texts: list[str]
    labels: list
    name: str
    language: str = "pl"


def data_root(given: Path | None = None) -> Path:
    return given or DEFAULT_DATA


def _need(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissing(f"{path} not found: pass --data DIR pointing at the shared data folder")
    return path


def cbd(root: Path | None = None) -> Labelled:
    """PolEval 2019 Task 6 (CBD), training split: Polish tweets, 1 = harmful."""
    folder = _need(data_root(root) / "poleval2019-cbd" / "task01")
    texts = (folder / "training_set_clean_only_text.txt").read_text(encoding="utf-8").splitlines()
    tags = (folder / "training_set_clean_only_tags.txt").read_text(encoding="utf-8").splitlines()
    pairs = [
        (t.replace("\\n", "\n"), int(y)) for t, y in zip(texts, tags, strict=True) if t.strip() != "#NAME?"
    ]
    return Labelled([t for t, _ in pairs], [y for _, y in pairs], "poleval2019-cbd")


def davidson(root: Path | None = None) -> Labelled:
    """Davidson et al. 2017, English tweets: hate speech or offensive language = 1."""
    path = _need(data_root(root) / "davidson-hate-offensive" / "labeled_data.csv")
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = re.sub(r"^(RT\s+)?(@\w+:?\s*)+", "", html.unescape(row["tweet"])).strip()
            texts.append(text)
            labels.append(1 if row["class"] in ("0", "1") else 0)
    return Labelled(texts, labels, "davidson-hate-offensive", "en")


def polemo(domains: tuple[str, ...], split: str, level: str = "text", root: Path | None = None) -> Labelled:
    """PolEmo 2.0 reviews: negative / neutral / positive / mixed (ambivalent)."""
    texts, labels = [], []
    for domain in domains:
        path = _need(data_root(root) / "polemo2" / f"{domain}.{level}.{split}.txt")
        for line in path.read_text(encoding="utf-8").splitlines():
            text, _, tag = line.rpartition(" ")
            key = tag.removeprefix("__label__").removeprefix("meta_").removeprefix("z_")
            if key in POLEMO_LABELS and text.strip():
                texts.append(_detokenize(text))
                labels.append(POLEMO_LABELS[key])
    return Labelled(texts, labels, f"polemo2-{'+'.join(domains)}-{level}-{split}")


def _detokenize(text: str) -> str:
    return re.sub(r" ([.,!?:;)])", r"\1", text).replace("( ", "(")


def amazon(root: Path | None = None) -> Labelled:
    """UCI sentiment sentences (Amazon part), English: 1 positive, 0 negative."""
    path = _need(data_root(root) / "uci-amazon-sentiment" / "amazon_cells_labelled.txt")
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, _, tag = line.rpartition("\t")
        if tag.strip() in ("0", "1"):
            texts.append(text.strip())
            labels.append("positive" if tag.strip() == "1" else "negative")
    return Labelled(texts, labels, "uci-amazon-sentiment", "en")


def nask_forms(root: Path | None = None) -> list[str]:
    path = _need(data_root(root) / "pl-vulgarisms-nask" / "polish_vulgarisms_extended_2.0.txt")
    return [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
