"""Impact and recovery: a profile's comments per hour before, during and after an incident, against the
hour-of-week baseline, and when the negative share came back to its baseline.

- **before** is the day before the onset; **during** runs from the onset's hour to the hour after the last
  signal (the crisis as the detectors saw it, not the moment somebody closed it); **after** is the day after
  that, or up to now.
- The baseline of an hour is the mean of the same hour of the week over the four weeks before (as on the
  charts page). The baseline negative share of an hour is pooled over those weeks' same hour and its
  neighbours, and falls back to the four weeks' share overall where too few comments stand behind it.
- A share is told only where at least `MIN_FOR_SHARE` comments stand behind it (the hour and its
  neighbours pooled), so one angry comment at night is not "100 % negative".
- **Recovery** is the time from the onset to the start of the first hour after the worst hour whose
  negative share is at or under its baseline share. It stays open (None) until that happens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from czujka.analysis.models import CommentScore
from czujka.comments.models import Comment
from czujka.detection.series import hourly

HOUR = timedelta(hours=1)
SIDE = timedelta(hours=24)  # before and after
BASELINE_WEEKS = 4
MIN_FOR_SHARE = 5
SHARE_SPAN = 1  # hours pooled on each side of an hour for its share
MAX_DURING = timedelta(days=14)  # longer crises are drawn over their first two weeks
SENTIMENTS = ("negative", "neutral", "positive", "mixed")
PHASES = ("before", "during", "after")


def floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _pooled(history: dict[datetime, list[int]], at: datetime) -> tuple[int, int]:
    cells = [history.get(at + d * HOUR, [0, 0, 0]) for d in range(-SHARE_SPAN, SHARE_SPAN + 1)]
    return sum(c[0] for c in cells), sum(c[1] for c in cells)


def _share(total: int, negative: int) -> float | None:
    return round(negative / total, 4) if total >= MIN_FOR_SHARE else None


def phases(onset: datetime, last_signal: datetime, now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """The three spans, on whole hours (UTC)."""
    start = floor_hour(onset)
    end = floor_hour(max(last_signal, onset)) + HOUR
    end = min(end, start + MAX_DURING)
    after_end = max(end, min(end + SIDE, floor_hour(now) + HOUR))
    return {"before": (start - SIDE, start), "during": (start, end), "after": (end, after_end)}


def impact(
    session: Session, *, profile_id: str, onset: datetime, last_signal: datetime, now: datetime
) -> dict[str, Any]:
    """`volume` and `sentiment` of the report: per hour and per phase, with the baseline, and the recovery."""
    spans = phases(onset, last_signal, now)
    start, end = spans["before"][0], spans["after"][1]
    history = hourly(session, profile_id, start - BASELINE_WEEKS * timedelta(weeks=1), end + HOUR)
    past_total = past_negative = 0
    for at, cell in history.items():
        if at < start:
            past_total, past_negative = past_total + cell[0], past_negative + cell[1]
    overall = _share(past_total, past_negative)
    hours: list[dict[str, Any]] = []
    at = start
    while at < end:
        phase = next(p for p, (a, b) in spans.items() if a <= at < b)
        weeks = _weeks_before(at)
        pooled_past = [_pooled(history, w) for w in weeks]
        past = (sum(t for t, _ in pooled_past), sum(n for _, n in pooled_past))
        base_share = _share(*past)
        total, negative = history.get(at, [0, 0, 0])[:2]
        hours.append(
            {
                "start": at,
                "phase": phase,
                "comments": total,
                "negative": negative,
                "baseline": round(sum(history.get(w, [0, 0, 0])[0] for w in weeks) / BASELINE_WEEKS, 2),
                "negative_share": _share(*_pooled(history, at)),
                "baseline_share": base_share if base_share is not None else overall,
                "past": past,  # the pooled comments behind its baseline share, for the phase's
            }
        )
        at += HOUR
    counts = _sentiments(session, profile_id, spans)
    volume: dict[str, Any] = {"hours": [_volume_hour(h) for h in hours]}
    sentiment: dict[str, Any] = {"hours": [_sentiment_hour(h) for h in hours], "baseline_share": overall}
    for phase, (a, b) in spans.items():
        inside = [h for h in hours if h["phase"] == phase]
        comments = sum(h["comments"] for h in inside)
        baseline = round(sum(h["baseline"] for h in inside), 1)
        volume[phase] = {
            "start": a,
            "end": b,
            "comments": comments,
            "baseline": baseline,
            "ratio": round(comments / baseline, 2) if baseline else None,
        }
        negative = sum(h["negative"] for h in inside)
        base_share = _share(sum(h["past"][0] for h in inside), sum(h["past"][1] for h in inside))
        sentiment[phase] = {
            "start": a,
            "end": b,
            "negative": negative,
            "negative_share": _share(comments, negative),
            "baseline_share": base_share if base_share is not None else overall,
            "scored": counts[phase],  # customers' comments by their scored sentiment
        }
    recovered = recovery(hours)
    sentiment["recovered_at"] = recovered
    sentiment["recovery_seconds"] = (
        max(0, int((recovered - onset).total_seconds())) if recovered is not None else None
    )
    return {"volume": volume, "sentiment": sentiment}


def _weeks_before(at: datetime) -> list[datetime]:
    return [at - w * timedelta(weeks=1) for w in range(1, BASELINE_WEEKS + 1)]


def recovery(hours: list[dict[str, Any]]) -> datetime | None:
    """The start of the first hour after the worst hour of the crisis whose negative share is back at or
    under its baseline share; None while it is not (or when too few comments tell either way)."""
    during = [h for h in hours if h["phase"] == "during" and h["negative_share"] is not None]
    if not during:
        return None
    worst = max(during, key=lambda h: h["negative_share"])
    for h in hours:
        if h["start"] <= worst["start"] or h["negative_share"] is None or h["baseline_share"] is None:
            continue
        if h["negative_share"] <= h["baseline_share"]:
            return h["start"]
    return None


def _volume_hour(h: dict[str, Any]) -> dict[str, Any]:
    return {k: h[k] for k in ("start", "phase", "comments", "baseline")}


def _sentiment_hour(h: dict[str, Any]) -> dict[str, Any]:
    return {k: h[k] for k in ("start", "phase", "negative", "negative_share", "baseline_share")}


def scored_counts(
    session: Session, profile_id: str, start: datetime, end: datetime, column: Any, *where: Any
) -> dict[str, int]:
    """Customers' scored comments of a profile in [start, end) counted by one score column (the series count
    customers alone too), with any further conditions."""
    rows = session.execute(
        select(column, func.count())
        .join(Comment, Comment.id == CommentScore.comment_id)
        .where(
            Comment.profile_id == profile_id,
            Comment.created_at >= start,
            Comment.created_at < end,
            Comment.author_is_staff.is_(False),
            *where,
        )
        .group_by(column)
    ).all()
    return {key: n for key, n in rows}


def _sentiments(
    session: Session, profile_id: str, spans: dict[str, tuple[datetime, datetime]]
) -> dict[str, dict[str, int]]:
    return {
        phase: {
            **dict.fromkeys(SENTIMENTS, 0),
            **scored_counts(session, profile_id, a, b, CommentScore.sentiment),
        }
        for phase, (a, b) in spans.items()
    }
