"""Which moderation rule acts on a comment: pure functions of the rule, the comment's facts and the time,
tested table-style and shared by the pipeline, `czujka moderation test` and `check-config`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from czujka.analysis.normalize import fold, fold_variants, tokens
from czujka.moderation.config import ModerationRuleConfig
from czujka.oncall.windows import parse_windows
from czujka.vocabulary import TOPICS
from czujka.words import N_, Joined, Phrase, gettext, joined, phrase

LINK = re.compile(
    r"(https?://|www\.)\S+|\b[\w-]+\.(pl|com|net|org|eu|io|shop|info|biz|xyz|ru)\b(/\S*)?", re.I
)


@dataclass(frozen=True, slots=True)
class Facts:
    """What a rule may look at: the comment and what analysis and detection said of it."""

    profile_id: str
    text: str
    author_id: str | None
    author_name: str | None
    is_staff: bool
    vulgar: bool
    harm: float
    topic: str | None
    coordinated: bool  # evidence of a coordinated incident
    created_at: datetime


def keyword_hit(keywords: list[str], text: str) -> str | None:
    """The first keyword the text has: a word beginning with it, in any disguise the vulgarity lexicon
    sees through (k*rwa, qrwa, leetspeak, letters written apart); a keyword of several words matches them
    in a row. A word of five letters or more may change its last letter, as Polish endings do
    (oszust → oszuści)."""
    words = [fold_variants(t.form) for t in tokens(text)]
    for keyword in keywords:
        wanted = [_stem(fold(w)) for w in keyword.split() if fold(w)]
        for start in range(len(words) - len(wanted) + 1):
            if all(any(v.startswith(w) for v in words[start + i]) for i, w in enumerate(wanted)):
                return keyword
    return None


def _stem(folded: str) -> str:
    return folded[:-1] if len(folded) >= 5 else folded


def in_time(rule: ModerationRuleConfig, at: datetime, *, nobody_on_duty: bool, zone: str) -> bool:
    if rule.when == "always":
        return True
    if rule.when == "nobody_on_duty":
        return nobody_on_duty
    local = at.astimezone(ZoneInfo(zone))
    return parse_windows(rule.when).contains(local.weekday(), local.hour * 60 + local.minute)


def why(rule: ModerationRuleConfig, facts: Facts) -> Joined | None:
    """Why `rule`'s conditions match the comment (not its time), or None."""
    reasons: list[Phrase] = []
    if rule.vulgar is not None:
        if facts.vulgar != rule.vulgar:
            return None
        reasons.append(phrase("vulgar") if rule.vulgar else phrase("not vulgar"))
    if rule.harm_at_least is not None:
        if facts.harm < rule.harm_at_least:
            return None
        reasons.append(phrase("harm %(harm).2f ≥ %(limit)g", harm=facts.harm, limit=rule.harm_at_least))
    if rule.keywords:
        hit = keyword_hit(rule.keywords, facts.text)
        if hit is None:
            return None
        reasons.append(phrase("keyword %(word)s", word=repr(hit)))
    if rule.topics:
        if facts.topic not in rule.topics:
            return None
        reasons.append(
            phrase("topic %(topic)s", topic=phrase(TOPICS.get(facts.topic or "", facts.topic or "—")))
        )
    if rule.coordinated is not None:
        if facts.coordinated != rule.coordinated:
            return None
        reasons.append(
            phrase("part of a coordinated burst") if rule.coordinated else phrase("not coordinated")
        )
    if rule.links is not None:
        if bool(LINK.search(facts.text)) != rule.links:
            return None
        reasons.append(phrase("has a link") if rule.links else phrase("no link"))
    return joined(reasons, ", ")


def first_match(
    rules: list[ModerationRuleConfig],
    facts: Facts,
    *,
    trusted: set[str],
    nobody_on_duty: bool,
    zone: str,
) -> tuple[ModerationRuleConfig, str] | None:
    """The first rule, in the file's order, that acts on the comment, with why. Staff comments and trusted
    authors are never touched."""
    if facts.is_staff or {facts.author_id, facts.author_name} & trusted:
        return None
    for rule in rules:
        if rule.profiles is not None and facts.profile_id not in rule.profiles:
            continue
        if not in_time(rule, facts.created_at, nobody_on_duty=nobody_on_duty, zone=zone):
            continue
        reason = why(rule, facts)
        if reason is not None:
            return rule, reason
    return None


EXPLAINED = {
    "hide": N_(
        "%(rule)s: hides a customer's comment that is %(what)s, %(when)s, on %(where)s; at most %(limit)s/h"
    ),
    "delete": N_(
        "%(rule)s: deletes a customer's comment that is %(what)s, %(when)s, on %(where)s; at most %(limit)s/h"
    ),
    "flag": N_(
        "%(rule)s: flags a customer's comment that is %(what)s, %(when)s, on %(where)s; at most %(limit)s/h"
    ),
}


def explain(rule: ModerationRuleConfig, language: str = "en") -> str:
    """The rule in plain words, for `check-config`."""
    parts: list[Phrase] = []
    if rule.vulgar:
        parts.append(phrase("vulgar"))
    if rule.harm_at_least is not None:
        parts.append(phrase("harmful at least %(limit)g", limit=rule.harm_at_least))
    if rule.keywords:
        parts.append(phrase("with a word: %(words)s", words=", ".join(rule.keywords)))
    if rule.topics:
        parts.append(phrase("about: %(topics)s", topics=[phrase(TOPICS.get(t, t)) for t in rule.topics]))
    if rule.coordinated:
        parts.append(phrase("part of a coordinated burst"))
    if rule.links is not None:
        parts.append(phrase("with a link") if rule.links else phrase("without a link"))
    if rule.when == "always":
        when = phrase("at any time")
    elif rule.when == "nobody_on_duty":
        when = phrase("when nobody is on duty")
    else:
        when = phrase("during %(windows)s", windows=", ".join(rule.when))
    sep = " " + gettext("and", language) + " "
    said = phrase(
        EXPLAINED[rule.action],
        rule=rule.id,
        what=joined(parts, sep) if parts else phrase("any"),
        when=when,
        where=", ".join(rule.profiles) if rule.profiles else phrase("every profile"),
        limit=rule.max_per_hour,
    ).say(language)
    return said + (
        " " + gettext("(dry run: only records what it would do)", language) if rule.dry_run else ""
    )
