"""A fake Graph API on 127.0.0.1 answering in Meta's documented shapes: data + paging cursors, error objects,
usage headers. Tests put posts and comments in, and queue errors to be answered first."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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

    @app.get("/" + version + "/{node}/{edge}")
    def edge(node: str, edge: str, request: Request) -> JSONResponse:
        state.requests.append((f"{node}/{edge}", dict(request.query_params)))
        auth = request.headers.get("authorization", "")
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

    @app.post("/" + version + "/{node}/{edge}")
    async def publish(node: str, edge: str, request: Request) -> JSONResponse:
        form = dict(await request.form())
        auth = request.headers.get("authorization", "")
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
