"""Builders of Meta webhook deliveries in Meta's documented shapes (demo replay, benchmarks, tests)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from czujka.sources.signing import sign


def fb_comment_change(
    *,
    page_id: str,
    post_id: str,
    comment_id: str,
    message: str | None,
    at: datetime,
    author_id: str,
    author_name: str,
    verb: str = "add",
    parent_id: str | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": author_id, "name": author_name},
        "post": {"id": post_id, "status_type": "added_photos", "is_published": True},
        "post_id": post_id,
        "comment_id": comment_id,
        "parent_id": parent_id or post_id,
        "created_time": int(at.timestamp()),
        "item": "comment",
        "verb": verb,
    }
    if message is not None:
        value["message"] = message
    return {"field": "feed", "value": value}


def fb_post_change(
    *, page_id: str, post_id: str, message: str, at: datetime, verb: str = "add"
) -> dict[str, Any]:
    return {
        "field": "feed",
        "value": {
            "from": {"id": page_id, "name": "page"},
            "post_id": post_id,
            "message": message,
            "created_time": int(at.timestamp()),
            "item": "status",
            "verb": verb,
            "published": 1,
        },
    }


def ig_comment_change(
    *,
    media_id: str,
    comment_id: str,
    text: str,
    username: str,
    user_id: str,
    parent_id: str | None = None,
    live: bool = False,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": user_id, "username": username},
        "media": {"id": media_id, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
    }
    if parent_id:
        value["parent_id"] = parent_id
    return {"field": "live_comments" if live else "comments", "value": value}


def delivery(obj: str, account_id: str, changes: list[dict[str, Any]], at: datetime) -> bytes:
    """One body with one entry; Meta may batch several, which `deliveries` does."""
    return deliveries(obj, [(account_id, changes, at)])


def deliveries(obj: str, entries: list[tuple[str, list[dict[str, Any]], datetime]]) -> bytes:
    body = {
        "object": obj,
        "entry": [
            {"id": account_id, "time": int(at.timestamp()), "changes": changes}
            for account_id, changes, at in entries
        ],
    }
    return json.dumps(body, ensure_ascii=False).encode()


def signed_headers(body: bytes, secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)}
