"""A comment's whole journey after it is stored, in one place:

    pending comments → analysis (scores) → detection (series, signals) → incidents (open, attach, resolve)
    → on-call (escalation steps queue pages) → notifications (pages sent on their channels)

Each stage is a plain function of its own domain; this module calls them in order and hands the data on in
memory: the rows that analysis scored go straight to the detectors, and the signals straight to incidents.
No stage knows the next one. `Pipeline` runs a batch at a time (the demo, imports, the CLI) or as the
background loops of `czujka serve` and `czujka worker`, with Graph API polling beside them as a source.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from czujka.analysis import service as analysis
from czujka.analysis.scorer import Score
from czujka.background import Ownership
from czujka.detection.channel import Watch, watch_channels
from czujka.detection.channel import dedup_key as channel_key
from czujka.detection.service import Detectors, author_key, detect, detected, queued_profiles
from czujka.detection.service import ready as detection_ready
from czujka.detection.signals import Scored
from czujka.incidents.flows import auto_resolve, open_incident, open_or_attach, resolve
from czujka.logs import get_logger
from czujka.moderation import service as moderation
from czujka.moderation.review import queue_digests
from czujka.moderation.rules import Facts
from czujka.notifications.sender import send_forever
from czujka.oncall.service import beat, run_escalations
from czujka.playbooks.service import recognise
from czujka.reports.digest import queue_weekly_digests
from czujka.runtime import Runtime
from czujka.sources.connections import forget_attempts
from czujka.sources.health import check_connection
from czujka.sources.service import poll_once, pollable
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope
from czujka.storage.leases import renew as renew_lease
from czujka.storage.leases import take as take_lease

DETECT_BATCH = 500
OWN_SECONDS = 2.0
ESCALATE_TICK_SECONDS = 0.25
BEAT_SECONDS = 5.0
WATCH_SECONDS = 60.0
WATCH_LEASE = "channel-watch"
WATCH_LEASE_TTL = timedelta(seconds=3 * WATCH_SECONDS)
CHANGES_SECONDS = 5.0
log = get_logger(__name__)


def scored(row: analysis.Pending, score: Score) -> Scored:
    """A comment as analysis left it, as the detectors take it."""
    return Scored(
        row.id,
        row.profile_id,
        row.created_at,
        author_key(row.author_id, row.author_name, row.id),
        row.author_is_staff,
        row.root_id,
        row.parent_id is not None,
        row.message,
        row.rating,
        score.sentiment,
        score.harm,
        score.harmful,
        score.vulgar,
        score.topic,
        score.topic_confidence,
        list(score.competitors),
    )


def candidates(
    session: Session, rows: list[analysis.Pending], scores: list[Score]
) -> list[moderation.Candidate]:
    """The scored customers' comments as the moderation rules read them (after detection, so a comment
    that just became evidence of a coordinated burst counts as one)."""
    customers = [(r, s) for r, s in zip(rows, scores, strict=True) if not r.author_is_staff]
    burst = moderation.coordinated_ids(session, [r.id for r, _ in customers])
    return [
        moderation.Candidate(
            r.id,
            Facts(
                r.profile_id,
                r.message,
                r.author_id,
                r.author_name,
                r.author_is_staff,
                s.vulgar,
                s.harm,
                s.topic,
                r.id in burst,
                r.created_at,
            ),
        )
        for r, s in customers
    ]


class Pipeline:
    """One process's part of the journey. It scores what it claims, and runs the detectors of the profiles
    it owns (`background.Ownership`), keeping them in memory between batches; their state is written with
    every batch that moves them."""

    def __init__(self, runtime: Runtime, *, threads: int | None = None):
        self.runtime = runtime
        self.threads = threads  # for the models' maths in the scoring loop; None: every core
        self.detectors: Detectors | None = None
        ttl = timedelta(seconds=runtime.settings.worker_lease_seconds)
        self.ownership = Ownership(runtime.sessions, ttl)
        self.owned_at = 0.0

    @property
    def lease(self) -> timedelta:
        return self.ownership.ttl

    # --- scoring ------------------------------------------------------------------------------------

    def score_batch(self, *, limit: int = analysis.BATCH) -> int:
        """Claim up to `limit` queued comments, score them outside any transaction and write the scores
        of those still claimed; returns how many were written."""
        rt = self.runtime
        claimant = uuid.uuid4().hex
        with session_scope(rt.sessions, write=True) as session:
            ids = analysis.claim(session, claimant=claimant, lease=self.lease, now=utcnow(), limit=limit)
            rows = analysis.pending(session, ids) if ids else []
        if not rows:
            return 0
        scores = analysis.score(rt.analyzer, rt.settings, rows)
        with session_scope(rt.sessions, write=True) as session:
            written = analysis.store(session, claimant=claimant, rows=rows, scores=scores, now=utcnow())
        return len(written)

    # --- detection → incidents → moderation ---------------------------------------------------------

    def own(self, now: datetime | None = None) -> None:
        """A round of ownership: take this worker's share of the profiles, give back what is over it."""
        _, lost = self.ownership.round([p.id for p in self.runtime.settings.profiles], now or utcnow())
        if lost and self.detectors is not None:
            self.detectors.forget(lost)
        self.owned_at = time.monotonic()

    def detect_batch(self, *, limit: int = DETECT_BATCH, now: datetime | None = None) -> int:
        """Take the scored comments of the profiles this worker owns, in order, through the detectors,
        incidents, the moderation rules and the replies' recognition, all in one transaction that also
        renews the profiles' leases and saves the detectors' state; with `now`, profiles with nothing
        waiting also close their quiet buckets. Returns how many comments went through."""
        rt = self.runtime
        if self.detectors is None:
            self.detectors = Detectors.from_settings(rt.settings)
        if not self.ownership.held:
            return 0
        try:
            with session_scope(rt.sessions, write=True) as session:
                before = set(self.ownership.held)
                owned = sorted(self.ownership.renew(session, utcnow()))
                if set(owned) != before:
                    self.detectors.forget(before - set(owned))
                if not owned:
                    return 0
                items = detection_ready(session, profile_ids=owned, limit=limit)
                done = self._detect(session, items, owned, now if len(items) < limit else None)
            if done or now is not None:
                rt.escalate_signal.set()  # an incident may have opened: the escalator need not wait
                rt.moderate_signal.set()
            return done
        except Exception:
            self.detectors.forget(set(self.ownership.held))  # memory ran ahead of what was written
            raise

    def _detect(
        self, session: Session, items: list[tuple[int, str]], owned: list[str], now: datetime | None
    ) -> int:
        rt, ids = self.runtime, [i for i, _ in items]
        rows = analysis.pending(session, ids) if ids else []
        scores = analysis.stored(session, ids) if ids else {}
        reasons = dict(items)
        rows = [r for r in rows if r.id in scores]
        new = [scored(r, scores[r.id]) for r in rows if reasons[r.id] == "new"]
        edited = [scored(r, scores[r.id]) for r in rows if reasons[r.id] == "edited"]
        idle = sorted(set(owned) - queued_profiles(session, owned)) if now is not None else []
        if not rows and not idle:
            if ids:
                detected(session, ids)
            return len(ids)
        recognise(session, [r.id for r in rows if r.author_is_staff])  # replies whose answer was lost
        signals = detect(
            session,
            rt.settings,
            scored=new,
            edited=edited,
            now=now if idle else None,
            profile_ids=idle,
            detectors=self.detectors,
        )
        quiet = timedelta(hours=rt.settings.incident_quiet_hours)
        for signal in signals:
            # A signal after a quiet spell opens a new incident, however the comments were batched.
            auto_resolve(session, now=signal.at, quiet=quiet, profile_ids=[signal.profile_id])
            open_or_attach(session, signal=signal)
        if now is not None:
            auto_resolve(session, now=now, quiet=quiet, profile_ids=owned)
        else:  # a replay: quiet is measured by each profile's own newest comment
            newest: dict[str, datetime] = {}
            for r in rows:
                newest[r.profile_id] = max(r.created_at, newest.get(r.profile_id, r.created_at))
            for profile_id, clock in sorted(newest.items()):
                auto_resolve(session, now=clock, quiet=quiet, profile_ids=[profile_id])
        if rows:
            moderation.evaluate(
                session,
                settings=rt.settings,
                candidates=candidates(session, rows, [scores[r.id] for r in rows]),
                now=utcnow(),
            )
        detected(session, ids)
        return len(ids)

    # --- in one go (the demo, imports, the CLI) -------------------------------------------------------

    def score_pending(self, *, on_batch: Callable[[int], None] | None = None) -> int:
        """Score every queued comment and run the detectors over what this process may own (profiles that
        a running worker owns are left to it); the leases are handed back at the end."""
        total = 0
        while done := self.score_batch():
            total += done
            if on_batch:
                on_batch(done)
        try:
            self.own()
            while self.detect_batch():
                pass
        finally:
            self.ownership.leave(utcnow())
        return total

    def rescore(self, *, on_batch: Callable[[int], None] | None = None) -> int:
        """Score every comment again (after a model or lexicon change); nothing is counted twice."""
        with session_scope(self.runtime.sessions, write=True) as session:
            analysis.requeue_all(session, now=utcnow())
        return self.score_pending(on_batch=on_batch)

    # --- the background loops ------------------------------------------------------------------------

    def work_forever(self, stop: threading.Event, *, tick: bool = True) -> None:
        """Score and detect, woken by each stored delivery and every second anyway; a round of ownership
        every few seconds. `tick` also closes quiet buckets and resolves quiet incidents by the wall clock
        (off while the demo replays a week on its own clock). On stop, the profiles are handed back."""
        rt = self.runtime
        rt.analyzer.load()
        if self.threads:  # OpenMP's limit is per thread: set here, in the thread that scores
            threadpool_limits(limits=self.threads)
        own_every = min(OWN_SECONDS, self.lease.total_seconds() / 3)
        try:
            while not stop.is_set():
                rt.heartbeats["scorer"] = datetime.now(UTC)
                busy = 0
                try:
                    if time.monotonic() - self.owned_at >= own_every:
                        self.own()
                    if "score" in self.ownership.roles:
                        busy += self.score_batch()
                    if "detect" in self.ownership.roles:
                        busy += self.detect_batch(now=datetime.now(UTC) if tick else None)
                except Exception:  # a bad batch must not stop the work for good; it is logged and retried
                    log.exception("scoring or detection failed")
                    stop.wait(2)
                if not busy:
                    rt.score_signal.wait(timeout=1)
                    rt.score_signal.clear()
        finally:
            try:
                self.ownership.leave(utcnow())
            except Exception:  # the leases run out by themselves
                log.exception("could not hand the profiles back")

    def escalate_forever(self, stop: threading.Event) -> None:
        """Start the chain of command for new incidents and take every due step; pages go to the outbox."""
        rt = self.runtime
        last_beat = last_changes = 0.0
        while not stop.is_set():
            now = datetime.now(UTC)
            try:
                if time.monotonic() - last_changes > CHANGES_SECONDS:  # shifts changed on the dashboard
                    rt.refresh_schedules()
                    last_changes = time.monotonic()
                if run_escalations(rt.sessions, settings=rt.settings, now=now):
                    rt.page_signal.set()
                if time.monotonic() - last_beat > BEAT_SECONDS:
                    beat(rt.sessions, loop="escalator", now=now)
                    last_beat = time.monotonic()
                rt.heartbeats["escalator"] = now
            except Exception:  # logged and retried: the escalation state is in the database, nothing is lost
                log.exception("escalation round failed")
                stop.wait(2)
            rt.escalate_signal.wait(timeout=ESCALATE_TICK_SECONDS)
            rt.escalate_signal.clear()

    def send_forever(self, stop: threading.Event) -> None:
        rt = self.runtime

        def alive() -> None:
            rt.heartbeats["sender"] = datetime.now(UTC)

        send_forever(rt.sessions, rt.settings, stop, wake=rt.page_signal, alive=alive)

    def moderate_forever(self, stop: threading.Event) -> None:
        """Send the moderation outbox's due actions (woken as soon as a rule queues one), and once a minute
        queue the weekly review digests and the weekly digests."""
        rt = self.runtime
        last_digest = 0.0
        with httpx.Client(timeout=20) as http:
            while not stop.is_set():
                now = datetime.now(UTC)
                try:
                    moderation.run_due(rt.sessions, settings=rt.settings, http=http, now=now)
                    if time.monotonic() - last_digest > 60:
                        with session_scope(rt.sessions, write=True) as session:
                            queued = queue_digests(session, settings=rt.settings, now=now)
                            queued += queue_weekly_digests(session, settings=rt.settings, now=now)
                            if queued:
                                rt.page_signal.set()
                        last_digest = time.monotonic()
                    rt.heartbeats["moderator"] = now
                except Exception:  # logged and retried: the outbox is in the database, nothing is lost
                    log.exception("moderation round failed")
                    stop.wait(2)
                rt.moderate_signal.wait(timeout=1)
                rt.moderate_signal.clear()

    def watch_channels(self, *, http: httpx.Client, now: datetime | None = None) -> Watch:
        """One round of the channel watch: profiles connected elsewhere are picked up, Meta is asked about
        the tokens and webhooks that are due, and every broken or silent channel is a `channel_down`
        signal; a channel that works again resolves its incident."""
        rt = self.runtime
        now = now or datetime.now(UTC)
        rt.sync_profiles()
        for profile in list(rt.settings.profiles):
            check_connection(rt.sessions, rt.settings, profile, http=http, now=now)
        with session_scope(rt.sessions, write=True) as session:
            watch = watch_channels(session, rt.settings, now=now)
            for signal in watch.signals:
                open_or_attach(session, signal=signal)
            for profile_id in watch.recovered:
                incident = open_incident(session, channel_key(profile_id))
                if incident is not None:
                    resolve(
                        session,
                        incident_id=incident.id,
                        actor="czujka",
                        at=now,
                        reason="the channel works again: comments arrive and Meta accepts the token",
                    )
            forget_attempts(session, now=now)
        if watch.signals:
            rt.escalate_signal.set()
        return watch

    def watch_forever(self, stop: threading.Event) -> None:
        """Every process follows the profiles connected elsewhere; one of them at a time (the holder of the
        watch's lease) asks Meta and opens `channel_down` incidents, so several never open two."""
        fence: int | None = None
        with httpx.Client(timeout=20) as http:
            while not stop.is_set():
                try:
                    now = utcnow()
                    with session_scope(self.runtime.sessions, write=True) as session:
                        if fence is not None:
                            held = {WATCH_LEASE: fence}
                            fence = renew_lease(
                                session, held=held, holder=self.ownership.worker, ttl=WATCH_LEASE_TTL, now=now
                            ).get(WATCH_LEASE)
                        if fence is None:
                            fence = take_lease(
                                session,
                                name=WATCH_LEASE,
                                holder=self.ownership.worker,
                                ttl=WATCH_LEASE_TTL,
                                now=now,
                            )
                    if fence is not None:
                        self.watch_channels(http=http)
                    else:
                        self.runtime.sync_profiles()
                    self.runtime.heartbeats["watchman"] = datetime.now(UTC)
                except Exception:  # logged and retried: what it watches is in the database
                    log.exception("channel watch failed")
                stop.wait(WATCH_SECONDS)

    def poll_forever(self, stop: threading.Event) -> None:
        """Graph API polling: catches what the webhooks missed; what it stores is scored like any delivery."""
        rt = self.runtime
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                rt.heartbeats["poller"] = datetime.now(UTC)
                for profile in pollable(rt.settings):
                    if stop.is_set():
                        break
                    outcome = poll_once(rt.sessions, rt.settings, profile, http=http, sleep=stop.wait)
                    if outcome.stored or outcome.changed:
                        rt.score_signal.set()
                stop.wait(rt.settings.poll_interval_seconds)

    def start(
        self,
        stop: threading.Event,
        *,
        poll: bool = True,
        tick: bool = True,
        page: bool = True,
        score: bool = True,
    ) -> list[threading.Thread]:
        """The loops as daemon threads that end when `stop` is set."""
        loops: list[tuple[str, Callable[[threading.Event], None]]] = []
        if score:
            loops.append(("scorer", lambda s: self.work_forever(s, tick=tick)))
            if tick:  # a replayed week's clock is not now: its channels are not watched
                loops.append(("watchman", self.watch_forever))
        if page:
            loops += [
                ("escalator", self.escalate_forever),
                ("sender", self.send_forever),
                ("moderator", self.moderate_forever),
            ]
        if poll:
            loops.append(("poller", self.poll_forever))
        threads = [threading.Thread(target=fn, args=(stop,), daemon=True, name=name) for name, fn in loops]
        for thread in threads:
            thread.start()
        return threads
