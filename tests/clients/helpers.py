"""What the agency tests share: one customer's comment stored for a profile, as a delivery would."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from czujka.comments.events import Batch, CommentEvent
from czujka.comments.service import ingest


def ingest_comment(session: Session, profile: str, text: str) -> None:
    """`{profile}_c1` under `{profile}_p1`, by a customer, now."""
    now = datetime.now(UTC)
    event = CommentEvent(
        profile_id=profile,
        platform_id=f"{profile}_c1",
        verb="add",
        occurred_at=now,
        post_platform_id=f"{profile}_p1",
        author_id="a1",
        author_name="Klientka",
        message=text,
        created_at=now,
        raw={"profile": profile},
    )
    ingest(
        session, source="test", body=json.dumps({"profile": profile}).encode(), batch=Batch(events=[event])
    )
