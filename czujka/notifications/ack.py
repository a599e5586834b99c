"""One-tap acknowledge links: 256 random bits, stored hashed, expiring, good for one acknowledgement.

The link opens a page with one button; the GET itself changes nothing, because mail scanners and chat
previews fetch links before a person ever taps them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.incidents import flows
from czujka.incidents.models import Incident
from czujka.notifications.models import AckLink
from czujka.storage.secrets import hash_token
from czujka.words import N_, phrase

ALREADY = {
    "acknowledged": N_("the incident is already acknowledged"),
    "resolved": N_("the incident is already resolved"),
    "silenced": N_("the incident is already silenced"),
}


class AckLinkError(ValueError):
    """The link is unknown, expired or used; the message says which."""


def create_link(session: Session, *, incident_id: int, person_id: str, now: datetime, hours: float) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        AckLink(
            token_hash=hash_token(token),
            incident_id=incident_id,
            person_id=person_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


@dataclass(frozen=True, slots=True)
class LinkView:
    link: AckLink
    incident: Incident


def look_up(session: Session, *, token: str, now: datetime) -> LinkView:
    link = session.scalar(select(AckLink).where(AckLink.token_hash == hash_token(token)))
    if link is None:
        raise AckLinkError(N_("this acknowledge link is not valid"))
    if link.used_at is not None:
        raise AckLinkError(N_("this acknowledge link was already used"))
    if link.expires_at <= now:
        raise AckLinkError(N_("this acknowledge link has expired"))
    return LinkView(link, session.get(Incident, link.incident_id))


def use_link(session: Session, *, token: str, now: datetime) -> Incident:
    """Acknowledge the incident as the person the link was sent to, and spend the link."""
    view = look_up(session, token=token, now=now)
    # Spending the link first, with a guarded update, makes two taps at once acknowledge once.
    spent = (
        session.query(AckLink)
        .filter(AckLink.id == view.link.id, AckLink.used_at.is_(None))
        .update({AckLink.used_at: now}, synchronize_session=False)
    )
    if spent != 1:
        raise AckLinkError(N_("this acknowledge link was already used"))
    if view.incident.state != "triggered":
        raise AckLinkError(ALREADY.get(view.incident.state, ALREADY["resolved"]))
    return flows.acknowledge(
        session,
        incident_id=view.incident.id,
        actor=f"person:{view.link.person_id}",
        at=now,
        reason=phrase("acknowledged with the link from the page"),
    )
