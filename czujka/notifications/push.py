"""Web Push (RFC 8030 with VAPID) to the browsers where a person installed the dashboard.

The VAPID key comes from the settings, or is generated once and kept in the database so every process and
every restart signs with the same key (browsers drop subscriptions when the key changes).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from czujka.config import Settings
from czujka.notifications.channels import Delivery, Page
from czujka.notifications.models import PushSubscription
from czujka.storage.engine import session_scope
from czujka.storage.secrets import service_secret

VAPID_SECRET = "vapid_private_pem"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_key(settings: Settings, sessions: sessionmaker[Session]) -> Any:
    """The py_vapid key object; generated and stored on first use when the settings give none."""
    from py_vapid import Vapid

    if settings.vapid_private_key is not None:
        raw = settings.vapid_private_key.get_secret_value().strip()
        return Vapid.from_pem(raw.encode()) if raw.startswith("-----") else Vapid.from_string(raw)

    def generate() -> str:
        key = Vapid()
        key.generate_keys()
        return key.private_pem().decode()

    return Vapid.from_pem(service_secret(sessions, VAPID_SECRET, generate).encode())


def application_server_key(settings: Settings, sessions: sessionmaker[Session]) -> str:
    """The public key as browsers want it in `pushManager.subscribe({applicationServerKey})`."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = vapid_key(settings, sessions)
    return _b64(key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def subscribe(session: Session, *, person_id: str, subscription: dict[str, Any]) -> PushSubscription:
    """Store (or refresh) a browser's subscription; the same endpoint moves to the newest person."""
    endpoint = subscription["endpoint"]
    keys = subscription["keys"]
    row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(
            endpoint=endpoint, person_id=person_id, p256dh=keys["p256dh"], auth=keys["auth"]
        )
        session.add(row)
    else:
        row.person_id, row.p256dh, row.auth, row.last_error = person_id, keys["p256dh"], keys["auth"], None
    session.flush()
    return row


class PushSender:
    """Sends a page to every browser subscribed for one person; drops subscriptions the service forgot."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]):
        self.settings = settings
        self.sessions = sessions
        self._key: Any = None

    def for_person(self, person_id: str):
        return lambda page: self.send(person_id, page)

    def send(self, person_id: str, page: Page) -> Delivery:
        from pywebpush import WebPushException, webpush

        if self._key is None:
            self._key = vapid_key(self.settings, self.sessions)
        with session_scope(self.sessions) as session:
            subs = session.scalars(
                select(PushSubscription).where(PushSubscription.person_id == person_id)
            ).all()
            targets = [(s.id, s.endpoint, s.p256dh, s.auth) for s in subs]
        if not targets:
            return Delivery(False, f"{person_id} has no browser subscribed to web push")
        payload = json.dumps(
            {
                "title": page.title,
                "body": page.body,
                "url": page.url,
                "ack_url": page.ack_url,
                "incident": page.incident_id,
                "severity": page.severity,
            },
            ensure_ascii=False,
        )
        delivered, errors, gone = 0, [], []
        for sub_id, endpoint, p256dh, auth in targets:
            try:
                webpush(
                    {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                    data=payload,
                    vapid_private_key=self._key,
                    vapid_claims={"sub": self.settings.vapid_subject},
                    timeout=self.settings.notify_timeout_seconds,
                    ttl=3600,
                    headers={"Urgency": "high" if page.severity >= 2 else "normal"},
                )
                delivered += 1
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status in (404, 410):
                    gone.append(sub_id)
                errors.append(f"push service answered {status or type(exc).__name__}")
            except Exception as exc:  # a network error on one browser's service is that browser's failure
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
        if gone:
            with session_scope(self.sessions, write=True) as session:
                for sub_id in gone:
                    if (row := session.get(PushSubscription, sub_id)) is not None:
                        session.delete(row)
        if delivered:
            return Delivery(True)
        return Delivery(False, "; ".join(errors) or "no browser accepted the page", gone=bool(gone))
