"""Webhook endpoints: Meta's (`/webhooks/meta`) and the generic one for other sources.

A 200 goes out only after the delivery and everything it carried are committed; any failure before
that answers 5xx, so the sender retries and nothing is half stored.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from czujka.comments import service as comments
from czujka.comments.events import Batch
from czujka.logs import get_logger
from czujka.runtime import Runtime
from czujka.sources.meta import SIGNATURE_HEADER, PayloadError
from czujka.sources.signing import verify_signature
from czujka.sources.webhook import SIGNATURE_HEADER as GENERIC_SIGNATURE_HEADER
from czujka.sources.webhook import parse_generic
from czujka.web.deps import BAD_BODY, ERRORS, RuntimeDep, read_body, refusal

router = APIRouter(
    tags=["webhooks"],
    responses={
        **BAD_BODY,
        403: ERRORS[403],
        404: ERRORS[404],
        503: refusal("CZUJKA_META_APP_SECRET is not set."),
    },
)
log = get_logger(__name__)


def store(runtime: Runtime, *, source: str, body: bytes, batch: Batch) -> dict[str, Any]:
    result = comments.store(runtime.sessions, source=source, body=body, batch=batch)
    try:
        runtime.delivered({e.profile_id for e in batch.events})
    except Exception:  # the delivery is committed; a missed mark only delays what the channel watch knows
        log.exception("delivery mark failed", source=source)
    if result.stored or result.changed:
        runtime.score_signal.set()
    log.info(
        "delivery stored",
        source=source,
        log_id=result.log_id,
        stored=result.stored,
        changed=result.changed,
        unchanged=result.ignored,
        duplicate_of=result.duplicate_of,
        notes=len(batch.notes),
    )
    return {"stored": result.stored, "changed": result.changed, "unchanged": result.ignored}


@router.get("/webhooks/meta", response_class=PlainTextResponse)
def meta_verify(
    runtime: RuntimeDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> str:
    """Meta's subscription handshake: echo the challenge when the verify token matches."""
    expected = runtime.settings.meta_verify_token
    if (
        expected is None
        or mode != "subscribe"
        or verify_token is None
        or challenge is None
        or not _same(verify_token, expected.get_secret_value())
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "verification failed")
    return challenge


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@router.post("/webhooks/meta")
async def meta_deliver(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    secret = runtime.settings.meta_app_secret
    if secret is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "CZUJKA_META_APP_SECRET is not set")
    body = await read_body(request, runtime.settings.max_body_bytes)
    if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), secret.get_secret_value()):
        log.warning("meta delivery refused: bad signature", size=len(body))
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {SIGNATURE_HEADER}")
    try:
        batch = runtime.meta_parser.parse(body)
    except PayloadError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    return await run_in_threadpool(store, runtime, source="meta", body=body, batch=batch)


@router.post("/webhooks/generic/{source}")
async def generic_deliver(source: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    profile = runtime.settings.profile(source)
    if profile is None or profile.webhook_secret is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no profile {source!r} with a webhook_secret")
    body = await read_body(request, runtime.settings.max_body_bytes)
    header = request.headers.get(GENERIC_SIGNATURE_HEADER)
    if not verify_signature(body, header, profile.webhook_secret.get_secret_value()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {GENERIC_SIGNATURE_HEADER}")
    try:
        batch, errors = parse_generic(body, profile_id=profile.id, settings=runtime.settings)
    except PayloadError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    rejected = [{"index": e.line, "field": e.field, "reason": e.reason} for e in errors]
    if errors and not batch.events:  # shaped as FastAPI's own 422, so it matches the published schema
        detail = [{"loc": ["body", e.line, e.field], "msg": e.reason, "type": "value_error"} for e in errors]
        raise HTTPException(422, detail)
    batch.notes.extend(str(e) for e in errors)
    result = await run_in_threadpool(store, runtime, source=f"generic:{profile.id}", body=body, batch=batch)
    return {**result, "rejected": rejected}
