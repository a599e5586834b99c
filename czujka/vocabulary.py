"""The words every stage shares: incident kinds and complaint topics, each with its name (translated through the
gettext catalogs of `czujka.words`).

Defined once here, so the detectors, the incidents, the routes in `czujka.toml`, the pages, the dashboard and
the API's filters can never disagree about which kinds and topics exist, or what they are called.
"""

from __future__ import annotations

from czujka.words import N_, gettext

KINDS: dict[str, str] = {
    "negative_surge": N_("negative comments are surging"),
    "harm_surge": N_("vulgar and abusive comments are piling up"),
    "volume_surge": N_("comment volume is surging"),
    "quarrel": N_("a quarrel is heating up in a thread"),
    "coordinated": N_("a coordinated burst of near-identical opinions"),
    "red_flag": N_("a comment with legal or safety weight"),
    "keyword": N_("a watched keyword"),
    "moderation_runaway": N_("a moderation rule ran away and was stopped"),
    "moderation_blocked": N_("czujka cannot moderate the profile (no permission)"),
    "channel_down": N_("czujka is blind to the profile: the connection broke or it went silent"),
}

# In the order of the topic model's labels (changing it means retraining); "other" is nobody's expertise.
TOPICS: dict[str, str] = {
    "delivery": N_("delivery"),
    "payment": N_("payments"),
    "product": N_("product"),
    "refund": N_("returns"),
    "service": N_("service"),
    "legal-safety": N_("legal and safety"),
    "other": N_("other"),
}
# An incident's states, as people read them.
STATES: dict[str, str] = {
    "triggered": N_("triggered"),
    "acknowledged": N_("acknowledged"),
    "resolved": N_("resolved"),
    "silenced": N_("silenced"),
}
EXPERT_TOPICS = tuple(t for t in TOPICS if t != "other")
# Other spellings people write in czujka.toml for the same topics.
TOPIC_ALIASES = {"returns": "refund", "legal_safety": "legal-safety", "legal": "legal-safety"}


def kind_name(kind: str, language: str) -> str:
    return gettext(KINDS[kind], language) if kind in KINDS else kind


def kind_title(kind: str) -> str:
    """An incident's stored title: the English name, capitalised."""
    name = KINDS.get(kind, kind)
    return name[:1].upper() + name[1:]


def topic_name(topic: str | None, language: str) -> str | None:
    return gettext(TOPICS[topic], language) if topic in TOPICS else topic
