"""The demo's stand-in for Meta's Graph API on 127.0.0.1, so replies and moderation from the demo go
somewhere: each call is answered as Meta answers (`{"id": …}`, `{"success": true}`) and written to a
JSON-lines file to look at."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

TOKEN = "demo-page-token"
EDGES = ("comments", "replies", "private_replies")


class MetaStandIn:
    def __init__(self, log: Path):
        self.log = log
        self.count = 0
        self.arrivals: dict[tuple[str, str], float] = {}  # (edge, target) → time.monotonic() of the call
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> MetaStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # polling: nothing new on the demo's pages
                self._answer(200, {"data": []})

            def do_DELETE(self) -> None:
                parts = self.path.strip("/").split("/")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(400, {"error": {"code": 190, "message": "Invalid OAuth access token"}})
                elif len(parts) != 2:
                    self._answer(400, {"error": {"code": 100, "message": "Unsupported delete request"}})
                else:
                    stand_in.record(parts[1], "delete", "")
                    self._answer(200, {"success": True})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                parts = self.path.strip("/").split("/")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(400, {"error": {"code": 190, "message": "Invalid OAuth access token"}})
                elif len(parts) == 2 and ("is_hidden" in form or "hide" in form):  # hide or unhide
                    hidden = (form.get("is_hidden") or form.get("hide")) == "true"
                    stand_in.record(parts[1], "hide" if hidden else "unhide", "")
                    self._answer(200, {"success": True})
                elif len(parts) != 3 or parts[2] not in EDGES or not form.get("message"):
                    self._answer(400, {"error": {"code": 100, "message": "Unsupported post request"}})
                else:
                    self._answer(200, {"id": stand_in.record(parts[1], parts[2], form["message"])})

            def log_message(self, *_args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="meta-stand-in").start()
        return self

    def calls(self, edge: str) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        rows = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [r for r in rows if r["edge"] == edge]

    def record(self, target: str, edge: str, message: str) -> str:
        with self._lock:
            self.arrivals.setdefault((edge, target), time.monotonic())
            self.count += 1
            ident = f"m_demo{self.count}" if edge == "private_replies" else f"{target}_demo{self.count}"
            self.log.parent.mkdir(parents=True, exist_ok=True)
            with self.log.open("a", encoding="utf-8") as out:
                out.write(
                    json.dumps(
                        {"id": ident, "to": target, "edge": edge, "message": message}, ensure_ascii=False
                    )
                    + "\n"
                )
            return ident

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
