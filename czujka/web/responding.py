"""What the responder sees to answer well: the incident's playbook, the reply page, and the staff replies
that made a quarrel worse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.comments.models import Comment
from czujka.config import PersonConfig, Settings
from czujka.oncall.escalation import client_for, experts_for, recipients, serves
from czujka.playbooks.catalog import Filling, choose, fill
from czujka.playbooks.config import PlaybookConfig
from czujka.playbooks.models import Reply
from czujka.playbooks.reply_check import ReplyChecker, message
from czujka.playbooks.service import staff_public_replies, thread_root


@dataclass
class Expert:
    person: PersonConfig
    reachable: bool


@dataclass
class PlaybookView:
    id: str
    title: str
    first: list[str]
    avoid: list[str]
    topics: list[str]
    experts: list[Expert]
    templates: list[dict[str, Any]] = field(default_factory=list)


def playbook_view(
    settings: Settings,
    *,
    kind: str,
    topic: str | None,
    language: str,
    now: datetime,
    client: str | None = None,
) -> tuple[PlaybookView, PlaybookConfig]:
    """The playbook for the incident, with the experts to consult: the playbook's topics and the incident's,
    each with phone and whether their hours allow a call now."""
    playbook = choose(settings, kind, topic)
    topics = list(dict.fromkeys([*([topic] if topic and topic != "other" else []), *playbook.consult]))
    reachable = {p.id for t in topics for p in experts_for(settings, t, now, client=client)}
    experts = [
        Expert(p, p.id in reachable)
        for p in settings.people
        if any(t in p.expert_in for t in topics) and serves(p, client)
    ]
    view = PlaybookView(
        playbook.id,
        playbook.title.get(language),
        playbook.first.get(language),
        playbook.avoid.get(language),
        topics,
        experts,
        [
            {"id": t.id, "name": t.name, "language": t.language, "private": t.private}
            for t in sorted(playbook.templates, key=lambda t: t.language != language)
        ],
    )
    return view, playbook


def responder_name(settings: Settings, username: str, person_id: str | None) -> str:
    person = settings.person(person_id or "")
    return (person.name if person else username).split(" ")[0]


def reply_context(
    session: Session,
    settings: Settings,
    checker: ReplyChecker,
    *,
    comment: Comment,
    kind: str,
    topic: str | None,
    language: str,
    template_id: str | None,
    responder: str,
    now: datetime,
) -> dict[str, Any]:
    """The reply page: the comment and its thread, the templates filled in for it, and the draft."""
    view, playbook = playbook_view(
        settings,
        kind=kind,
        topic=topic,
        language=language,
        now=now,
        client=client_for(settings, comment.profile_id),
    )
    profile = settings.profile(comment.profile_id)
    filling = Filling(comment.author_name, responder, profile, now, settings.timezone_of(comment.profile_id))
    chosen = next((t for t in playbook.templates if t.id == template_id), None)
    root = thread_root(session, comment)
    return {
        "playbook": view,
        "comment": comment,
        "root": root if root.id != comment.id else None,
        "draft": fill(chosen, playbook, filling) if chosen else "",
        "template": chosen,
        "private_allowed": profile is not None and profile.platform == "facebook",
        "earlier": staff_public_replies(session, root),
        "can_send": profile is not None
        and profile.platform != "generic"
        and profile.access_token is not None,
    }


@dataclass
class Worsened:
    comment: Comment
    reasons: list[str]


def worsening_replies(
    session: Session, checker: ReplyChecker, *, profile_id: str, threads: list[Any], language: str
) -> list[Worsened]:
    """Staff replies anywhere in the incident's threads that the reply check flags, with its reasons: on a
    quarrel, what made it worse."""
    roots = [th.root.platform_id for th in threads]
    if not roots:
        return []
    staff = list(
        session.scalars(
            select(Comment)
            .where(
                Comment.profile_id == profile_id,
                Comment.author_is_staff.is_(True),
                (Comment.parent_platform_id.in_(roots)) | (Comment.platform_id.in_(roots)),
            )
            .order_by(Comment.created_at)
            .limit(200)
        )
    )
    found = []
    for comment, (codes, _) in zip(staff, checker.codes([c.message for c in staff]), strict=True):
        if codes:
            found.append(Worsened(comment, [message(c, language) for c in codes]))
    return found


def may_approve(settings: Settings, *, role: str, person_id: str | None, reply: Reply, now: datetime) -> bool:
    """An admin, or one of the profile's leads."""
    if role == "admin":
        return True
    profile = settings.profile(reply.profile_id)
    if profile is None or profile.approval is None or person_id is None:
        return False
    people, _ = recipients(
        settings, profile.approval.leads, topic=None, at=now, client=client_for(settings, profile.id)
    )
    return any(r.person.id == person_id for r in people)
