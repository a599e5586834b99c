"""Sending a staff reply through the platform: checked, approved where the profile wants it, sent once,
recorded on the incident's timeline, and recognised when Meta's webhook brings it back.

A reply is claimed (state `sending`) and committed before Meta is called, and Meta is called outside any
transaction; a retried request with the same idempotency key finds the row and never sends again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import Comment, Post
from czujka.comments.service import ingest, said_comment
from czujka.config import ProfileConfig, Settings
from czujka.incidents.flows import event
from czujka.incidents.models import Incident
from czujka.incidents.service import open_incident_of
from czujka.oncall.service import page_leads
from czujka.playbooks.errors import explain
from czujka.playbooks.models import Reply
from czujka.playbooks.reply_check import CheckResult, ReplyChecker
from czujka.sources.graph import GraphClient, GraphError
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope
from czujka.words import N_, phrase

MAX_TEXT = 8000  # Meta's comment limit
SOURCE = "czujka-reply"
Http = Callable[[], httpx.Client]


class ReplyRefused(Exception):
    """The reply cannot be made; `status` is the HTTP answer (404, 409, 422) and the message says why."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Author:
    actor: str  # "user:anna" or "token:bot"
    person_id: str | None
    roles: tuple[str, ...] = ()


@dataclass
class Outcome:
    reply: Reply
    check: CheckResult | None
    replayed: bool = False


# The timeline's words for a lead's decision: (approved, with a note).
DECIDED = {
    (True, False): N_("reply %(reply)s approved"),
    (True, True): N_("reply %(reply)s approved: %(note)s"),
    (False, False): N_("reply %(reply)s rejected"),
    (False, True): N_("reply %(reply)s rejected: %(note)s"),
}
OUTCOMES = {"failed": N_("not sent"), "unknown": N_("no confirmation from Meta")}


def thread_root(session: Session, comment: Comment) -> Comment:
    if comment.parent_platform_id is None:
        return comment
    root = session.scalar(
        select(Comment).where(
            Comment.profile_id == comment.profile_id, Comment.platform_id == comment.parent_platform_id
        )
    )
    return root or comment


def staff_public_replies(session: Session, root: Comment) -> int:
    """The shop's public answers already in the thread (its own comments there, and replies on their way)."""
    comments = session.scalars(
        select(Comment.id).where(
            Comment.profile_id == root.profile_id,
            Comment.parent_platform_id == root.platform_id,
            Comment.author_is_staff.is_(True),
        )
    ).all()
    in_flight = session.scalars(
        select(Reply.id).where(
            Reply.target_platform_id == root.platform_id,
            Reply.profile_id == root.profile_id,
            Reply.private.is_(False),
            Reply.state.in_(("sending", "unknown", "pending_approval")),
        )
    ).all()
    return len(comments) + len(in_flight)


def _profile(settings: Settings, comment: Comment, private: bool) -> ProfileConfig:
    profile = settings.profile(comment.profile_id)
    if profile is None:
        raise ReplyRefused(409, f"profile {comment.profile_id!r} is no longer in czujka.toml")
    if profile.platform == "generic":
        raise ReplyRefused(
            409, f"profile {profile.id!r} is not on Facebook or Instagram: reply there yourself"
        )
    if profile.access_token is None:
        raise ReplyRefused(409, f"profile {profile.id!r} has no access_token: czujka cannot post for it")
    if private and profile.platform != "facebook":
        raise ReplyRefused(
            422, "private replies are sent on Facebook only; on Instagram, write a Direct message"
        )
    return profile


def needs_approval(settings: Settings, profile: ProfileConfig, author: Author, check: CheckResult) -> bool:
    approval = profile.approval
    if approval is None:
        return False
    person = settings.person(author.person_id or "")
    roles = set(author.roles) | set(person.roles if person else ())
    return (approval.flagged and check.risky) or bool(roles & set(approval.roles))


def submit(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    checker: ReplyChecker,
    http: Http,
    comment_id: int,
    text: str,
    private: bool,
    key: str,
    author: Author,
    language: str,
    template_id: str | None = None,
    incident_id: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Check the reply, and send it or leave it for a lead's approval; the same `key` answers the same.
    `incident_id` is the incident it answers from (the dashboard knows it); else the comment's own."""
    now = now or utcnow()
    text = text.strip()
    if not text:
        raise ReplyRefused(422, "the reply is empty")
    if len(text) > MAX_TEXT:
        raise ReplyRefused(422, f"the reply is longer than {MAX_TEXT} characters")
    with session_scope(sessions, write=True) as session:
        earlier = session.scalar(select(Reply).where(Reply.idempotency_key == key))
        if earlier is not None:
            if earlier.comment_id != comment_id or earlier.text != text or earlier.private != private:
                raise ReplyRefused(409, "this idempotency key was used for another reply; make a new key")
            session.expunge(earlier)
            return Outcome(earlier, None, replayed=True)
        comment = session.get(Comment, comment_id)
        if comment is None:
            raise ReplyRefused(404, f"no comment {comment_id}")
        profile = _profile(settings, comment, private)
        root = thread_root(session, comment)
        check = checker.check(
            text, language=language, staff_public_replies=staff_public_replies(session, root), private=private
        )
        waits = needs_approval(settings, profile, author, check)
        reply = Reply(
            idempotency_key=key,
            comment_id=comment.id,
            incident_id=incident_id or open_incident_of(session, [comment.id, root.id]),
            profile_id=comment.profile_id,
            target_platform_id=comment.platform_id if private else root.platform_id,
            text=text,
            private=private,
            template_id=template_id,
            state="pending_approval" if waits else "sending",
            author=author.actor,
            person_id=author.person_id,
            check_reasons=[r.code for r in check.reasons],
            created_at=now,
        )
        session.add(reply)
        session.flush()
        if waits:
            _ask_leads(session, settings=settings, profile=profile, reply=reply, now=now)
        reply_id = reply.id
    if waits:
        return Outcome(_load(sessions, reply_id), check)
    return Outcome(deliver(sessions, settings=settings, reply_id=reply_id, http=http), check)


def _load(sessions: sessionmaker[Session], reply_id: int) -> Reply:
    with session_scope(sessions) as session:
        reply = session.get(Reply, reply_id)
        session.expunge(reply)
        return reply


def _ask_leads(
    session: Session, *, settings: Settings, profile: ProfileConfig, reply: Reply, now: datetime
) -> None:
    """Page the profile's leads at low urgency (through the outbox, as every page), and note it."""
    assert profile.approval is not None
    _, names = page_leads(
        session,
        settings=settings,
        targets=profile.approval.leads,
        key=f"reply:{reply.id}",
        purpose="approval",
        now=now,
        profile_id=profile.id,
        incident_id=reply.incident_id,
        reply_id=reply.id,
    )
    incident = session.get(Incident, reply.incident_id) if reply.incident_id else None
    if incident is not None:
        event(
            session,
            incident,
            at=now,
            kind="reply_waiting",
            actor=reply.author,
            message=phrase(
                "a reply to comment %(comment)s waits for approval by %(leads)s: %(text)s",
                comment=said_comment(session, reply.comment_id),
                leads=", ".join(names) if names else phrase("nobody"),
                text=reply.text[:200],
            ),
            data={"reply": reply.id, "check": reply.check_reasons},
        )


def decide(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    http: Http,
    reply_id: int,
    actor: str,
    approve: bool,
    note: str = "",
    text: str | None = None,
) -> Reply:
    """A lead sends (perhaps edited) or rejects a waiting reply; only one decision ever counts."""
    now = utcnow()
    with session_scope(sessions, write=True) as session:
        reply = session.get(Reply, reply_id)
        if reply is None:
            raise ReplyRefused(404, f"no reply {reply_id}")
        values: dict[str, object] = {
            "state": "sending" if approve else "rejected",
            "decided_by": actor,
            "decided_at": now,
            "decision_note": note or None,
        }
        if approve and text is not None and text.strip():
            values["text"] = text.strip()[:MAX_TEXT]
        taken = session.execute(
            update(Reply).where(Reply.id == reply_id, Reply.state == "pending_approval").values(**values)
        ).rowcount
        if not taken:
            raise ReplyRefused(409, f"reply {reply_id} is {reply.state}, not waiting for approval")
        session.refresh(reply)
        incident = session.get(Incident, reply.incident_id) if reply.incident_id else None
        if incident is not None:
            verdict = "approved" if approve else "rejected"
            event(
                session,
                incident,
                at=now,
                kind=f"reply_{verdict}",
                actor=actor,
                message=phrase(DECIDED[approve, bool(note)], reply=reply.id, note=note),
                data={"reply": reply.id},
            )
    if not approve:
        return _load(sessions, reply_id)
    return deliver(sessions, settings=settings, reply_id=reply_id, http=http)


def deliver(sessions: sessionmaker[Session], *, settings: Settings, reply_id: int, http: Http) -> Reply:
    """Call Meta for a claimed reply and record what happened. Meta is called at most once per reply."""
    with session_scope(sessions) as session:
        reply = session.get(Reply, reply_id)
        if reply is None or reply.state != "sending":
            raise ReplyRefused(409, f"reply {reply_id} is not being sent")
        comment = session.get(Comment, reply.comment_id)
        post = session.get(Post, comment.post_id) if comment and comment.post_id else None
        text, private, target = reply.text, reply.private, reply.target_platform_id
        post_platform_id = post.platform_id if post else None
    profile = settings.profile(reply.profile_id)
    token = profile.access_token.get_secret_value() if profile and profile.access_token else ""
    edge = (
        "private_replies"
        if private
        else ("replies" if profile and profile.platform == "instagram" else "comments")
    )
    outcome: dict[str, object]
    try:
        with http() as client:
            graph = GraphClient(settings.graph_base_url, settings.graph_api_version, token, client)
            answer = graph.post(f"{target}/{edge}", {"message": text})
        platform_id = answer.get("id") if isinstance(answer, dict) else None
        outcome = {"state": "sent", "platform_id": str(platform_id) if platform_id else None}
    except GraphError as exc:
        outcome = {"state": "failed", **explain(exc).as_row()}
    except httpx.ConnectError as exc:  # never reached Meta: nothing was posted
        outcome = {"state": "failed", "error_code": "network", "error": f"Meta could not be reached: {exc}"}
    except httpx.TransportError as exc:  # reached Meta, answer lost: it may be posted
        outcome = {"state": "unknown", "error_code": "lost_answer", "error": f"Meta's answer was lost: {exc}"}
    return _record(
        sessions,
        reply_id=reply_id,
        outcome=outcome,
        post_platform_id=post_platform_id,
        profile=profile,
    )


def _record(
    sessions: sessionmaker[Session],
    *,
    reply_id: int,
    outcome: dict[str, object],
    post_platform_id: str | None,
    profile: ProfileConfig | None,
) -> Reply:
    now = utcnow()
    with session_scope(sessions, write=True) as session:
        reply = session.get(Reply, reply_id)
        for name, value in outcome.items():
            setattr(reply, name, value)
        if reply.state == "sent":
            reply.sent_at = now
            if not reply.private and reply.platform_id and profile is not None:
                reply.reply_comment_id = _store_as_comment(session, reply, post_platform_id, profile, now)
        incident = session.get(Incident, reply.incident_id) if reply.incident_id else None
        if incident is not None:
            if reply.state == "sent":
                message = phrase(
                    N_("replied privately to comment %(comment)s: %(text)s")
                    if reply.private
                    else N_("replied publicly to comment %(comment)s: %(text)s"),
                    comment=said_comment(session, reply.comment_id),
                    text=reply.text[:300],
                )
            else:
                message = phrase(
                    "the reply to comment %(comment)s: %(state)s: %(error)s",
                    comment=said_comment(session, reply.comment_id),
                    state=phrase(OUTCOMES.get(reply.state, reply.state)),
                    error=reply.error or "",
                )
            event(
                session,
                incident,
                at=now,
                kind="reply" if reply.state == "sent" else f"reply_{reply.state}",
                actor=reply.author,
                message=message,
                data={"reply": reply.id, "check": reply.check_reasons, "platform_id": reply.platform_id},
            )
        session.flush()
        session.expunge(reply)
        return reply


def _store_as_comment(
    session: Session, reply: Reply, post_platform_id: str | None, profile: ProfileConfig, now: datetime
) -> int | None:
    """The reply as the shop's own comment, so the thread shows it at once and Meta's webhook, when it brings
    the same comment id back, finds it stored: the same reply, not a new comment."""
    record = {"reply": reply.id, "platform_id": reply.platform_id, "parent": reply.target_platform_id}
    batch = Batch(
        events=[
            CommentEvent(
                profile_id=reply.profile_id,
                platform_id=str(reply.platform_id),
                verb="add",
                occurred_at=now,
                post_platform_id=post_platform_id,
                parent_platform_id=reply.target_platform_id,
                author_id=profile.platform_id,
                author_name=profile.name,
                author_is_staff=True,
                message=reply.text,
                created_at=now,
                raw=record,
            )
        ]
    )
    ingest(session, source=SOURCE, body=json.dumps(record).encode(), batch=batch)
    return session.scalar(
        select(Comment.id).where(
            Comment.profile_id == reply.profile_id, Comment.platform_id == reply.platform_id
        )
    )


def recognise(session: Session, comment_ids: list[int]) -> int:
    """Staff comments that are replies czujka sent but whose answer from Meta was lost: the webhook's copy
    settles them as sent, so nobody sends them again."""
    settled = 0
    for comment in session.scalars(select(Comment).where(Comment.id.in_(comment_ids))):
        if not comment.author_is_staff or comment.parent_platform_id is None:
            continue
        reply = session.scalar(
            select(Reply)
            .where(
                Reply.profile_id == comment.profile_id,
                Reply.target_platform_id == comment.parent_platform_id,
                Reply.state.in_(("sending", "unknown")),
                Reply.private.is_(False),
            )
            .order_by(Reply.id)
        )
        if reply is not None and " ".join(reply.text.split()) == " ".join(comment.message.split()):
            reply.state, reply.platform_id, reply.reply_comment_id = "sent", comment.platform_id, comment.id
            reply.sent_at = reply.sent_at or comment.created_at
            settled += 1
    return settled


def waiting(session: Session, *, limit: int = 50, profiles: list[str] | None = None) -> list[Reply]:
    query = select(Reply).where(Reply.state == "pending_approval")
    if profiles is not None:
        query = query.where(Reply.profile_id.in_(profiles))
    return list(session.scalars(query.order_by(Reply.created_at).limit(limit)))
