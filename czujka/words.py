"""Words a person reads, in their language: gettext catalogs under `czujka/locale`, read with Babel.

English is the source language (each message's id); `locale/pl/LC_MESSAGES/czujka.po` holds the Polish, with
Polish plural forms. The catalog is compiled in memory when first used, so nothing has to be built after
a change to the `.po` file. `tests/test_catalogs.py` fails when a message in the code or the templates has
no translation. After adding messages, from the project's root: `pybabel extract -F babel.cfg -k phrase -k
nphrase:1,2 -k N_ -o czujka.pot .`, then `pybabel update -i czujka.pot -d czujka/locale -D czujka --width 110`,
translate the new entries in the `.po` file, and delete `czujka.pot`.

What is said now is translated at once (`gettext`); what is kept and read later — a timeline entry, a
detector's reason — is kept as a `Phrase` (the message id and its values), said in the reader's language
when it is shown, and stored in English beside it for the API and the logs.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("pl", "en")
DOMAIN = "czujka"
LOCALE_DIR = Path(__file__).parent / "locale"
# Extraction keywords beyond gettext's own (`pybabel extract -k ...`, and the catalog test).
KEYWORDS = {"phrase": None, "nphrase": (1, 2), "N_": None}


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """The catalog of `language`; English (the source) and unknown languages say the message ids."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po.is_file():
        return stdlib_gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str, language: str, **values: Any) -> str:
    text = translations(language).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, language: str, **values: Any) -> str:
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def pgettext(context: str, message: str, language: str) -> str:
    return translations(language).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message kept to be said later in the reader's language: its id, its values, and for a counted
    message its plural and the count. A value may itself be a Phrase, or a list of them."""

    msgid: str
    values: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None

    def say(self, language: str) -> str:
        values = {k: _said(v, language) for k, v in self.values.items()}
        if self.plural is not None and self.n is not None:
            return ngettext(self.msgid, self.plural, self.n, language, **values)
        return gettext(self.msgid, language, **values)

    def __str__(self) -> str:
        return self.say("en")

    def dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"msgid": self.msgid}
        if self.values:
            out["values"] = {k: _dumped(v) for k, v in self.values.items()}
        if self.plural is not None:
            out["plural"], out["n"] = self.plural, self.n
        return out

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> Phrase:
        values = {k: _loaded(v) for k, v in (data.get("values") or {}).items()}
        return cls(str(data["msgid"]), values, data.get("plural"), data.get("n"))


@dataclass(frozen=True, slots=True)
class Joined:
    """Phrases said one after another with a separator (the reasons of one alarm)."""

    parts: tuple[Any, ...]
    sep: str = "; "

    def say(self, language: str) -> str:
        return self.sep.join(_said(p, language) for p in self.parts)

    def __str__(self) -> str:
        return self.say("en")


def phrase(msgid: str, **values: Any) -> Phrase:
    return Phrase(msgid, values)


def nphrase(singular: str, plural: str, n: int, **values: Any) -> Phrase:
    return Phrase(singular, values, plural, n)


def joined(parts: list[Any], sep: str = "; ") -> Joined:
    return Joined(tuple(parts), sep)


def say(text: Any, language: str) -> str:
    """A Phrase (or a dumped one, or Joined) in `language`; plain text as it is."""
    return _said(_loaded(text) if isinstance(text, Mapping) else text, language)


def _said(value: Any, language: str) -> Any:
    if isinstance(value, Phrase | Joined):
        return value.say(language)
    if isinstance(value, list | tuple):
        return ", ".join(str(_said(v, language)) for v in value)
    return value


def _dumped(value: Any) -> Any:
    if isinstance(value, Phrase):
        return value.dump()
    if isinstance(value, Joined):
        return {"joined": [_dumped(p) for p in value.parts], "sep": value.sep}
    if isinstance(value, list | tuple):
        return [_dumped(v) for v in value]
    return value


def _loaded(value: Any) -> Any:
    if isinstance(value, Mapping) and "msgid" in value:
        return Phrase.load(value)
    if isinstance(value, Mapping) and "joined" in value:
        return Joined(tuple(_loaded(p) for p in value["joined"]), str(value.get("sep", "; ")))
    if isinstance(value, list):
        return [_loaded(v) for v in value]
    return value


def dumped(text: Phrase | Joined) -> dict[str, Any]:
    return _dumped(text)
