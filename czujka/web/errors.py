"""How the dashboard answers what it refuses: sign in first, not allowed, stale form, not found."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from czujka.validators import repair
from czujka.web.session import CsrfFailed, Forbidden, SignInRequired, login_url
from czujka.web.templating import render
from czujka.words import N_

API_PREFIXES = ("/api/", "/webhooks/", "/push/")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def install(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": login_url(exc.next_path)})
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(
            request,
            "error.html",
            {"message": N_("You may not do this."), "detail": exc.needed},
            status_code=403,
        )

    @app.exception_handler(CsrfFailed)
    async def csrf(request: Request, exc: CsrfFailed) -> Response:
        return render(
            request,
            "error.html",
            {
                "message": N_("The form expired or did not come from this site. Reload and try again."),
                "detail": "",
            },
            status_code=403,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """FastAPI's own 422, with what was sent repaired first: an input holding a lone surrogate would
        otherwise make the error answer itself fail to encode, and the client get a 500."""
        detail, _ = repair(jsonable_encoder(exc.errors()))
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(API_PREFIXES) or exc.status_code not in (404, 405):
            return await http_exception_handler(request, exc)
        return render(
            request, "error.html", {"message": N_("No such page."), "detail": ""}, status_code=exc.status_code
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https" or request.app.state.runtime.settings.public_url.startswith(
            "https://"
        ):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
