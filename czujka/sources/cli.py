"""`czujka connect meta` and `czujka profiles list|disconnect`: connected profiles without a browser."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from czujka.cli_common import ConfigOption, JsonOption, console, errors, fail, runtime_or_exit
from czujka.words import gettext

connect_app = typer.Typer(help="Connect a Facebook Page and its Instagram account.", no_args_is_help=True)
profiles_app = typer.Typer(
    help="Watched profiles: list them, disconnect connected ones.", no_args_is_help=True
)


@connect_app.command("meta")
def connect_meta(
    user_token: Annotated[
        str,
        typer.Option(
            help="A user access token of someone who manages the Pages (Facebook Login, or Meta's Graph API "
            "Explorer).",
            envvar="CZUJKA_META_USER_TOKEN",
        ),
    ],
    pages: Annotated[
        str | None, typer.Option(help="Only these Page ids, comma-separated (default: every Page).")
    ] = None,
    backfill: Annotated[
        bool, typer.Option(help="Poll the last days at once, for charts and baselines.")
    ] = True,
    client: Annotated[
        str | None, typer.Option(help="The client the Pages belong to (an agency's [[clients]] id).")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Connect the Pages a user token manages, and their Instagram accounts: store each as a profile with
    its Page token sealed, subscribe it to webhooks, and backfill the last days."""
    import httpx

    from czujka.pipeline import Pipeline
    from czujka.sources import connect as meta
    from czujka.sources.connections import connect_pages, read_pages
    from czujka.sources.graph import GraphError, TokenExpired
    from czujka.sources.service import backfill as poll_back
    from czujka.storage.vault import VaultError

    runtime = runtime_or_exit(config)
    settings = runtime.settings
    known = [c.id for c in settings.clients]
    if client is not None and client not in known:
        raise fail(f"--client: no client {client!r} (known: {', '.join(known) or 'none: one shop'})", 2)
    if client is None and settings.agency:
        raise fail(f"--client: which client do the Pages belong to? (known: {', '.join(known)})", 2)
    chosen = [p.strip() for p in pages.split(",") if p.strip()] if pages else None
    try:
        vault = runtime.vault
        with httpx.Client(timeout=30) as http:
            token = meta.long_lived(settings, user_token.strip(), http)
            found, granted = read_pages(settings, token, http)
            result = connect_pages(
                runtime.sessions,
                settings,
                vault,
                pages=found,
                granted=granted,
                chosen=chosen,
                in_files=runtime.file_profiles,
                http=http,
                actor=f"cli:{getpass.getuser()}",
                now=datetime.now(UTC),
                client=client,
            )
            runtime.sync_profiles()
            new = [p for p in settings.profiles if p.id in {c.id for c in result.profiles}]
            outcomes = poll_back(runtime.sessions, settings, new, http=http) if backfill and new else []
    except TokenExpired as exc:
        _refuse(
            as_json,
            f"the user token is invalid or expired (Graph error 190{_sub(exc.subcode)}): get a new one from "
            "Facebook Login or the Graph API Explorer; nothing was stored",
        )
    except (GraphError, meta.ConnectError, VaultError, httpx.HTTPError) as exc:
        _refuse(as_json, f"{type(exc).__name__}: {exc}; nothing was stored")
    for outcome in outcomes:
        if outcome.error:
            result.notes.append(f"{outcome.profile_id}: backfill failed: {outcome.error_kind}")
    if outcomes:
        Pipeline(runtime).score_pending()
    if as_json:
        console.print_json(json.dumps(result.as_json()))
    else:
        _report(result, outcomes, settings.language)
    if not result.profiles:
        if not as_json:
            errors.print("no profile was connected: the token manages no Page (or none of --pages)")
        raise typer.Exit(1)


def _sub(subcode: int | None) -> str:
    return f", subcode {subcode}" if subcode else ""


def _refuse(as_json: bool, message: str) -> None:
    if as_json:
        console.print_json(json.dumps({"profiles": [], "missing_permissions": [], "error": message}))
    raise fail(message)


def _report(result: Any, outcomes: list[Any], language: str) -> None:
    from czujka.sources.connect import PERMISSIONS

    for p in result.profiles:
        hooks = "webhooks subscribed" if p.subscribed else "webhooks NOT subscribed (polling only)"
        console.print(f"connected {p.id}: {p.platform} {p.platform_id} {p.name!r}, {hooks}", markup=False)
    for outcome in outcomes:
        if not outcome.error:
            console.print(f"{outcome.profile_id}: backfilled {outcome.stored} comment(s)", markup=False)
    for name in result.missing_permissions:
        errors.print(f"missing permission {name}: {gettext(PERMISSIONS[name].cost, language)}", markup=False)
    for note in result.notes:
        errors.print(f"note: {note}", markup=False)


@profiles_app.command("list")
def list_profiles(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Every watched profile, from czujka.toml or connected, with the health of its connection."""
    from czujka.sources.health import channel_status
    from czujka.storage.engine import session_scope

    runtime = runtime_or_exit(config)
    with session_scope(runtime.sessions) as session:
        rows = channel_status(
            session, runtime.settings, connected=runtime.connected_ids, now=datetime.now(UTC)
        )
    if as_json:
        console.print_json(json.dumps({"profiles": rows}))
        return
    table = Table("id", "platform", "name", "from", "token", "webhooks", "last delivery", "problem")
    for r in rows:
        hooks = {True: "yes", False: "no", None: "—"}[r["subscribed"]]
        table.add_row(
            r["id"],
            f"{r['platform']} {r['platform_id']}",
            r["name"],
            r["origin"],
            r["token"],
            hooks,
            (r["last_delivery_at"] or "—")[:16],
            r["problem"] or "—",
        )
    console.print(table)


@profiles_app.command("disconnect")
def disconnect_profile(
    profile: Annotated[str, typer.Argument(help="The connected profile's id.")],
    keep_webhooks: Annotated[
        bool, typer.Option(help="Leave the Page subscribed to the app's webhooks.")
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop watching a connected profile and forget its token; its comments and incidents stay."""
    import httpx

    from czujka.sources.connections import disconnect

    runtime = runtime_or_exit(config)
    with httpx.Client(timeout=20) as http:
        try:
            note = disconnect(
                runtime.sessions,
                runtime.settings,
                runtime.vault,
                profile_id=profile,
                http=None if keep_webhooks else http,
                now=datetime.now(UTC),
            )
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    runtime.sync_profiles()
    if as_json:
        console.print_json(json.dumps({"disconnected": profile, "note": note}))
        return
    console.print(f"disconnected {profile}; its comments and incidents stay", markup=False)
    if note:
        errors.print(f"note: {note}", markup=False)
