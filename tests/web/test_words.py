"""Counted words and time spans through Babel: Polish plural forms, and durations as people say them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from czujka.web.i18n import LANGUAGE, timespan
from czujka.web.templating import TEMPLATES


@pytest.mark.parametrize(
    ("n", "language", "words"),
    [
        (1, "pl", "1 komentarz"),
        (3, "pl", "3 komentarze"),
        (5, "pl", "5 komentarzy"),
        (12, "pl", "12 komentarzy"),
        (22, "pl", "22 komentarze"),
        (0, "pl", "0 komentarzy"),
        (1, "en", "1 comment"),
        (3, "en", "3 comments"),
    ],
)
def test_counted_comments(n, language, words):
    """As the incident lists say it: Jinja2's ngettext through the page language's catalog."""
    token = LANGUAGE.set(language)
    try:
        said = TEMPLATES.env.from_string('{{ ngettext("%(num)d comment", "%(num)d comments", n) }}').render(
            n=n
        )
    finally:
        LANGUAGE.reset(token)
    assert said == words


@pytest.mark.parametrize(
    ("minutes", "language", "words"),
    [(12, "pl", "12 minut"), (5682, "pl", "4 dni"), (200, "en", "3 hours"), (1, "pl", "1 minuta")],
)
def test_timespan(minutes, language, words):
    assert timespan(timedelta(minutes=minutes), language) == words


def test_actors_are_names_not_identifiers(tmp_path):
    from czujka.config import load_settings
    from czujka.web.dashboard import actor_name

    settings = load_settings(
        None, data_dir=tmp_path, people=[{"id": "kasia", "name": "Katarzyna Wiśniewska", "channels": []}]
    )
    assert [
        actor_name(settings, a)
        for a in (
            "person:kasia",
            "user:ania",
            "detector:quarrel",
            "czujka",
            "rule:weekend",
            "token:ops",
            "cli:root",
        )
    ] == ["Katarzyna Wiśniewska", "ania", "czujka", "czujka", "czujka (weekend)", "ops (API)", "root (CLI)"]
