"""A coordinated burst: near-identical texts (MinHash, datasketch) from several distinct authors in a
short time, worse when the accounts are new, the ratings one star, or a competitor is named."""

from __future__ import annotations

import re
import zlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Self

from datasketch import MinHash, MinHashLSH

from czujka.analysis.normalize import normalized_text
from czujka.detection.base import Alarm
from czujka.words import joined, phrase

SHINGLE = 4
MAX_CANDIDATES = 200  # enough to see a burst; bounds the work when thousands look alike
SEED = 1
WORD = re.compile(r"[a-z0-9*]+")


@dataclass(frozen=True, slots=True)
class Opinion:
    comment_id: int
    author: str
    at: datetime
    text: str
    new_account: bool = False
    rating: int | None = None
    competitor: bool = False


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> Any:
    return MinHash(num_perm=num_perm, seed=SEED).permutations


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def minhash(text: str, num_perm: int) -> MinHash:
    """Character 4-gram shingles of the folded text; permutations made once, a cheap 32-bit hash."""
    folded = " ".join(WORD.findall(normalized_text(text)))
    sketch = MinHash(
        num_perm=num_perm, seed=SEED, hashfunc=_crc32, permutations=_permutations(num_perm), scheme="affine32"
    )
    sketch.update_batch([folded[i : i + SHINGLE].encode() for i in range(max(1, len(folded) - SHINGLE + 1))])
    return sketch


class CoordinatedDetector:
    """One per profile: keeps the last `window` of opinions in an LSH index and alarms when a cluster of
    similar texts from `min_authors` distinct authors forms."""

    def __init__(
        self,
        window: timedelta = timedelta(minutes=30),
        similarity: float = 0.55,
        min_authors: int = 5,
        num_perm: int = 64,
        min_chars: int = 25,
    ):
        self.window = window
        self.similarity = similarity
        self.min_authors = min_authors
        self.num_perm = num_perm
        self.min_chars = min_chars
        self._reset()

    def _reset(self) -> None:
        # The index finds candidates generously; the sketches then confirm the similarity.
        self.index = MinHashLSH(threshold=max(0.3, self.similarity - 0.15), num_perm=self.num_perm)
        self.items: deque[tuple[Opinion, MinHash]] = deque()
        self.by_key: dict[str, tuple[Opinion, MinHash]] = {}
        self.score = 0.0
        self._alarm: Alarm | None = None

    @property
    def alarm(self) -> Alarm | None:
        return self._alarm

    def update(self, opinion: Opinion) -> Self:
        self._expire(opinion.at)
        self._alarm = None
        self.score = 0.0
        if len(opinion.text) < self.min_chars:
            return self
        sketch = minhash(opinion.text, self.num_perm)
        similar = [
            self.by_key[k][0]
            for k in self.index.query(sketch)[:MAX_CANDIDATES]
            if self.by_key[k][1].jaccard(sketch) >= self.similarity
        ]
        key = str(opinion.comment_id)
        if key not in self.by_key:
            self.index.insert(key, sketch)
            self.items.append((opinion, sketch))
            self.by_key[key] = (opinion, sketch)
        cluster = [*similar, opinion]
        authors = {o.author for o in cluster}
        if len(authors) >= self.min_authors:
            new = sum(o.new_account for o in cluster) / len(cluster)
            low = sum(o.rating is not None and o.rating <= 2 for o in cluster) / len(cluster)
            rival = any(o.competitor for o in cluster)
            self.score = min(
                1.0,
                0.5
                + 0.05 * (len(authors) - self.min_authors)
                + 0.2 * new
                + 0.15 * low
                + (0.15 if rival else 0.0),
            )
            reasons = [
                phrase(
                    "%(opinions)s near-identical opinions from %(authors)s authors",
                    opinions=len(cluster),
                    authors=len(authors),
                )
            ]
            if new >= 0.5:
                reasons.append(phrase("mostly new accounts"))
            if low >= 0.5:
                reasons.append(phrase("one or two stars"))
            if rival:
                reasons.append(phrase("naming a competitor"))
            self._alarm = Alarm(self.score, tuple(sorted(o.comment_id for o in cluster)), joined(reasons))
        return self

    def _expire(self, now: datetime) -> None:
        while self.items and now - self.items[0][0].at > self.window:
            old, _ = self.items.popleft()
            key = str(old.comment_id)
            self.index.remove(key)
            self.by_key.pop(key, None)

    def state(self) -> dict[str, Any]:
        return {
            "opinions": [
                [o.comment_id, o.author, o.at.isoformat(), o.text, o.new_account, o.rating, o.competitor]
                for o, _ in self.items
            ]
        }

    def restore(self, state: dict[str, Any]) -> Self:
        self._reset()
        for cid, author, at, text, new, rating, rival in state["opinions"]:
            opinion = Opinion(cid, author, datetime.fromisoformat(at), text, new, rating, rival)
            sketch = minhash(text, self.num_perm)
            self.index.insert(str(cid), sketch)
            self.items.append((opinion, sketch))
            self.by_key[str(cid)] = (opinion, sketch)
        return self
