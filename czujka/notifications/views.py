"""Web Push API: the public VAPID key for the browser, and subscribing a browser to a person's pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import delete

from czujka.notifications.models import PushSubscription
from czujka.notifications.push import application_server_key, subscribe
from czujka.web.deps import ERRORS, Responder, RuntimeDep, SessionDep, Text, Viewer, unprocessable

router = APIRouter(prefix="/api/push", tags=["push"], responses=ERRORS)


class Keys(BaseModel):
    p256dh: Text = Field(min_length=20, max_length=200)
    auth: Text = Field(min_length=8, max_length=100)


class SubscriptionIn(BaseModel):
    endpoint: Text = Field(pattern=r"^https?://\S+$", max_length=2000)
    keys: Keys


class SubscribeIn(BaseModel):
    person: Text = Field(max_length=64)
    subscription: SubscriptionIn


@router.get("/key")
async def public_key(runtime: RuntimeDep, _token: Viewer) -> dict[str, str]:
    return {"public_key": await run_in_threadpool(application_server_key, runtime.settings, runtime.sessions)}


@router.post("/subscriptions", status_code=201)
def add_subscription(
    body: SubscribeIn, runtime: RuntimeDep, session: SessionDep, _token: Responder
) -> dict[str, Any]:
    if runtime.settings.person(body.person) is None:
        raise unprocessable("person", f"no person {body.person!r} in czujka.toml", where="body")
    data = body.subscription.model_dump(mode="json")
    row = subscribe(session, person_id=body.person, subscription=data)
    return {"id": row.id, "person": row.person_id}


@router.delete("/subscriptions", status_code=204)
def remove_subscription(body: SubscriptionIn, session: SessionDep, _token: Responder) -> None:
    session.execute(delete(PushSubscription).where(PushSubscription.endpoint == body.endpoint))
