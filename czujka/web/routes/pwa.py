"""The dashboard as an installable phone app: manifest, service worker, and Web Push for the signed-in person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from czujka.notifications.push import application_server_key, subscribe
from czujka.notifications.views import SubscriptionIn
from czujka.web.deps import RuntimeDep, SessionDep
from czujka.web.session import Page, ViewerAction
from czujka.words import gettext

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/manifest.webmanifest")
def manifest(runtime: RuntimeDep) -> JSONResponse:
    return JSONResponse(
        {
            "name": "czujka",
            "short_name": "czujka",
            "description": gettext("Keeps watch over the shop's profiles", runtime.settings.language),
            "lang": runtime.settings.language,
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b4f8a",
            "icons": [
                {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
                {
                    "src": "/static/icon-512.png",
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
            ],
        },
        media_type="application/manifest+json",
    )


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """Served from the root so its scope is the whole dashboard."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/push/key")
async def push_key(runtime: RuntimeDep, user: Page) -> dict[str, Any]:
    key = await run_in_threadpool(application_server_key, runtime.settings, runtime.sessions)
    return {"public_key": key, "person": user.user.person_id}


@router.post("/push/subscribe", status_code=201)
def push_subscribe(body: SubscriptionIn, session: SessionDep, user: ViewerAction) -> dict[str, Any]:
    """This browser receives the pages of the on-call person the signed-in user is."""
    if not user.user.person_id:
        raise HTTPException(409, "this user is not linked to an on-call person (czujka user add --person ID)")
    row = subscribe(session, person_id=user.user.person_id, subscription=body.model_dump(mode="json"))
    return {"id": row.id, "person": row.person_id}
