"""Meta webhooks: Facebook Page `feed` changes and Instagram `comments` / `live_comments`.

Meta signs each delivery with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` using the
app secret, batches several entries and changes in one body, and retries until it gets a 200. Anything
we do not understand is noted (and kept in the raw log), never an error: Meta adds fields over time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from czujka.comments.events import Batch, CommentEvent, CommentVerb, PostEvent
from czujka.config import ProfileConfig
from czujka.sources.base import PayloadError, check_id, load_json, parse_time, repaired_note
from czujka.sources.signing import sign, verify_signature

SIGNATURE_HEADER = "X-Hub-Signature-256"
__all__ = ["MetaWebhookParser", "PayloadError", "instagram_comment", "sign", "verify_signature"]
POST_ITEMS = {"status", "post", "photo", "video", "share", "link"}
COMMENT_VERBS: dict[str, CommentVerb] = {
    "add": "add",
    "edited": "edited",
    "edit": "edited",
    "update": "edited",
    "remove": "remove",
    "delete": "remove",
    "hide": "hide",
    "unhide": "unhide",
}


def load_json_object(body: bytes) -> tuple[dict[str, Any], int]:
    """The delivery as an object, and how many of its strings had to be repaired to be stored."""
    try:
        payload, repaired = load_json(body)
    except PayloadError as exc:
        raise PayloadError(f"body is {exc}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"body must be a JSON object, got {type(payload).__name__}")
    return payload, repaired


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected a string, got {type(value).__name__}")


def _id(value: Any, name: str) -> str | None:
    text = _text(value)
    return None if text is None else check_id(text, name)


def _author(value: Any) -> dict[str, Any]:
    """`from` is an object with `id` and `name`; a bare string is read as the name (no id)."""
    if isinstance(value, str):
        return {"name": value}
    return _dict(value, "from")


def _dict(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{name} is not an object")
    return value


class MetaWebhookParser:
    """Turns a delivery into events for the configured Facebook Pages and Instagram accounts."""

    name = "meta"

    def __init__(self, profiles: Iterable[ProfileConfig]):
        self._profiles = {
            (p.platform, p.platform_id): p for p in profiles if p.platform in ("facebook", "instagram")
        }

    def parse(self, body: bytes) -> Batch:
        payload, repaired = load_json_object(body)
        batch = Batch()
        if repaired:
            batch.notes.append(repaired_note(repaired))
        obj = payload.get("object")
        platform = {"page": "facebook", "instagram": "instagram"}.get(obj) if isinstance(obj, str) else None
        if platform is None:
            batch.notes.append(f"object {obj!r} ignored: only 'page' and 'instagram' are read")
            return batch
        entries = payload.get("entry")
        if not isinstance(entries, list):
            batch.notes.append("no 'entry' list: nothing to read")
            return batch
        for index, entry in enumerate(entries):
            try:
                self._entry(platform, entry, batch)
            except (ValueError, TypeError) as exc:
                batch.notes.append(f"entry[{index}] skipped: {exc}")
        return batch

    def _entry(self, platform: str, entry: Any, batch: Batch) -> None:
        entry = _dict(entry, "entry")
        account_id = _id(entry.get("id"), "entry id")
        profile = self._profiles.get((platform, account_id or ""))
        if profile is None:
            batch.notes.append(f"{platform} account {account_id!r} is not a configured profile")
            return
        try:
            entry_time = parse_time(entry.get("time")) or datetime.now(UTC)
        except ValueError as exc:  # the entry's changes are still read, at the time they arrived
            batch.notes.append(f"entry {account_id}: time unreadable ({exc}): the time of arrival is used")
            entry_time = datetime.now(UTC)
        for key in entry:
            if key not in ("id", "time", "changes"):
                batch.notes.append(f"entry key {key!r} ignored")
        changes = entry.get("changes") or []
        if not isinstance(changes, list):
            raise ValueError("'changes' is not a list")
        for index, change in enumerate(changes):
            try:
                self._change(profile, platform, entry_time, _dict(change, "change"), batch)
            except (ValueError, TypeError) as exc:
                batch.notes.append(f"change[{index}] of {account_id} skipped: {exc}")

    def _change(
        self, profile: ProfileConfig, platform: str, at: datetime, change: dict[str, Any], batch: Batch
    ) -> None:
        field = change.get("field")
        value = _dict(change.get("value"), "value")
        if platform == "facebook" and field == "feed":
            self._feed(profile, at, value, batch)
        elif platform == "instagram" and field in ("comments", "live_comments"):
            batch.events.append(instagram_comment(profile, value, at=at, verb="add", notes=batch.notes))
        else:
            batch.notes.append(f"{platform} field {field!r} ignored")

    def _feed(self, profile: ProfileConfig, at: datetime, value: dict[str, Any], batch: Batch) -> None:
        item = value.get("item")
        verb = value.get("verb")
        created = _created(value.get("created_time"), batch.notes)
        if item == "comment":
            comment_verb = COMMENT_VERBS.get(verb) if isinstance(verb, str) else None
            if comment_verb is None:
                batch.notes.append(f"comment verb {verb!r} ignored")
                return
            comment_id = _id(value.get("comment_id"), "comment_id")
            if not comment_id:
                raise ValueError("comment change without comment_id")
            author = _author(value.get("from"))
            author_id = _id(author.get("id"), "from.id")
            message = value.get("message")
            batch.events.append(
                CommentEvent(
                    profile_id=profile.id,
                    platform_id=comment_id,
                    verb=comment_verb,
                    occurred_at=created if comment_verb == "add" and created else at,
                    post_platform_id=_id(value.get("post_id"), "post_id"),
                    parent_platform_id=_id(value.get("parent_id"), "parent_id"),
                    author_id=author_id,
                    author_name=_text(author.get("name")),
                    author_is_staff=author_id == profile.platform_id,
                    message=message if isinstance(message, str) else None,
                    created_at=created,
                    raw=value,
                )
            )
        elif item in POST_ITEMS:
            post_id = _id(value.get("post_id"), "post_id")
            if not post_id:
                raise ValueError(f"{item} change without post_id")
            post_verb = {"add": "add", "edited": "edited", "edit": "edited", "remove": "remove"}.get(
                verb if isinstance(verb, str) else ""
            )
            if post_verb is None:
                batch.notes.append(f"{item} verb {verb!r} ignored")
                return
            message = value.get("message")
            link = value.get("link")
            batch.events.append(
                PostEvent(
                    profile_id=profile.id,
                    platform_id=post_id,
                    verb=post_verb,  # type: ignore[arg-type]
                    occurred_at=at,
                    message=message if isinstance(message, str) else None,
                    created_at=created,
                    permalink=link if isinstance(link, str) else None,
                    raw=value,
                )
            )
        else:
            batch.notes.append(f"feed item {item!r} ignored")


def _created(value: Any, notes: list[str] | None) -> datetime | None:
    """When a comment was written. Meta always sends an offset; a time without one, or one that cannot be a
    time (1e30, Infinity), does not cost the comment: it is kept at the time of the change, with a note."""
    try:
        return parse_time(value)
    except ValueError as exc:
        if notes is not None:
            notes.append(f"{exc}: the time of the change is used instead")
        return None


def instagram_comment(
    profile: ProfileConfig,
    value: dict[str, Any],
    *,
    at: datetime,
    verb: CommentVerb,
    notes: list[str] | None = None,
) -> CommentEvent:
    """An Instagram comment, from a webhook change or a Graph API read (the shapes agree)."""
    comment_id = _id(value.get("id"), "id")
    if not comment_id:
        raise ValueError("comment without id")
    author = _author(value.get("from"))
    author_id = _id(author.get("id"), "from.id")
    username = _text(author.get("username") or value.get("username") or author.get("name"))
    media = _dict(value.get("media"), "media")
    text = value.get("text")
    created = _created(value.get("timestamp"), notes)
    staff = author_id == profile.platform_id or (username is not None and username == profile.username)
    return CommentEvent(
        profile_id=profile.id,
        platform_id=comment_id,
        verb=verb,
        occurred_at=created or at,
        post_platform_id=_id(media.get("id"), "media.id"),
        parent_platform_id=_id(value.get("parent_id"), "parent_id"),
        author_id=author_id,
        author_name=username,
        author_is_staff=staff,
        message=text if isinstance(text, str) else None,
        created_at=created or at,
        raw=value,
    )
