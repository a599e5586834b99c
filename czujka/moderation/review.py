"""The review queue: what a rule hid or deleted and what was hidden elsewhere, waiting for a person to keep,
unhide or delete it, one at a time or in bulk; the audit trail of a comment; and the weekly review digest
that tells each profile's leads how many wait."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.config import Settings
from czujka.moderation.config import last_moment
from czujka.moderation.models import ModerationAction
from czujka.moderation.service import ModerationRefused, queue, run_due
from czujka.oncall.service import page_leads
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope

REVIEW_VERBS = {"keep": "kept", "unhide": "unhidden", "delete": "deleted"}


def queue_items(
    session: Session,
    *,
    profile: str | None = None,
    rule: str | None = None,
    limit: int = 200,
    profiles: list[str] | None = None,
) -> list[dict[str, Any]]:
    """What waits for a person: comments a rule hid or deleted, and comments hidden elsewhere (Meta's own
    filters, another admin), each with its text, scores, rule and time."""
    items: list[dict[str, Any]] = []
    acted = (
        select(ModerationAction, Comment, CommentScore)
        .join(Comment, Comment.id == ModerationAction.comment_id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(
            ModerationAction.source.like("rule:%"),
            ModerationAction.verb.in_(("hide", "delete")),
            ModerationAction.review.is_(None),
            ModerationAction.dry_run.is_(False),
        )
        .order_by(ModerationAction.created_at.desc())
        .limit(limit)
    )
    if profile:
        acted = acted.where(ModerationAction.profile_id == profile)
    if profiles is not None:
        acted = acted.where(ModerationAction.profile_id.in_(profiles))
    if rule:
        acted = acted.where(ModerationAction.source == f"rule:{rule}")
    for action, comment, score in session.execute(acted):
        items.append(_item(comment, score, action))
    if rule is None:
        elsewhere = (
            select(Comment, CommentScore)
            .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
            .where(
                Comment.hidden_at.is_not(None),
                Comment.deleted_at.is_(None),
                ~exists().where(ModerationAction.comment_id == Comment.id),
            )
            .order_by(Comment.hidden_at.desc())
            .limit(limit)
        )
        if profile:
            elsewhere = elsewhere.where(Comment.profile_id == profile)
        if profiles is not None:
            elsewhere = elsewhere.where(Comment.profile_id.in_(profiles))
        items += [_item(c, s, None) for c, s in session.execute(elsewhere)]
    return items


def _item(comment: Comment, score: CommentScore | None, action: ModerationAction | None) -> dict[str, Any]:
    return {
        "comment_id": comment.id,
        "platform_id": comment.platform_id,
        "profile_id": comment.profile_id,
        "author": comment.author_name,
        "text": comment.message,
        "created_at": comment.created_at.isoformat(),
        "action": action.verb if action else "hide",
        "source": action.source if action else "platform",
        "rule": action.source.removeprefix("rule:") if action else None,
        "reason": action.reason if action else "hidden on the platform (Meta's filters or another admin)",
        "state": action.state if action else "done",
        "answer": action.answer if action else None,
        "acted_at": (action.done_at or action.created_at).isoformat()
        if action
        else (comment.hidden_at.isoformat() if comment.hidden_at else None),
        "action_id": action.id if action else None,
        "scores": {
            "vulgar": bool(score.vulgar),
            "harm": round(score.harm, 3),
            "sentiment": score.sentiment,
            "topic": score.topic,
        }
        if score
        else None,
    }


def review(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    http: httpx.Client,
    comment_ids: list[int],
    decision: str,
    actor: str,
) -> dict[int, str]:
    """A person's decision on queue items, one or many: keep hidden, unhide, or delete."""
    if decision not in REVIEW_VERBS:
        raise ModerationRefused(422, f"decision must be keep, unhide or delete, not {decision!r}")
    now = utcnow()
    outcome: dict[int, str] = {}
    to_send: list[int] = []
    with session_scope(sessions, write=True) as session:
        for comment_id in dict.fromkeys(comment_ids):
            comment = session.get(Comment, comment_id)
            if comment is None:
                outcome[comment_id] = "no such comment"
                continue
            waiting = session.scalars(
                select(ModerationAction).where(
                    ModerationAction.comment_id == comment_id,
                    ModerationAction.source.like("rule:%"),
                    ModerationAction.review.is_(None),
                )
            ).all()
            for action in waiting:
                action.review, action.reviewed_by, action.reviewed_at = REVIEW_VERBS[decision], actor, now
            verb = decision
            if decision == "keep" or (decision == "unhide" and comment.deleted_at is not None):
                verb = "keep"
            action = queue(
                session,
                comment_id=comment_id,
                profile_id=comment.profile_id,
                platform_id=comment.platform_id,
                verb=verb,
                source=actor,
                reason=f"review: {decision}",
                key=f"review:{comment_id}:{decision}:{secrets.token_hex(6)}",
                comment_at=comment.created_at,
                now=now,
            )
            if action is not None:
                action.review, action.reviewed_by, action.reviewed_at = REVIEW_VERBS[decision], actor, now
                if action.state == "pending":
                    to_send.append(action.id)
            outcome[comment_id] = REVIEW_VERBS[decision]
    if to_send:
        run_due(sessions, settings=settings, http=http, ids=to_send)
    return outcome


def history(session: Session, comment_id: int) -> list[ModerationAction]:
    """Every action on a comment, oldest first: the audit trail shown with it."""
    return list(
        session.scalars(
            select(ModerationAction)
            .where(ModerationAction.comment_id == comment_id)
            .order_by(ModerationAction.id)
        )
    )


def waiting_count(session: Session, *, profile: str | None = None, profiles: list[str] | None = None) -> int:
    """How many queue items wait (the Now page asks every few seconds: counted, not loaded)."""
    acted = select(func.count(ModerationAction.id)).where(
        ModerationAction.source.like("rule:%"),
        ModerationAction.verb.in_(("hide", "delete")),
        ModerationAction.review.is_(None),
        ModerationAction.dry_run.is_(False),
    )
    elsewhere = select(func.count(Comment.id)).where(
        Comment.hidden_at.is_not(None),
        Comment.deleted_at.is_(None),
        ~exists().where(ModerationAction.comment_id == Comment.id),
    )
    if profile:
        acted = acted.where(ModerationAction.profile_id == profile)
        elsewhere = elsewhere.where(Comment.profile_id == profile)
    if profiles is not None:
        acted = acted.where(ModerationAction.profile_id.in_(profiles))
        elsewhere = elsewhere.where(Comment.profile_id.in_(profiles))
    return (session.scalar(acted) or 0) + (session.scalar(elsewhere) or 0)


def last_review_moment(settings: Settings, profile_id: str, now: datetime) -> datetime:
    """The most recent `moderation_review_at` (local to the profile) at or before `now`."""
    return last_moment(settings.moderation_review_at, settings.timezone_of(profile_id), now)


def queue_digests(session: Session, *, settings: Settings, now: datetime) -> int:
    """Once a week per profile and lead, at `moderation_review_at`: how many comments wait, and the link. A
    digest due over an hour ago (the service was down) is not sent late."""
    queued = 0
    for profile in settings.profiles:
        if not profile.review_leads:
            continue
        moment = last_review_moment(settings, profile.id, now)
        if now - moment > timedelta(hours=1):
            continue
        if not waiting_count(session, profile=profile.id):
            continue
        # The page key names the profile and the week: review:PROFILE:DATE:PERSON, once per lead.
        queued += page_leads(
            session,
            settings=settings,
            targets=profile.review_leads,
            key=f"review:{profile.id}:{moment.date().isoformat()}",
            purpose="review",
            now=now,
            profile_id=profile.id,
        )[0]
    return queued
