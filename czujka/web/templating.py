"""Jinja2 templates with autoescaping, and the interface words in Polish and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from czujka.notifications.channels import kind_of
from czujka.web.i18n import counted, timespan, translator

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals.update(channel_kind=kind_of, counted=counted, timespan=timespan)
STATIC = Path(__file__).parent / "static"


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    settings = request.app.state.runtime.settings
    language = context.pop("language", None) or getattr(request.state, "language", None) or settings.language
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {"t": translator(language), "language": language, **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
