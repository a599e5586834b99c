"""What the dashboard pages show, read from the database in few, indexed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment, Post
from czujka.config import Settings
from czujka.incidents.models import OPEN_STATES, Incident
from czujka.incidents.service import (
    evidence_counts,
    incident_evidence,
    incident_timeline,
    incident_topic,
    open_first,
)
from czujka.moderation.models import ModerationAction
from czujka.oncall.escalation import client_for, recipients
from czujka.oncall.models import Escalation

Segment = tuple[str, bool]  # text, vulgar


def highlight(text: str, words: list[dict[str, Any]] | None) -> list[Segment]:
    """The text cut at the vulgar words' positions, so templates mark them without trusting any HTML."""
    segments: list[Segment] = []
    at = 0
    for word in sorted(words or [], key=lambda w: w.get("start", 0)):
        start, end = int(word.get("start", 0)), int(word.get("end", 0))
        if start < at or end > len(text) or end <= start:
            continue
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < len(text):
        segments.append((text[at:], False))
    return segments


@dataclass
class CommentView:
    id: int
    profile: str
    author: str
    is_staff: bool
    when: datetime
    segments: list[Segment]
    removed: bool
    sentiment: str | None = None
    harm: float | None = None
    harmful: bool = False
    vulgar: bool = False
    topic: str | None = None
    competitors: list[str] = field(default_factory=list)
    platform_id: str = ""
    parent: str | None = None
    hidden: bool = False
    moderated: list[dict[str, Any]] = field(default_factory=list)  # its moderation trail, newest last
    permalink: str | None = None
    platform: str = "generic"

    @property
    def badness(self) -> tuple[bool, bool, bool, float, datetime]:
        """How bad, for picking the comment a person must see first."""
        return (self.harmful, self.vulgar, self.sentiment == "negative", self.harm or 0.0, self.when)


def actor_name(settings: Settings, actor: str | None) -> str | None:
    """Who did it, as a person reads it: a name, never `person:kasia` or `detector:quarrel`."""
    if not actor:
        return actor
    kind, _, ref = actor.partition(":")
    if kind == "person":
        person = settings.person(ref)
        return person.name if person else ref
    if kind in ("detector", "rule") or actor == "czujka":
        return "czujka" if kind != "rule" else f"czujka ({ref})"
    if kind == "token":
        return f"{ref} (API)"
    if kind == "cli":
        return f"{ref} (CLI)"
    return ref if kind == "user" else actor


def _local(settings: Settings, profile_id: str, at: datetime) -> datetime:
    """The time in the profile's zone; the page formats it for its language (`when`)."""
    return at.astimezone(ZoneInfo(settings.timezone_of(profile_id)))


def _view(settings: Settings, c: Comment, s: CommentScore | None) -> CommentView:
    profile = settings.profile(c.profile_id)
    text = c.message or ""
    return CommentView(
        id=c.id,
        profile=profile.name if profile else c.profile_id,
        author=c.author_name or "?",
        is_staff=bool(c.author_is_staff),
        when=_local(settings, c.profile_id, c.created_at),
        segments=highlight(text, s.vulgar_words if s else None),
        removed=c.deleted_at is not None,
        hidden=c.hidden_at is not None and c.deleted_at is None,
        sentiment=s.sentiment if s else None,
        harm=round(s.harm, 2) if s else None,
        harmful=bool(s and s.harmful),
        vulgar=bool(s and s.vulgar),
        topic=s.topic if s else None,
        competitors=list(s.competitors or []) if s else [],
        platform_id=c.platform_id,
        parent=c.parent_platform_id,
        platform=profile.platform if profile else "generic",
    )


def feed(
    session: Session,
    settings: Settings,
    *,
    limit: int = 30,
    flagged_only: bool = False,
    profiles: list[str] | None = None,
) -> list[CommentView]:
    """The newest comments first, with their flags (of `profiles` only, when given)."""
    query = (
        select(Comment, CommentScore)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .order_by(Comment.received_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    if profiles is not None:
        query = query.where(Comment.profile_id.in_(profiles))
    if flagged_only:
        query = query.where(
            (CommentScore.harmful.is_(True))
            | (CommentScore.vulgar.is_(True))
            | (CommentScore.sentiment == "negative")
        )
    return [_view(settings, c, s) for c, s in session.execute(query)]


@dataclass
class IncidentRow:
    id: int
    title: str
    kind: str
    state: str
    severity: int
    profile: str
    opened: datetime
    duration: timedelta
    evidence: int
    next_page: str | None  # "kasia, ola at 22:35" while escalating
    acknowledged_by: str | None
    ran_out: bool = False  # everyone in the chain of command was paged and nobody acknowledged
    client: str | None = None  # for an agency: whose incident it is


def paged_next(
    session: Session, settings: Settings, incident: Incident, escalation: Escalation | None
) -> tuple[list[str], datetime] | None:
    """Who the escalation pages next and when, worked out as the escalator will (same topic, same time,
    same client); None when nobody is due to be paged."""
    if incident.state != "triggered" or escalation is None or escalation.status != "active":
        return None
    policy = settings.policy(escalation.policy_id or "")
    if policy is None or escalation.next_step_at is None:
        return None
    step = policy.steps[min(escalation.step, len(policy.steps) - 1)]
    topic = incident_topic(session, incident) if "experts" in step.notify else incident.topic
    people, _ = recipients(
        settings,
        step.notify,
        topic=topic,
        at=escalation.next_step_at,
        client=client_for(settings, incident.profile_id),
    )
    return [r.person.name for r in people], escalation.next_step_at


def _next_page(
    session: Session, settings: Settings, incident: Incident, escalation: Escalation | None
) -> str | None:
    found = paged_next(session, settings, incident, escalation)
    if found is None:
        return None
    names, at = found
    return f"{', '.join(names) or '—'} · {_local(settings, incident.profile_id, at):%H:%M}"


def incident_rows(
    session: Session,
    settings: Settings,
    *,
    now: datetime,
    open_only: bool,
    limit: int = 200,
    profiles: list[str] | None = None,
) -> list[IncidentRow]:
    counts = evidence_counts()
    query = (
        select(Incident, Escalation, func.coalesce(counts.c.n, 0))
        .outerjoin(Escalation, Escalation.incident_id == Incident.id)
        .outerjoin(counts, counts.c.incident_id == Incident.id)
    )
    if open_only:
        query = query.where(Incident.state.in_(OPEN_STATES))
    if profiles is not None:
        query = query.where(Incident.profile_id.in_(profiles))
    rows = []
    for incident, escalation, n in session.execute(open_first(query, limit)):
        profile = settings.profile(incident.profile_id)
        rows.append(
            IncidentRow(
                id=incident.id,
                title=incident.title,
                kind=incident.kind,
                state=incident.state,
                severity=incident.severity,
                profile=profile.name if profile else incident.profile_id,
                opened=_local(settings, incident.profile_id, incident.opened_at),
                duration=(incident.resolved_at or now) - incident.opened_at,
                evidence=n,
                next_page=_next_page(session, settings, incident, escalation),
                acknowledged_by=actor_name(settings, incident.acknowledged_by),
                ran_out=incident.state == "triggered"
                and escalation is not None
                and escalation.status == "finished",
                client=settings.client_name_of(incident.profile_id),
            )
        )
    return rows


@dataclass
class Thread:
    root: CommentView
    replies: list[CommentView]


def evidence_threads(
    session: Session, settings: Settings, incident_id: int, limit: int = 300
) -> list[Thread]:
    """Evidence grouped by the top-level comment it belongs to, replies in time order (a quarrel reads as a
    conversation)."""
    views = [_view(settings, c, s) for c, s in incident_evidence(session, incident_id, limit)]
    roots: dict[str, Thread] = {}
    grouped: dict[str, list[CommentView]] = defaultdict(list)
    for view in views:
        if view.parent:
            grouped[view.parent].append(view)  # its root may or may not be evidence itself
        else:
            roots[view.platform_id] = Thread(view, [])
    missing = [p for p in grouped if p not in roots]
    if missing:
        found = session.execute(
            select(Comment, CommentScore)
            .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
            .where(Comment.platform_id.in_(missing))
        ).all()
        for c, s in found:
            roots[c.platform_id] = Thread(_view(settings, c, s), [])
    for parent, replies in grouped.items():
        if parent in roots:
            roots[parent].replies.extend(replies)
        else:
            for reply in replies:
                roots[reply.platform_id] = Thread(reply, [])
    _trails(session, settings, [v for t in roots.values() for v in [t.root, *t.replies]])
    return sorted(roots.values(), key=lambda t: t.root.when)


def _trails(session: Session, settings: Settings, views: list[CommentView]) -> None:
    """Each comment's moderation actions, in a line each: what, by which rule or person, when, the answer."""
    by_id = {v.id: v for v in views}
    if not by_id:
        return
    actions = session.scalars(
        select(ModerationAction)
        .where(ModerationAction.comment_id.in_(list(by_id)))
        .order_by(ModerationAction.id)
    )
    for a in actions:
        by_id[a.comment_id].moderated.append(
            {
                "verb": a.verb,
                "who": actor_name(settings, a.source),
                "at": _local(settings, a.profile_id, a.done_at or a.created_at),
                "state": a.state,
            }
        )


def incident_detail(session: Session, settings: Settings, incident_id: int) -> dict[str, Any] | None:
    """The incident page's facts; its experts come with the playbook (`responding.playbook_view`)."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        return None
    escalation = session.get(Escalation, incident_id)
    events = incident_timeline(session, incident_id)
    topic = incident_topic(session, incident)
    profile = settings.profile(incident.profile_id)
    threads = evidence_threads(session, settings, incident_id)
    customers = [v for t in threads for v in (t.root, *t.replies) if not v.is_staff]
    return {
        "incident": incident,
        "client": settings.client_name_of(incident.profile_id),
        "worst": _with_link(session, max(customers, key=lambda v: v.badness)) if customers else None,
        "status": _status(session, settings, incident, escalation, events),
        "profile": profile.name if profile else incident.profile_id,
        "opened": _local(settings, incident.profile_id, incident.opened_at),
        "topic": topic,
        "timeline": [
            {
                "at": _local(settings, incident.profile_id, e.at),
                "kind": e.kind,
                "actor": actor_name(settings, e.actor),
                "message": (e.data or {}).get("said") or e.message,
            }
            for e in events
        ],
        "threads": threads,
    }


def _with_link(session: Session, view: CommentView) -> CommentView:
    """The comment's address on the platform: its post's permalink (on Facebook, where a webhook brought no
    permalink, the post's id is its address too), on Facebook pointed at the comment."""
    row = session.execute(
        select(Post.permalink, Post.platform_id)
        .join(Comment, Comment.post_id == Post.id)
        .where(Comment.id == view.id)
    ).first()
    link = row[0] if row else None
    if view.platform == "facebook" and row and not link:
        link = f"https://www.facebook.com/{quote(row[1], safe='_')}"
    if not link or not link.startswith("https://"):
        return view
    if view.platform == "facebook":
        comment = view.platform_id.rpartition("_")[2]
        link = f"{link}{'&' if '?' in link else '?'}{urlencode({'comment_id': comment})}"
    view.permalink = link
    return view


def _status(
    session: Session,
    settings: Settings,
    incident: Incident,
    escalation: Escalation | None,
    events: list[Any],
) -> dict[str, Any]:
    """Where the incident stands, in one line: who is paged next and when, that the chain of command has run
    out, who acknowledged, or who resolved it and why (the template words it)."""
    zone = ZoneInfo(settings.timezone_of(incident.profile_id))
    if incident.state == "resolved":
        last = next((e for e in reversed(events) if e.kind == "resolved"), None)
        data = (last.data or {}) if last else {}
        if incident.resolved_by == "czujka":
            return {"kind": "auto_resolved", "hours": settings.incident_quiet_hours}
        return {
            "kind": "resolved",
            "who": data.get("signed_off_by") or actor_name(settings, incident.resolved_by),
            "why": data.get("why") or (last.message if last and not data.get("said") else ""),
            "at": incident.resolved_at.astimezone(zone) if incident.resolved_at else None,
        }
    if incident.state == "acknowledged":
        at = incident.acknowledged_at.astimezone(zone) if incident.acknowledged_at else None
        return {"kind": "acknowledged", "who": actor_name(settings, incident.acknowledged_by), "at": at}
    if incident.state == "silenced":
        return {"kind": "silenced"}
    if escalation is None:
        return {"kind": "starting"}
    found = paged_next(session, settings, incident, escalation)
    if found is not None:
        return {"kind": "paging", "people": found[0], "at": found[1].astimezone(zone)}
    if escalation.status == "finished":
        return {"kind": "ran_out"}
    if escalation.status in ("unrouted", "not_paged"):
        return {"kind": escalation.status}
    return {"kind": "stopped"}


def seen_oncall(settings: Settings, user: Any) -> Settings:
    """The on-call set-up as this user's pages show it: the agency's and their clients' people, schedules
    and policies (or the chosen client's and the agency's; everything, for an agency-wide user)."""
    if user.scope.everything and user.chosen is None:
        return settings
    seen = user.shows
    return settings.model_copy(
        update={
            "people": [p for p in settings.people if seen(p.client)],
            "schedules": [s for s in settings.schedules if seen(s.client)],
            "escalation_policies": [p for p in settings.escalation_policies if seen(p.client)],
        }
    )
