"""Disguised forms of words as people write them to slip past filters: masks, separators, leetspeak,
repeated letters, look-alike letters, no diacritics. Used to build the vulgarity evaluation set."""

from __future__ import annotations

import random

from czujka.analysis.normalize import DIACRITICS

LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7"}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "k": "к"}
VOWELS = "aeiouyąęó"


def masked(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("*#") + word[i + 1 :]


def separated(word: str, rng: random.Random) -> str:
    return rng.choice([".", " ", "-", "_"]).join(word)


def leet(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c in LEET]
    if not spots:
        return word
    chosen = set(rng.sample(spots, k=max(1, len(spots) // 2)))
    return "".join(rng.choice(LEET[c]) if i in chosen else c for i, c in enumerate(word))


def repeated(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c in VOWELS] or [len(word) - 1]
    i = rng.choice(spots)
    return word[: i + 1] + word[i] * rng.randrange(2, 6) + word[i + 1 :]


def lookalike(word: str, rng: random.Random) -> str:
    return "".join(CYRILLIC.get(c, c) if rng.random() < 0.5 else c for c in word)


def shouted(word: str, rng: random.Random) -> str:
    return word.translate(DIACRITICS).upper()


KINDS = {
    "mask": masked,
    "separators": separated,
    "leet": leet,
    "repeats": repeated,
    "lookalike": lookalike,
    "no_diacritics": shouted,
}


def disguises(word: str, rng: random.Random) -> dict[str, str]:
    """One disguised form of `word` per kind."""
    return {kind: make(word, rng) for kind, make in KINDS.items()}
