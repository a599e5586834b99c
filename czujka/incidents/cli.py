"""`czujka incidents list|show|ack|resolve|note|silence`."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from czujka.cli_common import ConfigOption, JsonOption, console, errors, runtime_or_exit
from czujka.vocabulary import STATES, kind_name
from czujka.words import gettext as _
from czujka.words import ngettext, say

incidents_app = typer.Typer(
    help="Incidents: list, show, acknowledge, resolve, add notes, silence.", no_args_is_help=True
)


@incidents_app.command("list")
def list_cmd(
    config: ConfigOption = None,
    state: Annotated[
        str | None, typer.Option(help="open, triggered, acknowledged, resolved, silenced.")
    ] = "open",
    profile: Annotated[str | None, typer.Option(help="Only this profile.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Incidents, open ones first (use --state '' for all)."""
    from czujka.incidents.service import list_incidents

    runtime = runtime_or_exit(config)
    with runtime.sessions() as session:
        rows = list_incidents(session, state=state or None, profile=profile)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    language = runtime.settings.language
    if not rows:
        console.print(_("no incidents", language))
    for r in rows:
        line = _(
            "#%(id)s severity %(severity)s · %(state)s · %(kind)s · %(profile)s · opened %(opened)s · %(comments)s",
            language,
            id=r["id"],
            severity=r["severity"],
            state=_(STATES.get(r["state"], r["state"]), language),
            kind=kind_name(r["kind"], language),
            profile=r["profile_id"],
            opened=r["opened_at"][:16].replace("T", " "),
            comments=ngettext("%(num)d comment", "%(num)d comments", r["evidence_count"], language),
        )
        console.print(line, highlight=False, markup=False)


@incidents_app.command("show")
def show_cmd(incident_id: int, config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """One incident with its timeline and evidence."""
    from czujka.incidents.service import get_incident

    runtime = runtime_or_exit(config)
    with runtime.sessions() as session:
        found = get_incident(session, incident_id)
    if found is None:
        errors.print(f"error: no incident {incident_id}")
        raise typer.Exit(1)
    if as_json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")
        return
    language = runtime.settings.language
    heading = _(
        "#%(id)s %(kind)s — %(state)s, severity %(severity)s, %(profile)s, opened %(opened)s",
        language,
        id=found["id"],
        kind=kind_name(found["kind"], language),
        state=_(STATES.get(found["state"], found["state"]), language),
        severity=found["severity"],
        profile=found["profile_id"],
        opened=found["opened_at"][:16].replace("T", " "),
    )
    console.print(heading, highlight=False, markup=False)
    console.print(_("Timeline", language) + ":")
    for e in found["timeline"]:
        said = say((e.get("data") or {}).get("said") or e["message"], language)
        console.print(f"  {e['at'][:19]}  {e['actor']:<24} {said}", highlight=False, markup=False)
    console.print(_("Comments in their threads", language) + ":")
    for c in found["evidence"][:30]:
        staff = f" ({_('staff', language)})" if c["author_is_staff"] else ""
        line = f"  {c['created_at'][:16]}  {c['author_name']}{staff}: {c['message'][:120]}"
        console.print(line, highlight=False, markup=False)


def _act(action_name: str, incident_id: int, config: Path | None, actor: str | None, **args: Any) -> None:
    from czujka.incidents import flows
    from czujka.incidents.models import Incident
    from czujka.storage.engine import session_scope

    runtime = runtime_or_exit(config)
    action = getattr(flows, action_name)
    try:
        with session_scope(runtime.sessions, write=True) as session:
            action(
                session,
                incident_id=incident_id,
                actor=actor or f"cli:{getpass.getuser()}",
                at=datetime.now(UTC),
                **args,
            )
            state = session.get(Incident, incident_id).state
    except flows.FlowError as exc:
        errors.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    language = runtime.settings.language
    console.print(
        _(
            "incident #%(id)s: %(state)s",
            language,
            id=incident_id,
            state=_(STATES.get(state, state), language),
        )
    )


@incidents_app.command("ack")
def ack_cmd(
    incident_id: int,
    config: ConfigOption = None,
    reason: str = "",
    actor: Annotated[str | None, typer.Option(help="Who acknowledges (default: the OS user).")] = None,
) -> None:
    """Acknowledge a triggered incident."""
    _act("acknowledge", incident_id, config, actor, reason=reason)


@incidents_app.command("resolve")
def resolve_cmd(
    incident_id: int,
    config: ConfigOption = None,
    reason: str = "",
    actor: Annotated[str | None, typer.Option(help="Who resolves (default: the OS user).")] = None,
) -> None:
    """Resolve an incident."""
    _act("resolve", incident_id, config, actor, reason=reason)


ActorOption = Annotated[str | None, typer.Option(help="Who acts (default: the OS user).")]


@incidents_app.command("note")
def note_cmd(incident_id: int, text: str, config: ConfigOption = None, actor: ActorOption = None) -> None:
    """Add a note to an incident's timeline."""
    if not text.strip():
        errors.print("error: the note is empty")
        raise typer.Exit(2)
    _act("note", incident_id, config, actor, text=text)


@incidents_app.command("silence")
def silence_cmd(
    incident_id: int,
    hours: Annotated[float, typer.Option(min=0.1, max=336, help="How long to mute its profile and kind.")],
    reason: Annotated[str, typer.Option(help="Why (shown on the timeline and the silence).")],
    config: ConfigOption = None,
    actor: ActorOption = None,
) -> None:
    """Silence an open incident: no pages, matching signals muted for HOURS."""
    _act("silence_incident", incident_id, config, actor, hours=hours, reason=reason)
