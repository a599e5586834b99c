"""Graph API polling: the fallback when webhooks are not set up, or missed something.

Reads a Page's recent posts and their comments (`filter=stream`, newest first, stopping at the last
watermark) and an Instagram account's media comments, with httpx. It watches Meta's usage headers
(`X-App-Usage`, `X-Business-Use-Case-Usage`) and slows down before Meta throttles it, backs off on the
throttling error codes (4, 17, 32, 613), and stops with `TokenExpired` on code 190, which an operator
must act on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from czujka.comments.events import Batch, CommentEvent, PostEvent
from czujka.config import ProfileConfig
from czujka.sources.base import parse_time
from czujka.sources.meta import instagram_comment

THROTTLE_CODES = {4, 17, 32, 613}
TOKEN_EXPIRED = 190
COMMENT_FIELDS = "id,message,from{id,name},created_time,parent{id},is_hidden"
IG_COMMENT_FIELDS = "id,text,timestamp,username,from,hidden,parent_id"


class GraphError(Exception):
    def __init__(self, message: str, *, code: int | None = None, subcode: int | None = None):
        self.code, self.subcode = code, subcode
        super().__init__(message)


class TokenExpired(GraphError):
    """Code 190: the access token is invalid or expired; polling this profile stops until it is renewed."""


class RateLimited(GraphError):
    """Meta kept throttling after every retry."""


class _Throttled(Exception):
    """One throttled answer, retried by the client; `regain` is how long Meta says to wait (seconds)."""

    def __init__(self, code: int | None, regain: float):
        self.code, self.regain = code, regain


@dataclass
class GraphClient:
    """A small Graph API client that paces itself by Meta's usage headers."""

    base_url: str
    version: str
    token: str
    http: httpx.Client
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 5
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 900.0
    usage_threshold: float = 90.0
    calls: int = 0
    usage: float = 0.0
    slept: list[float] = field(default_factory=list)

    def _url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        return f"{self.base_url.rstrip('/')}/{self.version}/{path.lstrip('/')}"

    def _pause(self, seconds: float) -> None:
        seconds = min(seconds, self.max_backoff_seconds)
        self.slept.append(seconds)
        self.sleep(seconds)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One Graph API call; throttling is retried with exponential back-off (or as long as Meta says
        access is blocked, if longer), up to `max_retries` times."""
        retrying = Retrying(
            retry=retry_if_exception_type(_Throttled),
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._throttled_wait,
            sleep=self._pause,
            reraise=True,
        )
        try:
            return retrying(self._get_once, path, params)
        except _Throttled as exc:
            raise RateLimited(
                f"still throttled after {self.max_retries} retries (code {exc.code})", code=exc.code
            ) from None

    def _throttled_wait(self, state: RetryCallState) -> float:
        throttled = state.outcome.exception() if state.outcome else None
        regain = throttled.regain if isinstance(throttled, _Throttled) else 0.0
        return max(regain, self.backoff_seconds * 2 ** (state.attempt_number - 1))

    def _get_once(self, path: str, params: dict[str, Any] | None) -> dict[str, Any]:
        self.calls += 1
        response = self.http.get(
            self._url(path),
            params=params if not path.startswith("http") else None,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        regain = self._observe_usage(response.headers)
        try:
            data = response.json()
        except ValueError:
            raise GraphError(
                f"Graph API answered {response.status_code} with a body that is not JSON"
            ) from None
        error = data.get("error") if isinstance(data, dict) else None
        if error is None and response.is_success:
            if self.usage >= self.usage_threshold:
                self._pause(max(regain, self.backoff_seconds))
            return data
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else response.text[:200]
        if code == TOKEN_EXPIRED:
            raise TokenExpired(
                f"access token rejected (code 190): {message}; renew it and update the profile's token",
                code=code,
                subcode=error.get("error_subcode") if isinstance(error, dict) else None,
            )
        if code in THROTTLE_CODES or response.status_code == 429:
            raise _Throttled(code, regain)
        raise GraphError(f"Graph API error {code}: {message}", code=code)

    def _observe_usage(self, headers: httpx.Headers) -> float:
        """Record the highest usage percentage; return the seconds Meta says access is blocked for."""
        usage, regain = 0.0, 0.0
        app = _json_header(headers.get("x-app-usage"))
        if isinstance(app, dict):
            usage = max([usage, *(_num(v) for v in app.values())])
        buc = _json_header(headers.get("x-business-use-case-usage"))
        if isinstance(buc, dict):
            for entries in buc.values():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    usage = max(
                        usage, *(_num(entry.get(k)) for k in ("call_count", "total_cputime", "total_time"))
                    )
                    regain = max(regain, _num(entry.get("estimated_time_to_regain_access")) * 60)
        self.usage = usage
        return regain

    def pages(
        self, path: str, params: dict[str, Any], *, max_pages: int = 50
    ) -> Iterator[tuple[bytes, list[dict[str, Any]]]]:
        """Each page's raw JSON and its `data`, following `paging.next` cursors."""
        url: str | None = path
        query: dict[str, Any] | None = params
        for _ in range(max_pages):
            if url is None:
                return
            data = self.get(url, query)
            items = data.get("data")
            yield json.dumps(data).encode(), items if isinstance(items, list) else []
            paging = data.get("paging")
            url = paging.get("next") if isinstance(paging, dict) else None
            query = None


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


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
            post_ids.append(str(post["id"]))
            batch.events.append(
                PostEvent(
                    profile_id=profile.id,
                    platform_id=str(post["id"]),
                    verb="add",
                    occurred_at=parse_time(post.get("created_time")) or now,
                    message=post.get("message"),
                    created_at=parse_time(post.get("created_time")),
                    permalink=post.get("permalink_url"),
                    raw=post,
                )
            )
        yield raw, batch
        for post_id in post_ids:
            yield from _poll_post_comments(client, profile, post_id, stop_at=stop_at, now=now)


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
        platform_id=str(item["id"]),
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
            media_ids.append(str(item["id"]))
            batch.events.append(
                PostEvent(
                    profile_id=profile.id,
                    platform_id=str(item["id"]),
                    verb="add",
                    occurred_at=parse_time(item.get("timestamp")) or now,
                    message=item.get("caption"),
                    created_at=parse_time(item.get("timestamp")),
                    permalink=item.get("permalink"),
                    raw=item,
                )
            )
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
