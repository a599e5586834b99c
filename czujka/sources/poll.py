"""Graph API polling: the fallback when webhooks are not set up, or missed something.

Reads a Page's recent posts and their comments (`filter=stream`, newest first, stopping at the last
watermark) and an Instagram account's media comments, through the Graph client, as events to store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from czujka.comments.events import Batch, CommentEvent, PostEvent
from czujka.config import ProfileConfig
from czujka.sources.base import check_id, parse_time
from czujka.sources.graph import GraphClient
from czujka.sources.meta import instagram_comment

COMMENT_FIELDS = "id,message,from{id,name},created_time,parent{id},is_hidden"
IG_COMMENT_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"


def poll_profile(
    client: GraphClient,
    profile: ProfileConfig,
    *,
    watermark: datetime | None,
    now: datetime,
    lookback: timedelta,
    overlap: timedelta = timedelta(minutes=10),
) -> Iterator[tuple[bytes, Batch]]:
    """Raw pages and their events: recent posts, and comments newer than the watermark."""
    since = now - lookback
    stop_at = (watermark - overlap) if watermark else since
    if profile.platform == "facebook":
        yield from _poll_page(client, profile, since=since, stop_at=stop_at, now=now)
    elif profile.platform == "instagram":
        yield from _poll_instagram(client, profile, since=since, now=now)


def _poll_page(
    client: GraphClient, profile: ProfileConfig, *, since: datetime, stop_at: datetime, now: datetime
) -> Iterator[tuple[bytes, Batch]]:
    params = {
        "fields": "id,message,created_time,permalink_url",
        "since": int(since.timestamp()),
        "limit": 100,
    }
    for raw, posts in client.pages(f"{profile.platform_id}/posts", params):
        batch = Batch()
        post_ids = []
        for post in posts:
            if not isinstance(post, dict) or not post.get("id"):
                batch.notes.append("post without id skipped")
                continue
            try:
                event = _post(profile, post, "created_time", "message", "permalink_url", now=now)
            except (ValueError, TypeError) as exc:
                batch.notes.append(f"post skipped: {exc}")
                continue
            post_ids.append(event.platform_id)
            batch.events.append(event)
        yield raw, batch
        for post_id in post_ids:
            yield from _poll_post_comments(client, profile, post_id, stop_at=stop_at, now=now)


def _post(
    profile: ProfileConfig,
    item: dict[str, Any],
    time_key: str,
    text_key: str,
    link_key: str,
    *,
    now: datetime,
) -> PostEvent:
    """A Page post or an Instagram media item; the two name the same fields differently."""
    created = parse_time(item.get(time_key))
    text, link = item.get(text_key), item.get(link_key)
    return PostEvent(
        profile_id=profile.id,
        platform_id=check_id(str(item["id"]), "id"),
        verb="add",
        occurred_at=created or now,
        message=text if isinstance(text, str) else None,
        created_at=created,
        permalink=link if isinstance(link, str) else None,
        raw=item,
    )


def _poll_post_comments(
    client: GraphClient, profile: ProfileConfig, post_id: str, *, stop_at: datetime, now: datetime
) -> Iterator[tuple[bytes, Batch]]:
    params = {"filter": "stream", "order": "reverse_chronological", "fields": COMMENT_FIELDS, "limit": 100}
    for raw, comments in client.pages(f"{post_id}/comments", params):
        batch = Batch()
        reached_old = False
        for item in comments:
            try:
                event = _page_comment(profile, post_id, item, now=now)
            except (ValueError, TypeError, AttributeError) as exc:
                batch.notes.append(f"comment skipped: {exc}")
                continue
            batch.events.append(event)
            if item.get("is_hidden") is True:
                hidden = CommentEvent(
                    profile_id=profile.id, platform_id=event.platform_id, verb="hide", occurred_at=now
                )
                batch.events.append(hidden)
            if event.created_at and event.created_at < stop_at:
                reached_old = True
        yield raw, batch
        if reached_old:
            return


def _page_comment(
    profile: ProfileConfig, post_id: str, item: dict[str, Any], *, now: datetime
) -> CommentEvent:
    if not item.get("id"):
        raise ValueError("no id")
    author = item.get("from") or {}
    parent = item.get("parent") or {}
    created = parse_time(item.get("created_time"))
    return CommentEvent(
        profile_id=profile.id,
        platform_id=check_id(str(item["id"]), "id"),
        verb="add",
        occurred_at=created or now,
        post_platform_id=post_id,
        parent_platform_id=str(parent["id"]) if parent.get("id") else None,
        author_id=str(author["id"]) if author.get("id") else None,
        author_name=author.get("name"),
        author_is_staff=str(author.get("id")) == profile.platform_id,
        message=item.get("message") if isinstance(item.get("message"), str) else None,
        created_at=created,
        raw=item,
    )


def _poll_instagram(
    client: GraphClient, profile: ProfileConfig, *, since: datetime, now: datetime
) -> Iterator[tuple[bytes, Batch]]:
    params = {"fields": "id,caption,timestamp,permalink", "since": int(since.timestamp()), "limit": 50}
    for raw, media in client.pages(f"{profile.platform_id}/media", params):
        batch = Batch()
        media_ids = []
        for item in media:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            try:
                event = _post(profile, item, "timestamp", "caption", "permalink", now=now)
            except (ValueError, TypeError) as exc:
                batch.notes.append(f"media skipped: {exc}")
                continue
            media_ids.append(event.platform_id)
            batch.events.append(event)
        yield raw, batch
        for media_id in media_ids:
            fields = f"{IG_COMMENT_FIELDS},replies{{{IG_COMMENT_FIELDS}}}"
            for page_raw, comments in client.pages(f"{media_id}/comments", {"fields": fields, "limit": 50}):
                batch = Batch()
                for item in comments:
                    _instagram_thread(profile, media_id, item, batch, now=now)
                yield page_raw, batch


def _instagram_thread(
    profile: ProfileConfig, media_id: str, item: Any, batch: Batch, *, now: datetime
) -> None:
    if not isinstance(item, dict):
        return
    replies = item.get("replies", {}).get("data", []) if isinstance(item.get("replies"), dict) else []
    for value, parent in [(item, None), *((r, item.get("id")) for r in replies if isinstance(r, dict))]:
        try:
            event = instagram_comment(profile, {**value, "media": {"id": media_id}}, at=now, verb="add")
        except (ValueError, TypeError) as exc:
            batch.notes.append(f"comment skipped: {exc}")
            continue
        event.parent_platform_id = event.parent_platform_id or (str(parent) if parent else None)
        batch.events.append(event)
        if value.get("hidden") is True:
            batch.events.append(
                CommentEvent(
                    profile_id=profile.id, platform_id=event.platform_id, verb="hide", occurred_at=now
                )
            )
