"""`czujka report ID`, `czujka digest --week 2026-W48` and `czujka figures`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from czujka.cli_common import ConfigOption, JsonOption, console, fail, runtime_or_exit


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


class DigestFormat(StrEnum):
    html = "html"
    json = "json"


FormatOption = Annotated[ReportFormat, typer.Option("--format", "-f", help="html, pdf or json.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write to this file (a PDF always needs one).")
]


def _json(data: Any) -> str:
    from czujka.reports.service import as_json, plain

    return json.dumps(plain(as_json(data)), ensure_ascii=False, indent=1) + "\n"


def _write(out: Path | None, content: str | bytes) -> None:
    if out is None:
        if isinstance(content, bytes):
            raise fail("a PDF goes to a file: add --out FILE")
        sys.stdout.write(content)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise fail(f"--out {out}: {exc.strerror or exc}") from None
    console.print(f"{out}", highlight=False, markup=False)


def report_cmd(
    incident_id: Annotated[int, typer.Argument(help="The incident's id.", min=1)],
    config: ConfigOption = None,
    output: FormatOption = ReportFormat.html,
    out: OutOption = None,
) -> None:
    """The post-crisis report of one incident: what happened, when, who was paged, what was done, the
    impact and recovery, and the team's review."""
    from czujka.incidents.flows import NoSuchIncident
    from czujka.reports.service import incident_report

    if output is ReportFormat.pdf and out is None:
        raise fail("a PDF goes to a file: add --out FILE")
    runtime = runtime_or_exit(config)
    settings = runtime.settings
    try:
        with runtime.sessions() as session:
            report = incident_report(session, settings=settings, incident_id=incident_id)
    except NoSuchIncident:
        raise fail(f"no incident {incident_id}") from None
    finally:
        runtime.engine.dispose()
    if output is ReportFormat.json:
        _write(out, _json(report))
        return
    from czujka.web.reporting import PdfUnavailable, pdf_of, render_report

    html = render_report(report, language=settings.language, settings=settings)
    if output is ReportFormat.html:
        _write(out, html)
        return
    try:
        _write(out, pdf_of(html))
    except PdfUnavailable as exc:
        raise fail(str(exc)) from None


def digest_cmd(
    week: Annotated[
        str | None, typer.Option(help="An ISO week such as 2026-W48 (default: last week).")
    ] = None,
    config: ConfigOption = None,
    profile: Annotated[str | None, typer.Option(help="Only this profile.")] = None,
    client: Annotated[str | None, typer.Option(help="Only this client's profiles.")] = None,
    output: Annotated[DigestFormat, typer.Option("--format", "-f", help="html or json.")] = DigestFormat.html,
    out: OutOption = None,
) -> None:
    """The weekly digest: incidents and their times, volume and mood against the weeks before, the top
    complaint topics, replies sent and the review queue."""
    from czujka.reports.digest import last_week, parse_week, weekly_digest

    runtime = runtime_or_exit(config)
    settings = runtime.settings
    try:
        monday = parse_week(week) if week else last_week(datetime.now(UTC), settings.timezone)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if profile is not None and settings.profile(profile) is None:
        raise fail(f"--profile: no profile {profile!r}")
    if client is not None and settings.client(client) is None:
        raise fail(f"--client: no client {client!r}")
    try:
        with runtime.sessions() as session:
            made = weekly_digest(
                session,
                settings=settings,
                week=monday,
                profiles=[profile] if profile else None,
                client=client,
            )
    finally:
        runtime.engine.dispose()
    if output is DigestFormat.json:
        _write(out, _json(made))
        return
    from czujka.web.reporting import render_digest

    _write(out, render_digest(made, language=settings.language))


def figures_cmd(
    config: ConfigOption = None,
    weeks: Annotated[int, typer.Option(help="How many weeks back.", min=1, max=104)] = 12,
    as_json: JsonOption = False,
) -> None:
    """The response figures: per week, the incidents and the median times to acknowledge and resolve, and
    the share acknowledged within 10 minutes at weekends against weekdays."""
    from czujka.reports.figures import response_figures
    from czujka.web.i18n import LANGUAGE, duration, pct
    from czujka.words import gettext as _

    runtime = runtime_or_exit(config)
    try:
        with runtime.sessions() as session:
            made = response_figures(session, settings=runtime.settings, now=datetime.now(UTC), weeks=weeks)
    finally:
        runtime.engine.dispose()
    if as_json:
        sys.stdout.write(_json(made))
        return
    language = runtime.settings.language
    LANGUAGE.set(language)
    for key, label in (("weekend", "At the weekend"), ("weekday", "On weekdays")):
        g = made[key]
        console.print(
            _(label, language)
            + ": "
            + _(
                "%(share)s acknowledged within %(n)s minutes (%(hit)s of %(paged)s incidents paged)",
                language,
                share=pct(g["share"]),
                n=made["goal_minutes"],
                hit=g["acknowledged_in_goal"],
                paged=g["paged"],
            ),
            highlight=False,
            markup=False,
        )
    for w in made["weeks"]:
        console.print(
            f"{w['week']}  {w['incidents']:>3}  "
            + _("to acknowledge", language)
            + f" {duration(w['median_tta_seconds'])}  "
            + _("to resolve", language)
            + f" {duration(w['median_ttr_seconds'])}",
            highlight=False,
            markup=False,
        )
