"""What is at stake in one comment: harm to health, a child, a hospital, the police, a lawyer or a court,
an authority, the press. Matched on the normalised text (diacritics, case and disguises folded), Polish
and English; each group found raises how severe a red flag is."""

from __future__ import annotations

import re

from czujka.analysis.normalize import normalized_text
from czujka.words import N_, Phrase, phrase

# group: (pattern on normalised text, its words for a reason)
STAKES: dict[str, tuple[re.Pattern[str], str]] = {
    "health": (
        re.compile(
            r"\b(zatru\w*|zatrucie\w*|otru\w*|wymiot\w*|biegunk\w*|salmonell\w*|uczuleni\w*|wstrzas\w*|"
            r"popar\w*|oparzeni\w*|zranil\w*|zranion\w*|uraz\w*|kontuzj\w*|zadlawi\w*|udlawi\w*|zgon\w*|"
            r"umarl\w*|smierc\w*|poisoning|poisoned|food poisoning|vomit\w*|injur\w*|burned|burnt|"
            r"allergic|choked|died|death)\b"
        ),
        N_(N_("harm to health")),
    ),
    "child": (
        re.compile(
            r"\b(dziecko|dziecka|dzieci\w*|dzieck\w*|coreczk\w*|cork\w*|corka|syn|synek|synka|synowi|"
            r"niemowl\w*|noworod\w*|child|children|kid|kids|baby|toddler|daughter|son)\b"
        ),
        N_(N_("a child")),
    ),
    "hospital": (
        re.compile(
            r"\b(szpital\w*|sor|pogotowi\w*|karetk\w*|ratownik\w*|lekarz\w*|hospital\w*|ambulance|"
            r"emergency room|a&e)\b"
        ),
        N_(N_("a hospital or a doctor")),
    ),
    "police": (
        re.compile(r"\b(policj\w*|prokurat\w*|zawiadomieni\w*|police|prosecutor)\b"),
        N_("the police"),
    ),
    "legal": (
        re.compile(
            r"\b(prawnik\w*|adwokat\w*|radc\w* prawn\w*|pozew|pozw\w*|sadu|sadzie|sadem|sadow\w*|kancelari\w*|"
            r"lawyer\w*|attorney|sue|suing|lawsuit|court)\b"
        ),
        N_(N_("a lawyer or a court")),
    ),
    "authority": (
        re.compile(
            r"\b(sanepid\w*|gis|uokik|rzecznik\w* (praw )?konsument\w*|inspekcj\w*|urzad ochrony|"
            r"consumer protection|health inspector\w*|trading standards)\b"
        ),
        N_(N_("an authority")),
    ),
    "press": (
        re.compile(
            r"\b(media|mediow\w*|dziennikar\w*|reporter\w*|telewizj\w*|tvn\w*|polsat\w*|gazet\w*|"
            r"interwencj\w*|uwaga tvn|journalist\w*|press|newspaper\w*|tv station)\b"
        ),
        N_(N_("the press")),
    ),
}


def stakes(text: str) -> list[str]:
    """The groups at stake in the text, in the order of STAKES."""
    folded = f" {normalized_text(text)} "
    return [group for group, (pattern, _) in STAKES.items() if pattern.search(folded)]


def grave(found: list[str]) -> bool:
    """At stake enough for the highest severity: a child harmed or in hospital, or any two of the other
    groups (harm to health and a hospital; the police and a lawyer; an authority and the press …)."""
    have = set(found)
    if "child" in have and have & {"health", "hospital"}:
        return True
    return len(have - {"child"}) >= 2


def in_words(found: list[str]) -> list[Phrase]:
    """The groups' names, said in the reader's language (a list reads as "a, b")."""
    return [phrase(STAKES[g][1]) for g in found]
