"""Text normalisation for matching: case, Unicode, look-alike letters, leetspeak, masks, separators,
repeated letters and missing Polish diacritics.

Matching happens on a *folded* form of each token (lower case, ASCII letters, no repeats) while every
token keeps its span in the original text, so a match can be shown to people exactly where it was.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

MASK = "*"
MASK_CHARS = "*#%_?"
DIACRITICS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
# Cyrillic and Greek letters that look like Latin ones.
SHAPES = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "к": "k",
    "м": "m",
    "т": "t",
    "н": "h",
    "в": "b",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "α": "a",
    "ο": "o",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
}
# The same Cyrillic letters read as sounds, for words transliterated rather than disguised (курва).
SOUNDS = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "jo",
    "ж": "z",
    "з": "z",
    "и": "i",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "c",
    "ч": "cz",
    "ш": "sz",
    "щ": "szcz",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "ju",
    "я": "ja",
}
# Digits and symbols standing in for letters; each may also hide a letter it does not resemble (ch0j).
LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "€": "e",
    "£": "l",
    "¢": "c",
    "|": "l",
    "!": "i",
}
AS_SHAPES = str.maketrans(SHAPES | LEET)
AS_SOUNDS = str.maketrans(SOUNDS | LEET)
LEET_AS_MASK = str.maketrans(dict.fromkeys(LEET, MASK))
MASKS = str.maketrans({c: MASK for c in MASK_CHARS})
WORD = r"[^\W_]|[*#%@$€!|]"
# A word may hold stand-ins (sh!t, kurw@) but does not end in ! or | (Jebel! is Jebel).
WORD_CHARS = r"[\w*#%@$€!|]"  # one class (underscore included: it masks a letter, k_rwa), for speed
TOKEN_RE = re.compile(rf"{WORD_CHARS}+(?:[.\-'’]{WORD_CHARS}+)*(?<![!|])")
# Letters written apart: k u r w a, k.u.r.w.a, k-u-r-w-a, k_u_r_w_a (at least three of them).
SPACED_RE = re.compile(
    rf"(?<![^\W_])(?:{WORD})(?P<sep>[ .\-_/]{{1,2}})(?:(?:{WORD})(?P=sep)){{1,}}(?:{WORD})(?![^\W_])"
)
SPACED_SEPARATORS_RE = re.compile(r"[ .\-_/]")
REPEATS_RE = re.compile(r"([a-z])\1+")
SEPARATORS_RE = re.compile(r"[.\-_'’ /]")


class Token(NamedTuple):
    text: str  # as written
    start: int
    end: int
    form: str  # what is folded: the text, or letters written apart joined up
    folded: str  # the matching form


def unicode_clean(text: str) -> str:
    """NFKC folds full-width and styled letters (𝐤𝐮𝐫𝐰𝐚) to plain ones; format characters go."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _finish(text: str) -> str:
    text = SEPARATORS_RE.sub("", text.translate(DIACRITICS)).replace("q", "ku")
    return REPEATS_RE.sub(r"\1", text)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """The matching form of one word: lower case, look-alikes and leetspeak mapped, diacritics removed,
    masks as '*', separators removed, repeated letters collapsed. `q` reads as `ku` (qrwa)."""
    base = unicodedata.normalize("NFKC", word).casefold().translate(MASKS)
    return _finish(base.translate(AS_SHAPES))


@lru_cache(maxsize=65536)
def fold_variants(word: str) -> tuple[str, ...]:
    """`fold` plus the other readings of a disguised word: stand-ins as masks, Cyrillic as sounds."""
    base = unicodedata.normalize("NFKC", word).casefold().translate(MASKS)
    variants = [_finish(base.translate(AS_SHAPES))]
    if any(c in LEET for c in base):
        variants.append(_finish(base.translate(LEET_AS_MASK).translate(AS_SHAPES)))
    if any(c in SOUNDS for c in base):
        variants.append(_finish(base.translate(AS_SOUNDS)))
    return tuple(dict.fromkeys(variants))


def strip_diacritics(text: str) -> str:
    return text.translate(DIACRITICS)


def tokens(text: str) -> list[Token]:
    """Word tokens with spans, plus joined tokens for letters written apart."""
    found = [Token(w := m.group(), m.start(), m.end(), w, fold(w)) for m in TOKEN_RE.finditer(text)]
    spaced = list(SPACED_RE.finditer(text))
    if spaced:
        spans = {(t.start, t.end): i for i, t in enumerate(found)}
        for m in spaced:
            form = SPACED_SEPARATORS_RE.sub("", m.group())
            token = Token(m.group(), m.start(), m.end(), form, fold(form))
            if (m.start(), m.end()) in spans:
                found[spans[(m.start(), m.end())]] = token
            else:
                found.append(token)
    return found


def normalized_text(text: str, found: list[Token] | None = None) -> str:
    """The whole comment in matching form (for classifiers): words folded, spacing kept simple."""
    return " ".join(t.folded for t in (tokens(text) if found is None else found))
