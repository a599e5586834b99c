"""`GET /api/profiles`: every watched profile and the health of its channel, for scripts and monitors
with a token; never a token of Meta's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from czujka.sources.health import channel_status
from czujka.web.deps import ERRORS, RuntimeDep, SessionDep, Viewer, hidden_from

router = APIRouter(prefix="/api", tags=["profiles"], responses=ERRORS)


@router.get("/profiles")
def profiles(runtime: RuntimeDep, session: SessionDep, token: Viewer) -> dict[str, Any]:
    """Profiles from czujka.toml and connected ones, each with its token state (never the token), its
    webhooks, its last delivery and poll, and the problem the channel watch raised."""
    rows = channel_status(session, runtime.settings, connected=runtime.connected_ids, now=datetime.now(UTC))
    return {"profiles": [r for r in rows if not hidden_from(runtime, token, r["id"])]}
