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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.orm import Session

from czujka.analysis import service as analysis
from czujka.analysis.scorer import Score
from czujka.detection.channel import Watch, watch_channels
from czujka.detection.channel import dedup_key as channel_key
from czujka.detection.service import Detectors, author_key, detect, save_states
from czujka.detection.signals import Scored
from czujka.incidents.flows import auto_resolve, open_incident, open_or_attach, resolve
from czujka.logs import get_logger
from czujka.moderation import service as moderation
from czujka.moderation.review import queue_digests
from czujka.moderation.rules import Facts
from czujka.notifications.sender import send_forever
from czujka.oncall.service import beat, run_escalations
from czujka.playbooks.service import recognise
from czujka.runtime import Runtime
from czujka.sources.connections import forget_attempts
from czujka.sources.health import check_connection
from czujka.sources.service import poll_once, pollable
from czujka.storage.base import utcnow
from czujka.storage.engine import session_scope

SAVE_EVERY_SECONDS = 60.0
ESCALATE_TICK_SECONDS = 0.25
BEAT_SECONDS = 5.0
WATCH_SECONDS = 60.0
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
    """One process's part of the journey. Its detectors stay in memory between batches; their state reaches
    the database every minute and whenever a run of batches ends."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.detectors: Detectors | None = None
        self.saved_at = 0.0

    # --- scoring → detection → incidents -------------------------------------------------------------

    def score_batch(self, *, limit: int = analysis.BATCH) -> int:
        """Score up to `limit` pending comments and carry them through detection and incidents; returns how
        many were scored. The models run outside any transaction; the scores, the series, the signals and
        the incidents they open are then written in one short transaction."""
        rt = self.runtime
        with session_scope(rt.sessions) as session:
            rows = analysis.pending(session, limit=limit)
        if not rows:
            return 0
        scores = analysis.score(rt.analyzer, rt.settings, rows)
        with session_scope(rt.sessions, write=True) as session:
            now = utcnow()
            analysis.store(session, rows=rows, scores=scores, now=now)
            recognise(session, [r.id for r in rows if r.author_is_staff])  # replies whose answer was lost
            self._detect(session, [scored(r, s) for r, s in zip(rows, scores, strict=True)])
            moderated = moderation.evaluate(
                session, settings=rt.settings, candidates=candidates(session, rows, scores), now=now
            )
        rt.escalate_signal.set()  # an incident may have opened: the escalator need not wait for its tick
        if moderated:
            rt.moderate_signal.set()
        return len(rows)

    def score_pending(self, *, on_batch: Callable[[int], None] | None = None) -> int:
        """Score every comment still without a score, a batch at a time; detector state saved at the end."""
        total = 0
        while done := self.score_batch():
            total += done
            if on_batch:
                on_batch(done)
        if total and self.detectors is not None:
            with session_scope(self.runtime.sessions, write=True) as session:
                save_states(session, self.detectors)
            self.saved_at = time.monotonic()
        return total

    def rescore(self, *, on_batch: Callable[[int], None] | None = None) -> int:
        """Drop every score and compute them again (after a model or lexicon change)."""
        with session_scope(self.runtime.sessions, write=True) as session:
            analysis.drop_scores(session)
        return self.score_pending(on_batch=on_batch)

    def tick(self, now: datetime) -> None:
        """Close the buckets that ended by `now` (a quiet hour counts as zeros) and resolve quiet incidents."""
        with session_scope(self.runtime.sessions, write=True) as session:
            self._detect(session, [], now=now)

    def _detect(self, session: Session, comments: list[Scored], *, now: datetime | None = None) -> None:
        settings = self.runtime.settings
        if self.detectors is None:
            self.detectors = Detectors.from_settings(settings)
        save = time.monotonic() - self.saved_at >= SAVE_EVERY_SECONDS
        signals = detect(session, settings, scored=comments, now=now, detectors=self.detectors, save=save)
        if save:
            self.saved_at = time.monotonic()
        for signal in signals:
            open_or_attach(session, signal=signal)
        # Quiet is measured by the wall clock when ticking, else by the newest comment seen (replays, imports).
        clock = (
            now
            or max((s.at for s in signals), default=None)
            or max((c.created_at for c in comments), default=None)
        )
        if clock is not None:
            auto_resolve(session, now=clock, quiet=timedelta(hours=settings.incident_quiet_hours))

    # --- the background loops ------------------------------------------------------------------------

    def score_forever(self, stop: threading.Event, *, tick: bool = True) -> None:
        """Woken by each stored delivery, and every few seconds anyway; `tick` also closes quiet buckets and
        resolves quiet incidents by the wall clock (off while the demo replays a week on its own clock)."""
        rt = self.runtime
        rt.analyzer.load()
        while not stop.is_set():
            rt.heartbeats["scorer"] = datetime.now(UTC)
            try:
                self.score_pending()
                if tick:
                    self.tick(datetime.now(UTC))
            except Exception:  # a bad batch must not stop scoring for good; it is logged and retried
                log.exception("scoring failed")
                stop.wait(5)
            rt.score_signal.wait(timeout=2)
            rt.score_signal.clear()

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
        queue the weekly review digests."""
        rt = self.runtime
        last_digest = 0.0
        with httpx.Client(timeout=20) as http:
            while not stop.is_set():
                now = datetime.now(UTC)
                try:
                    moderation.run_due(rt.sessions, settings=rt.settings, http=http, now=now)
                    if time.monotonic() - last_digest > 60:
                        with session_scope(rt.sessions, write=True) as session:
                            if queue_digests(session, settings=rt.settings, now=now):
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
        with httpx.Client(timeout=20) as http:
            while not stop.is_set():
                try:
                    self.watch_channels(http=http)
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
            loops.append(("scorer", lambda s: self.score_forever(s, tick=tick)))
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
