"""Dependencies shared by the routers, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, BeforeValidator
from sqlalchemy import select
from sqlalchemy.orm import Session

from czujka.auth.models import ApiToken
from czujka.auth.scope import Scope, scope_of
from czujka.auth.service import USED_EVERY, Role, authenticate, mark_used, role_allows
from czujka.config import Settings
from czujka.runtime import Runtime
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope
from czujka.validators import PROFILE_ID, check_moment, storable_text


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_session(request: Request, runtime: RuntimeDep) -> Iterator[Session]:
    """The request's unit of work. A GET only reads; any other method will write after reading, so on
    SQLite it takes the write lock first and waits its turn instead of failing with "database is locked"."""
    with session_scope(runtime.sessions, write=request.method not in SAFE_METHODS) as session:
        yield session


# scope="function": the transaction commits when the handler returns, before the answer is sent, so a
# browser that follows a redirect (sign-in, acknowledge) always sees what the POST wrote.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
bearer = HTTPBearer(auto_error=False)


def require(role: Role):
    """A dependency that lets through a valid, unrevoked token of `role` or higher. It looks the token up
    in a short transaction of its own, so a handler that needs no database (an import, a webhook) holds
    none while it works."""

    def check(
        runtime: RuntimeDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> ApiToken:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing bearer token (create one with `czujka token create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        with session_scope(runtime.sessions) as session:
            token = authenticate(session, token=credentials.credentials)
        if token is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "unknown or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not role_allows(token.role, role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this needs the {role} role; the token is {token.role}"
            )
        if role == "admin" and token.clients is not None:  # administering the install is agency-wide
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs an agency-wide admin token")
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > USED_EVERY:
            with session_scope(runtime.sessions, write=True) as session:
                mark_used(session, token=token, now=now)
        return token

    return check


def visible_profiles(runtime: Runtime, token: ApiToken, asked: str | None = None) -> list[str] | None:
    """The profiles a token's answer may draw on (None: every one), narrowed to `asked` if given: another
    client's profile gives an empty answer, as an unknown one does."""
    seen = scope_of(token.clients).profiles(runtime.settings)
    if asked is None:
        return seen
    return [asked] if seen is None or asked in seen else []


def hidden_from(runtime: Runtime, token: ApiToken, profile_id: str | None) -> bool:
    """Whether an object of this profile belongs to a client the token may not see (it then answers 404)."""
    return not scope_of(token.clients).sees_profile(runtime.settings, profile_id)


def comments_in_scope(session: Session, settings: Settings, scope: Scope, ids: list[int]) -> list[int]:
    """Of these comment ids, those that exist and belong to a client `scope` may see (a user's or a token's)."""
    from czujka.comments.models import Comment

    if not ids:
        return []
    rows = session.execute(select(Comment.id, Comment.profile_id).where(Comment.id.in_(ids))).all()
    return [i for i, profile_id in rows if scope.sees_profile(settings, profile_id)]


def seen_comments(runtime: Runtime, token: ApiToken, ids: list[int]) -> list[int]:
    """Of these comment ids, those the token may see (in a short transaction of its own)."""
    with session_scope(runtime.sessions) as session:
        return comments_in_scope(session, runtime.settings, scope_of(token.clients), ids)


def ensure_comment_seen(runtime: Runtime, token: ApiToken, comment_id: int) -> None:
    """Another client's comment answers 404, as a missing one does."""
    if not seen_comments(runtime, token, [comment_id]):
        raise HTTPException(404, f"no comment {comment_id}")


Viewer = Annotated[ApiToken, Depends(require("viewer"))]
Responder = Annotated[ApiToken, Depends(require("responder"))]
Admin = Annotated[ApiToken, Depends(require("admin"))]


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


MAX_ID = 2**31 - 1  # the largest id an Integer column holds on PostgreSQL: beyond it, no such thing
IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The incident's id in czujka.")]
# A time given to the API: with a UTC offset, and within the years czujka can convert between zones.
Moment = Annotated[datetime, AfterValidator(check_moment)]
# A filter by profile: an id's shape, so a stray byte is a 422 and never reaches the database.
ProfileFilter = Annotated[str | None, Query(pattern=PROFILE_ID, max_length=64, description="A profile's id.")]
# Text a person types (a note, a reason): a lone surrogate or a NUL, which no database stores, is repaired.
Text = Annotated[str, BeforeValidator(lambda v: storable_text(v) if isinstance(v, str) else v)]


class Problem(BaseModel):
    """What every refusal says: one sentence naming what is wrong."""

    detail: str


def refusal(description: str) -> dict[str, Any]:
    """A refusal as the OpenAPI schema lists it: JSON `{"detail": …}`, also on routes that answer text."""
    return {"model": Problem, "description": description, "content": {"application/json": {}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: refusal("The body is not valid JSON."),
    401: refusal("No bearer token, or an unknown or revoked one."),
    403: refusal("The token's role may not do this."),
    404: refusal("No such object."),
    409: refusal("The object's state does not allow this now."),
}
BAD_BODY: dict[int | str, dict[str, Any]] = {
    400: refusal("The body is not what this endpoint reads (JSON, or UTF-8 text for an import)."),
    413: refusal("The body is larger than max_body_bytes."),
}


def unprocessable(field: str, message: str, *, where: str = "query") -> HTTPException:
    """A 422 shaped as FastAPI's own validation errors, so every 422 matches the published schema."""
    return HTTPException(422, [{"loc": [where, field], "msg": message, "type": "value_error"}])
