"""The generic webhook, `POST /webhooks/generic/{source}`, for review sites and custom integrations.

The body is one comment object, a list of them, or `{"comments": [...]}`, with the fields of an import
row. It is signed like Meta's deliveries: `X-Czujka-Signature-256: sha256=<hex HMAC-SHA256 of the body>`
with the profile's `webhook_secret`.
"""

from __future__ import annotations

from typing import Any

from czujka.comments.events import Batch
from czujka.config import Settings
from czujka.sources.base import PayloadError, load_json, repaired_note
from czujka.sources.records import RowError, to_event

SIGNATURE_HEADER = "X-Czujka-Signature-256"


def parse_generic(body: bytes, *, profile_id: str, settings: Settings) -> tuple[Batch, list[RowError]]:
    """Events for the good items and an error for each bad one (`line` is the item's index)."""
    try:
        payload, repaired = load_json(body)
    except PayloadError as exc:
        raise PayloadError(f"body is {exc}") from None
    items: Any = payload.get("comments") if isinstance(payload, dict) and "comments" in payload else payload
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise PayloadError('body must be a comment object, a list of them, or {"comments": [...]}')
    batch, errors = Batch(notes=[repaired_note(repaired)] if repaired else []), []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(RowError(index, "item", f"expected an object, got {type(item).__name__}"))
            continue
        outcome = to_event(
            item, line=index, settings=settings, source=f"generic:{profile_id}", default_profile=profile_id
        )
        if isinstance(outcome, list):
            errors.extend(outcome)
        else:
            batch.events.append(outcome)
    return batch, errors
