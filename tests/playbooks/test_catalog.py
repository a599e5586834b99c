"""Which playbook an incident gets, the shop's own replacing the defaults (in czujka.toml or playbooks/),
problems named with their file and key, and templates filled in with a concrete time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from czujka.config import ConfigError, load_settings
from czujka.playbooks.catalog import Filling, catalog, choose, default_playbooks, fill, reply_by

SETTINGS = load_settings(None)


@pytest.mark.parametrize(
    ("kind", "topic", "playbook"),
    [
        ("negative_surge", "delivery", "delivery"),  # a surge's topic says more than its kind
        ("negative_surge", "payment", "negative-surge"),
        ("negative_surge", None, "negative-surge"),
        ("quarrel", "delivery", "quarrel"),  # a quarrel is handled as a quarrel whatever it is about
        ("coordinated", "product", "coordinated-attack"),
        ("harm_surge", None, "vulgar-attack"),
        ("red_flag", "legal-safety", "legal-safety"),
        ("quarrel", "legal-safety", "legal-safety"),  # safety first
        ("volume_surge", None, "general"),
        ("keyword", "other", "general"),
    ],
)
def test_each_incident_gets_the_playbook_that_fits(kind, topic, playbook):
    assert choose(SETTINGS, kind, topic).id == playbook


def test_defaults_cover_the_six_crises_in_polish_and_english():
    shipped = {p.id: p for p in default_playbooks()}
    for name in (
        "delivery",
        "vulgar-attack",
        "quarrel",
        "coordinated-attack",
        "legal-safety",
        "negative-surge",
    ):
        playbook = shipped[name]
        assert len(playbook.first.pl) >= 3 and len(playbook.first.en) == len(playbook.first.pl)
        assert playbook.avoid.pl and playbook.avoid.en
        assert {t.language for t in playbook.templates} == {"pl", "en"}


def test_shop_playbooks_in_the_file_and_beside_it_replace_the_defaults(tmp_path):
    (tmp_path / "czujka.toml").write_text(
        """
[[playbooks]]
id = "delivery"
topic = "delivery"
title = "Dostawa (nasza wersja)"
first = ["Zadzwoń do magazynu: 600 000 000."]
""",
        encoding="utf-8",
    )
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "quarrel.toml").write_text(
        """
[[playbooks]]
id = "our-quarrel"
kind = "quarrel"
title = { pl = "Kłótnia", en = "Quarrel" }
reply_within_minutes = 30
  [[playbooks.templates]]
  id = "calm"
  language = "pl"
  name = "Spokojnie"
  text = "Dzień dobry {author}, odpowiem {by}. {responder}"
""",
        encoding="utf-8",
    )
    settings = load_settings(tmp_path / "czujka.toml")
    assert choose(settings, "negative_surge", "delivery").first.pl == ["Zadzwoń do magazynu: 600 000 000."]
    ours = choose(settings, "quarrel", None)
    assert ours.id == "our-quarrel" and ours.title.en == "Quarrel"
    assert "quarrel" not in {p.id for p in catalog(settings)}  # same kind and topic: the default is gone
    assert choose(settings, "coordinated", None).id == "coordinated-attack"


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ('id = "x"\ntitle = "T"\nkind = "riot"', "playbooks[0].kind", "unknown kind 'riot'"),
        ('id = "x"\ntitle = "T"\ntopic = "weather"', "playbooks[0].topic", "unknown topic 'weather'"),
        (
            'id = "x"\ntitle = "T"\n[[playbooks.templates]]\nid = "a"\nlanguage = "pl"\nname = "A"\ntext = "Hej {imie}"',
            "playbooks[0].templates[0].text",
            "unknown placeholder {imie}",
        ),
        ('id = "x"\ntitle = "T"\nreply_within_minutes = 0', "playbooks[0].reply_within_minutes", "greater"),
    ],
)
def test_a_bad_playbook_file_is_named_with_its_key(tmp_path, body, where, words):
    (tmp_path / "czujka.toml").write_text("", encoding="utf-8")
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "ours.toml").write_text("[[playbooks]]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "czujka.toml")
    assert caught.value.source.endswith("ours.toml")
    assert any(w == where and words in reason for w, reason in caught.value.problems), caught.value.problems


def test_a_playbook_file_holds_only_playbooks(tmp_path):
    (tmp_path / "czujka.toml").write_text("", encoding="utf-8")
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "x.toml").write_text("[service]\nport = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="only"):
        load_settings(tmp_path / "czujka.toml")


def test_two_playbooks_with_one_id_and_an_unknown_lead_are_refused(tmp_path):
    (tmp_path / "czujka.toml").write_text(
        '[[playbooks]]\nid = "a"\ntitle = "A"\n[[playbooks]]\nid = "a"\ntitle = "B"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(tmp_path / "czujka.toml")
    (tmp_path / "czujka.toml").write_text(
        '[[profiles]]\nid = "p"\nname = "P"\nplatform = "facebook"\nplatform_id = "1"\n'
        'approval = { leads = ["person:nobody"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="no person 'nobody'"):
        load_settings(tmp_path / "czujka.toml")


@pytest.mark.parametrize(
    ("now", "minutes", "pl", "en"),
    [
        ("2026-11-28T12:07:00+00:00", 90, "dziś do 14:45", "today by 2:45 pm"),  # Warsaw is UTC+1
        ("2026-11-28T20:10:00+00:00", 90, "jutro do 9:00", "tomorrow by 9:00 am"),  # not in the night
        ("2026-11-29T01:00:00+00:00", 60, "dziś do 9:00", "today by 9:00 am"),
        ("2026-11-27T12:00:00+00:00", 3 * 24 * 60, "w poniedziałek do 13:00", "on Monday by 1:00 pm"),
    ],
)
def test_by_is_a_concrete_time_never_in_the_night(now, minutes, pl, en):
    moment = datetime.fromisoformat(now)
    assert reply_by(moment, minutes, "Europe/Warsaw", "pl") == pl
    assert reply_by(moment, minutes, "Europe/Warsaw", "en") == en


def test_filling_a_template_for_a_comment():
    playbook = choose(SETTINGS, "negative_surge", "delivery")
    template = next(t for t in playbook.templates if t.id == "late-parcel")
    now = datetime(2026, 11, 28, 12, 7, tzinfo=UTC)
    profile = SETTINGS.profiles[0] if SETTINGS.profiles else None
    text = fill(template, playbook, Filling("Marta Nowak", "Anna", profile, now, "Europe/Warsaw"))
    assert text.startswith("Dzień dobry Marta,") and "dziś do 14:45" in text and text.endswith("Anna")
    nameless = fill(template, playbook, Filling(None, None, None, now, "Europe/Warsaw"))
    assert nameless.startswith("Dzień dobry, bardzo") and "{" not in nameless
