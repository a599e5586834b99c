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
from czujka.vocabulary import TOPICS, topic_name
from czujka.words import Joined, Phrase, joined, phrase

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


def explain(rule: ModerationRuleConfig, language: str = "en") -> str:
    """The rule in plain words, for `check-config`."""
    pl = language == "pl"
    verbs = {"hide": ("ukrywa", "hides"), "delete": ("usuwa", "deletes"), "flag": ("oznacza", "flags")}
    verb = verbs[rule.action][0 if pl else 1]
    parts = []
    if rule.vulgar:
        parts.append("wulgarny" if pl else "vulgar")
    if rule.harm_at_least is not None:
        parts.append(f"{'szkodliwość' if pl else 'harm'} ≥ {rule.harm_at_least:g}")
    if rule.keywords:
        parts.append(("ze słowem: " if pl else "with a word: ") + ", ".join(rule.keywords))
    if rule.topics:
        parts.append(
            ("o temacie: " if pl else "about: ")
            + ", ".join(topic_name(t, language) or t for t in rule.topics)
        )
    if rule.coordinated:
        parts.append("z serii skoordynowanej" if pl else "part of a coordinated burst")
    if rule.links is not None:
        parts.append(
            ("z linkiem" if rule.links else "bez linku")
            if pl
            else ("with a link" if rule.links else "without a link")
        )
    what = " and ".join(parts) if not pl else " i ".join(parts)
    if rule.when == "always":
        when = "zawsze" if pl else "at any time"
    elif rule.when == "nobody_on_duty":
        when = "gdy nikt nie ma dyżuru" if pl else "when nobody is on duty"
    else:
        when = ("w oknach " if pl else "during ") + ", ".join(rule.when)
    where = ", ".join(rule.profiles) if rule.profiles else ("każdy profil" if pl else "every profile")
    dry = (
        (" (próba: tylko zapisuje, co by zrobiła)" if pl else " (dry run: only records what it would do)")
        if rule.dry_run
        else ""
    )
    limit = f"; {'najwyżej' if pl else 'at most'} {rule.max_per_hour}/h"
    if pl:
        return f"{rule.id}: {verb} komentarz klienta ({what}) {when}, {where}{limit}{dry}"
    return f"{rule.id}: {verb} a customer's comment that is {what}, {when}, on {where}{limit}{dry}"
