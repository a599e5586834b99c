"""Vulgarity: the vulgar words of a comment and where they are, also when disguised.

Each token is folded (normalize.fold_variants) and tested against the lexicon's patterns, compiled so
that any letter may be masked (`k*rwa`, `ch#j`, `p***dolić`). A masked match needs at least two real
letters of its own, in a word of at most half masks, so `****` or `f***` alone match nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from czujka.analysis.lexicons.vulgar import ENGLISH, EXCEPTIONS, POLISH
from czujka.analysis.normalize import MASK, Token, fold_variants, tokens

LEXICON_VERSION = "vulgar-1"


@dataclass(frozen=True, slots=True)
class VulgarMatch:
    word: str  # as written in the comment
    start: int
    end: int
    entry: str  # the lexicon entry it matched, e.g. "kurwa"
    language: str


def mask_tolerant(pattern: str) -> str:
    """Let every literal letter of `pattern` also be a mask; lookaheads stay literal."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if not in_class and pattern.startswith("(?!", i):
            depth, j = 0, i
            while j < len(pattern):
                depth += pattern[j] == "("
                depth -= pattern[j] == ")"
                j += 1
                if depth == 0:
                    break
            out.append(pattern[i:j])
            i = j
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append("[" + re.escape(MASK))
        elif ch == "]" and in_class:
            in_class = False
            out.append("]")
        elif ch.isalpha() and not in_class and pattern[i - 2 : i] != "(?":
            out.append(f"[{ch}{re.escape(MASK)}]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    language: str
    plain: re.Pattern[str]
    masked: re.Pattern[str]


def _compile() -> list[_Entry]:
    entries = []
    for language, table in (("pl", POLISH), ("en", ENGLISH)):
        for name, pattern in table:
            entries.append(_Entry(name, language, re.compile(pattern), re.compile(mask_tolerant(pattern))))
    return entries


ENTRIES = _compile()
EXCEPTION_SET = frozenset(EXCEPTIONS)
QUICK = re.compile("|".join(f"(?:{p})" for _, p in POLISH + ENGLISH))


@lru_cache(maxsize=65536)
def match_word(word: str) -> tuple[str, str] | None:
    """(entry, language) when the word is vulgar, else None."""
    for folded in fold_variants(word):
        if folded in EXCEPTION_SET or len(folded) < 3:
            continue
        if MASK not in folded:
            if not QUICK.search(folded):
                continue
            for entry in ENTRIES:
                if entry.plain.search(folded):
                    return entry.name, entry.language
            continue
        if not _plausible(folded):
            continue
        for entry in ENTRIES:
            found = entry.masked.search(folded)
            if found and len(found.group()) - found.group().count(MASK) >= 2:
                return entry.name, entry.language
    return None


def _plausible(folded: str) -> bool:
    masks = folded.count(MASK)
    return len(folded) - masks >= 2 and masks * 2 <= len(folded)


def find_vulgar(text: str, found_tokens: list[Token] | None = None) -> list[VulgarMatch]:
    """Every vulgar word with its span; overlapping finds keep the longest. Pass the text's tokens when
    they are at hand already."""
    found: list[VulgarMatch] = []
    candidates = tokens(text) if found_tokens is None else found_tokens
    for token in sorted(candidates, key=lambda t: (t.start, -(t.end - t.start))):
        if found and token.start < found[-1].end:
            continue
        hit = match_word(token.form)
        if hit:
            found.append(VulgarMatch(token.text, token.start, token.end, hit[0], hit[1]))
    return found
