"""Competitor mentions and links, from each profile's configured names and domains."""

from __future__ import annotations

import re
from functools import lru_cache

from czujka.analysis.normalize import strip_diacritics

DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})", re.IGNORECASE)


def _fold(text: str) -> str:
    return strip_diacritics(text.lower())


@lru_cache(maxsize=256)
def _mentions_any(competitors: tuple[str, ...]) -> re.Pattern[str]:
    """A quick first look: the part of each name any mention or link contains (eko-market.pl → eko-market)."""
    keys = [_fold(n).rsplit(".", 1)[0] if "." in n else _fold(n) for n in competitors]
    return re.compile("|".join(re.escape(k) for k in keys))


@lru_cache(maxsize=1024)
def _name_pattern(name: str) -> re.Pattern[str]:
    """The name as a word in any case, without diacritics needed, with a short inflected ending
    (Koszyk24, koszyk24-a, Koszyk24u)."""
    return re.compile(rf"(?<![\w.]){re.escape(_fold(name))}(?:[-']?[a-z]{{0,3}})?(?!\w)")


def find_competitors(text: str, competitors: tuple[str, ...]) -> list[str]:
    """The configured competitors the text names or links to, in configuration order."""
    if not competitors:
        return []
    folded = _fold(text)
    if not _mentions_any(competitors).search(folded):
        return []
    domains = [m.group(1) for m in DOMAIN.finditer(folded)] if "." in folded else []
    found = []
    for name in competitors:
        key = _fold(name)
        named = _name_pattern(name).search(folded) is not None
        linked = any(d == key or d.endswith("." + key) or d.split(".")[-2] == key for d in domains)
        if named or linked:
            found.append(name)
    return found
