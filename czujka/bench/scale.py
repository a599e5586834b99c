"""`czujka bench scale`: several worker processes on one PostgreSQL database, against one process.

Three runs, each on a fresh database with real `czujka worker` processes:

- **same** — one generated stream (profiles with crises among ordinary days) is stored at once and
  drained by 1, 2 and 4 workers, and by one process in-line (`Pipeline.score_pending`). Every run must
  give the same scores, series totals equal to the comment count, and the same signals and incidents;
  comments scored a second are compared across worker counts.
- **load** — an agency: many profiles, comments arriving in real time at a steady rate with a coordinated
  attack on one of them every minute, drained by live workers. Measured: how long comments wait to be scored (the backlog's age),
  and a crisis comment's way to its incident.
- **kill** — the same load with three workers, one killed with SIGKILL every so often and started again.
  Measured: comments lost, counted twice, incidents doubled, and how long the killed worker's profiles
  stay without an owner.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from czujka.analysis.models import CommentScore
from czujka.background import PROFILE
from czujka.bench.postgres import fresh_postgres
from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import Comment, CommentQueue
from czujka.comments.service import store
from czujka.config import load_settings
from czujka.demo import phrases
from czujka.detection.models import SeriesBucket
from czujka.incidents.models import Incident, Signal
from czujka.pipeline import Pipeline
from czujka.runtime import Runtime, build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.leases import Lease, WorkerRow
from czujka.storage.migrate import upgrade

ORDINARY = [*phrases.PRAISE, *phrases.QUESTIONS, *phrases.MILD_COMPLAINTS]
CRISIS = [*phrases.CRISIS_COMPLAINTS, *phrases.CRISIS_VULGAR]


# --- the stream ---------------------------------------------------------------------------------------


def profile_ids(count: int) -> list[str]:
    return [f"shop-{i:03d}" for i in range(count)]


def comment(rng: random.Random, profile: str, n: int, at: datetime, text: str) -> CommentEvent:
    author = rng.randrange(1_000_000)
    name = f"{rng.choice(phrases.FIRST_NAMES)} {rng.choice(phrases.LAST_NAMES)}"
    return CommentEvent(
        profile_id=profile,
        platform_id=f"{profile}-c{n}",
        verb="add",
        occurred_at=at,
        created_at=at,
        post_platform_id=f"{profile}-post-{n % 7}",
        author_id=f"u{author}",
        author_name=name,
        message=f"{text} #{n}" if rng.random() < 0.5 else text,
    )


def ordinary(rng: random.Random) -> str:
    """An ordinary comment: two sentences of the shop's ordinary days, so that a busy profile's many
    authors do not write the same words (which the burst detector would rightly call coordinated)."""
    first, second = rng.sample(ORDINARY, 2)
    return f"{first} {second}"


def week_stream(*, profiles: int, comments: int, seed: int, start: datetime) -> list[CommentEvent]:
    """A stored stream, in time order: ordinary comments over a day, and on every fifth profile a crisis
    (complaints and vulgar ones from many authors within half an hour)."""
    rng = random.Random(seed)
    ids = profile_ids(profiles)
    crises = {p: start + timedelta(hours=rng.uniform(8, 20)) for p in ids[::5]}
    events = []
    for n in range(comments):
        profile = rng.choice(ids)
        if profile in crises and rng.random() < 0.5:
            at = crises[profile] + timedelta(seconds=rng.uniform(0, 1800))
            text = rng.choice(CRISIS)
        else:
            at = start + timedelta(seconds=rng.uniform(0, 86_400))
            text = ordinary(rng)
        events.append(comment(rng, profile, n, at, text))
    return sorted(events, key=lambda e: e.created_at)  # type: ignore[arg-type,return-value]


def ingest(runtime: Runtime, events: list[CommentEvent], tag: str) -> None:
    body = f"bench scale {tag} {time.time_ns()}".encode()
    store(runtime.sessions, source="bench", body=body, batch=Batch(list(events)))


# --- processes ----------------------------------------------------------------------------------------


def write_config(folder: Path, *, url: str, profiles: list[str], lease: int) -> Path:
    lines = [
        "[service]",
        f'database_url = "{url}"',
        f'data_dir = "{folder}"',
        f"worker_lease_seconds = {lease}",
        'log_level = "warning"',
    ]
    for p in profiles:
        lines += [
            "",
            "[[profiles]]",
            f'id = "{p}"',
            f'name = "{p}"',
            'platform = "generic"',
            f'platform_id = "{p}"',
        ]
    path = folder / "czujka.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Workers:
    """`czujka worker` processes (scoring and detection only), started and killed at will."""

    config: Path
    log: Path
    tick: bool
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self) -> subprocess.Popen:
        # One thread for the models, set before OpenMP loads: threadpoolctl (--threads) alone leaves its pool
        # at every core, and two workers then share two cores at half speed (1.1× instead of 1.8–1.9×).
        env = {k: v for k, v in os.environ.items() if not k.startswith("CZUJKA_")}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        args = [
            sys.executable,
            "-m",
            "czujka",
            "worker",
            "--config",
            str(self.config),
            "--no-page",
            "--no-poll",
        ]
        if not self.tick:
            args.append("--no-tick")
        process = subprocess.Popen(args, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, env=env)
        self.processes.append(process)
        return process

    def cpu_seconds(self) -> float:
        """CPU time the live workers have used so far (Linux's /proc), to tell a design that stops scaling
        from a machine that does."""
        total = 0.0
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_alive(runtime: Runtime, pids: list[int], timeout: float = 120) -> None:
    """Until every process has registered (its models are loaded by then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(runtime.sessions) as session:
            seen = set(session.scalars(select(WorkerRow.pid)))
        if set(pids) <= seen:
            return
        time.sleep(0.1)
    raise RuntimeError(f"workers {sorted(set(pids) - seen)} did not start within {timeout:.0f} s")


def queue_length(runtime: Runtime) -> int:
    with session_scope(runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(CommentQueue)) or 0


def drain(runtime: Runtime, timeout: float) -> float:
    """Seconds until the queue is empty."""
    started = time.monotonic()
    while queue_length(runtime):
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{queue_length(runtime)} comments still queued after {timeout:.0f} s")
        time.sleep(0.02)
    return time.monotonic() - started


# --- what a run leaves --------------------------------------------------------------------------------


def outcome(runtime: Runtime) -> dict[str, Any]:
    """Scores by comment, the series totals, and the signals and incidents, in a form two runs compare."""
    with session_scope(runtime.sessions) as session:
        scores = {
            pid: (s, round(h, 9), v, t)
            for pid, s, h, v, t in session.execute(
                select(
                    Comment.platform_id,
                    CommentScore.sentiment,
                    CommentScore.harm,
                    CommentScore.vulgar,
                    CommentScore.topic,
                ).join(CommentScore, CommentScore.comment_id == Comment.id)
            )
        }
        ids = dict(session.execute(select(Comment.id, Comment.platform_id)).all())
        signals = sorted(
            (
                s.profile_id,
                s.kind,
                s.dedup_key,
                s.at.isoformat(),
                round(s.score, 6),
                tuple(sorted(ids[e] for e in s.evidence)),
            )
            for s in session.scalars(select(Signal))
        )
        incidents = sorted(
            (i.profile_id, i.kind, i.dedup_key, i.opened_at.isoformat(), i.severity, i.state)
            for i in session.scalars(select(Incident))
        )
        return {
            "comments": len(ids),
            "scores": scores,
            "series_total": session.scalar(select(func.sum(SeriesBucket.total))) or 0,
            "signals": signals,
            "incidents": incidents,
        }


def same_as(reference: dict[str, Any], other: dict[str, Any]) -> dict[str, bool]:
    return {
        "scores": reference["scores"] == other["scores"],
        "series_total_is_comment_count": other["series_total"] == other["comments"],
        "signals": reference["signals"] == other["signals"],
        "incidents": reference["incidents"] == other["incidents"],
    }


def differences(reference: dict[str, Any], other: dict[str, Any], most: int = 3) -> list[str]:
    """A few rows that one run has and the other has not, to start looking from."""
    found = []
    for part in ("signals", "incidents"):
        ours, theirs = set(reference[part]), set(other[part])
        found += [f"{part} only in one process: {row}" for row in sorted(ours - theirs)[:most]]
        found += [f"{part} only with workers: {row}" for row in sorted(theirs - ours)[:most]]
    return found


# --- what the machine allows -------------------------------------------------------------------------


def probe(texts: int = 600) -> None:
    """Score `texts` generated comments on one thread and print comments a second (run in a subprocess)."""
    from threadpoolctl import threadpool_limits

    from czujka.analysis.scorer import Analyzer, Item

    start = datetime(2026, 11, 30, tzinfo=UTC)
    items = [
        Item(e.message or "", (), "pl") for e in week_stream(profiles=5, comments=texts, seed=3, start=start)
    ]
    analyzer = Analyzer().load()
    threadpool_limits(1)
    analyzer.score(items[:20])
    began = time.perf_counter()
    analyzer.score(items)
    print(len(items) / (time.perf_counter() - began))


def ceiling() -> float:
    """How much two single-threaded scorers get done side by side against one alone, on this machine now:
    the most any number of workers can gain here (a shared or throttled host gives far less than 2×)."""

    def rates(n: int) -> list[float]:
        code = "from czujka.bench.scale import probe; probe()"
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        runs = [
            subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
            for _ in range(n)
        ]
        return [float(r.communicate()[0].strip().splitlines()[-1]) for r in runs]

    alone = rates(1)[0]
    return round(sum(rates(2)) / alone, 2)


# --- the runs -----------------------------------------------------------------------------------------


def fresh_runtime(folder: Path, url: str, profiles: list[str], lease: int) -> tuple[Runtime, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder, url=url, profiles=profiles, lease=lease)
    runtime = build_runtime(load_settings(config))
    upgrade(runtime.engine)
    runtime.sync_profiles()
    return runtime, config


def run_same(
    *,
    admin_url: str,
    folder: Path,
    profiles: int,
    comments: int,
    workers: list[int],
    seed: int,
    lease: int = 15,
) -> dict[str, Any]:
    """The stream drained by one process in-line, then by each number of workers."""
    events = week_stream(
        profiles=profiles, comments=comments, seed=seed, start=datetime(2026, 11, 30, tzinfo=UTC)
    )
    ids = profile_ids(profiles)
    runs = []
    reference: dict[str, Any] | None = None
    for n in [0, *workers]:
        with fresh_postgres(admin_url, prefix="czujka_bench") as url:
            runtime, config = fresh_runtime(folder / f"same-{n}", url, ids, lease)
            pool = Workers(config, folder / f"same-{n}" / "workers.log", tick=False)
            try:
                if n:
                    wait_alive(runtime, [pool.start().pid for _ in range(n)])
                ingest(runtime, events, f"same-{n}")  # one transaction: the work starts at its commit
                started, cpu_before = time.monotonic(), pool.cpu_seconds()  # to the last comment detected
                if n == 0:
                    Pipeline(runtime).score_pending()
                drain(runtime, timeout=600)
                seconds = time.monotonic() - started
                cpu = pool.cpu_seconds() - cpu_before
                result = outcome(runtime)
            finally:
                pool.stop()
                runtime.engine.dispose()
        reference = reference or result
        runs.append(
            {
                "workers": n or "in-line",
                "seconds": round(seconds, 3),
                "per_second": round(comments / seconds, 1),
                "worker_cpu_ms_per_comment": round(cpu * 1000 / comments, 2) if n else None,
                "incidents": len(result["incidents"]),
                "signals": len(result["signals"]),
                "same": same_as(reference, result),
                "differences": differences(reference, result),
            }
        )
    rate = {r["workers"]: r["per_second"] for r in runs}
    return {
        "profiles": profiles,
        "comments": comments,
        "machine_ceiling_2_over_1": ceiling(),
        "runs": runs,
        "speedup_2_over_1": round(rate[2] / rate[1], 2) if 1 in rate and 2 in rate else None,
    }


@dataclass
class Load:
    """A steady stream in real time, with a crisis every minute, and what was seen of it. The crisis is a
    coordinated attack (near-identical 1-star opinions from many new authors): surges wait for a week of
    history before they page, so on fresh profiles it is the kind of crisis that can open an incident."""

    runtime: Runtime
    profiles: list[str]
    rate: float
    seed: int
    sent: int = 0
    backlog_ages: list[float] = field(default_factory=list)
    incident_seconds: list[float] = field(default_factory=list)
    seen_incidents: set[int] = field(default_factory=set)

    def feed(self, stop: threading.Event, until: float) -> None:
        rng = random.Random(self.seed)
        tick, crisis, crisis_left = 0.1, None, 0
        next_crisis = time.monotonic() + 5
        while not stop.is_set() and time.monotonic() < until:
            began = time.monotonic()
            now = datetime.now(UTC)
            if began >= next_crisis:
                crisis, crisis_left, next_crisis = rng.choice(self.profiles), 15, began + 60
            events = []
            for _ in range(np.random.default_rng(rng.randrange(2**32)).poisson(self.rate * tick)):
                events.append(comment(rng, rng.choice(self.profiles), self.sent, now, ordinary(rng)))
                self.sent += 1
            if crisis and crisis_left and rng.random() < 0.5:
                events.append(comment(rng, crisis, self.sent, now, rng.choice(phrases.COORDINATED)))
                self.sent += 1
                crisis_left -= 1
            if events:
                ingest(self.runtime, events, f"load-{self.sent}")
            stop.wait(max(0.0, tick - (time.monotonic() - began)))

    def watch(self, stop: threading.Event) -> None:
        while not stop.is_set():
            now = datetime.now(UTC)
            with session_scope(self.runtime.sessions) as session:
                oldest = session.scalar(
                    select(func.min(CommentQueue.queued_at)).where(CommentQueue.stage == "score")
                )
                new = session.execute(
                    select(Incident.id, Incident.opened_at).where(
                        Incident.id.not_in(self.seen_incidents or {0})
                    )
                ).all()
            self.backlog_ages.append((now - oldest).total_seconds() if oldest else 0.0)
            for incident_id, opened_at in new:
                self.seen_incidents.add(incident_id)
                self.incident_seconds.append((now - opened_at).total_seconds())
            stop.wait(0.25)


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def integrity(runtime: Runtime) -> dict[str, int]:
    """What the goals count: lost comments, counts beyond one per comment, incidents doubled."""
    with session_scope(runtime.sessions) as session:
        comments = session.scalar(select(func.count(Comment.id))) or 0
        scored = session.scalar(select(func.count(CommentScore.comment_id))) or 0
        counted = session.scalar(select(func.sum(SeriesBucket.total))) or 0
        incidents = session.execute(
            select(Incident.dedup_key, Incident.opened_at, Incident.resolved_at).order_by(Incident.opened_at)
        ).all()
        kinds = dict(session.execute(select(Incident.kind, func.count()).group_by(Incident.kind)).all())
    doubled, open_until = 0, {}
    for key, opened, resolved in incidents:
        if key in open_until and (open_until[key] is None or open_until[key] > opened):
            doubled += 1
        open_until[key] = resolved
    return {
        "comments": comments,
        "lost": comments - scored,
        "counted_twice": max(0, counted - comments),
        "not_counted": max(0, comments - counted),
        "incidents": len(incidents),
        "incident_kinds": kinds,
        "incidents_doubled": doubled,
    }


def run_load(
    *,
    admin_url: str,
    folder: Path,
    profiles: int,
    rate: float,
    seconds: float,
    workers: int,
    kill_every: float | None,
    lease: int = 15,
    seed: int = 7,
    progress: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    ids = profile_ids(profiles)
    name = f"{'kill' if kill_every else 'load'}-{workers}"
    with fresh_postgres(admin_url, prefix="czujka_bench") as url:
        runtime, config = fresh_runtime(folder / name, url, ids, lease)
        pool = Workers(config, folder / name / "workers.log", tick=True)
        load = Load(runtime, ids, rate, seed)
        stop = threading.Event()
        takeovers: list[dict[str, float]] = []
        try:
            live = [pool.start() for _ in range(workers)]
            wait_alive(runtime, [p.pid for p in live])
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(target=load.feed, args=(stop, until), daemon=True),
                threading.Thread(target=load.watch, args=(stop,), daemon=True),
            ]
            for thread in threads:
                thread.start()
            watchers = []
            if (
                kill_every
            ):  # one SIGKILL every `kill_every` seconds, on the clock, each take-over timed beside
                kills = [time.monotonic() + kill_every * (k + 1) for k in range(int(seconds // kill_every))]
                for victim, at in enumerate(k for k in kills if k < until - 1):
                    time.sleep(max(0.0, at - time.monotonic()))
                    gone = kill(runtime, live, victim % len(live), pool)
                    watcher = threading.Thread(
                        target=lambda g=gone: takeovers.append(taken_over(runtime, *g))
                    )
                    watcher.start()
                    watchers.append(watcher)
                    progress(f"SIGKILL {victim + 1} of {len(kills)}")
            time.sleep(max(0.0, until - time.monotonic()))
            for watcher in watchers:
                watcher.join()
            threads[0].join()
            drained = drain(runtime, timeout=120)
            stop.set()
            threads[1].join()
            checks = integrity(runtime)
        finally:
            stop.set()
            pool.stop()
            runtime.engine.dispose()
    return {
        "profiles": profiles,
        "rate_per_second": rate,
        "seconds": seconds,
        "workers": workers,
        "sent": load.sent,
        "lease_seconds": lease,
        "backlog_age_p50": pct(load.backlog_ages, 50),
        "backlog_age_p99": pct(load.backlog_ages, 99),
        "backlog_age_max": pct(load.backlog_ages, 100),
        "to_incident_p50": pct(load.incident_seconds, 50),
        "to_incident_p99": pct(load.incident_seconds, 99),
        "drained_after_seconds": round(drained, 2),
        "kills": len(takeovers),
        "takeover_seconds_max": max((t["seconds"] for t in takeovers), default=None),
        "takeover_after_expiry_seconds_max": max((t["after_expiry"] for t in takeovers), default=None),
        **checks,
    }


def kill(
    runtime: Runtime, live: list[subprocess.Popen], index: int, pool: Workers
) -> tuple[str, dict[str, datetime], float]:
    """SIGKILL one worker and start another in its place; what it held (lease → expiry), and when."""
    process = live[index]
    with session_scope(runtime.sessions) as session:
        worker = session.scalar(select(WorkerRow.id).where(WorkerRow.pid == process.pid)) or ""
        held = dict(
            session.execute(
                select(Lease.name, Lease.expires_at).where(
                    Lease.holder == worker, Lease.name.startswith(PROFILE)
                )
            ).all()
        )
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    killed = time.monotonic()
    live[index] = pool.start()
    return worker, held, killed


def taken_over(runtime: Runtime, worker: str, held: dict[str, datetime], killed: float) -> dict[str, float]:
    """Seconds until every profile the killed worker held has a new owner: from the kill, and from the
    moment its last lease ran out (no one may take a lease before that)."""
    expiry = max(held.values(), default=datetime.now(UTC))
    deadline = killed + 10 * runtime.settings.worker_lease_seconds
    while held and time.monotonic() < deadline:
        with session_scope(runtime.sessions) as session:
            still = session.scalar(
                select(func.count())
                .select_from(Lease)
                .where(Lease.name.in_(list(held)), (Lease.holder == worker) | Lease.holder.is_(None))
            )
        if not still:
            break
        time.sleep(0.1)
    return {
        "seconds": round(time.monotonic() - killed, 2),
        "after_expiry": round(max(0.0, (datetime.now(UTC) - expiry).total_seconds()), 2),
    }
