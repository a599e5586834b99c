"""`czujka bench …`: benchmarks that print measured rates, ratios and percentiles from one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from czujka.cli_common import JsonOption, console, errors, fail
from czujka.detection.base import SURGE_P_VALUE

bench_app = typer.Typer(help="Benchmarks that print measured rates side by side.", no_args_is_help=True)


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


@bench_app.command("scale")
def bench_scale(
    postgres: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server where the user may create databases (default: $CZUJKA_TEST_POSTGRES_URL)."
        ),
    ] = None,
    runs: Annotated[
        str, typer.Option(help="Which runs, comma-separated: same, load, kill.")
    ] = "same,load,kill",
    profiles: Annotated[int, typer.Option(min=1, help="Profiles of the agency (load and kill).")] = 200,
    rate: Annotated[float, typer.Option(min=0.1, help="Comments a second (load and kill).")] = 50.0,
    minutes: Annotated[float, typer.Option(min=0.1, help="How long the load lasts (load and kill).")] = 10.0,
    kill_every: Annotated[float, typer.Option(min=1, help="Seconds between SIGKILLs (kill).")] = 30.0,
    comments: Annotated[int, typer.Option(min=10, help="Comments of the stream (same).")] = 20000,
    same_profiles: Annotated[int, typer.Option(min=1, help="Profiles of the stream (same).")] = 40,
    lease: Annotated[int, typer.Option(min=3, help="worker_lease_seconds of the workers.")] = 15,
    folder: Annotated[
        Path | None, typer.Option(help="Where configurations and logs go (default: a temporary folder).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Workers on PostgreSQL: the same results as one process with 1, 2 and 4 workers and the speed-up; the
    backlog's age and a crisis comment's way to its incident under an agency's load; and SIGKILLs during it."""
    import os
    import tempfile

    from czujka.bench.scale import run_load, run_same

    admin_url = postgres or os.environ.get("CZUJKA_TEST_POSTGRES_URL")
    if not admin_url:
        raise fail("bench scale needs PostgreSQL: --postgres URL or CZUJKA_TEST_POSTGRES_URL", 2)
    wanted = {r.strip() for r in runs.split(",") if r.strip()}
    unknown = wanted - {"same", "load", "kill"}
    if unknown:
        raise fail(f"unknown run(s) {', '.join(sorted(unknown))}: choose from same, load, kill", 2)
    where = folder or Path(tempfile.mkdtemp(prefix="czujka-bench-scale-"))
    say = lambda line: errors.print(line, highlight=False)  # noqa: E731
    result: dict[str, object] = {}
    if "same" in wanted:
        say(f"same: {comments} comments on {same_profiles} profiles, in-line and by 1, 2 and 4 workers …")
        same = run_same(
            admin_url=admin_url,
            folder=where,
            profiles=same_profiles,
            comments=comments,
            workers=[1, 2, 4],
            seed=11,
            lease=lease,
        )
        result["same"] = same
        for run in same["runs"]:
            verdict = ", ".join(f"{k} {'same' if v else 'DIFFERENT'}" for k, v in run["same"].items())
            console.print(
                f"{run['workers']!s:>8} worker(s): {run['per_second']:>8,.0f} comments/s  "
                f"{run['incidents']} incidents, {run['signals']} signals; {verdict}"
                + (
                    f"; workers' CPU {run['worker_cpu_ms_per_comment']} ms a comment"
                    if run["workers"] != "in-line"
                    else ""
                ),
                highlight=False,
            )
            for line in run["differences"]:
                console.print(f"         {line}", highlight=False, markup=False)
        console.print(
            f"speed-up from 1 worker to 2 (each with one thread for the models): {same['speedup_2_over_1']}× "
            f"(goal ≥ 1.7×); two single-threaded scorers side by side on this machine now: "
            f"{same['machine_ceiling_2_over_1']}× of one alone",
            highlight=False,
        )
    for name, workers, kills in (("load", 2, None), ("kill", 3, kill_every)):
        if name not in wanted:
            continue
        say(f"{name}: {profiles} profiles, {rate:g} comments/s for {minutes:g} min, {workers} workers …")
        run = run_load(
            admin_url=admin_url,
            folder=where,
            profiles=profiles,
            rate=rate,
            seconds=minutes * 60,
            workers=workers,
            kill_every=kills,
            lease=lease,
            progress=say,
        )
        result[name] = run
        console.print(
            f"{name}: {run['sent']} comments, {workers} workers: backlog age p99 {run['backlog_age_p99']} s "
            f"(goal < 10 s), comment → incident p99 {run['to_incident_p99']} s over {run['incidents']} incidents "
            f"(goal ≤ 15 s); lost {run['lost']}, counted twice {run['counted_twice']}, "
            f"incidents doubled {run['incidents_doubled']}",
            highlight=False,
        )
        if kills:
            console.print(
                f"kill: {run['kills']} SIGKILLs; profiles taken over at most {run['takeover_seconds_max']} s after the "
                f"kill, {run['takeover_after_expiry_seconds_max']} s after the lease ran out (lease {lease} s)",
                highlight=False,
            )
    console.print(f"configurations and worker logs: {where}", highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")


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
        f"{result['requests']} requests a page (goal: median ≤ 200 ms; the post-crisis report ≤ 300 ms)"
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


@bench_app.command("load")
def bench_load(
    clients: Annotated[int, typer.Option(min=1, max=256, help="Concurrent senders.")] = 16,
    seconds: Annotated[float, typer.Option(min=1, max=3600, help="How long they send.")] = 60,
    comments_per_post: Annotated[
        int, typer.Option(min=1, help="Comments under each new post (1: a post per comment).")
    ] = 25,
    kill_every: Annotated[
        float | None, typer.Option(min=1, help="Kill the server with SIGKILL every S seconds and restart it.")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="Run on this database (e.g. PostgreSQL) instead of a fresh SQLite file."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Signed deliveries from concurrent clients to a real server on 127.0.0.1: rate, p50/p99, statuses,
    and the comments acknowledged against those stored (0 lost, 0 doubled, 0 answers of 5xx)."""
    from czujka.bench.load import run_load

    result = run_load(
        clients=clients,
        seconds=seconds,
        comments_per_post=comments_per_post,
        kill_every=kill_every,
        database_url=database_url,
    )
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        console.print(
            f"{result['clients']} clients, {result['seconds']} s, {result['comments_per_post']} comment(s) a post, "
            f"{result['kills']} kill(s)\n"
            f"requests  {result['requests']} ({result['requests_per_second']}/s), "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms\n"
            f"statuses  {result['statuses']} (sent again: {result['resent']})\n"
            f"comments  {result['acknowledged']} acknowledged, {result['stored']} stored: "
            f"{result['lost']} lost, {result['doubled']} doubled, {result['server_errors']} answers of 5xx",
            highlight=False,
        )
    if result["lost"] or result["doubled"] or (result["server_errors"] and not kill_every):
        raise typer.Exit(1)


@bench_app.command("reply-check")
def bench_reply_check(
    drafts: Annotated[int, typer.Option(min=10, help="Drafts checked, one at a time.")] = 2000,
    as_json: JsonOption = False,
) -> None:
    """Milliseconds per draft of the reply check (percentiles of one run), against its 20 ms budget."""
    from czujka.bench.reply_check import run_reply_check_bench

    result = run_reply_check_bench(drafts)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    console.print(
        f"reply check, {result['drafts']} drafts one at a time: p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms "
        f"(budget {result['budget_ms']:g} ms; loading the model {result['load_ms']} ms)",
        highlight=False,
    )


@bench_app.command("moderation")
def bench_moderation(
    rate: Annotated[
        float, typer.Option(min=1, max=500, help="Comment deliveries a second (half vulgar).")
    ] = 20.0,
    seconds: Annotated[float, typer.Option(min=2, max=600, help="How long to send.")] = 30.0,
    as_json: JsonOption = False,
) -> None:
    """Seconds from a vulgar comment's webhook delivery to its hide at a stand-in Graph API on 127.0.0.1,
    p50 and p99, with the scoring and moderation loops running as in `serve`."""
    from czujka.bench.moderation import run_moderation_bench

    result = run_moderation_bench(rate=rate, seconds=seconds)
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    console.print(
        f"moderation at {result['achieved_rate']} deliveries/s ({result['deliveries']}, {result['vulgar']} vulgar): "
        f"{result['hidden']} hidden, {result['clean_hidden']} clean hidden; delivery → hide p50 "
        f"{result['p50_seconds']} s, p99 {result['p99_seconds']} s, max {result['max_seconds']} s "
        f"(goal p99 ≤ {result['budget_seconds']:g} s)",
        highlight=False,
    )
    if not result["within_budget"]:
        raise typer.Exit(1)
