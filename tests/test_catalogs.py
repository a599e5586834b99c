"""Every message a person reads has its Polish translation, with matching placeholders and all plural forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from czujka.words import DOMAIN, KEYWORDS, LOCALE_DIR, Phrase, gettext, ngettext, nphrase, phrase, say

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.sqlite_only


def _extracted() -> dict[tuple[str | None, str], list[str]]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, **KEYWORDS}
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def _catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=language)


def test_every_message_in_the_code_and_templates_is_translated():
    found = _extracted()
    assert len(found) > 300, "extraction found too little: is babel.cfg right?"
    catalog = _catalog("pl")
    missing = []
    for (context, msgid), where in sorted(found.items(), key=lambda kv: kv[1][0]):
        message = catalog.get(msgid, context=context)
        strings = message.string if message is not None else None
        if isinstance(strings, str):
            strings = (strings,)
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(f"{where[0]}: {msgid!r}")
    assert not missing, "untranslated (add them to czujka/locale/pl/LC_MESSAGES/czujka.po):\n" + "\n".join(
        missing
    )


def test_the_catalog_holds_no_message_the_code_no_longer_says():
    found = _extracted()
    stale = [
        m.id
        for m in _catalog("pl")
        if m.id and ((m.context, m.id if isinstance(m.id, str) else m.id[0]) not in found)
    ]
    assert not stale, f"obsolete messages in the Polish catalog: {stale}"


def test_translations_keep_the_placeholders_and_the_plural_forms():
    catalog = _catalog("pl")
    problems = [f"{m.id!r}: {errors}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems)
    assert catalog.num_plurals == 3


@pytest.mark.parametrize(
    ("n", "pl"),
    [
        (1, "1 komentarz"),
        (2, "2 komentarze"),
        (5, "5 komentarzy"),
        (22, "22 komentarze"),
        (112, "112 komentarzy"),
    ],
)
def test_polish_plural_forms(n, pl):
    assert ngettext("%(num)d comment", "%(num)d comments", n, "pl") == pl
    assert ngettext("%(num)d comment", "%(num)d comments", n, "en") == f"{n} comment{'s' if n != 1 else ''}"


def test_a_kept_phrase_is_said_in_the_readers_language_and_survives_json():
    said = phrase(
        "%(first)s and %(second)s", first=phrase("legal or safety matter"), second=phrase("a threat")
    )
    kept = Phrase.load(said.dump())
    assert kept == said
    assert str(kept) == "legal or safety matter and a threat"
    assert say(said.dump(), "pl") == "sprawa prawna lub bezpieczeństwa i groźba"
    assert say("a note someone wrote", "pl") == "a note someone wrote"
    assert nphrase("%(num)d comment", "%(num)d comments", 3).say("pl") == "3 komentarze"


def test_unknown_languages_and_messages_fall_back_to_english():
    assert gettext("Sign out", "de") == "Sign out"
    assert gettext("a message nobody translated", "pl") == "a message nobody translated"
