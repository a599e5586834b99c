"""The fast tier: hashed character and word n-grams, TF-IDF weighted, into a linear model.

Hashing needs no vocabulary, so a model is just arrays (IDF weights, coefficients) saved as `.npz` with a
JSON header — small, quick to load, and nothing is unpickled.
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from czujka.analysis.normalize import normalized_text

FNV_OFFSET = np.uint64(1469598103934665603)
FNV_PRIME = np.uint64(1099511628211)
WORD = re.compile(r"[^\W_]+|[*]")


@dataclass
class HashedFeatures:
    """Character 2–5-grams of the normalised text (spaces included, so word edges count) and word
    1–2-grams, hashed into `char_bits` + `word_bits` columns.

    The character n-grams are hashed with numpy over the whole batch at once (FNV-1a on code points):
    scikit-learn's HashingVectorizer builds every n-gram as a Python string, which alone would take most
    of the fast tier's budget of 200 µs a comment.
    """

    char_bits: int = 18
    word_bits: int = 18
    idf: np.ndarray | None = None

    @property
    def size(self) -> int:
        return 2**self.char_bits + 2**self.word_bits

    def counts(self, texts: list[str], *, normalized: bool = False) -> sp.csr_matrix:
        docs = texts if normalized else [normalized_text(t) for t in texts]
        rows, cols = self._char_ngrams(docs)
        word_rows, word_cols = self._word_ngrams(docs)
        matrix = sp.csr_matrix(
            (
                np.ones(len(rows) + len(word_rows), dtype=np.float32),
                (np.concatenate([rows, word_rows]), np.concatenate([cols, word_cols])),
            ),
            shape=(len(docs), self.size),
        )
        matrix.sum_duplicates()
        matrix.data = np.log1p(matrix.data)  # sublinear term frequency
        return matrix

    def _char_ngrams(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        joined = "\x00".join(f" {d} " for d in docs)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        separator = codes == 0
        doc = np.cumsum(separator)
        mask = np.uint64(2**self.char_bits - 1)
        rows, cols = [], []
        for n in range(2, 6):
            length = len(codes) - n + 1
            if length <= 0:
                continue
            hashed = np.full(length, FNV_OFFSET ^ np.uint64(n))
            valid = np.ones(length, dtype=bool)
            for k in range(n):
                hashed = (hashed ^ codes[k : k + length]) * FNV_PRIME
                valid &= ~separator[k : k + length]
            rows.append(doc[:length][valid])
            cols.append(((hashed[valid] >> np.uint64(24)) & mask).astype(np.int64))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows).astype(np.int64), np.concatenate(cols)

    def _word_ngrams(self, docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        rows: list[int] = []
        cols: list[int] = []
        offset, mask = 2**self.char_bits, 2**self.word_bits - 1
        for i, doc in enumerate(docs):
            words = WORD.findall(doc)
            grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            rows.extend([i] * len(grams))
            cols.extend(offset + (zlib.crc32(g.encode()) & mask) for g in grams)
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)

    def fit_idf(self, counts: sp.csr_matrix) -> None:
        df = np.bincount(counts.indices, minlength=self.size)
        self.idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        assert self.idf is not None, "fit_idf first"
        weighted = counts.copy()
        weighted.data *= self.idf[weighted.indices]
        return normalize(weighted, copy=False)

    def transform(self, texts: list[str], *, normalized: bool = False) -> sp.csr_matrix:
        return self.weigh(self.counts(texts, normalized=normalized))

    def folded(self, counts: sp.csr_matrix, char_bits: int, word_bits: int) -> sp.csr_matrix:
        """The same counts hashed down to fewer columns (for small models such as the topic one)."""
        indices = counts.indices.astype(np.int64)
        is_word = indices >= 2**self.char_bits
        new = np.where(
            is_word, 2**char_bits + ((indices - 2**self.char_bits) % 2**word_bits), indices % 2**char_bits
        )
        matrix = sp.csr_matrix(
            (counts.data, new, counts.indptr), shape=(counts.shape[0], 2**char_bits + 2**word_bits)
        )
        matrix.sum_duplicates()
        return matrix


@dataclass
class LinearTextModel:
    """Hashed TF-IDF features into logistic regression weights; classes in `classes` order."""

    name: str
    classes: list[str]
    features: HashedFeatures
    coef: np.ndarray  # (n_classes or 1, n_features)
    intercept: np.ndarray
    threshold: float = 0.5  # for binary models: probability from which the positive class is given
    meta: dict[str, Any] = field(default_factory=dict)

    def decision(self, matrix: sp.csr_matrix) -> np.ndarray:
        return np.asarray(matrix @ self.coef.T.astype(np.float32)) + self.intercept

    def predict_proba(self, texts: list[str], *, normalized: bool = False) -> np.ndarray:
        """Binary: P(positive class) per text; multi-class: one row of probabilities per text."""
        scores = self.decision(self.features.transform(texts, normalized=normalized))
        if scores.shape[1] == 1:
            return 1 / (1 + np.exp(-scores[:, 0]))
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        header = {
            "name": self.name,
            "classes": self.classes,
            "threshold": self.threshold,
            "char_bits": self.features.char_bits,
            "word_bits": self.features.word_bits,
            "meta": self.meta,
        }
        np.savez_compressed(
            path,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            idf=self.features.idf.astype(np.float16),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            features = HashedFeatures(char_bits=header["char_bits"], word_bits=header["word_bits"])
            features.idf = data["idf"].astype(np.float32)
            return cls(
                name=header["name"],
                classes=header["classes"],
                features=features,
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"],
                threshold=header["threshold"],
                meta=header["meta"],
            )
