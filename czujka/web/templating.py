"""Jinja2 templates with autoescaping, and the interface words in Polish and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from czujka.notifications.channels import kind_of
from czujka.web.i18n import LANGUAGE, install

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
install(TEMPLATES.env)
TEMPLATES.env.globals.update(channel_kind=kind_of)
STATIC = Path(__file__).parent / "static"


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    settings = request.app.state.runtime.settings
    language = context.pop("language", None) or getattr(request.state, "language", None) or settings.language
    user = context.get("user")
    if user is not None and getattr(user, "scope", None) is not None and settings.agency:
        context.setdefault("client_menu", [c for c in settings.all_clients if user.scope.sees_client(c.id)])
        context.setdefault("chosen_client", settings.client(user.chosen) if user.chosen else None)
    token = LANGUAGE.set(language)
    try:
        return TEMPLATES.TemplateResponse(
            request,
            name,
            {"language": language, **context},
            status_code=status_code,
            headers={"Cache-Control": "no-store"},
        )
    finally:
        LANGUAGE.reset(token)
