"""Handing a page to a channel: any Apprise URL, Web Push to a person's browsers, or a local file.

Each send returns a `Delivery` (ok, error text without secrets) and never raises for a channel's failure, so
the pipeline decides about retries and fallbacks in one place.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from czujka.words import N_

WEBPUSH = "webpush"  # the channel a person lists in czujka.toml to get pages in their browsers
_file_lock = threading.Lock()
_notifiers = threading.local()
_LOG_PREFIX = re.compile(r"^\S+ \S+ - \w+ - ", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Page:
    """What every channel gets: a title, a plain-text body, and the pieces for rich channels."""

    title: str
    body: str
    incident_id: int
    severity: int
    url: str
    ack_url: str


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    error: str | None = None
    gone: bool = False  # the receiver says the address no longer exists (Web Push 404/410)


def file_target(url: str) -> Path:
    """The file a `file://` channel writes to. Only `file:///absolute/path` (or `file://localhost/…`) is
    one: in `file://czujka-data/pages.jsonl` the first word is a host, and the page would land elsewhere."""
    parts = urlsplit(url)
    path = Path(unquote(parts.path))
    if parts.netloc not in ("", "localhost") or not path.is_absolute():
        raise ValueError(
            f"a file:// channel needs an absolute path, as in file:///var/lib/czujka/pages.jsonl "
            f"(not {url.split('://', 1)[0]}://{parts.netloc}{parts.path})"
        )
    return path


def _write_file(url: str, page: Page) -> Delivery:
    """`file:///path/pages.jsonl`: one JSON line per page (for demos, tests and air-gapped set-ups)."""
    try:
        path = file_target(url)
    except ValueError as exc:
        return Delivery(False, str(exc), gone=True)
    record = {
        "at": datetime.now(UTC).isoformat(),
        "title": page.title,
        "body": page.body,
        "incident": page.incident_id,
        "ack_url": page.ack_url,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock, path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        return Delivery(False, f"cannot write {path}: {exc.strerror}")
    return Delivery(True)


def _notifier(url: str, timeout: float) -> Any:
    """An Apprise object per address and thread, built once: parsing the URL and loading the plugin is the
    slow part of a send."""
    import apprise

    cache = _notifiers.__dict__.setdefault("by_url", {})
    if url not in cache:
        asset = apprise.AppriseAsset(app_id="czujka", app_desc="czujka", async_mode=False)
        notifier = apprise.Apprise(asset=asset)
        if not notifier.add(url):
            return None
        for server in notifier:
            # Every Apprise plugin takes these; a dead SMTP or HTTP host must not hold the pipeline for minutes.
            server.socket_connect_timeout = timeout
            server.socket_read_timeout = timeout
        cache[url] = notifier
    return cache[url]


def _apprise(url: str, page: Page, timeout: float) -> Delivery:
    import apprise

    notifier = _notifier(url, timeout)
    if notifier is None:
        return Delivery(False, f"Apprise does not understand this {url.split('://', 1)[0]}:// address")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = bool(notifier.notify(body=page.body, title=page.title))
    if ok:
        return Delivery(True)
    text = _LOG_PREFIX.sub("", captured.getvalue()).strip().splitlines()
    return Delivery(False, (text[-1] if text else "the channel refused the message")[:500])


def send(url: str, page: Page, *, timeout: float, push: Any = None) -> Delivery:
    """Send on one channel. `push` sends Web Push (see notifications/push.py) when the channel is 'webpush'."""
    try:
        if url == WEBPUSH:
            if push is None:
                return Delivery(False, "web push is not available in this process")
            return push(page)
        if url.startswith("file://"):
            return _write_file(url, page)
        return _apprise(url, page, timeout)
    except Exception as exc:  # a plugin's bug must not stop the pipeline: it is one failed delivery
        return Delivery(False, f"{type(exc).__name__}: {exc}"[:500])


_KINDS = {
    "email": {"mailto", "mailtos", "ses", "sendgrid", "mailgun", "sparkpost", "resend", "brevo"},
    "sms": {
        "twilio",
        "sns",
        "clicksend",
        "smseagle",
        "smseagles",
        "d7sms",
        "msg91",
        "bulksms",
        "sinch",
        "plivo",
        "vonage",
        "nexmo",
        "kavenegar",
        "smsmgr",
        "bulkvs",
        "seven",
        "httpsms",
    },
    "push": {
        "ntfy",
        "ntfys",
        "pover",
        "pbul",
        "gotify",
        "gotifys",
        "webpush",
        "fcm",
        "join",
        "pushed",
        "pjet",
        "pjets",
        "pushme",
        "bark",
        "barks",
        "ifttt",
        "ncloud",
    },
    "chat": {
        "tgram",
        "slack",
        "msteams",
        "discord",
        "matrix",
        "matrixs",
        "rocket",
        "rockets",
        "mmost",
        "mmosts",
        "signal",
        "signals",
        "whatsapp",
        "line",
        "zulip",
        "guilded",
        "revolt",
        "wxteams",
    },
}


# Each kind as a person names it ("sent by text message").
KIND_NAMES = {
    "email": N_("e-mail"),
    "sms": N_("text message"),
    "push": N_("phone notification"),
    "chat": N_("chat"),
    "other": N_("another channel"),
}

# How a page went, as in "sent to Anna by text message".
KIND_BY = {
    "email": N_("by e-mail"),
    "sms": N_("by text message"),
    "push": N_("by phone notification"),
    "chat": N_("by chat"),
    "other": N_("by another channel"),
}


def kind_of(url: str) -> str:
    """What a channel is in a person's words (e-mail, sms, push, chat, other), never its scheme."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else url.lower()
    return next((kind for kind, schemes in _KINDS.items() if scheme in schemes), "other")
