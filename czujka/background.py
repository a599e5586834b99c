"""Which profiles' detectors this process owns, among every worker sharing one database.

Each profile's detectors must have one owner at a time: they learn from the profile's stream in order, and
their state and the series they count are written together. A worker holds a lease per profile it owns
(`storage/leases.py`), renewed in each transaction that writes for the profile; it takes free or expired
leases up to its fair share (the profiles divided by the workers alive) and hands extra ones back when a
worker joins, so adding a worker spreads the work and taking one away (or losing one) moves its profiles to
the others within the lease time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from czujka.logs import get_logger
from czujka.storage import leases
from czujka.storage.engine import session_scope

PROFILE = "profile:"
log = get_logger(__name__)


@dataclass
class Ownership:
    sessions: sessionmaker[Session]
    ttl: timedelta
    roles: list[str] = field(default_factory=lambda: ["score", "detect"])
    worker: str = field(default_factory=leases.worker_id)
    held: dict[str, int] = field(default_factory=dict)  # profile id → fence
    started_at: datetime | None = None

    def round(self, profile_ids: list[str], now: datetime) -> tuple[set[str], set[str]]:
        """Say this worker is alive, renew what it holds, give back what is over its share and take free
        profiles up to it. Returns the profiles gained and lost, whose detectors must be restored or dropped."""
        self.started_at = self.started_at or now
        before = dict(self.held)
        with session_scope(self.sessions, write=True) as session:
            leases.seen(session, worker=self.worker, roles=self.roles, started_at=self.started_at, now=now)
            if "detect" not in self.roles:
                return set(), set()
            self.held = self._renew(session, now)
            wanted = set(profile_ids)
            gone = [p for p in self.held if p not in wanted]  # removed from the configuration
            workers = [w for w in leases.alive(session, within=self.ttl, now=now) if "detect" in w["roles"]]
            share = math.ceil(len(wanted) / max(1, len(workers)))
            extra = sorted(p for p in self.held if p in wanted)[share:]
            if gone or extra:
                leases.release(session, names=[PROFILE + p for p in [*gone, *extra]], holder=self.worker)
                for p in [*gone, *extra]:
                    del self.held[p]
            taken = leases.holders(session, prefix=PROFILE, now=now)
            for profile_id in sorted(wanted - set(taken) - set(self.held)):
                if len(self.held) >= share:
                    break
                fence = leases.take(
                    session, name=PROFILE + profile_id, holder=self.worker, ttl=self.ttl, now=now
                )
                if fence is not None:
                    self.held[profile_id] = fence
        gained = set(self.held) - set(before)
        lost = {p for p in before if self.held.get(p) != before[p]}
        if gained or lost:
            log.info("profiles owned", worker=self.worker, gained=sorted(gained), lost=sorted(lost))
        return gained, lost

    def renew(self, session: Session, now: datetime) -> set[str]:
        """Inside a transaction that writes for the profiles: renew (and lock) their leases; the profiles
        still owned. Those lost are dropped from `held`."""
        self.held = self._renew(session, now)
        return set(self.held)

    def _renew(self, session: Session, now: datetime) -> dict[str, int]:
        kept = leases.renew(
            session,
            held={PROFILE + p: f for p, f in self.held.items()},
            holder=self.worker,
            ttl=self.ttl,
            now=now,
        )
        return {name.removeprefix(PROFILE): fence for name, fence in kept.items()}

    def leave(self, now: datetime) -> None:
        """Hand every profile back at once and leave the register (a worker stopped on purpose)."""
        with session_scope(self.sessions, write=True) as session:
            leases.release(session, names=[PROFILE + p for p in self.held], holder=self.worker)
            leases.leave(session, worker=self.worker, forget_before=now - timedelta(days=1))
        self.held = {}
