"""`czujka oncall who|simulate|export-ical`: test routing and schedules without paging anyone."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from czujka.cli_common import (
    ConfigOption,
    JsonOption,
    console,
    errors,
    fail,
    migrated_runtime,
    settings_or_exit,
)
from czujka.config import Settings
from czujka.words import gettext as _

oncall_app = typer.Typer(
    help="On-call: who is on duty, what an incident would page, calendars.", no_args_is_help=True
)
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="A time, 'YYYY-MM-DD HH:MM' in the service time zone (default: now)."),
]


def parse_at(text: str | None, zone: str) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(microsecond=0).astimezone(ZoneInfo(zone))
    from czujka.oncall.config import parse_local_time

    try:
        return parse_local_time(text, zone)
    except ValueError as exc:
        raise fail(f"--at: {exc}", 2) from None


@oncall_app.command("who")
def who(
    config: ConfigOption = None,
    at: AtOption = None,
    schedule: Annotated[str | None, typer.Option(help="Only this schedule.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Who is on duty (now or --at), per schedule, which layer put them there, until when, and who comes
    next."""
    from czujka.oncall.schedule import GAP_HORIZON, shifts, who_is_on_duty

    settings = with_dashboard_changes(settings_or_exit(config))
    chosen = [s for s in settings.schedules if schedule is None or s.id == schedule]
    if schedule is not None and not chosen:
        known = ", ".join(s.id for s in settings.schedules) or "none"
        raise fail(f"no schedule {schedule!r} (known: {known})", 2)
    if not chosen:
        raise fail("czujka.toml has no [[schedules]]", 2)
    results = []
    for item in chosen:
        moment = parse_at(at, item.timezone)
        duty = who_is_on_duty(item, moment)
        zone = ZoneInfo(item.timezone)
        local = moment.astimezone(zone)
        upcoming = shifts(item, moment, moment + GAP_HORIZON)
        current = upcoming[0] if upcoming else None
        following = next((s for s in upcoming[1:] if s.people != (current.people if current else ())), None)
        results.append(
            {
                "schedule": item.id,
                "at": local.isoformat(),
                "on_duty": list(duty.people),
                "layer": duty.layer,
                # when the people on duty change (a new layer with the same person is no change for them)
                "until": (following.start if following else current.end).astimezone(zone).isoformat()
                if current
                else None,
                "next": {
                    "people": list(following.people),
                    "from": following.start.astimezone(zone).isoformat(),
                    "layer": following.layer,
                }
                if following
                else None,
            }
        )
    if as_json:  # the shape other tools read: schedule, at, on_duty, layer (until and next are for people)
        results = [{k: r[k] for k in ("schedule", "at", "on_duty", "layer")} for r in results]
        out = results[0] if schedule is not None else results
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return

    language = settings.language
    nobody = _("NOBODY (a gap in the rota)", language)

    def names(ids: list[str]) -> str:
        return ", ".join(f"{p.name} ({p.id})" if (p := settings.person(i)) else i for i in ids)

    def minute(iso: str) -> str:
        return iso[:16].replace("T", " ")

    for r in results:
        line = _(
            "%(schedule)s at %(at)s: %(people)s [%(layer)s]",
            language,
            schedule=r["schedule"],
            at=r["at"],
            people=names(r["on_duty"]) or nobody,
            layer=r["layer"] or "-",
        )
        if r["until"]:
            line += " " + _("until %(time)s", language, time=minute(r["until"]))
        if r["next"]:
            line += "; " + _(
                "next: %(people)s from %(time)s",
                language,
                people=names(r["next"]["people"]) or nobody,
                time=minute(r["next"]["from"]),
            )
        console.print(line, highlight=False, markup=False)


@oncall_app.command("simulate")
def simulate_cmd(
    profile: Annotated[str, typer.Option(help="Profile id.")],
    kind: Annotated[str, typer.Option(help="Incident kind, e.g. negative_surge, quarrel, red_flag.")],
    severity: Annotated[int, typer.Option(min=1, max=3, help="1 to 3.")],
    config: ConfigOption = None,
    at: AtOption = None,
    topic: Annotated[str | None, typer.Option(help="The incident's topic (picks the experts).")] = None,
    no_ack: Annotated[bool, typer.Option("--no-ack", help="Nobody acknowledges (the default).")] = True,
    ack_after: Annotated[
        float | None, typer.Option(help="Somebody acknowledges this many minutes after the start.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The pages (time, person, channel) an incident would cause. Sends nothing."""
    from czujka.notifications.channels import KIND_BY, kind_of
    from czujka.oncall.escalation import client_for, policy_name, route_policy, simulate, target_words
    from czujka.vocabulary import EXPERT_TOPICS, KINDS, TOPIC_ALIASES
    from czujka.words import say

    settings = with_dashboard_changes(settings_or_exit(config))
    if settings.profile(profile) is None:
        raise fail(f"no profile {profile!r} in the configuration", 2)
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r} (known: {', '.join(KINDS)})", 2)
    topic = TOPIC_ALIASES.get(topic, topic) if topic else None
    if topic is not None and topic not in EXPERT_TOPICS:
        raise fail(f"unknown topic {topic!r} (known: {', '.join(EXPERT_TOPICS)})", 2)
    zone = settings.timezone_of(profile)
    start = parse_at(at, zone)
    policy = route_policy(settings, profile=profile, kind=kind, severity=severity)
    if policy is None:
        raise fail("no route matches and there is no 'default' escalation policy: nobody would be paged")
    after = timedelta(minutes=ack_after) if ack_after is not None else None
    pages, notes = simulate(
        settings,
        policy,
        severity=severity,
        topic=topic,
        at=start,
        ack_after=after,
        client=client_for(settings, profile),
    )
    rows = [
        {
            "at": p.at.astimezone(ZoneInfo(zone)).isoformat(),
            "person": p.person,
            "channel": p.channel,
            "channel_number": p.channel_number + 1,
            "step": p.step + 1,
            "round": p.round + 1,
            "via": p.via,
        }
        for p in pages
    ]
    if as_json:
        out = {
            "policy": policy.id,
            "start": start.isoformat(),
            "pages": rows,
            "notes": [str(n) for n in notes],
        }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    language = settings.language
    heading = _(
        "chain of command “%(policy)s”, from %(start)s",
        language,
        policy=policy_name(policy),
        start=f"{start:%Y-%m-%d %H:%M %Z}",
    )
    console.print(heading, highlight=False, markup=False)
    for r, page in zip(rows, pages, strict=True):
        person = settings.person(page.person)
        line = _(
            "%(at)s  step %(step)s, round %(round)s: %(name)s %(by)s (%(via)s)",
            language,
            at=r["at"][:16].replace("T", " "),
            step=r["step"],
            round=r["round"],
            name=person.name if person else page.person,
            by=_(KIND_BY[kind_of(page.channel)], language),
            via=say(target_words(settings, page.via, reached=True), language),
        )
        console.print("  " + line, highlight=False, markup=False)
    for note in notes:
        console.print("  " + note.say(language), highlight=False, markup=False)


@oncall_app.command("export-ical")
def export_ical(
    schedule: Annotated[str, typer.Argument(help="Schedule id.")],
    config: ConfigOption = None,
    weeks: Annotated[int, typer.Option(min=1, max=104, help="How many weeks ahead.")] = 8,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: standard output).")
    ] = None,
    url: Annotated[bool, typer.Option("--url", help="Print the subscribable URL instead.")] = False,
) -> None:
    """A schedule as iCalendar (one event per shift, gaps marked), or the URL a phone can subscribe to."""
    from czujka.oncall.ical import feed_url, to_ical

    settings = settings_or_exit(config)
    item = settings.schedule(schedule)
    if item is None:
        known = ", ".join(s.id for s in settings.schedules) or "none"
        raise fail(f"no schedule {schedule!r} (known: {known})", 2)
    if url:
        console.print(feed_url(settings, migrated_runtime(settings).sessions, schedule), highlight=False)
        return
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    body = to_ical(settings, item, start=start, weeks=weeks)
    if output:
        output.write_bytes(body)
        console.print(f"wrote {output}", highlight=False)
    else:
        sys.stdout.buffer.write(body)


def with_dashboard_changes(settings: Settings) -> Settings:
    """The file's schedules with the shift changes made on the dashboard, when the database answers; else
    the file's alone, and a line saying so."""
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from czujka.oncall.changes import current, with_changes
    from czujka.storage.engine import make_engine

    url = settings.sqlalchemy_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return settings  # no database yet: nothing was changed on a dashboard
    try:
        engine = make_engine(url)
        with Session(engine) as session:
            changes = current(session, now=datetime.now(UTC))
        engine.dispose()
    except Exception:  # no database yet, or an older schema: the file is all there is to go by
        errors.print(
            "note: shift changes made on the dashboard are not included (the database does not answer)"
        )
        return settings
    settings.schedules[:] = with_changes(settings.schedules, changes)
    return settings
