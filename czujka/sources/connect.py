"""Connecting a Facebook Page and its Instagram account, in Meta's own steps, through the one Graph client.

Facebook Login's code flow (the dialog, the code exchanged for a token, the token for a long-lived one),
the Pages a person manages (`/me/accounts`), what the token may do (`/me/permissions`, `debug_token`),
and the webhook subscriptions: a Page's `subscribed_apps` and the app's `instagram` subscription. Nothing
here stores anything; `connections.py` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from czujka.config import Settings
from czujka.sources.graph import GraphClient, GraphError
from czujka.words import N_

PAGE_FIELDS = "feed"
INSTAGRAM_FIELDS = ("comments", "live_comments")


@dataclass(frozen=True, slots=True)
class Permission:
    """One permission czujka asks for: which platforms need it, and what its absence costs."""

    platforms: frozenset[str]
    cost: str  # a catalog message


PERMISSIONS: dict[str, Permission] = {
    "pages_show_list": Permission(
        frozenset({"facebook", "instagram"}),
        N_("czujka cannot list your Pages, so it can connect none"),
    ),
    "pages_read_engagement": Permission(
        frozenset({"facebook", "instagram"}),
        N_("czujka cannot read the Page's posts and comments"),
    ),
    "pages_read_user_content": Permission(
        frozenset({"facebook"}),
        N_("czujka cannot read what visitors comment and review"),
    ),
    "pages_manage_metadata": Permission(
        frozenset({"facebook", "instagram"}),
        N_("czujka cannot subscribe the Page to webhooks: comments arrive only by polling, minutes late"),
    ),
    "pages_manage_engagement": Permission(
        frozenset({"facebook"}),
        N_("czujka can read but not reply to, hide or delete Facebook comments"),
    ),
    "instagram_basic": Permission(
        frozenset({"instagram"}),
        N_("czujka cannot read the Instagram account and its media"),
    ),
    "instagram_manage_comments": Permission(
        frozenset({"instagram"}),
        N_("czujka cannot read Instagram comments, nor reply to or hide one"),
    ),
}


class ConnectError(Exception):
    """Connecting cannot go on; the message says what to do, and never holds a token."""


@dataclass(slots=True)
class InstagramAccount:
    id: str
    username: str | None
    name: str | None


@dataclass(slots=True)
class ManagedPage:
    """A Page the person manages, with its own token (kept only in memory until it is sealed)."""

    id: str
    name: str
    token: str = field(repr=False)
    tasks: list[str]
    instagram: InstagramAccount | None

    def listing(self) -> dict[str, Any]:
        """What may be shown and kept while the person picks: everything but the token."""
        return {
            "id": self.id,
            "name": self.name,
            "tasks": self.tasks,
            "instagram": (
                {"id": self.instagram.id, "username": self.instagram.username} if self.instagram else None
            ),
        }


@dataclass(slots=True)
class TokenInfo:
    valid: bool
    expires_at: datetime | None  # None: never expires (a Page token from a long-lived user token)
    scopes: list[str]


def graph(settings: Settings, token: str, http: httpx.Client) -> GraphClient:
    return GraphClient(
        base_url=settings.graph_base_url, version=settings.graph_api_version, token=token, http=http
    )


def app_credentials(settings: Settings) -> tuple[str, str] | None:
    """The app's id and secret, when both are set."""
    if settings.meta_app_id is None or settings.meta_app_secret is None:
        return None
    return settings.meta_app_id, settings.meta_app_secret.get_secret_value()


def app_token(settings: Settings) -> str | None:
    """The app's own access token, `APP_ID|APP_SECRET`, for the calls a user token may not make."""
    credentials = app_credentials(settings)
    return "|".join(credentials) if credentials else None


def redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/connect/meta/callback"


def dialog_url(settings: Settings, state: str) -> str:
    """Facebook Login's dialog, asking for every permission czujka uses."""
    if app_credentials(settings) is None:
        raise ConnectError(
            "set CZUJKA_META_APP_ID and CZUJKA_META_APP_SECRET (your Meta app's id and secret) to connect "
            "from the dashboard; see docs/connect.md"
        )
    query = urlencode(
        {
            "client_id": settings.meta_app_id,
            "redirect_uri": redirect_uri(settings),
            "state": state,
            "scope": ",".join(PERMISSIONS),
            "response_type": "code",
        }
    )
    return f"{settings.meta_login_url.rstrip('/')}/{settings.graph_api_version}/dialog/oauth?{query}"


def exchange_code(settings: Settings, code: str, http: httpx.Client) -> str:
    """The dialog's code for a long-lived user token."""
    credentials = app_credentials(settings)
    if credentials is None:
        raise ConnectError("set CZUJKA_META_APP_ID and CZUJKA_META_APP_SECRET to finish Facebook Login")
    app_id, secret = credentials
    answer = graph(settings, f"{app_id}|{secret}", http).get(
        "oauth/access_token",
        {
            "client_id": app_id,
            "client_secret": secret,
            "redirect_uri": redirect_uri(settings),
            "code": code,
        },
    )
    return long_lived(settings, _access_token(answer), http)


def long_lived(settings: Settings, user_token: str, http: httpx.Client) -> str:
    """A user token good for about 60 days, whose Page tokens never expire. Without the app's id and
    secret the token is used as it is (a Graph API Explorer token lasts about an hour, its Page tokens
    too)."""
    credentials = app_credentials(settings)
    if credentials is None:
        return user_token
    app_id, secret = credentials
    answer = graph(settings, f"{app_id}|{secret}", http).get(
        "oauth/access_token",
        {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": secret,
            "fb_exchange_token": user_token,
        },
    )
    return _access_token(answer)


def _access_token(answer: dict[str, Any]) -> str:
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise ConnectError("Meta answered the token exchange without an access token")
    return token


def granted_permissions(user: GraphClient) -> set[str]:
    granted = set()
    for _, items in user.pages("me/permissions", {"limit": 100}):
        for item in items:
            if isinstance(item, dict) and item.get("status") == "granted":
                granted.add(str(item.get("permission")))
    return granted


def missing_permissions(granted: Iterable[str], platforms: Iterable[str]) -> list[str]:
    """The permissions the connected platforms need and the token lacks, in the order czujka asks."""
    have, wanted = set(granted), set(platforms)
    return [name for name, p in PERMISSIONS.items() if p.platforms & wanted and name not in have]


def managed_pages(user: GraphClient) -> list[ManagedPage]:
    """The Pages the person manages, each with its token, tasks and Instagram business account."""
    found = []
    params = {
        "fields": "id,name,access_token,tasks,instagram_business_account{id,username,name}",
        "limit": 100,
    }
    for _, items in user.pages("me/accounts", params):
        for item in items:
            if not isinstance(item, dict) or not item.get("id") or not item.get("access_token"):
                continue
            ig = item.get("instagram_business_account")
            found.append(
                ManagedPage(
                    id=str(item["id"]),
                    name=str(item.get("name") or item["id"]),
                    token=str(item["access_token"]),
                    tasks=[str(t) for t in item.get("tasks") or []],
                    instagram=(
                        InstagramAccount(str(ig["id"]), ig.get("username"), ig.get("name"))
                        if isinstance(ig, dict) and ig.get("id")
                        else None
                    ),
                )
            )
    return found


def subscribe_page(page: GraphClient, page_id: str) -> bool:
    """Subscribe the Page to the app's webhooks for its feed (comments, posts, reactions)."""
    answer = page.post(f"{page_id}/subscribed_apps", {"subscribed_fields": PAGE_FIELDS})
    return answer.get("success") in (True, "true")


def page_subscribed(page: GraphClient, page_id: str, app_id: str | None) -> bool:
    """Whether the app (any app, when its id is not set) still has the Page's feed subscribed."""
    for _, apps in page.pages(f"{page_id}/subscribed_apps", {}):
        for app in apps:
            if not isinstance(app, dict) or (app_id and str(app.get("id")) != app_id):
                continue
            if PAGE_FIELDS in (app.get("subscribed_fields") or []):
                return True
    return False


def unsubscribe_page(page: GraphClient, page_id: str) -> None:
    page.delete(f"{page_id}/subscribed_apps")


def ensure_instagram_webhook(settings: Settings, http: httpx.Client) -> str | None:
    """Make sure the app's `instagram` webhook has `comments` and `live_comments`; None when it has, else
    why it could not be set."""
    token = app_token(settings)
    if token is None or settings.meta_verify_token is None:
        return (
            "the app's Instagram webhook was not checked: set CZUJKA_META_APP_ID, CZUJKA_META_APP_SECRET "
            "and CZUJKA_META_VERIFY_TOKEN, or subscribe it in the app dashboard"
        )
    app = graph(settings, token, http)
    for _, subscriptions in app.pages(f"{settings.meta_app_id}/subscriptions", {}):
        for sub in subscriptions:
            if not isinstance(sub, dict) or sub.get("object") != "instagram" or not sub.get("active", True):
                continue
            names = {f.get("name") if isinstance(f, dict) else f for f in sub.get("fields") or []}
            if set(INSTAGRAM_FIELDS) <= names:
                return None
    try:
        app.post(
            f"{settings.meta_app_id}/subscriptions",
            {
                "object": "instagram",
                "callback_url": settings.public_url.rstrip("/") + "/webhooks/meta",
                "fields": ",".join(INSTAGRAM_FIELDS),
                "verify_token": settings.meta_verify_token.get_secret_value(),
                "include_values": "true",
            },
        )
    except GraphError as exc:
        return f"the app's Instagram webhook could not be set: {exc}"
    return None


def token_info(settings: Settings, token: str, http: httpx.Client) -> TokenInfo:
    """`debug_token`: with the app's token when it is set, else the token inspects itself."""
    inspector = graph(settings, app_token(settings) or token, http)
    data = inspector.get("debug_token", {"input_token": token}).get("data") or {}
    expires = data.get("expires_at")
    return TokenInfo(
        valid=bool(data.get("is_valid")),
        expires_at=(
            datetime.fromtimestamp(expires, UTC) if isinstance(expires, int) and expires > 0 else None
        ),
        scopes=[str(s) for s in data.get("scopes") or []],
    )
