"""Pages go out through small stages behind one verb, `deliver`: claim → still wanted? → render → send →
record (sent, retry with backoff, or failed and on to the person's next channel).

A claim is a lease: a worker that dies mid-send leaves the page to be claimed again when the lease ends, so
every page is delivered at least once; the unique dedup key per step, person and channel keeps it to one page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.config import PersonConfig, Settings
from czujka.incidents.flows import event
from czujka.incidents.models import Incident, IncidentEvidence
from czujka.notifications.ack import create_link
from czujka.notifications.channels import KIND_BY, Delivery, Page, kind_of, send
from czujka.notifications.message import (
    Expert,
    Quote,
    render_approval,
    render_digest,
    render_page,
    render_review,
)
from czujka.notifications.models import Notification
from czujka.playbooks.catalog import choose
from czujka.playbooks.models import Reply
from czujka.playbooks.reply_check import MESSAGES, message
from czujka.storage.dialect import skip_locked
from czujka.storage.engine import session_scope
from czujka.words import phrase

log = structlog.get_logger("czujka.notifications")
LEASE = timedelta(minutes=2)
PushFactory = Callable[[str], Callable[[Page], Delivery]]


def _claimable(now: datetime):
    return or_(
        and_(Notification.status == "pending", Notification.send_after <= now),
        and_(Notification.status == "sending", Notification.lease_until < now),
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A claimed page, rendered and ready for its channel."""

    notification_id: int
    claim_token: str
    person_id: str
    attempts: int
    url: str
    page: Page


def claim(
    sessions: sessionmaker[Session], *, settings: Settings, now: datetime, limit: int
) -> list[Prepared]:
    """Take up to `limit` due pages and render them, in one transaction; pages no longer wanted are skipped.

    Each claimed row gets a fresh claim token that the later write of its outcome must match."""
    prepared: list[Prepared] = []
    with session_scope(sessions, write=True) as session:
        ids = session.scalars(
            skip_locked(
                session,
                select(Notification.id).where(_claimable(now)).order_by(Notification.send_after).limit(limit),
            )
        ).all()
        for notification_id in ids:
            token = secrets.token_hex(16)
            taken = session.execute(
                update(Notification)
                .where(Notification.id == notification_id, _claimable(now))
                .values(
                    status="sending", claim=token, lease_until=now + LEASE, attempts=Notification.attempts + 1
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                continue
            notification = session.get(Notification, notification_id, populate_existing=True)
            with session.no_autoflush:  # rendering only reads; one flush at commit is enough
                ready = _prepare(session, settings, notification, now)
            if isinstance(ready, str):
                notification.status, notification.last_error, notification.claim = "skipped", ready, None
                continue
            notification.handed_at = notification.handed_at or now
            url, page = ready
            prepared.append(
                Prepared(notification_id, token, notification.person_id, notification.attempts, url, page)
            )
    return prepared


def _quotes(session: Session, incident_id: int, limit: int = 3) -> list[Quote]:
    rows = session.execute(
        select(Comment.author_name, Comment.message)
        .join(IncidentEvidence, IncidentEvidence.comment_id == Comment.id)
        .outerjoin(CommentScore, CommentScore.comment_id == Comment.id)
        .where(IncidentEvidence.incident_id == incident_id)
        .order_by(func.coalesce(CommentScore.harm, 0).desc(), Comment.created_at.desc())
        .limit(limit)
    ).all()
    return [Quote(author or "?", text or "") for author, text in rows]


def _prepare(
    session: Session, settings: Settings, notification: Notification, now: datetime
) -> tuple[str, Page] | str:
    """The channel address and the rendered page, or why this page is no longer to be sent."""
    if notification.purpose == "review":
        return _prepare_review(session, settings, notification)
    if notification.purpose == "digest":
        return _prepare_digest(settings, notification)
    incident = session.get(Incident, notification.incident_id) if notification.incident_id else None
    if notification.purpose == "approval":
        return _prepare_approval(session, settings, notification, incident)
    if incident.state != "triggered":
        return f"not sent: the incident is {incident.state}"
    person = settings.person(notification.person_id)
    if person is None:
        return f"not sent: {notification.person_id} is no longer in czujka.toml"
    rule = person.rule(notification.urgency)
    if notification.channel_number >= len(rule):
        return f"not sent: {person.id} no longer has channel {notification.channel_number + 1}"
    url = rule[notification.channel_number][1]
    token = create_link(
        session, incident_id=incident.id, person_id=person.id, now=now, hours=settings.ack_link_hours
    )
    topic = notification.topic
    profile = settings.profile(incident.profile_id)
    base = settings.public_url.rstrip("/")
    experts = [
        Expert(e["name"], tuple(e["topics"]), e.get("phone"), e.get("email"))
        for e in notification.experts or []
    ]
    title, body = render_page(
        language=person.language,
        incident_id=incident.id,
        kind=incident.kind,
        severity=incident.severity,
        profile_name=profile.name if profile else incident.profile_id,
        opened_at=incident.opened_at,
        timezone=settings.timezone_of(incident.profile_id),
        topic=topic,
        quotes=_quotes(session, incident.id),
        experts=experts,
        url=f"{base}/incidents/{incident.id}",
        ack_url=f"{base}/ack/{token}",
        step=notification.step,
        playbook=choose(settings, incident.kind, topic).title.get(person.language),
        client_name=settings.client_name_of(incident.profile_id),
    )
    page = Page(
        title, body, incident.id, incident.severity, f"{base}/incidents/{incident.id}", f"{base}/ack/{token}"
    )
    return url, page


def _lead_address(settings: Settings, notification: Notification) -> tuple[PersonConfig, str] | str:
    """The person of a low-urgency page (an approval, a digest) and the channel's address, or why not."""
    person = settings.person(notification.person_id)
    if person is None:
        return f"not sent: {notification.person_id} is no longer in czujka.toml"
    rule = person.rule("low")
    if notification.channel_number >= len(rule):
        return f"not sent: {person.id} no longer has channel {notification.channel_number + 1}"
    return person, rule[notification.channel_number][1]


def _prepare_approval(
    session: Session, settings: Settings, notification: Notification, incident: Incident | None
) -> tuple[str, Page] | str:
    """A lead's low-urgency page: a reply waits for them to send, edit or reject it."""
    reply = session.get(Reply, notification.reply_id) if notification.reply_id else None
    if reply is None or reply.state != "pending_approval":
        return "not sent: the reply no longer waits for approval"
    found = _lead_address(settings, notification)
    if isinstance(found, str):
        return found
    person, address = found
    profile = settings.profile(reply.profile_id)
    url = f"{settings.public_url.rstrip('/')}/replies/{reply.id}"
    title, body = render_approval(
        language=person.language,
        profile_name=profile.name if profile else reply.profile_id,
        author=reply.author.removeprefix("user:").removeprefix("token:"),
        text=reply.text,
        reasons=[message(code, person.language) for code in reply.check_reasons if code in MESSAGES],
        url=url,
    )
    return address, Page(title, body, incident.id if incident else 0, 1, url, url)


def _prepare_review(
    session: Session, settings: Settings, notification: Notification
) -> tuple[str, Page] | str:
    """A lead's review digest: how many hidden comments of a profile wait for a person, and the link."""
    from czujka.moderation.review import waiting_count  # here: moderation imports this package's models

    profile_id = notification.page_key.split(":")[1]
    found = _lead_address(settings, notification)
    if isinstance(found, str):
        return found
    person, address = found
    count = waiting_count(session, profile=profile_id)
    if not count:
        return "not sent: nothing waits for review any more"
    profile = settings.profile(profile_id)
    url = f"{settings.public_url.rstrip('/')}/hidden?profile={profile_id}"
    title, body = render_review(
        language=person.language, profile_name=profile.name if profile else profile_id, count=count, url=url
    )
    return address, Page(title, body, 0, 1, url, url)


def _prepare_digest(settings: Settings, notification: Notification) -> tuple[str, Page] | str:
    """The weekly digest's page: the week's numbers, made when it was queued, and the link to the digest."""
    found = _lead_address(settings, notification)
    if isinstance(found, str):
        return found
    person, address = found
    said = notification.payload or {}
    url = settings.public_url.rstrip("/") + str(said.get("path", "/digest"))
    title, body = render_digest(language=person.language, said=said, url=url)
    return address, Page(title, body, 0, 1, url, url)


def send_prepared(item: Prepared, *, settings: Settings, push: PushFactory | None = None) -> Delivery:
    """Hand one page to its channel; no database work, so it can run on any thread."""
    return send(
        item.url,
        item.page,
        timeout=settings.notify_timeout_seconds,
        push=push(item.person_id) if push else None,
    )


def record(
    sessions: sessionmaker[Session], *, settings: Settings, outcomes: list[tuple[Prepared, Delivery]]
) -> list[str]:
    """Write what the channels answered, in one transaction: sent, retry later, or failed and fall back."""
    if not outcomes:
        return []
    now = datetime.now(UTC)
    with session_scope(sessions, write=True) as session:
        return [
            _record(session, settings=settings, item=item, result=result, now=now)
            for item, result in outcomes
        ]


def deliver_due(
    sessions: sessionmaker[Session], *, settings: Settings, push: PushFactory | None = None, limit: int = 50
) -> list[str]:
    """Claim, send and record every due page, one after another (the worker overlaps the sends)."""
    claimed = claim(sessions, settings=settings, now=datetime.now(UTC), limit=limit)
    outcomes = [(item, send_prepared(item, settings=settings, push=push)) for item in claimed]
    return record(sessions, settings=settings, outcomes=outcomes)


def _record(session: Session, *, settings: Settings, item: Prepared, result: Delivery, now: datetime) -> str:
    n = session.get(Notification, item.notification_id)
    if n is None or n.claim != item.claim_token:
        return "lost"  # the lease ran out and another worker owns this page now
    attempts = item.attempts
    incident = session.get(Incident, n.incident_id) if n.incident_id is not None else None
    person = settings.person(n.person_id)
    name, by = (person.name if person else n.person_id), phrase(KIND_BY[kind_of(n.channel)])
    where = phrase("%(name)s %(by)s (step %(step)s)", name=name, by=by, step=n.step + 1)
    if n.purpose == "approval":
        where = phrase("%(name)s %(by)s, to approve a reply", name=name, by=by)
    if result.ok:
        n.status, n.sent_at, n.claim, n.last_error = "sent", now, None, None
        if incident is not None:  # a review digest belongs to no incident
            event(
                session,
                incident,
                at=now,
                kind="page",
                actor="czujka",
                message=phrase("paged %(where)s", where=where),
                data={"notification": n.id, "channel": n.channel, "attempts": attempts},
            )
        return "sent"
    n.last_error, n.claim = result.error, None
    if attempts < settings.notify_attempts and not result.gone:
        n.status = "pending"
        n.send_after = now + timedelta(seconds=settings.notify_retry_seconds * 2 ** (attempts - 1))
        return "retry"
    n.status = "failed"
    if incident is not None:
        event(
            session,
            incident,
            at=now,
            kind="page_failed",
            actor="czujka",
            message=phrase(
                "could not page %(where)s after %(attempts)s tries: %(error)s",
                where=where,
                attempts=attempts,
                error=result.error,
            ),
            data={"notification": n.id, "channel": n.channel},
        )
    # The person's next channel goes out now instead of after its delay.
    following = session.scalar(
        select(Notification)
        .where(
            Notification.page_key == n.page_key,
            Notification.channel_number > n.channel_number,
            Notification.status == "pending",
        )
        .order_by(Notification.channel_number)
        .limit(1)
    )
    if following is not None:
        following.send_after = min(following.send_after, now)
    return "failed"
