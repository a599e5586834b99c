"""A fake Graph API on 127.0.0.1 answering in Meta's documented shapes: data + paging cursors, error objects,
usage headers. Tests put posts and comments in, and queue errors to be answered first."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

ERROR_TYPES = {
    190: "OAuthException",
    4: "OAuthException",
    17: "OAuthException",
    32: "OAuthException",
    613: "OAuthException",
    100: "GraphMethodException",
}


@dataclass
class GraphState:
    tokens: set[str] = field(default_factory=lambda: {"fb-token", "ig-token"})
    posts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # page id -> posts, newest first
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # post/media id -> newest first
    errors: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # queued (code, headers)
    usage_headers: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    published: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # POSTs: replies, hides
    post_errors: list[tuple[int, int | None]] = field(default_factory=list)  # queued (code, subcode)
    gone: set[str] = field(default_factory=set)  # deleted comments: a later call on them is 100/33
    meta: MetaAccounts = field(default_factory=lambda: MetaAccounts())


APP_ID = "4242424242"
ALL_PERMISSIONS = [
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_metadata",
    "pages_manage_engagement",
    "instagram_basic",
    "instagram_manage_comments",
]


@dataclass
class MetaAccounts:
    """The people, Pages and app behind Facebook Login: who granted what, which Pages they manage."""

    app_secret: str = "test-app-secret"
    users: dict[str, list[str]] = field(default_factory=dict)  # user token -> granted permissions
    pages: list[dict[str, Any]] = field(default_factory=list)  # /me/accounts items, with their tokens
    codes: dict[str, str] = field(default_factory=dict)  # dialog code -> the user token it stands for
    dialog_user: str = "user-short"  # whose token the login dialog hands out
    subscribed: dict[str, list[str]] = field(default_factory=dict)  # page id -> subscribed fields
    app_subscriptions: list[dict[str, Any]] = field(default_factory=list)
    expires: dict[str, int] = field(default_factory=dict)  # token -> expires_at (0: never)
    dialogs: list[dict[str, str]] = field(default_factory=list)  # the dialog's query each time it opened
    revoked: dict[str, int] = field(default_factory=dict)  # user token -> code 190's subcode

    @property
    def app_token(self) -> str:
        return f"{APP_ID}|{self.app_secret}"

    def add_user(self, token: str, permissions: list[str] | None = None) -> None:
        self.users[token] = list(ALL_PERMISSIONS if permissions is None else permissions)

    def add_page(self, page_id: str, name: str, token: str, instagram: dict[str, str] | None = None) -> None:
        item: dict[str, Any] = {
            "id": page_id,
            "name": name,
            "access_token": token,
            "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
        }
        if instagram:
            item["instagram_business_account"] = instagram
        self.pages.append(item)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0


def build_fake_graph(state: GraphState, version: str = "v24.0") -> FastAPI:
    app = FastAPI()

    def error(
        code: int,
        message: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
        subcode: int | None = None,
    ) -> JSONResponse:
        body = {
            "error": {
                "message": message,
                "type": ERROR_TYPES.get(code, "OAuthException"),
                "code": code,
                "fbtrace_id": "AbCdEf",
            }
        }
        if code == 190:
            body["error"]["error_subcode"] = 463
        if subcode is not None:
            body["error"]["error_subcode"] = subcode
        return JSONResponse(body, status_code=status, headers=headers)

    def page(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
        limit = int(request.query_params.get("limit", "25"))
        start = _offset(request.query_params.get("after"))
        chunk = items[start : start + limit]
        paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}}
        if start + limit < len(items):
            params = dict(request.query_params) | {"after": _cursor(start + limit)}
            query = "&".join(f"{k}={v}" for k, v in params.items())
            paging["next"] = f"{str(request.base_url).rstrip('/')}{request.url.path}?{query}"
        return JSONResponse({"data": chunk, "paging": paging}, headers=state.usage_headers)

    accounts = state.meta

    @app.get("/" + version + "/dialog/oauth", response_class=HTMLResponse)
    def dialog(request: Request) -> str:
        """Facebook Login's dialog as a person sees it: continue, or cancel."""
        query = dict(request.query_params)
        accounts.dialogs.append(query)
        back = query.get("redirect_uri", "")
        code = f"code-{len(accounts.codes) + 1}"
        accounts.codes[code] = accounts.dialog_user
        allow = back + "?" + urlencode({"code": code, "state": query.get("state", "")})
        deny = (
            back
            + "?"
            + urlencode(
                {"error": "access_denied", "error_reason": "user_denied", "state": query.get("state", "")}
            )
        )
        return (
            "<!doctype html><html><body><h1>Log in with Facebook</h1>"
            f"<p>czujka is asking for: {html.escape(query.get('scope', ''))}</p>"
            f'<a id="allow" href="{html.escape(allow)}">Continue as Anna</a> '
            f'<a id="deny" href="{html.escape(deny)}">Cancel</a></body></html>'
        )

    @app.get("/" + version + "/debug_token")
    def debug_token(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "").removeprefix("Bearer ")
        token = request.query_params.get("input_token", "")
        state.requests.append(("debug_token", {}))
        if auth != accounts.app_token and auth != token:
            return error(190, "Invalid OAuth access token.")
        valid = token in state.tokens or token in accounts.users
        owner = next((p for p in accounts.pages if p["access_token"] == token), None)
        scopes = accounts.users.get(token) or (_granted_of(accounts, owner) if owner else [])
        data = {
            "app_id": APP_ID,
            "is_valid": valid,
            "expires_at": accounts.expires.get(token, 0),
            "scopes": scopes,
        }
        return JSONResponse({"data": data})

    def oauth(request: Request) -> JSONResponse:
        query = request.query_params
        if query.get("client_id") != APP_ID or query.get("client_secret") != accounts.app_secret:
            return error(101, "Error validating application. Invalid application ID or secret.")
        if query.get("grant_type") == "fb_exchange_token":
            short = query.get("fb_exchange_token", "")
            if short not in accounts.users:
                return error(190, "Error validating access token: Session has expired.")
            long = f"{short}-long"
            accounts.users[long] = accounts.users[short]
            return JSONResponse({"access_token": long, "token_type": "bearer", "expires_in": 5183944})
        user = accounts.codes.pop(query.get("code", ""), None)
        if user is None:
            return error(100, "This authorization code has been used or has expired.", subcode=36009)
        return JSONResponse({"access_token": user, "token_type": "bearer", "expires_in": 5400})

    def me(edge: str, token: str, request: Request) -> JSONResponse:
        if token in accounts.revoked:
            return error(190, "Error validating access token.", subcode=accounts.revoked[token])
        if token not in accounts.users:
            return error(190, "Error validating access token: Session has expired.")
        if edge == "permissions":
            return page(request, [{"permission": p, "status": "granted"} for p in accounts.users[token]])
        if "pages_show_list" not in accounts.users[token]:
            return page(request, [])
        return page(request, accounts.pages)

    @app.get("/" + version + "/{node}/{edge}")
    def edge(node: str, edge: str, request: Request) -> JSONResponse:
        state.requests.append((f"{node}/{edge}", dict(request.query_params)))
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if node == "oauth" and edge == "access_token":
            return oauth(request)
        if node == "me":
            return me(edge, token, request)
        if edge == "subscriptions" and node == APP_ID:
            if token != accounts.app_token:
                return error(190, "Invalid OAuth access token.")
            return page(request, accounts.app_subscriptions)
        if edge == "subscribed_apps":
            if token not in state.tokens:
                return error(190, "Error validating access token: Session has expired.")
            fields = accounts.subscribed.get(node)
            apps = [{"id": APP_ID, "name": "czujka", "subscribed_fields": fields}] if fields else []
            return page(request, apps)
        if state.errors:
            code, headers = state.errors.pop(0)
            return error(code, f"queued error {code}", status=400 if code != 4 else 403, headers=headers)
        if auth.removeprefix("Bearer ") not in state.tokens:
            return error(190, "Error validating access token: Session has expired.")
        if edge in ("posts", "media"):
            since = int(request.query_params.get("since", "0"))
            key = "created_time" if edge == "posts" else "timestamp"
            items = [p for p in state.posts.get(node, []) if _epoch(p[key]) >= since]
            return page(request, items)
        if edge == "comments":
            return page(request, state.comments.get(node, []))
        return error(100, f"Unknown edge {edge}", status=400)

    @app.post("/" + version + "/{node}")
    async def moderate(node: str, request: Request) -> JSONResponse:
        """Hide or unhide: Facebook `is_hidden`, Instagram `hide`."""
        return await _write(node, "", request)

    @app.delete("/" + version + "/{node}")
    async def remove(node: str, request: Request) -> JSONResponse:
        return await _write(node, "delete", request)

    async def _write(node: str, edge: str, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        auth = request.headers.get("authorization", "")
        if auth.removeprefix("Bearer ") not in state.tokens:
            return error(190, "Error validating access token: Session has expired.")
        if state.post_errors:
            code, subcode = state.post_errors.pop(0)
            return error(code, f"queued error {code}", status=400 if code != 4 else 403, subcode=subcode)
        if node in state.gone:
            return error(100, "(#100) Object does not exist", subcode=33)
        state.published.append((f"{node}/{edge}" if edge else node, form))
        if edge == "delete":
            state.gone.add(node)
        return JSONResponse({"success": True})

    @app.delete("/" + version + "/{node}/subscribed_apps")
    def unsubscribe(node: str, request: Request) -> JSONResponse:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in state.tokens:
            return error(190, "Error validating access token: Session has expired.")
        accounts.subscribed.pop(node, None)
        return JSONResponse({"success": True})

    @app.post("/" + version + "/{node}/{edge}")
    async def publish(node: str, edge: str, request: Request) -> JSONResponse:
        form = dict(await request.form())
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if edge == "subscriptions" and node == APP_ID:
            if token != accounts.app_token:
                return error(190, "Invalid OAuth access token.")
            fields = [{"name": f, "version": version} for f in str(form.get("fields", "")).split(",")]
            accounts.app_subscriptions.append(
                {
                    "object": form.get("object"),
                    "callback_url": form.get("callback_url"),
                    "active": True,
                    "fields": fields,
                }
            )
            return JSONResponse({"success": True})
        if edge == "subscribed_apps":
            if token not in state.tokens:
                return error(190, "Error validating access token: Session has expired.")
            owner = next((p for p in accounts.pages if p["id"] == node), None)
            if owner is None or "pages_manage_metadata" not in _granted_of(accounts, owner):
                return error(200, "(#200) Requires pages_manage_metadata permission to manage the object")
            accounts.subscribed[node] = str(form.get("subscribed_fields", "")).split(",")
            return JSONResponse({"success": True})
        if auth.removeprefix("Bearer ") not in state.tokens:
            return error(190, "Error validating access token: Session has expired.")
        if state.post_errors:
            code, subcode = state.post_errors.pop(0)
            return error(code, f"queued error {code}", status=400 if code != 4 else 403, subcode=subcode)
        if edge not in ("comments", "replies", "private_replies") or not str(form.get("message", "")).strip():
            return error(100, "(#100) Missing message or unknown edge", status=400)
        state.published.append((f"{node}/{edge}", {k: str(v) for k, v in form.items()}))
        if edge == "private_replies":
            return JSONResponse({"id": f"m_{len(state.published)}", "user_id": "5551"})
        return JSONResponse({"id": f"{node}_{900000 + len(state.published)}"})

    return app


@contextmanager
def serving(state: GraphState) -> Iterator[str]:
    """The stand-in on a free port of 127.0.0.1; yields its base URL."""
    from czujka.web.server import start_in_thread

    server = start_in_thread(build_fake_graph(state))
    try:
        yield server.url
    finally:
        server.stop()


def _granted_of(accounts: MetaAccounts, page: dict[str, Any]) -> list[str]:
    """A Page token carries what its person granted: the first user who manages the Page."""
    return next(iter(accounts.users.values()), []) if page else []


def _epoch(value: str) -> int:
    from datetime import datetime

    text = value[:-2] + ":" + value[-2:] if value[-5] in "+-" else value
    return int(datetime.fromisoformat(text).timestamp())


def graph_time(dt: Any) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S+0000")


def usage(call_count: int, regain_minutes: int = 0) -> dict[str, str]:
    return {
        "X-App-Usage": json.dumps({"call_count": call_count, "total_cputime": 5, "total_time": 5}),
        "X-Business-Use-Case-Usage": json.dumps(
            {
                "1122334455": [
                    {
                        "type": "pages",
                        "call_count": call_count,
                        "total_cputime": 1,
                        "total_time": 1,
                        "estimated_time_to_regain_access": regain_minutes,
                    }
                ]
            }
        ),
    }
