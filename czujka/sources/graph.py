"""The one Graph API client: every call czujka makes to Meta goes through it, to `graph_base_url`.

It watches Meta's usage headers (`X-App-Usage`, `X-Business-Use-Case-Usage`) and slows down before Meta
throttles it, backs off on the throttling error codes (4, 17, 32, 613), and stops with `TokenExpired` on code
190, which an operator must act on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from czujka.sources.base import PayloadError, load_json

THROTTLE_CODES = {4, 17, 32, 613}
TOKEN_EXPIRED = 190


class GraphError(Exception):
    def __init__(
        self, message: str, *, code: int | None = None, subcode: int | None = None, retry_after: float = 0.0
    ):
        self.code, self.subcode, self.retry_after = code, subcode, retry_after
        super().__init__(message)

    @property
    def permission_denied(self) -> bool:
        """Codes 10 and 200–299: the token lacks a permission, or one was taken away."""
        return self.code == 10 or (isinstance(self.code, int) and 200 <= self.code <= 299)


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

    def post(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        """One write (a reply, a hide): never retried here, since Meta has no idempotency keys and a retry
        after an unclear answer could post twice; the caller's outbox decides. Throttling is raised at once
        as `RateLimited`, with `retry_after` seconds when Meta says."""
        return self._write("POST", path, data)

    def delete(self, path: str) -> dict[str, Any]:
        """Delete an object (a comment); like `post`, never retried here."""
        return self._write("DELETE", path, None)

    def _write(self, method: str, path: str, data: dict[str, Any] | None) -> dict[str, Any]:
        try:
            return self._once(method, path, None, data)
        except _Throttled as exc:
            raise RateLimited(
                f"Meta is throttling this page's calls (code {exc.code})",
                code=exc.code,
                retry_after=exc.regain,
            ) from None

    def _get_once(self, path: str, params: dict[str, Any] | None) -> dict[str, Any]:
        return self._once("GET", path, params, None)

    def _once(
        self, method: str, path: str, params: dict[str, Any] | None, data: dict[str, Any] | None
    ) -> dict[str, Any]:
        self.calls += 1
        response = self.http.request(
            method,
            self._url(path),
            params=params if not path.startswith("http") else None,
            data=data,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        regain = self._observe_usage(response.headers)
        try:
            data, _ = load_json(response.content)  # strings repaired as in webhook deliveries
        except PayloadError:
            raise GraphError(
                f"Graph API answered {response.status_code} with a body that is not JSON"
            ) from None
        error = data.get("error") if isinstance(data, dict) else None
        if error is None and response.is_success:
            if method == "GET" and self.usage >= self.usage_threshold:
                self._pause(max(regain, self.backoff_seconds))
            return data
        code = error.get("code") if isinstance(error, dict) else None
        subcode = error.get("error_subcode") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else response.text[:200]
        if code == TOKEN_EXPIRED:
            raise TokenExpired(
                f"access token rejected (code 190): {message}; renew it and update the profile's token",
                code=code,
                subcode=subcode,
            )
        if code in THROTTLE_CODES or response.status_code == 429:
            raise _Throttled(code, regain)
        raise GraphError(f"Graph API error {code}: {message}", code=code, subcode=subcode)

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
