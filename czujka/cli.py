"""The `czujka` command: operators' verbs over the same services the web app uses."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from czujka.analysis.cli import eval_app, score, train
from czujka.auth.cli import token_app, user_app
from czujka.bench.cli import bench_app
from czujka.cli_common import (
    ConfigOption,
    console,
    engine_or_exit,
    errors,
    fail,
    migrated_runtime,
    settings_or_exit,
)
from czujka.incidents.cli import incidents_app
from czujka.moderation.cli import moderation_app
from czujka.oncall.cli import oncall_app
from czujka.playbooks.cli import reply_app
from czujka.reports.cli import digest_cmd, figures_cmd, report_cmd
from czujka.sources.cli import connect_app, profiles_app
from czujka.words import LANGUAGES, ngettext
from czujka.words import gettext as _

app = typer.Typer(
    help="czujka keeps watch over a shop's social media and wakes the right person.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.callback()
def _logs() -> None:
    """Logs go to standard error, and only warnings until `serve` or `worker` set the configured level."""
    from czujka.logs import configure_logging

    configure_logging("warning")


app.add_typer(token_app, name="token")
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")
app.add_typer(incidents_app, name="incidents")
app.add_typer(oncall_app, name="oncall")
app.add_typer(user_app, name="user")
app.add_typer(reply_app, name="reply")
app.add_typer(moderation_app, name="moderation")
app.add_typer(connect_app, name="connect")
app.add_typer(profiles_app, name="profiles")
app.command("report")(report_cmd)
app.command("digest")(digest_cmd)
app.command("figures")(figures_cmd)
app.command()(score)
app.command()(train)


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="Where to write it.")] = Path("czujka.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented czujka.toml to start from: a profile, people, a weekday and a weekend rota, a chain
    of command and routes. It is valid as written; `czujka check-config` checks your changes."""
    from importlib.resources import files

    if file.exists() and not force:
        raise fail(f"{file} exists; keep it, or write over it with --force", 2)
    try:
        file.write_text(
            files("czujka").joinpath("example.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    except OSError as exc:
        raise fail(f"{file}: cannot write ({exc.strerror})", 2) from None
    language = _language_from_env()
    console.print(
        _("wrote %(file)s; edit it, then: czujka check-config %(file)s", language, file=file),
        highlight=False,
        markup=False,
    )


def _language_from_env() -> str:
    """Before any configuration exists: CZUJKA_LANGUAGE, else the default language."""
    import os

    from czujka.config import Settings

    value = os.environ.get("CZUJKA_LANGUAGE", "")
    return value if value in LANGUAGES else str(Settings.model_fields["language"].default)


@app.command("check-config")
def check_config(
    file: Annotated[Path | None, typer.Argument(help="The file to check (default: as --config).")] = None,
    config: ConfigOption = None,
) -> None:
    """Report every problem with the configuration: file, key and reason. Secrets are never shown."""
    from czujka.config import config_path

    path = config_path(file or config)
    if path is None:
        raise fail(
            "no configuration file: none given with --config, CZUJKA_CONFIG is not set and there is no "
            "./czujka.toml; `czujka init` writes a commented one to start from",
            2,
        )
    settings = settings_or_exit(path)
    where, language = path, settings.language
    ok = ngettext(
        "%(where)s: OK: %(num)d profile",
        "%(where)s: OK: %(num)d profiles",
        len(settings.profiles),
        language,
        where=where,
    )
    console.print(ok, highlight=False)
    for profile in settings.profiles:
        token = _("token set", language) if profile.access_token else _("no token (webhooks only)", language)
        surges = settings.surge_p_value_of(profile.id)
        console.print(
            f"  {profile.id}: {profile.platform} {profile.platform_id}, {token}, surge_p_value {surges:g}",
            highlight=False,
        )
    warning = _("warning", language)
    if settings.meta_app_secret is None and any(p.platform != "generic" for p in settings.profiles):
        console.print(
            f"  {warning}: " + _("CZUJKA_META_APP_SECRET is not set: Meta webhooks will be refused", language)
        )
    from czujka.oncall.checks import oncall_report

    report = oncall_report(settings)
    for line in report.lines:
        console.print(f"  {line.say(language)}", highlight=False, markup=False)
    for said in report.warnings:
        console.print(f"  {warning}: {said.say(language)}", highlight=False, markup=False)
    from czujka.moderation.rules import explain

    for rule in settings.moderation_rules:
        console.print(f"  moderation {explain(rule, language)}", highlight=False, markup=False)
    for problem in report.problems:
        errors.print(f"{where}: {problem.say(language)}", highlight=False, markup=False)
    if report.problems:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply database migrations up to this version of czujka."""
    from czujka.storage.migrate import current_revision, head_revision, upgrade

    engine = engine_or_exit(settings_or_exit(config))
    before = current_revision(engine)
    upgrade(engine)
    console.print(f"database at revision {head_revision()} (was {before or 'empty'})")


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    poll: Annotated[bool, typer.Option(help="Run the Graph API poller in this process.")] = True,
    work: Annotated[
        bool,
        typer.Option(
            help="Run the background loops here; --no-work answers HTTP only (workers do the rest)."
        ),
    ] = True,
) -> None:
    """Run the web app (webhooks, API) and the background loops in one process."""
    import uvicorn

    from czujka.app import build_app
    from czujka.logs import configure_logging
    from czujka.pipeline import Pipeline
    from czujka.web.server import PortInUse, listen

    settings = settings_or_exit(config)
    configure_logging(settings.log_level)
    runtime = migrated_runtime(settings)
    address, number = host or settings.host, port if port is not None else settings.port
    try:
        sock = listen(address, number)
    except PortInUse as exc:
        raise fail(
            f"{exc}: another program (or another czujka) listens there; choose --port or `port`", 2
        ) from None
    except OSError as exc:
        raise fail(
            f"cannot listen on {address}:{number} ({exc.strerror}); check `host` and `port`", 2
        ) from None
    stop = threading.Event()
    threads = Pipeline(runtime).start(stop, poll=poll) if work else []
    server = uvicorn.Server(
        uvicorn.Config(
            build_app(settings, runtime),
            host=address,
            port=number,
            log_level=settings.log_level,
            access_log=False,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()
        for thread in threads:  # the worker hands its profiles back on the way out
            thread.join(timeout=5)


@app.command()
def worker(
    config: ConfigOption = None,
    score: Annotated[bool, typer.Option(help="Score comments and run the detectors.")] = True,
    page: Annotated[bool, typer.Option(help="Escalate incidents and send pages.")] = True,
    poll: Annotated[bool, typer.Option(help="Poll the Graph API.")] = True,
    tick: Annotated[
        bool,
        typer.Option(
            help="Close quiet buckets by the wall clock; --no-tick for a stream replayed on its own times."
        ),
    ] = True,
    threads: Annotated[
        int | None,
        typer.Option(
            min=1, help="Threads the models' maths may use (default: every core); 1 with a worker per core."
        ),
    ] = None,
) -> None:
    """Run the background loops (scoring and detection, paging, Graph API polling) without the web app.

    Any number of workers may page from one PostgreSQL database: each step is taken by one of them."""
    from czujka.logs import configure_logging
    from czujka.pipeline import Pipeline

    settings = settings_or_exit(config)
    configure_logging(settings.log_level)
    runtime = migrated_runtime(settings)
    stop = threading.Event()
    loops = Pipeline(runtime, threads=threads).start(stop, score=score, page=page, poll=poll, tick=tick)
    if not loops:
        raise fail("nothing to run: every loop is switched off")
    # SIGTERM (systemd, docker stop, kill) stops as Ctrl-C does: the work in hand is finished and the
    # profiles are handed back at once, so taking a worker away loses nothing and waits for no lease.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set() and all(t.is_alive() for t in loops):
            stop.wait(1)
    except KeyboardInterrupt:
        pass
    stop.set()
    for thread in loops:
        thread.join(timeout=30)


@app.command()
def rescore(config: ConfigOption = None) -> None:
    """Compute every comment's scores again, after a model or lexicon change."""
    from sqlalchemy import func, select

    from czujka.comments.models import Comment
    from czujka.pipeline import Pipeline

    runtime = migrated_runtime(settings_or_exit(config))
    with runtime.sessions() as session:
        total = session.scalar(select(func.count(Comment.id))) or 0
    with Progress(
        TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=errors
    ) as progress:
        task = progress.add_task("scoring", total=total)
        done = Pipeline(runtime).rescore(on_batch=lambda n: progress.advance(task, n))
    console.print(f"{done} comment(s) scored with {runtime.analyzer.version}", highlight=False)


@app.command()
def poll(
    config: ConfigOption = None,
    profile: Annotated[str | None, typer.Option(help="Only this profile.")] = None,
) -> None:
    """Poll the Graph API once for every profile with a token (or one), and report."""
    import httpx

    from czujka.pipeline import Pipeline
    from czujka.sources.service import poll_once, pollable

    runtime = migrated_runtime(settings_or_exit(config))
    targets = [p for p in pollable(runtime.settings) if profile in (None, p.id)]
    if not targets:
        raise fail(f"no pollable profile{' ' + profile if profile else ''}: a profile needs an access_token")
    failed = False
    with httpx.Client(timeout=30) as http:
        for target in targets:
            outcome = poll_once(runtime.sessions, runtime.settings, target, http=http)
            if outcome.error:
                failed = True
                errors.print(f"{target.id}: {outcome.error_kind}: {outcome.error}", markup=False)
            else:
                console.print(
                    f"{target.id}: {outcome.pages} page(s), {outcome.stored} new, {outcome.changed} changed"
                )
    Pipeline(runtime).score_pending()
    if failed:
        raise typer.Exit(1)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV, one comment a line.")],
    config: ConfigOption = None,
    format: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by extension).")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="Profile for rows that name none.")] = None,
) -> None:
    """Import comments; bad rows are reported by line, field and reason, good rows are stored."""
    from czujka.pipeline import Pipeline
    from czujka.sources.files import detect_format, import_text

    runtime = migrated_runtime(settings_or_exit(config))
    if profile is not None and runtime.settings.profile(profile) is None:
        raise fail(f"--profile: unknown profile {profile!r} (not in the configuration)")
    try:
        fmt = detect_format(file, format)
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise fail(f"{file}: {exc}") from None
    total = sum(1 for line in text.splitlines() if line.strip()) - (1 if fmt == "csv" else 0)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=total < 5000,
    ) as progress:
        task = progress.add_task("rows", total=max(total, 0))
        report = import_text(
            runtime.sessions,
            text=text,
            fmt=fmt,
            settings=runtime.settings,
            source=f"import:{file.name}",
            default_profile=profile,
            on_rows=lambda n: progress.advance(task, n),
        )
    Pipeline(runtime).score_pending()
    for error in report.errors:
        errors.print(f"{file}:{error}", markup=False, highlight=False)
    console.print(
        f"{file}: {report.rows} row(s): {report.stored} stored, {report.changed} changed, "
        f"{report.unchanged} already stored, {len(report.errors)} error(s)",
        highlight=False,
    )
    if report.errors:
        raise typer.Exit(1)


@app.command()
def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Keep serving after the replay.")] = True,
    seed: Annotated[int, typer.Option(help="Seed of the generated week.")] = 7,
    speed: Annotated[
        float, typer.Option(help="Replay seconds per real second (0: as fast as possible).")
    ] = 40000,
    data_dir: Annotated[Path, typer.Option(help="Where the demo keeps its database.")] = Path(
        "czujka-data/demo"
    ),
    port: Annotated[int, typer.Option(help="Port of the demo server.")] = 8000,
) -> None:
    """Replay a Polish shop's week with a weekend crisis through the real webhook, then serve it."""
    from czujka.demo.run import run_demo

    run_demo(console=console, seed=seed, speed=speed, data_dir=data_dir, port=port, keep_serving=serve)


if __name__ == "__main__":
    app()
