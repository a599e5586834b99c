"""Store parsed events: each comment once per (profile, platform id), every change kept in its history.

Work is done per batch with a handful of set-based statements, so a webhook delivery of a hundred
comments costs a few queries, not hundreds. The caller owns the transaction: the raw log row and the
comments it produced are committed together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from czujka.comments.events import Batch, CommentEvent, PostEvent
from czujka.comments.models import Comment, CommentHistory, CommentQueue, IngestLog, Post, Profile
from czujka.config import ProfileConfig, Settings
from czujka.storage.base import utcnow
from czujka.storage.dialect import insert_or_update
from czujka.storage.engine import session_scope
from czujka.words import Phrase, phrase

CHUNK = 500
INGEST_ATTEMPTS = 8


@dataclass(slots=True)
class IngestResult:
    log_id: int
    stored: int = 0
    changed: int = 0
    ignored: int = 0
    duplicate_of: int | None = None
    new_comment_ids: list[int] = field(default_factory=list)


def sync_profiles(session: Session, *, profiles: Sequence[ProfileConfig], settings: Settings) -> None:
    """Mirror the configured profiles into the table that comments refer to."""
    existing = {p.id: p for p in session.scalars(select(Profile))}
    for cfg in profiles:
        row = existing.get(cfg.id)
        timezone = cfg.timezone or settings.timezone
        if row is None:
            session.add(
                Profile(
                    id=cfg.id,
                    name=cfg.name,
                    platform=cfg.platform,
                    platform_id=cfg.platform_id,
                    timezone=timezone,
                )
            )
        else:
            row.name, row.platform, row.platform_id, row.timezone = (
                cfg.name,
                cfg.platform,
                cfg.platform_id,
                timezone,
            )
    session.flush()


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@retry(
    retry=retry_if_exception_type(IntegrityError),
    stop=stop_after_attempt(INGEST_ATTEMPTS),
    wait=wait_random_exponential(multiplier=0.005, max=0.25),
    reraise=True,
)
def store(sessions: sessionmaker[Session], *, source: str, body: bytes, batch: Batch) -> IngestResult:
    """`ingest` in a write transaction of its own. When a concurrent delivery stores the same new post,
    comment or body first (a viral post brings many at once), this one's insert conflicts; it rolls back
    whole and runs again, and then finds them stored."""
    with session_scope(sessions, write=True) as session:
        return ingest(session, source=source, body=body, batch=batch)


def ingest(session: Session, *, source: str, body: bytes, batch: Batch) -> IngestResult:
    """Log the raw delivery and apply its events; a byte-identical redelivery is logged, not reapplied."""
    key = digest(body)
    earlier = session.scalar(
        select(IngestLog.id).where(IngestLog.source == source, IngestLog.digest == key).limit(1)
    )
    result = IngestResult(log_id=0, duplicate_of=earlier)
    if earlier is None:
        _apply(session, source=source, batch=batch, result=result)
    else:
        result.ignored = len(batch.events)
    table = IngestLog.__table__
    row = {
        "source": source,
        "digest": key,
        "body": body.decode("utf-8", errors="replace"),
        "duplicate_of": earlier,
        "notes": list(batch.notes) or None,
        "received_at": utcnow(),
        "stored": result.stored,
        "changed": result.changed,
        "ignored": result.ignored,
    }
    result.log_id = session.connection().execute(insert(table).returning(table.c.id), row).scalar_one()
    return result


def _apply(session: Session, *, source: str, batch: Batch, result: IngestResult) -> None:
    now = utcnow()
    post_events = [e for e in batch.events if isinstance(e, PostEvent)]
    comment_events = [e for e in batch.events if isinstance(e, CommentEvent)]
    post_ids = _apply_posts(session, post_events, comment_events, now=now, result=result)
    _apply_comments(session, comment_events, post_ids, source=source, now=now, result=result)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(session: Session, model: Any, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Rows to change, as ORM objects; a cheap id look-up first, since most keys are new."""
    found: dict[tuple[str, str], Any] = {}
    for profile_id, platform_ids in _by_profile(set(_ids(session, model, keys))).items():
        for chunk in _chunks(platform_ids):
            rows = session.scalars(
                select(model).where(model.profile_id == profile_id, model.platform_id.in_(chunk))
            )
            found.update({(row.profile_id, row.platform_id): row for row in rows})
    return found


def _apply_posts(
    session: Session,
    post_events: list[PostEvent],
    comment_events: list[CommentEvent],
    *,
    now: datetime,
    result: IngestResult,
) -> dict[tuple[str, str], int]:
    referenced = {(e.profile_id, e.post_platform_id) for e in comment_events if e.post_platform_id}
    if not post_events and not referenced:
        return {}
    existing = _existing(session, Post, {(e.profile_id, e.platform_id) for e in post_events})
    known = _ids(session, Post, referenced - set(existing))
    new_rows: dict[tuple[str, str], dict[str, Any]] = {}
    for event in post_events:
        key = (event.profile_id, event.platform_id)
        row = existing.get(key)
        if row is None:
            pending = new_rows.setdefault(key, _post_row(key, now))
            pending.update(message=event.message, permalink=event.permalink, raw=event.raw)
            pending["created_at"] = event.created_at or event.occurred_at
            if event.verb == "remove":
                pending["deleted_at"] = event.occurred_at
            result.stored += 1
        elif event.verb == "remove":
            if row.deleted_at is None:
                row.deleted_at = event.occurred_at
                result.changed += 1
        elif event.message is not None and event.message != row.message:
            row.message, row.raw = event.message, event.raw
            row.created_at = row.created_at or event.created_at
            result.changed += 1
        else:
            result.ignored += 1
    for key in referenced:
        if key not in existing and key not in known and key not in new_rows:
            new_rows[key] = _post_row(key, now)
    ids = known | {key: row.id for key, row in existing.items()}
    ids.update(_insert_many(session, Post, new_rows))
    return ids


def _insert_many(
    session: Session, model: Any, rows: dict[tuple[str, str], dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """One multi-row INSERT … RETURNING; ids are matched by key, so row order does not matter."""
    if not rows:
        return {}
    table = model.__table__
    inserted = session.connection().execute(
        insert(table).returning(table.c.profile_id, table.c.platform_id, table.c.id), list(rows.values())
    )
    return {(profile_id, platform_id): ident for profile_id, platform_id, ident in inserted}


def _ids(session: Session, model: Any, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for profile_id, platform_ids in _by_profile(keys).items():
        for chunk in _chunks(platform_ids):
            rows = session.connection().execute(
                select(model.platform_id, model.id).where(
                    model.profile_id == profile_id, model.platform_id.in_(chunk)
                )
            )
            found.update({(profile_id, platform_id): ident for platform_id, ident in rows})
    return found


def _by_profile(keys: set[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for profile_id, platform_id in keys:
        grouped.setdefault(profile_id, []).append(platform_id)
    return grouped


def _post_row(key: tuple[str, str], now: datetime) -> dict[str, Any]:
    return {
        "profile_id": key[0],
        "platform_id": key[1],
        "message": None,
        "permalink": None,
        "created_at": None,
        "deleted_at": None,
        "received_at": now,
        "raw": None,
    }


def _apply_comments(
    session: Session,
    events: list[CommentEvent],
    post_ids: dict[tuple[str, str], int],
    *,
    source: str,
    now: datetime,
    result: IngestResult,
) -> None:
    if not events:
        return
    existing: dict[tuple[str, str], Comment] = _existing(
        session, Comment, {(e.profile_id, e.platform_id) for e in events}
    )
    new_rows: dict[tuple[str, str], dict[str, Any]] = {}
    history: list[tuple[tuple[str, str], dict[str, Any]]] = []
    for event in events:
        key = (event.profile_id, event.platform_id)
        target: Any = existing.get(key) or new_rows.get(key)
        if target is None:
            new_rows[key] = _comment_row(event, post_ids, source=source, now=now)
            result.stored += 1
            continue
        change = _change(target, event)
        if change is None:
            result.ignored += 1
            continue
        result.changed += 1
        history.append(
            (key, {"verb": event.verb, "occurred_at": event.occurred_at, "source": source, **change})
        )
    new_ids = _insert_many(session, Comment, new_rows)
    result.new_comment_ids.extend(new_ids.values())
    edited: dict[int, str] = {}
    if history:
        ids = {key: row.id for key, row in existing.items()} | new_ids
        session.execute(
            insert(CommentHistory),
            [{"comment_id": ids[key], "recorded_at": now, **entry} for key, entry in history],
        )
        edited = {ids[key]: key[0] for key, entry in history if entry["verb"] == "edited" and key in existing}
    enqueue(session, new={i: key[0] for key, i in new_ids.items()}, edited=edited, now=now)
    for profile_id in {key[0] for key in new_rows}:
        _link_parents(session, profile_id, new_rows, new_ids)


def enqueue(session: Session, *, new: dict[int, str], edited: dict[int, str], now: datetime) -> None:
    """Queue comments (id → profile) for scoring and detection, in the transaction that stored them. An
    edit sends a queued comment back to scoring and voids any claim on its old text; a comment not yet
    detected stays `new`."""
    queue = CommentQueue.__table__.c
    row = {"stage": "score", "queued_at": now, "claimed_by": None, "claimed_until": None}
    if new:
        session.execute(
            insert(CommentQueue),
            [{"comment_id": i, "profile_id": p, "reason": "new", **row} for i, p in new.items()],
        )
    insert_or_update(
        session,
        CommentQueue,
        [{"comment_id": i, "profile_id": p, "reason": "edited", **row} for i, p in edited.items()],
        "comment_id",
        {
            "stage": "score",
            "claimed_by": None,
            "claimed_until": None,
            "reason": case((queue.reason == "new", "new"), else_="edited"),
        },
    )


def _comment_row(
    event: CommentEvent, post_ids: dict[tuple[str, str], int], *, source: str, now: datetime
) -> dict[str, Any]:
    post_id = post_ids.get((event.profile_id, event.post_platform_id)) if event.post_platform_id else None
    parent = event.parent_platform_id
    if parent is not None and parent == event.post_platform_id:
        parent = None  # Meta names the post as the parent of a top-level comment
    return {
        "profile_id": event.profile_id,
        "platform_id": event.platform_id,
        "post_id": post_id,
        "parent_id": None,
        "parent_platform_id": parent,
        "author_id": event.author_id,
        "author_name": event.author_name,
        "author_is_staff": event.author_is_staff,
        "message": event.message or "",
        "rating": event.rating,
        "source": source,
        "created_at": event.created_at or event.occurred_at,
        "received_at": now,
        "edited_at": event.occurred_at if event.verb == "edited" else None,
        "deleted_at": event.occurred_at if event.verb == "remove" else None,
        "hidden_at": event.occurred_at if event.verb == "hide" else None,
        "raw": event.raw,
    }


def _get(target: Any, name: str) -> Any:
    return target[name] if isinstance(target, dict) else getattr(target, name)


def _set(target: Any, name: str, value: Any) -> None:
    if isinstance(target, dict):
        target[name] = value
    else:
        setattr(target, name, value)


def _change(target: Any, event: CommentEvent) -> dict[str, Any] | None:
    """Apply `event` to a stored or pending comment; the history entry, or None when nothing changed."""
    verb = event.verb
    if verb in ("add", "edited"):
        if event.message is None or event.message == _get(target, "message"):
            return None
        previous = _get(target, "message")
        _set(target, "message", event.message)
        _set(target, "edited_at", event.occurred_at)
        return {"verb": "edited", "previous_message": previous}
    if verb == "remove":
        if _get(target, "deleted_at") is not None:
            return None
        _set(target, "deleted_at", event.occurred_at)
        return {"previous_message": None}
    if verb == "hide":
        if _get(target, "hidden_at") is not None:
            return None
        _set(target, "hidden_at", event.occurred_at)
        return {"previous_message": None}
    if _get(target, "hidden_at") is None:  # unhide
        return None
    _set(target, "hidden_at", None)
    return {"previous_message": None}


def _link_parents(
    session: Session,
    profile_id: str,
    new_rows: dict[tuple[str, str], dict[str, Any]],
    new_ids: dict[tuple[str, str], int],
) -> None:
    """Point replies at their parents, whichever of the two arrived first."""
    table = Comment.__table__
    links: dict[int, str] = {
        new_ids[key]: row["parent_platform_id"]
        for key, row in new_rows.items()
        if key[0] == profile_id and row["parent_platform_id"]
    }
    platform_ids = [key[1] for key in new_rows if key[0] == profile_id]
    for chunk in _chunks(platform_ids):  # replies that arrived before these parents
        orphans = session.execute(
            select(table.c.id, table.c.parent_platform_id).where(
                table.c.profile_id == profile_id,
                table.c.parent_id.is_(None),
                table.c.parent_platform_id.in_(chunk),
            )
        )
        links.update(dict(orphans.all()))
    if not links:
        return
    parents = _ids(session, Comment, {(profile_id, parent) for parent in links.values()})
    updates = [
        {"child": child, "parent": parents[(profile_id, parent)]}
        for child, parent in links.items()
        if (profile_id, parent) in parents
    ]
    if updates:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("child")).values(parent_id=bindparam("parent")),
            updates,
        )


def said_comment(session: Session, comment_id: int) -> Phrase:
    """A comment as a timeline names it: by its author ("(by Agnieszka Wieczorek)"), not by a database id."""
    author = session.scalar(select(Comment.author_name).where(Comment.id == comment_id))
    return phrase("(by %(author)s)", author=author) if author else phrase("#%(id)s", id=comment_id)
