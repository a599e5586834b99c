"""A crisis as it stands after the weekend: comments with their scores and four weeks of series before them, an
incident paged through the real escalator and sender into a file, acknowledged, answered, moderated and
resolved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from czujka.analysis.models import CommentScore
from czujka.comments.events import Batch, CommentEvent
from czujka.comments.models import Comment
from czujka.comments.service import ingest
from czujka.detection.models import SeriesBucket
from czujka.incidents import flows
from czujka.incidents.models import Incident, TimelineEvent
from czujka.moderation.models import ModerationAction
from czujka.notifications.pipeline import deliver_due
from czujka.oncall.service import run_escalations
from czujka.playbooks.models import Reply
from czujka.runtime import Runtime
from czujka.storage.engine import session_scope
from tests.factories import make_runtime, make_signal
from tests.notifications.helpers import oncall_settings

WORDS = [
    ("Paczka nie doszła od tygodnia, oszuści!", 0.55),
    ("Złodzieje, oddajcie kasę", 0.81),
    ("Gdzie moje zamówienie???", 0.2),
    ("Nigdy więcej tu nie kupię", 0.35),
    ("Kurier znowu zgubił paczkę", 0.3),
]


@dataclass
class Crisis:
    runtime: Runtime
    incident_id: int
    onset: datetime
    opened: datetime
    hour: datetime  # the hour of the onset
    acknowledged: datetime
    replied: datetime
    resolved: datetime | None
    pages: Path


def _bucket_rows(profile: str, hour: datetime) -> list[dict]:
    """Four weeks of 3 comments an hour (1 negative), then the crisis: 12 (10 negative) in the onset's hour
    and the next, then 4 calm comments an hour."""
    rows = []
    at = hour - timedelta(weeks=4, days=1)
    while at < hour + timedelta(hours=6):
        total, negative = 3, 1
        if hour <= at < hour + timedelta(hours=2):
            total, negative = 12, 10
        elif at >= hour + timedelta(hours=2):
            total, negative = 4, 0
        rows.append(
            {
                "profile_id": profile,
                "start": at,
                "total": total,
                "negative": negative,
                "harmful": 0,
                "vulgar": 0,
            }
        )
        at += timedelta(hours=1)
    return rows


def make_crisis(tmp_path: Path, db_url: str, *, resolve: bool = True, **overrides) -> Crisis:
    pages = tmp_path / "pages.jsonl"
    settings = oncall_settings(
        tmp_path,
        db_url,
        channels={"ania": [f"file://{pages}"], "kasia": [f"file://{pages}"]},
        policy_steps=[{"notify": ["person:ania"], "wait_minutes": 10}, {"notify": ["person:kasia"]}],
        page_max_age_minutes=24 * 60,
        **overrides,
    )
    runtime = make_runtime(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    hour = now.replace(minute=0, second=0) - timedelta(hours=8)
    onset = hour + timedelta(minutes=5)
    opened = hour + timedelta(minutes=25)
    with session_scope(runtime.sessions, write=True) as session:
        events = [
            CommentEvent(
                profile_id="koszyk-fb",
                platform_id=f"c{n}",
                verb="add",
                occurred_at=onset + timedelta(minutes=n),
                post_platform_id="p1",
                parent_platform_id=None,
                author_id=f"u{n}",
                author_name=f"Klient {n}",
                author_is_staff=False,
                message=text,
            )
            for n, (text, _harm) in enumerate(WORDS)
        ]
        ingest(session, source="test", body=b"crisis", batch=Batch(events=events))
        ids = dict(session.execute(select(Comment.platform_id, Comment.id)).all())
        session.execute(
            insert(CommentScore),
            [
                {
                    "comment_id": ids[f"c{n}"],
                    "language": "pl",
                    "sentiment": "negative",
                    "sentiment_confidence": 0.9,
                    "harm": harm,
                    "harm_tier": "fast",
                    "harmful": harm > 0.5,
                    "vulgar": n == 1,
                    "vulgar_words": [],
                    "topic": "delivery" if n != 1 else "refund",
                    "topic_confidence": 0.9,
                    "competitors": [],
                    "model_version": "test",
                    "scored_at": now,
                }
                for n, (_text, harm) in enumerate(WORDS)
            ],
        )
        session.execute(insert(SeriesBucket), _bucket_rows("koszyk-fb", hour))
        incident = flows.open_or_attach(
            session,
            signal=make_signal(
                "negative_surge", score=0.95, at=opened, evidence=list(ids.values()), key="koszyk-fb:neg"
            ),
        )
        incident_id = incident.id
    run_escalations(runtime.sessions, settings=runtime.settings, now=now)
    assert deliver_due(runtime.sessions, settings=runtime.settings) == ["sent"]
    acknowledged = now + timedelta(minutes=3)
    replied = acknowledged + timedelta(minutes=7)
    resolved = acknowledged + timedelta(hours=2) if resolve else None
    with session_scope(runtime.sessions, write=True) as session:
        flows.acknowledge(session, incident_id=incident_id, actor="person:ania", at=acknowledged)
        reply = Reply(
            idempotency_key="r1",
            comment_id=ids["c0"],
            incident_id=incident_id,
            profile_id="koszyk-fb",
            target_platform_id="c0",
            text="Przepraszamy, sprawdzimy to w poniedziałek.",
            state="sent",
            author="user:ania",
            check_reasons=["defers"],
            created_at=replied,
            sent_at=replied,
        )
        session.add(reply)
        session.flush()
        flows.event(
            session,
            session.get(Incident, incident_id),
            at=replied,
            kind="reply",
            actor="user:ania",
            message="reply sent",
            data={"reply": reply.id, "check": ["defers"]},
        )
        session.add(
            ModerationAction(
                dedup_key="m1",
                comment_id=ids["c1"],
                profile_id="koszyk-fb",
                platform_id="c1",
                verb="hide",
                source="rule:weekend-vulgar",
                reason="vulgar",
                comment_at=onset,
                incident_id=incident_id,
                state="done",
                send_after=onset,
                created_at=onset + timedelta(minutes=2),
                done_at=onset + timedelta(minutes=2),
            )
        )
        if resolved is not None:
            flows.resolve(
                session,
                incident_id=incident_id,
                actor="user:kasia",
                at=resolved,
                reason="ok",
                signed_off_by="Kasia",
            )
    return Crisis(runtime, incident_id, onset, opened, hour, acknowledged, replied, resolved, pages)


def agrees_with_timeline(report: dict, events: list[TimelineEvent]) -> None:
    """Every moment and "time to" of the report, recomputed from the timeline rows themselves."""

    def first(kind: str) -> datetime | None:
        return next((e.at for e in events if e.kind == kind), None)

    def seconds(a: datetime | None, b: datetime | None) -> int | None:
        return None if a is None or b is None else max(0, round((b - a).total_seconds()))

    detected = first("opened")
    resolved = [e.at for e in events if e.kind == "resolved"]
    resolved_at = resolved[-1] if resolved and report["state"] == "resolved" else None
    assert [(e["kind"], datetime.fromisoformat(e["at"])) for e in report["timeline"]] == [
        (e.kind, e.at) for e in events
    ]
    assert datetime.fromisoformat(report["detected"]) == detected
    assert report["time_to_acknowledge_seconds"] == seconds(detected, first("acknowledged"))
    assert report["time_to_first_page_seconds"] == seconds(detected, first("page"))
    assert report["time_to_first_reply_seconds"] == seconds(detected, first("reply"))
    assert report["time_to_resolve_seconds"] == seconds(detected, resolved_at)
    assert report["time_to_detect_seconds"] == seconds(datetime.fromisoformat(report["onset"]), detected)
    assert len(report["paged"]) >= sum(1 for e in events if e.kind == "page")
