"""The `czujka` command: operators' verbs over the same services the web app uses."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from czujka.analysis.cli import eval_app, score, train
from czujka.auth.cli import user_app
from czujka.cli_common import (
    ConfigOption,
    JsonOption,
    console,
    errors,
    fail,
    migrated_runtime,
    settings_or_exit,
)
from czujka.detection.base import SURGE_P_VALUE
from czujka.incidents.cli import incidents_app
from czujka.oncall.cli import oncall_app

app = typer.Typer(
    help="czujka keeps watch over a shop's social media and wakes the right person.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print measured rates side by side.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")
app.add_typer(incidents_app, name="incidents")
app.add_typer(oncall_app, name="oncall")
app.add_typer(user_app, name="user")
app.command()(score)
app.command()(train)


@app.command("check-config")
def check_config(
    file: Annotated[Path | None, typer.Argument(help="The file to check (default: as --config).")] = None,
    config: ConfigOption = None,
) -> None:
    """Report every problem with the configuration: file, key and reason. Secrets are never shown."""
    from czujka.config import config_path

    path = config_path(file or config)
    settings = settings_or_exit(path)
    where = path or "environment (no czujka.toml)"
    console.print(f"{where}: OK: {len(settings.profiles)} profile(s)", highlight=False)
    for profile in settings.profiles:
        token = "token set" if profile.access_token else "no token (webhooks only)"
        surges = settings.surge_p_value_of(profile.id)
        console.print(
            f"  {profile.id}: {profile.platform} {profile.platform_id}, {token}, surge_p_value {surges:g}",
            highlight=False,
        )
    if settings.meta_app_secret is None and any(p.platform != "generic" for p in settings.profiles):
        console.print("  warning: CZUJKA_META_APP_SECRET is not set: Meta webhooks will be refused")
    from czujka.oncall.checks import oncall_report

    report = oncall_report(settings)
    for line in report.lines:
        console.print(f"  {line}", highlight=False, markup=False)
    for warning in report.warnings:
        console.print(f"  warning: {warning}", highlight=False, markup=False)
    for problem in report.problems:
        errors.print(f"{where}: {problem}", highlight=False, markup=False)
    if report.problems:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply database migrations up to this version of czujka."""
    from czujka.storage.engine import make_engine
    from czujka.storage.migrate import current_revision, head_revision, upgrade

    settings = settings_or_exit(config)
    engine = make_engine(settings.sqlalchemy_url)
    before = current_revision(engine)
    upgrade(engine)
    console.print(f"database at revision {head_revision()} (was {before or 'empty'})")


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    poll: Annotated[bool, typer.Option(help="Run the Graph API poller in this process.")] = True,
) -> None:
    """Run the web app (webhooks, API) and the background loops in one process."""
    import uvicorn

    from czujka.app import build_app
    from czujka.logs import configure_logging
    from czujka.pipeline import Pipeline

    settings = settings_or_exit(config)
    configure_logging(settings.log_level)
    runtime = migrated_runtime(settings)
    stop = threading.Event()
    Pipeline(runtime).start(stop, poll=poll)
    try:
        uvicorn.run(
            build_app(settings, runtime),
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level,
            access_log=False,
        )
    finally:
        stop.set()


@app.command()
def worker(
    config: ConfigOption = None,
    score: Annotated[bool, typer.Option(help="Score comments and run the detectors.")] = True,
    page: Annotated[bool, typer.Option(help="Escalate incidents and send pages.")] = True,
    poll: Annotated[bool, typer.Option(help="Poll the Graph API.")] = True,
) -> None:
    """Run the background loops (scoring and detection, paging, Graph API polling) without the web app.

    Any number of workers may page from one PostgreSQL database: each step is taken by one of them."""
    from czujka.logs import configure_logging
    from czujka.pipeline import Pipeline

    settings = settings_or_exit(config)
    configure_logging(settings.log_level)
    runtime = migrated_runtime(settings)
    stop = threading.Event()
    threads = Pipeline(runtime).start(stop, score=score, page=page, poll=poll)
    if not threads:
        raise fail("nothing to run: every loop is switched off")
    try:
        while all(t.is_alive() for t in threads):
            threads[0].join(timeout=1)
    except KeyboardInterrupt:
        stop.set()


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


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option(help="Who or what uses the token.")],
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")] = "viewer",
    config: ConfigOption = None,
) -> None:
    """Print a new API token; only its hash is stored, so keep it now."""
    from czujka.auth.service import ROLES, create_token
    from czujka.storage.engine import session_scope

    if role not in ROLES:
        raise fail(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    runtime = migrated_runtime(settings_or_exit(config))
    try:
        with session_scope(runtime.sessions) as session:
            token = create_token(session, name=name, role=role)  # type: ignore[arg-type]
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
        console.print(f"{row['name']}\t{row['role']}\t{state}", highlight=False, markup=False)


@token_app.command("revoke")
def token_revoke(name: str, config: ConfigOption = None) -> None:
    """Revoke a token by name."""
    from czujka.auth.service import revoke_token
    from czujka.storage.engine import session_scope

    runtime = migrated_runtime(settings_or_exit(config))
    with session_scope(runtime.sessions) as session:
        if not revoke_token(session, name=name):
            raise fail(f"no active token named {name!r}")
    console.print(f"revoked {name}")


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


@bench_app.command("analysis")
def bench_analysis(
    comments: Annotated[int, typer.Option(help="Comments scored per measurement.")] = 4000,
    as_json: JsonOption = False,
) -> None:
    """Comments per second of each tier, on one core and on all cores, and the memory they take."""
    from czujka.bench.analysis import run_analysis_bench

    result = run_analysis_bench(comments=comments, console=errors)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    for row in result["rows"]:
        console.print(
            f"{row['tier']:<9} {row['cores']:>2} core(s)  {row['per_second']:>9,.0f} comments/s",
            highlight=False,
        )
    console.print(f"memory of a process with both tiers loaded: {result['rss_mb']:.0f} MB (goal ≤ 600 MB)")


@bench_app.command("paging")
def bench_paging(
    incidents: Annotated[int, typer.Option(min=1, help="Incidents opened.")] = 1000,
    rate: Annotated[float, typer.Option(min=0.1, help="Incidents opened per second.")] = 20.0,
    database_url: Annotated[str | None, typer.Option(help="Database (default: a fresh SQLite file).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Seconds from a signal to the first page handed to its channel: median and 99th percentile."""
    from czujka.bench.paging import run_paging_bench

    result = run_paging_bench(incidents=incidents, rate=rate, database_url=database_url, console=errors)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    if result["median_seconds"] is None:
        raise fail("no page was handed to the channel")
    console.print(
        f"{result['paged']}/{result['incidents']} incidents paged ({result['received']} pages received), "
        f"{result['rate_per_second']:g} incidents/s: signal → first page handed to the channel "
        f"median {result['median_seconds']:.3f} s, p99 {result['p99_seconds']:.3f} s, "
        f"max {result['max_seconds']:.3f} s (goal ≤ 2 s)",
        highlight=False,
    )


@bench_app.command("web")
def bench_web(
    comments: Annotated[int, typer.Option(min=100, help="Comments in the database.")] = 50_000,
    incidents: Annotated[int, typer.Option(min=1, help="Incidents in the database.")] = 500,
    requests: Annotated[int, typer.Option(min=1, help="Requests per page.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Median and 95th percentile answer time of every dashboard page on a filled SQLite database."""
    from czujka.bench.web import run_web_bench

    result = run_web_bench(comments=comments, incidents=incidents, requests=requests, console=errors)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    console.print(
        f"{result['comments']:,} comments, {result['incidents']} incidents, SQLite, "
        f"{result['requests']} requests a page (goal: median ≤ 200 ms)"
    )
    for row in result["rows"]:
        console.print(
            f"  {row['page']:<22} median {row['median_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   "
            f"{row['bytes']:>8,} bytes",
            highlight=False,
        )


@bench_app.command("nab")
def bench_nab(
    data: Annotated[Path, typer.Option(help="NAB data folder: <category>/<file>.csv.")],
    out: Annotated[Path, typer.Option(help="Results folder (NAB layout).")],
    name: Annotated[str, typer.Option(help="Detector name in the results.")] = "czujka",
) -> None:
    """Score NAB series with the product's seasonal surge code, causally and two-sided."""
    from czujka.bench.nab import run_nab

    try:
        result = run_nab(data, out, name)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"{result['files']} files, {result['rows']} rows in {result['seconds']:.1f} s → {out / name}"
    )


@bench_app.command("scenarios")
def bench_scenarios(
    weeks: Annotated[int, typer.Option(help="Generated weeks (every fourth crisis-free).")] = 48,
    seed: Annotated[
        int, typer.Option(help="Seed of the suite; settings were chosen on 2026, check others too.")
    ] = 2026,
    surge_p_value: Annotated[
        float, typer.Option(help="The surge_p_value setting to measure (above 0, below 0.1).")
    ] = SURGE_P_VALUE,
    as_json: JsonOption = False,
) -> None:
    """Detection on a labelled suite of generated weeks: detected crises, time to incident, false incidents."""
    from pydantic import TypeAdapter, ValidationError

    from czujka.bench.scenarios import run_suite
    from czujka.config import SurgePValue

    try:
        TypeAdapter(SurgePValue).validate_python(surge_p_value)
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"], param_hint="--surge-p-value") from None
    result = run_suite(weeks, seed, surge_p_value)
    if as_json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
        return
    for row in result["rows"]:
        latency = row.get("latency_min")
        found = "-" if row["crisis"] is None else (f"{latency:5.1f} min" if latency is not None else "MISSED")
        console.print(
            f"{row['name']:<36} {row['comments']:>6} comments  {found:>10}  false {row['false']}"
            + (f" ({', '.join(row['false_at'])})" if row["false_at"] else ""),
            highlight=False,
        )
    fmt = lambda v: "-" if v is None else f"{v:.1f} min"  # noqa: E731
    console.print(
        f"surge_p_value {result['surge_p_value']:g}; "
        f"crises detected {result['detected']}/{result['crises']}; median time to incident: surges "
        f"{fmt(result['median_minutes_surges'])} (goal ≤ 10; small shops "
        f"{fmt(result['median_minutes_surges_small'])}, large {fmt(result['median_minutes_surges_large'])}; "
        f"the third crisis comment came after {fmt(result['median_minutes_surges_third_comment'])}, in "
        f"small shops {fmt(result['median_minutes_surges_small_third_comment'])}), quarrels and red flags "
        f"{fmt(result['median_minutes_quarrel_red_flag'])} (goal ≤ 5), coordinated "
        f"{fmt(result['median_minutes_coordinated'])}\n"
        f"false incidents: {result['false_incidents_quiet_weeks']} in {result['quiet_weeks']} crisis-free weeks "
        f"(goal ≤ 1 per 4), {result['false_incidents_crisis_weeks']} outside the crisis in crisis weeks, "
        f"{result['related_incidents_crisis_weeks']} more beside a crisis (another kind, same crisis)\n"
        f"{result['ms_per_comment']:.3f} ms per comment through all detectors ({result['comments']} comments)",
        highlight=False,
    )


@bench_app.command("detection")
def bench_detection(as_json: JsonOption = False) -> None:
    """Average time to process one scored comment through all detectors (goal ≤ 1 ms)."""
    from czujka.bench.scenarios import build_suite, run_scenario

    rows = [run_scenario(s, i) for i, s in enumerate(build_suite(4)) if s.crisis]
    comments, seconds = sum(r["comments"] for r in rows), sum(r["seconds"] for r in rows)
    result = {"comments": comments, "seconds": seconds, "ms_per_comment": 1000 * seconds / comments}
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    console.print(
        f"{result['ms_per_comment']:.3f} ms per comment through all detectors "
        f"({comments} comments of a small and a large shop, goal ≤ 1 ms)",
        highlight=False,
    )


@bench_app.command("ingest")
def bench_ingest(
    deliveries: Annotated[int, typer.Option(help="Signed deliveries of 100 comments each.")] = 200,
    as_json: JsonOption = False,
) -> None:
    """Comments per second through /webhooks/meta against a plain SQLite bulk insert of the same rows."""
    from czujka.bench.ingest import run_ingest_bench

    result = run_ingest_bench(deliveries=deliveries, console=errors)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        console.print(
            f"endpoint  {result['endpoint_per_second']:>10,.0f} comments/s  ({result['comments']} comments, "
            f"{result['deliveries']} signed deliveries over HTTP)\n"
            f"plain     {result['plain_per_second']:>10,.0f} comments/s  (sqlite3 executemany, same rows)\n"
            f"ratio     {result['ratio']:>10.1%}  (goal ≥ 25%)",
            highlight=False,
        )


if __name__ == "__main__":
    app()
