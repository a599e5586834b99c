"""The moderation rules as pure functions, table-style: conditions, time, staff and trusted authors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from czujka.moderation.config import ModerationRuleConfig, weekly_moment
from czujka.moderation.rules import Facts, explain, first_match, keyword_hit

SAT_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # Saturday 23:00 in Warsaw
TUE_NOON = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def facts(
    text="ok",
    *,
    vulgar=False,
    harm=0.0,
    topic="other",
    staff=False,
    author="u1",
    at=SAT_NIGHT,
    coordinated=False,
):
    return Facts("koszyk-fb", text, author, "Jan", staff, vulgar, harm, topic, coordinated, at)


def rule(**values):
    return ModerationRuleConfig.model_validate({"id": "r", **values})


@pytest.mark.parametrize(
    ("config", "comment", "nobody", "acts"),
    [
        ({"when": "always", "vulgar": True}, facts(vulgar=True), False, True),
        ({"when": "always", "vulgar": True}, facts(vulgar=False), False, False),
        ({"when": "always", "vulgar": True}, facts(vulgar=True, staff=True), True, False),  # never staff
        ({"when": "nobody_on_duty", "vulgar": True}, facts(vulgar=True), False, False),
        ({"when": "nobody_on_duty", "vulgar": True}, facts(vulgar=True), True, True),
        ({"when": ["fri 17:00-mon 08:00"], "vulgar": True}, facts(vulgar=True, at=SAT_NIGHT), False, True),
        ({"when": ["fri 17:00-mon 08:00"], "vulgar": True}, facts(vulgar=True, at=TUE_NOON), False, False),
        ({"when": "always", "harm_at_least": 0.8}, facts(harm=0.85), False, True),
        ({"when": "always", "harm_at_least": 0.8}, facts(harm=0.5), False, False),
        ({"when": "always", "keywords": ["oszust"]}, facts("Jesteście 0szustami!"), False, True),
        ({"when": "always", "keywords": ["kurwa"]}, facts("k u r w a mać"), False, True),
        ({"when": "always", "keywords": ["koszyk24"]}, facts("kupujcie w Koszyk24"), False, True),
        (
            {"when": "always", "topics": ["delivery"], "harm_at_least": 0.5},
            facts(topic="delivery", harm=0.6),
            False,
            True,
        ),
        (
            {"when": "always", "topics": ["delivery"], "harm_at_least": 0.5},
            facts(topic="payment", harm=0.6),
            False,
            False,
        ),
        ({"when": "always", "coordinated": True}, facts(coordinated=True), False, True),
        ({"when": "always", "links": True}, facts("promocja na www.tanio.ru"), False, True),
        ({"when": "always", "links": True}, facts("bez linku"), False, False),
        ({"when": "always", "vulgar": True, "profiles": ["other"]}, facts(vulgar=True), False, False),
    ],
)
def test_which_comments_a_rule_acts_on(config, comment, nobody, acts):
    found = first_match([rule(**config)], comment, trusted=set(), nobody_on_duty=nobody, zone="Europe/Warsaw")
    assert (found is not None) == acts


def test_trusted_authors_are_never_touched_and_the_first_rule_wins():
    rules = [rule(when="always", vulgar=True, action="flag"), rule(id="s", when="always", vulgar=True)]
    comment = facts(vulgar=True, author="fan-42")
    assert first_match(rules, comment, trusted={"fan-42"}, nobody_on_duty=True, zone="Europe/Warsaw") is None
    found = first_match(rules, comment, trusted=set(), nobody_on_duty=True, zone="Europe/Warsaw")
    assert found is not None and found[0].action == "flag" and str(found[1]) == "vulgar"


def test_keywords_match_words_that_begin_with_them_in_any_disguise():
    assert keyword_hit(["oszust"], "Oszuści!") == "oszust"
    assert keyword_hit(["fake shop"], "total FAKE shop, avoid") == "fake shop"
    assert keyword_hit(["oszust"], "uczciwy sklep") is None


def test_bad_rules_are_refused_with_a_reason():
    with pytest.raises(ValidationError, match="no condition"):
        rule(when="always")
    with pytest.raises(ValidationError, match="when"):
        rule(when=["someday 10:00-11:00"], vulgar=True)
    with pytest.raises(ValidationError, match="unknown topic"):
        rule(topics=["weather"])
    with pytest.raises(ValueError, match="mon 08:30"):
        weekly_moment("monday")
    assert weekly_moment("Mon 08:30") == (0, 8, 30)


def test_rules_are_explained_in_plain_words():
    text = explain(rule(when="nobody_on_duty", vulgar=True, max_per_hour=30))
    assert (
        text
        == "r: hides a customer's comment that is vulgar, when nobody is on duty, on every profile; at most 30/h"
    )
    assert "gdy nikt nie ma dyżuru" in explain(rule(vulgar=True, dry_run=True), "pl")


def test_the_cli_says_which_rule_would_act(tmp_path):
    import json
    import subprocess
    import sys

    config = tmp_path / "czujka.toml"
    config.write_text(
        '[[profiles]]\nid = "shop"\nname = "Shop"\nplatform = "facebook"\nplatform_id = "1"\n'
        '[[schedules]]\nid = "duty"\n[[schedules.layers]]\nname = "office"\nrotation = ["ania"]\n'
        'length = "1w"\nstart = "2026-11-02 09:00"\nwindows = ["mon-fri 09:00-17:00"]\n'
        '[[people]]\nid = "ania"\nname = "Ania"\n'
        '[[moderation_rules]]\nid = "weekend"\nwhen = "nobody_on_duty"\nvulgar = true\n',
        encoding="utf-8",
    )

    def ask(text: str, at: str) -> dict:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "czujka",
                "moderation",
                "test",
                text,
                "--profile",
                "shop",
                "--at",
                at,
                "--config",
                str(config),
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    saturday = ask("ty ch*ju", "2026-11-28 23:00")
    assert saturday["rule"] == "weekend" and saturday["action"] == "hide" and saturday["nobody_on_duty"]
    assert ask("ty ch*ju", "2026-12-01 12:00")["rule"] is None  # Ania is on duty
    assert ask("dziękuję", "2026-11-28 23:00")["rule"] is None
