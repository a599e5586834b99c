"""build_app(settings): the FastAPI application; nothing happens at import time."""

from __future__ import annotations

import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from czujka import __version__
from czujka.comments import views as comment_views
from czujka.config import Settings
from czujka.incidents import views as incident_views
from czujka.moderation import views as moderation_views
from czujka.notifications import views as push_views
from czujka.oncall import views as oncall_views
from czujka.playbooks import views as playbook_views
from czujka.reports import views as report_views
from czujka.runtime import Runtime, build_runtime
from czujka.sources import views as source_views
from czujka.storage.secrets import service_secret
from czujka.web import errors
from czujka.web.routes import (
    ack,
    admin,
    connect,
    duty,
    login,
    moderation,
    pages,
    pwa,
    replies,
    reports,
    system,
    webhooks,
)
from czujka.web.session import LoginRateLimit
from czujka.web.templating import STATIC


def build_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.sync_profiles()
        app.state.device_key = service_secret(runtime.sessions, "device_key", lambda: secrets.token_hex(32))
        threading.Thread(target=runtime.reply_checker.warm, name="reply-check-warm", daemon=True).start()
        yield

    # The interactive docs load scripts from a CDN; czujka serves nothing from outside, so only the schema.
    app = FastAPI(title="czujka", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.login_limiter = LoginRateLimit()  # per app: sign-in attempts per client address
    app.include_router(webhooks.router)
    app.include_router(comment_views.router)
    app.include_router(system.router)
    app.include_router(incident_views.router)
    app.include_router(oncall_views.router)
    app.include_router(playbook_views.router)
    app.include_router(moderation_views.router)
    app.include_router(report_views.router)
    app.include_router(source_views.router)
    app.include_router(push_views.router)
    app.include_router(ack.router)
    app.include_router(login.router)
    app.include_router(reports.router)
    app.include_router(pages.router)
    app.include_router(replies.router)
    app.include_router(moderation.router)
    app.include_router(admin.router)
    app.include_router(connect.router)
    app.include_router(duty.router)
    app.include_router(pwa.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    return app
