"""`czujka user add|passwd|disable|list|sign-out`: dashboard users; `czujka token create|list|revoke`: API
bearer tokens."""

from __future__ import annotations

import json
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from czujka.cli_common import (
    ConfigOption,
    JsonOption,
    console,
    errors,
    fail,
    migrated_runtime,
    runtime_or_exit,
    settings_or_exit,
)

token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
user_app = typer.Typer(
    help="Dashboard users: add, change password, disable, list, sign out.", no_args_is_help=True
)
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
Generate = Annotated[bool, typer.Option("--generate", help="Make up a strong password and print it once.")]
Clients = Annotated[
    str | None,
    typer.Option(help="Only these clients (ids, comma-separated); left out: every client (agency-wide)."),
]


def _password(stdin: bool, generate: bool) -> tuple[str, bool]:
    if generate:
        return secrets.token_urlsafe(12), True
    if stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


def _run(config: Path | None, action) -> Any:
    from czujka.auth.users import UserError
    from czujka.storage.engine import session_scope

    runtime = runtime_or_exit(config)
    try:
        with session_scope(runtime.sessions, write=True) as session:
            return action(session, runtime.settings)
    except UserError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None


@user_app.command("add")
def add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")] = "responder",
    person: Annotated[str | None, typer.Option(help="The on-call person (people.id) this user is.")] = None,
    language: Annotated[str | None, typer.Option(help="pl or en (default: the service language).")] = None,
    clients: Clients = None,
    config: ConfigOption = None,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
) -> None:
    """Add a user who can sign in to the dashboard."""
    from czujka.auth.scope import ScopeError, parse_clients
    from czujka.auth.users import UserError, add_user

    try:
        chosen = parse_clients(settings_or_exit(config), clients)
    except ScopeError as exc:
        raise fail(str(exc), 2) from None
    password, made_up = _password(password_stdin, generate)

    def action(session, settings):
        if person is not None and settings.person(person) is None:
            raise UserError(f"no person {person!r} in czujka.toml")
        add_user(
            session,
            username=username,
            role=role,
            password=password,
            person_id=person,
            language=language,
            clients=chosen,
        )

    _run(config, action)
    console.print(
        f"user {username} added ({role})" + (f"; password: {password}" if made_up else ""),
        highlight=False,
        markup=False,
    )


@user_app.command("passwd")
def passwd(
    username: str,
    config: ConfigOption = None,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
) -> None:
    """Set a new password; the user is signed out everywhere and any lockout is lifted."""
    from czujka.auth.users import set_password

    password, made_up = _password(password_stdin, generate)
    _run(config, lambda session, _s: set_password(session, username=username, password=password))
    console.print(
        f"password of {username} changed" + (f": {password}" if made_up else ""),
        highlight=False,
        markup=False,
    )


@user_app.command("disable")
def disable(username: str, config: ConfigOption = None) -> None:
    """Disable a user and end their sessions."""
    from czujka.auth.users import disable_user

    _run(config, lambda session, _s: disable_user(session, username=username, now=datetime.now(UTC)))
    console.print(f"user {username} disabled", highlight=False, markup=False)


@user_app.command("sign-out")
def sign_out(username: str, config: ConfigOption = None) -> None:
    """End every session of a user (a lost phone)."""
    from czujka.auth.users import get_user, sign_out_everywhere

    ended = _run(
        config, lambda session, _s: sign_out_everywhere(session, user_id=get_user(session, username).id)
    )
    console.print(f"{ended} session(s) of {username} ended", highlight=False, markup=False)


@user_app.command("list")
def list_cmd(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Users, roles, linked person, last sign-in."""
    from czujka.auth.users import list_users

    rows = _run(
        config,
        lambda session, _s: [
            {
                "username": u.username,
                "role": u.role,
                "person": u.person_id,
                "clients": u.clients,
                "disabled": u.disabled_at is not None,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in list_users(session)
        ],
    )
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    for r in rows:
        console.print(
            f"{r['username']:<20} {r['role']:<10} {r['person'] or '-':<12} "
            f"{','.join(r['clients']) if r['clients'] else '*':<16} "
            f"{'disabled' if r['disabled'] else ''} {r['last_login_at'] or ''}",
            highlight=False,
            markup=False,
        )


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what uses the token.")],
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")] = "viewer",
    clients: Clients = None,
    config: ConfigOption = None,
) -> None:
    """Print a new API token; only its hash is stored, so keep it now."""
    from czujka.auth.scope import ScopeError, parse_clients
    from czujka.auth.service import ROLES, create_token
    from czujka.storage.engine import session_scope

    if role not in ROLES:
        raise fail(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    settings = settings_or_exit(config)
    try:
        chosen = parse_clients(settings, clients)
    except ScopeError as exc:
        raise fail(str(exc), 2) from None
    runtime = migrated_runtime(settings)
    try:
        with session_scope(runtime.sessions, write=True) as session:
            token = create_token(session, name=name, role=role, clients=chosen)  # type: ignore[arg-type]
    except ValueError as exc:
        raise fail(str(exc)) from None
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """List tokens (names and roles; the tokens themselves are not stored)."""
    from czujka.auth.service import list_tokens
    from czujka.storage.engine import session_scope

    runtime = migrated_runtime(settings_or_exit(config))
    with session_scope(runtime.sessions) as session:
        rows = list_tokens(session)
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    for row in rows:
        state = (
            f"revoked {row['revoked_at']}"
            if row["revoked_at"]
            else f"last used {row['last_used_at'] or 'never'}"
        )
        clients = ",".join(row["clients"]) if row["clients"] else "*"  # type: ignore[arg-type]
        console.print(f"{row['name']}\t{row['role']}\t{clients}\t{state}", highlight=False, markup=False)


@token_app.command("revoke")
def token_revoke(name: str, config: ConfigOption = None) -> None:
    """Revoke a token by name."""
    from czujka.auth.service import revoke_token
    from czujka.storage.engine import session_scope

    runtime = migrated_runtime(settings_or_exit(config))
    with session_scope(runtime.sessions, write=True) as session:
        if not revoke_token(session, name=name):
            raise fail(f"no active token named {name!r}")
    console.print(f"revoked {name}")
