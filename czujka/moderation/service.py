"""Moderation: rules evaluated on scored comments, an outbox of platform actions that go out at least once,
manual hide/unhide/delete, the review queue, and the weekly review digest.

An action is a row before it is a call: claimed with a lease (as pages are), called outside any transaction,
recorded after. A crash after Meta acted and before the record means the action is claimed again; hiding is
idempotent, and a delete repeated on a gone comment is answered "gone" (100/33), so nothing is lost and no
other comment is ever touched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from czujka.comments.models import Comment, CommentHistory
from czujka.comments.service import said_comment
from czujka.config import ProfileConfig, Settings
from czujka.detection.signals import SignalIn
from czujka.incidents.flows import event, open_incident, open_or_attach
from czujka.incidents.models import Incident, IncidentEvidence
from czujka.incidents.service import open_incident_of
from czujka.moderation.models import ModerationAction
from czujka.moderation.rules import Facts, first_match
from czujka.oncall.schedule import who_is_on_duty
from czujka.sources.graph import GraphClient, GraphError, RateLimited, TokenExpired
from czujka.storage.base import utcnow
from czujka.storage.dialect import insert_ignoring_duplicates, skip_locked
from czujka.storage.engine import session_scope
from czujka.words import N_, Joined, phrase

RETRY_CODES = {1, 2, 4, 17, 32, 613}
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 5.0
LEASE = timedelta(minutes=2)
SOURCE = "czujka-moderation"
Http = Callable[[], httpx.Client]


class ModerationRefused(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


# The timeline's words for what moderation did (keyed by verb).
DRY_RUN = {
    "hide": N_("a rule would hide comment %(comment)s (a dry run): %(reason)s"),
    "delete": N_("a rule would delete comment %(comment)s (a dry run): %(reason)s"),
    "unhide": N_("a rule would unhide comment %(comment)s (a dry run): %(reason)s"),
    "flag": N_("a rule would flag comment %(comment)s (a dry run): %(reason)s"),
    "keep": N_("a rule would keep comment %(comment)s hidden (a dry run): %(reason)s"),
}
QUEUED = {
    "hide": N_("comment %(comment)s is being hidden: %(reason)s"),
    "delete": N_("comment %(comment)s is being deleted: %(reason)s"),
    "unhide": N_("comment %(comment)s is being unhidden: %(reason)s"),
    "flag": N_("comment %(comment)s flagged: %(reason)s"),
    "keep": N_("comment %(comment)s kept hidden: %(reason)s"),
}
DONE = {
    "hide": N_("comment %(comment)s is hidden on the platform"),
    "delete": N_("comment %(comment)s is deleted on the platform"),
    "unhide": N_("comment %(comment)s is visible again on the platform"),
    "flag": N_("comment %(comment)s flagged"),
    "keep": N_("comment %(comment)s stays hidden"),
}
ANSWERED = {
    "hide": N_("hiding comment %(comment)s: %(state)s (%(answer)s)"),
    "delete": N_("deleting comment %(comment)s: %(state)s (%(answer)s)"),
    "unhide": N_("unhiding comment %(comment)s: %(state)s (%(answer)s)"),
    "flag": N_("flagging comment %(comment)s: %(state)s (%(answer)s)"),
    "keep": N_("keeping comment %(comment)s hidden: %(state)s (%(answer)s)"),
}
ACTION_STATES = {
    "done": N_("done"),
    "gone": N_("the comment is gone already"),
    "failed": N_("failed"),
    "pending": N_("will be tried again"),
}


def nobody_on_duty(settings: Settings, at: datetime) -> bool:
    """No schedule has anyone on duty at `at` (with no schedules at all, nobody is)."""
    return not any(who_is_on_duty(schedule, at).people for schedule in settings.schedules)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored comment as the pipeline hands it over."""

    comment_id: int
    facts: Facts


def coordinated_ids(session: Session, comment_ids: list[int]) -> set[int]:
    """Which of the comments are evidence of a coordinated incident."""
    if not comment_ids:
        return set()
    return set(
        session.scalars(
            select(IncidentEvidence.comment_id)
            .join(Incident, Incident.id == IncidentEvidence.incident_id)
            .where(IncidentEvidence.comment_id.in_(comment_ids), Incident.kind == "coordinated")
        )
    )


def evaluate(session: Session, *, settings: Settings, candidates: list[Candidate], now: datetime) -> int:
    """Queue what the rules say for freshly scored comments (in the scoring transaction); returns how many."""
    rules = settings.moderation_rules
    if not rules or not candidates:
        return 0
    queued = 0
    duty_cache: dict[datetime, bool] = {}
    oldest = now - timedelta(hours=settings.moderation_max_age_hours)
    for candidate in candidates:
        facts = candidate.facts
        if facts.created_at < oldest:  # an import or a rescore of old comments never touches the platform
            continue
        profile = settings.profile(facts.profile_id)
        minute = facts.created_at.replace(second=0, microsecond=0)
        if minute not in duty_cache:
            duty_cache[minute] = nobody_on_duty(settings, facts.created_at)
        found = first_match(
            rules,
            facts,
            trusted=set(profile.trusted_authors) if profile else set(),
            nobody_on_duty=duty_cache[minute],
            zone=settings.timezone_of(facts.profile_id),
        )
        if found is None:
            continue
        rule, reason = found
        if _runaway(session, rule_id=rule.id, limit=rule.max_per_hour, facts=facts, now=now):
            continue
        action = queue(
            session,
            comment_id=candidate.comment_id,
            profile_id=facts.profile_id,
            platform_id=None,
            verb=rule.action,
            source=f"rule:{rule.id}",
            reason=reason,
            key=f"rule:{rule.id}:{candidate.comment_id}:{rule.action}",
            dry_run=rule.dry_run,
            comment_at=facts.created_at,
            now=now,
        )
        queued += action is not None
    return queued


def _runaway(session: Session, *, rule_id: str, limit: int, facts: Facts, now: datetime) -> bool:
    """A rule that acted `limit` times within an hour of comments stops, and is an incident, until a person
    resolves that incident."""
    key = f"moderation:{rule_id}:runaway"
    if open_incident(session, key) is not None:
        return True
    acted = session.scalar(
        select(func.count(ModerationAction.id)).where(
            ModerationAction.source == f"rule:{rule_id}",
            ModerationAction.comment_at > facts.created_at - timedelta(hours=1),
            ModerationAction.comment_at <= facts.created_at,
        )
    )
    if (acted or 0) < limit:
        return False
    open_or_attach(
        session,
        signal=SignalIn(
            facts.profile_id,
            "moderation_runaway",
            key,
            0.9,
            now,
            phrase(
                "moderation rule %(rule)s acted %(acted)s times within an hour of comments (max_per_hour "
                "%(limit)s); it stops until this incident is resolved",
                rule=rule_id,
                acted=acted,
                limit=limit,
            ),
        ),
    )
    return True


def queue(
    session: Session,
    *,
    comment_id: int,
    profile_id: str,
    platform_id: str | None,
    verb: str,
    source: str,
    reason: str | Joined,
    key: str,
    comment_at: datetime,
    now: datetime,
    dry_run: bool = False,
) -> ModerationAction | None:
    """One action in the outbox (None when its key is queued already). Flags and dry runs are done at once:
    nothing goes to the platform."""
    if platform_id is None:
        platform_id = session.scalar(select(Comment.platform_id).where(Comment.id == comment_id))
    incident_id = open_incident_of(session, [comment_id])
    immediate = dry_run or verb in ("flag", "keep")
    row = {
        "dedup_key": key[:200],
        "comment_id": comment_id,
        "profile_id": profile_id,
        "platform_id": platform_id,
        "verb": verb,
        "source": source[:100],
        "reason": str(reason),
        "dry_run": dry_run,
        "comment_at": comment_at,
        "incident_id": incident_id,
        "state": "done" if immediate else "pending",
        "attempts": 0,
        "send_after": now,
        "created_at": now,
        "done_at": now if immediate else None,
        "answer": ("dry run: would " + verb) if dry_run else None,
    }
    if not insert_ignoring_duplicates(session, ModerationAction, [row], "dedup_key"):
        return None
    action = session.scalar(select(ModerationAction).where(ModerationAction.dedup_key == key[:200]))
    if incident_id is not None and action is not None:
        incident = session.get(Incident, incident_id)
        what = phrase(
            DRY_RUN[verb] if dry_run else QUEUED[verb],
            comment=said_comment(session, comment_id),
            reason=reason,
        )
        event(
            session,
            incident,
            at=now,
            kind="moderation",
            actor=source,
            message=what,
            data={"action": action.id, "verb": verb},
        )
    return action


# --- the outbox ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    action_id: int
    claim: str
    verb: str
    platform_id: str
    profile_id: str
    attempts: int


def _due(now: datetime):
    return or_(
        and_(ModerationAction.state == "pending", ModerationAction.send_after <= now),
        and_(ModerationAction.state == "sending", ModerationAction.lease_until < now),
    )


def claim(
    sessions: sessionmaker[Session], *, now: datetime, limit: int = 50, ids: list[int] | None = None
) -> list[Claimed]:
    claimed = []
    with session_scope(sessions, write=True) as session:
        query = (
            select(ModerationAction.id).where(_due(now)).order_by(ModerationAction.send_after).limit(limit)
        )
        if ids is not None:
            query = query.where(ModerationAction.id.in_(ids))
        for action_id in session.scalars(skip_locked(session, query)).all():
            token = secrets.token_hex(16)
            taken = session.execute(
                update(ModerationAction)
                .where(ModerationAction.id == action_id, _due(now))
                .values(
                    state="sending",
                    claim=token,
                    lease_until=now + LEASE,
                    attempts=ModerationAction.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken:
                a = session.get(ModerationAction, action_id, populate_existing=True)
                claimed.append(Claimed(a.id, token, a.verb, a.platform_id, a.profile_id, a.attempts))
    return claimed


@dataclass(frozen=True, slots=True)
class Answer:
    state: str  # done, gone, retry, failed
    answer: str
    error_code: str | None = None
    retry_after: float = 0.0


def call(item: Claimed, *, settings: Settings, http: httpx.Client) -> Answer:
    """The platform call for one action; no database work."""
    profile = settings.profile(item.profile_id)
    if profile is None or profile.access_token is None or profile.platform == "generic":
        return Answer(
            "failed", "the profile has no access_token or is not on Facebook or Instagram", "no_token"
        )
    graph = GraphClient(
        settings.graph_base_url, settings.graph_api_version, profile.access_token.get_secret_value(), http
    )
    try:
        if item.verb == "delete":
            answer = graph.delete(item.platform_id)
        else:
            flag = "is_hidden" if profile.platform == "facebook" else "hide"
            answer = graph.post(item.platform_id, {flag: "true" if item.verb == "hide" else "false"})
    except RateLimited as exc:
        return Answer("retry", str(exc), "rate_limited", exc.retry_after)
    except TokenExpired as exc:
        return Answer("failed", str(exc), "token")
    except GraphError as exc:
        if exc.code in RETRY_CODES:
            return Answer("retry", str(exc), f"code_{exc.code}")
        if exc.code == 100 and exc.subcode == 33:
            return Answer("gone", str(exc), "gone")
        if exc.permission_denied:
            return Answer("failed", str(exc), "permission")
        return Answer("failed", str(exc), "refused")
    except httpx.TransportError as exc:
        return Answer("retry", f"Meta could not be reached: {exc}", "network")
    return Answer("done", str(answer)[:500])


def record(sessions: sessionmaker[Session], *, item: Claimed, answer: Answer, settings: Settings) -> str:
    now = utcnow()
    with session_scope(sessions, write=True) as session:
        action = session.get(ModerationAction, item.action_id)
        if action is None or action.claim != item.claim:
            return "lost"
        action.claim, action.answer, action.error_code = None, answer.answer, answer.error_code
        if answer.state == "retry" and item.attempts < MAX_ATTEMPTS:
            action.state = "pending"
            wait = max(answer.retry_after, FIRST_RETRY_SECONDS * 2 ** (item.attempts - 1))
            action.send_after = now + timedelta(seconds=min(wait, 900))
            return "retry"
        action.state = "failed" if answer.state == "retry" else answer.state
        action.done_at = now
        comment = session.get(Comment, action.comment_id)
        if action.state in ("done", "gone") and comment is not None:
            _mirror(session, comment, action, now)
        if answer.error_code in ("permission", "token", "no_token"):
            _blocked(session, action, answer, now)
        incident = session.get(Incident, action.incident_id) if action.incident_id else None
        if incident is not None:
            event(
                session,
                incident,
                at=now,
                kind="moderation" if action.state in ("done", "gone") else "moderation_failed",
                actor=action.source,
                message=phrase(DONE[action.verb], comment=said_comment(session, action.comment_id))
                if action.state == "done"
                else phrase(
                    ANSWERED[action.verb],
                    comment=said_comment(session, action.comment_id),
                    state=phrase(ACTION_STATES.get(action.state, action.state)),
                    answer=answer.answer[:200],
                ),
                data={"action": action.id, "verb": action.verb, "state": action.state},
            )
        return action.state


def _mirror(session: Session, comment: Comment, action: ModerationAction, now: datetime) -> None:
    """What the platform now shows, on czujka's copy of the comment and in its history."""
    verb = "remove" if action.state == "gone" or action.verb == "delete" else action.verb
    if verb == "remove":
        if comment.deleted_at is None:
            comment.deleted_at = now
    elif verb == "hide":
        comment.hidden_at = comment.hidden_at or now
    elif verb == "unhide":
        comment.hidden_at = None
    session.add(
        CommentHistory(comment_id=comment.id, verb=verb, occurred_at=now, recorded_at=now, source=SOURCE)
    )


def _blocked(session: Session, action: ModerationAction, answer: Answer, now: datetime) -> None:
    """czujka may not moderate the profile: one incident per profile, paged like any other, until resolved."""
    open_or_attach(
        session,
        signal=SignalIn(
            action.profile_id,
            "moderation_blocked",
            f"{action.profile_id}:moderation_blocked",
            0.9,
            now,
            phrase(
                "czujka cannot moderate comments on %(profile)s: %(answer)s — grant the page's moderation "
                "permission (pages_manage_engagement / instagram_manage_comments) or renew the token",
                profile=action.profile_id,
                answer=answer.answer[:300],
            ),
            [action.comment_id],
        ),
    )


def run_due(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    http: httpx.Client,
    now: datetime | None = None,
    ids: list[int] | None = None,
) -> list[str]:
    """Claim, call and record every due action (or just `ids`); returns their new states."""
    items = claim(sessions, now=now or utcnow(), ids=ids)
    return [
        record(sessions, item=i, answer=call(i, settings=settings, http=http), settings=settings)
        for i in items
    ]


def blocked_profiles(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Profiles whose latest failed action lacked a permission or a token, with no success after it."""
    failed = session.execute(
        select(ModerationAction.profile_id, func.max(ModerationAction.done_at), ModerationAction.error_code)
        .where(
            ModerationAction.state == "failed",
            ModerationAction.error_code.in_(("permission", "token", "no_token")),
            ModerationAction.done_at >= since,
        )
        .group_by(ModerationAction.profile_id, ModerationAction.error_code)
    ).all()
    out = []
    for profile_id, at, code in failed:
        later = session.scalar(
            select(
                exists().where(
                    ModerationAction.profile_id == profile_id,
                    ModerationAction.state == "done",
                    ModerationAction.dry_run.is_(False),
                    ModerationAction.done_at > at,
                )
            )
        )
        if not later:
            out.append({"profile": profile_id, "problem": code, "since": at.isoformat()})
    return out


# --- manual actions and the review queue -----------------------------------------------------------------


def manual(
    sessions: sessionmaker[Session],
    *,
    settings: Settings,
    http: httpx.Client,
    comment_id: int,
    verb: str,
    actor: str,
    reason: str = "",
    key: str | None = None,
) -> ModerationAction:
    """A person hides, unhides or deletes a comment now; the answer is what the platform said (or that it
    waits for a retry)."""
    now = utcnow()
    with session_scope(sessions, write=True) as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            raise ModerationRefused(404, f"no comment {comment_id}")
        profile: ProfileConfig | None = settings.profile(comment.profile_id)
        if profile is None or profile.platform == "generic" or profile.access_token is None:
            raise ModerationRefused(
                409, f"profile {comment.profile_id!r} cannot be moderated from czujka (no token)"
            )
        action = queue(
            session,
            comment_id=comment.id,
            profile_id=comment.profile_id,
            platform_id=comment.platform_id,
            verb=verb,
            source=actor,
            reason=reason or "by hand",
            key=key or f"manual:{secrets.token_urlsafe(12)}",
            comment_at=comment.created_at,
            now=now,
        )
        if action is None:
            action = session.scalar(select(ModerationAction).where(ModerationAction.dedup_key == key))
        action_id = action.id
    run_due(sessions, settings=settings, http=http, ids=[action_id])
    with session_scope(sessions) as session:
        found = session.get(ModerationAction, action_id)
        session.expunge(found)
        return found
