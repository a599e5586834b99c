"""`czujka bench web`: every dashboard page's answer time on SQLite with 50,000 comments and 500 incidents
(the post-crisis report's goal is 300 ms; its PDF is timed too, though it has no goal).

The comments are stored through the ingest service; their scores, the series buckets and the incidents (with
evidence, timelines and escalations) are written in bulk, as they would stand after weeks of running.
"""

from __future__ import annotations

import bisect
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import insert, select

from czujka import vocabulary
from czujka.analysis.models import CommentScore
from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import Comment
from czujka.comments.service import ingest
from czujka.config import load_settings
from czujka.demo.paging import demo_oncall
from czujka.demo.phrases import CRISIS_COMPLAINTS, MILD_COMPLAINTS, PRAISE, QUESTIONS
from czujka.detection.models import SeriesBucket
from czujka.incidents.models import Incident, IncidentEvidence, TimelineEvent
from czujka.oncall.models import Escalation
from czujka.runtime import build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.migrate import upgrade

PROFILES = [
    {"id": "sklep-fb", "name": "Sklep (Facebook)", "platform": "generic", "platform_id": "sklep-fb"},
    {"id": "sklep-ig", "name": "Sklep (Instagram)", "platform": "generic", "platform_id": "sklep-ig"},
]
KINDS = [k for k in vocabulary.KINDS if k != "keyword"]


def _fill(runtime: Any, *, comments: int, incidents: int, console: Console) -> list[int]:
    rng = random.Random(5)
    now = datetime.now(UTC)
    texts = [*CRISIS_COMPLAINTS, *MILD_COMPLAINTS, *PRAISE, *QUESTIONS]
    with Progress(TextColumn("filling"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        task = bar.add_task("filling", total=comments)
        for start in range(0, comments, 2000):
            events = [
                CommentEvent(
                    profile_id=PROFILES[i % 2]["id"],
                    platform_id=f"c{i}",
                    verb="add",
                    occurred_at=now - timedelta(minutes=(comments - i) * 40_000 / comments),
                    post_platform_id=f"p{i // 200}",
                    parent_platform_id=f"c{i - 1}" if i % 7 == 0 else None,
                    author_id=f"u{rng.randrange(5000)}",
                    author_name=f"Klient {rng.randrange(5000)}",
                    author_is_staff=i % 50 == 0,
                    message=rng.choice(texts),
                )
                for i in range(start, min(start + 2000, comments))
            ]
            with session_scope(runtime.sessions, write=True) as session:
                ingest(session, source="bench", body=f"chunk {start}".encode(), batch=Batch(events=events))
            bar.advance(task, len(events))
    with session_scope(runtime.sessions) as session:
        rows = session.execute(
            select(Comment.id, Comment.profile_id, Comment.created_at).order_by(Comment.created_at)
        ).all()
        scores, buckets = [], {}
        for comment_id, profile_id, created in rows:
            vulgar = rng.random() < 0.03
            sentiment = rng.choice(["negative", "neutral", "positive", "negative"])
            scores.append(
                {
                    "comment_id": comment_id,
                    "language": "pl",
                    "sentiment": sentiment,
                    "sentiment_confidence": 0.8,
                    "harm": rng.random() * (0.9 if vulgar else 0.4),
                    "harm_tier": "fast",
                    "harmful": vulgar,
                    "vulgar": vulgar,
                    "vulgar_words": [{"word": "x", "start": 0, "end": 1, "entry": "x"}] if vulgar else [],
                    "topic": rng.choice(["delivery", "payment", "product", "other"]),
                    "topic_confidence": 0.9,
                    "competitors": [],
                    "model_version": "bench",
                    "scored_at": now,
                }
            )
            start = created.replace(minute=created.minute - created.minute % 10, second=0, microsecond=0)
            cell = buckets.setdefault((profile_id, start), [0, 0, 0, 0])
            cell[0] += 1
            cell[1] += sentiment == "negative"
            cell[2] += vulgar
            cell[3] += vulgar
        session.execute(insert(CommentScore), scores)
        session.execute(
            insert(SeriesBucket),
            [
                {
                    "profile_id": p,
                    "start": s,
                    "total": c[0],
                    "negative": c[1],
                    "harmful": c[2],
                    "vulgar": c[3],
                }
                for (p, s), c in buckets.items()
            ],
        )
        ids = [r[0] for r in rows]
        times = [r[2] for r in rows]
        made = []
        for n in range(incidents):
            opened = now - timedelta(hours=n * 1.3)
            state = "triggered" if n < 8 else ("acknowledged" if n < 15 else "resolved")
            incident = Incident(
                profile_id=PROFILES[n % 2]["id"],
                kind=KINDS[n % len(KINDS)],
                dedup_key=f"bench:{n}",
                state=state,
                severity=1 + n % 3,
                title="bench",
                opened_at=opened,
                last_signal_at=opened,
                resolved_at=opened + timedelta(hours=1) if state == "resolved" else None,
            )
            session.add(incident)
            session.flush()
            made.append(incident.id)
            # the evidence is what the profile heard in the hour before the signal, as a detector finds it
            before = bisect.bisect_left(times, opened)
            nearby = [ids[i] for i in range(max(0, before - 48), before) if rows[i][1] == incident.profile_id]
            evidence = nearby[-12:] if len(nearby) >= 12 else rng.sample(ids, 12)
            session.execute(
                insert(IncidentEvidence), [{"incident_id": incident.id, "comment_id": c} for c in evidence]
            )
            session.execute(
                insert(TimelineEvent),
                [
                    {
                        "incident_id": incident.id,
                        "at": opened + timedelta(minutes=k),
                        "kind": "signal",
                        "actor": "detector",
                        "message": f"signal {k}",
                        "data": None,
                    }
                    for k in range(6)
                ],
            )
            if state == "triggered":
                session.add(
                    Escalation(
                        incident_id=incident.id,
                        policy_id="default",
                        status="active",
                        step=1,
                        round=0,
                        next_step_at=now + timedelta(minutes=5),
                        severity=incident.severity,
                    )
                )
    return made


def run_web_bench(*, comments: int, incidents: int, requests: int, console: Console) -> dict[str, Any]:
    from czujka.app import build_app
    from czujka.auth.users import add_user
    from czujka.web.server import start_in_thread

    with tempfile.TemporaryDirectory(prefix="czujka-bench-") as tmp:
        settings = load_settings(
            None,
            data_dir=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'czujka.db'}",
            profiles=PROFILES,
            **demo_oncall(Path(tmp), "127.0.0.1:9"),
        )
        runtime = build_runtime(settings)
        upgrade(runtime.engine)
        runtime.sync_profiles()
        made = _fill(runtime, comments=comments, incidents=incidents, console=console)
        password = "bench-password-1"
        with session_scope(runtime.sessions) as session:
            add_user(session, username="bench", role="admin", password=password)
        server = start_in_thread(build_app(settings, runtime))
        try:
            client = httpx.Client(base_url=server.url, timeout=30)
            form = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
            client.post(
                "/login", data={"username": "bench", "password": password, "csrf": token, "next": "/"}
            )
            pages = [
                "/login",
                "/",
                "/fragments/now",
                "/incidents",
                f"/incidents/{made[0]}",
                f"/incidents/{made[-1]}",
                "/charts",
                "/charts?range=7d",
                "/oncall",
                "/admin/users",
                f"/incidents/{made[-1]}/report",
                f"/incidents/{made[min(20, len(made) - 1)]}/report",
                f"/incidents/{made[0]}/report",
                "/digest",
                "/figures",
                f"/incidents/{made[min(20, len(made) - 1)]}/report.pdf",
            ]
            rows = []
            for path in pages:
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    answer = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{path} answered {answer.status_code}")
                rows.append(
                    {
                        "page": path,
                        "median_ms": statistics.median(times),
                        "p95_ms": sorted(times)[int(0.95 * (len(times) - 1))],
                        "bytes": len(answer.content),
                    }
                )
        finally:
            server.stop()
            runtime.engine.dispose()
    return {"comments": comments, "incidents": incidents, "requests": requests, "rows": rows}
