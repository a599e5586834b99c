"""HMAC-SHA256 signatures of raw bodies, as Meta sends them and as the generic webhook expects them."""

from __future__ import annotations

import hashlib
import hmac

HEX = set("0123456789abcdef")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """True only for `sha256=` and the right 64 hex digits; compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    given = header[len("sha256=") :].strip().lower()
    if len(given) != 64 or not set(given) <= HEX:
        return False
    return hmac.compare_digest(sign(body, secret), "sha256=" + given)
