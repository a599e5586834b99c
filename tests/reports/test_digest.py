"""The weekly digest and its Monday page, and the response figures over 12 weeks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from czujka.cli import app
from czujka.incidents.models import Incident
from czujka.notifications.models import Notification
from czujka.notifications.pipeline import deliver_due
from czujka.reports.digest import parse_week, queue_weekly_digests, week_label, weekly_digest
from czujka.reports.figures import response_figures
from czujka.storage.engine import session_scope
from tests.factories import make_runtime
from tests.notifications.helpers import ONCALL, oncall_settings
from tests.reports.helpers import make_crisis
from tests.web.helpers import dashboard

WARSAW = ZoneInfo("Europe/Warsaw")


@given(st.text(max_size=12))
def test_a_week_is_an_iso_week_or_a_clear_error(text):
    try:
        monday = parse_week(text)
    except ValueError as exc:
        assert str(exc).startswith("week: ") and repr(text) in str(exc)
    else:
        assert monday.weekday() == 0 and week_label(monday) == text.strip()


def test_week_labels():
    assert parse_week("2026-W48") == date(2026, 11, 23) and parse_week("2026-W53") == date(2026, 12, 28)
    with pytest.raises(ValueError, match="does not exist"):
        parse_week("2025-W53")
    with pytest.raises(ValueError, match="not an ISO week such as 2026-W48"):
        parse_week("2026-48")


@pytest.mark.sqlite_only
def test_the_digest_of_a_week(tmp_path, db_url, monkeypatch):
    crisis = make_crisis(tmp_path, db_url)
    runtime = crisis.runtime
    week = crisis.opened.astimezone(WARSAW).date()
    week -= timedelta(days=week.weekday())
    try:
        with session_scope(runtime.sessions) as session:
            made = weekly_digest(session, settings=runtime.settings, week=week)
        fb = next(p for p in made["profiles"] if p["profile_id"] == "koszyk-fb")
        (incident,) = fb["incidents"]
        assert incident["id"] == crisis.incident_id and incident["paged"]
        assert (
            incident["time_to_acknowledge_seconds"] == (crisis.acknowledged - crisis.opened).total_seconds()
        )
        assert fb["replies_sent"] == 1 and fb["waiting_review"] == 1  # the comment the rule hid
        assert fb["topics"][0] == {"topic": "delivery", "comments": 4, "weekly_before": 0.0}
        assert len(fb["weeks"]) == 5 and fb["weeks"][0]["negative_share"] == round(1 / 3, 4)
        assert made["totals"]["incidents"] == 1 and made["totals"]["paged"] == 1
        monkeypatch.setenv("CZUJKA_DATABASE_URL", db_url)
        monkeypatch.setenv("CZUJKA_DATA_DIR", str(tmp_path))
        cli = CliRunner().invoke(
            app, ["digest", "--week", week_label(week), "--format", "json", "-c", str(ONCALL)]
        )
        assert cli.exit_code == 0, cli.output
        assert json.loads(cli.stdout)["totals"]["incidents"] == 1
        html = CliRunner().invoke(app, ["digest", "--week", week_label(week), "-c", str(ONCALL)])
        assert html.exit_code == 0 and "Podsumowanie tygodnia" in html.stdout
        bad = CliRunner().invoke(app, ["digest", "--week", "2026-48", "-c", str(ONCALL)])
        assert bad.exit_code == 1 and "not an ISO week" in bad.output
        unknown = CliRunner().invoke(app, ["digest", "--profile", "nope", "-c", str(ONCALL)])
        assert unknown.exit_code == 1 and "no profile 'nope'" in unknown.output
        with dashboard(runtime) as board:
            viewer, _ = board.sign_in("gosc")
            page = viewer.get(f"/digest?week={week_label(week)}")
            assert (
                page.status_code == 200
                and "Weekly digest" in page.text
                and f"/incidents/{crisis.incident_id}/report" in page.text
            )
            assert viewer.get("/digest?week=2026-99").status_code == 422
            figures = viewer.get("/figures")
            assert figures.status_code == 200 and "acknowledged within 10 minutes" in figures.text
    finally:
        runtime.engine.dispose()


@pytest.mark.sqlite_only
def test_the_monday_page_goes_once_to_digest_to(tmp_path, db_url):
    pages = tmp_path / "digest.jsonl"
    settings = oncall_settings(
        tmp_path, db_url, channels={"kasia": [f"file://{pages}"]}, digest_at="mon 08:00"
    )
    profiles = [p.model_dump() for p in settings.profiles]
    profiles[0]["digest_to"] = ["person:kasia"]
    settings = oncall_settings(
        tmp_path, db_url, channels={"kasia": [f"file://{pages}"]}, digest_at="mon 08:00", profiles=profiles
    )
    runtime = make_runtime(settings)
    monday = datetime(2026, 11, 30, 8, 0, 30, tzinfo=WARSAW)
    try:
        with session_scope(runtime.sessions, write=True) as session:
            assert queue_weekly_digests(session, settings=settings, now=monday - timedelta(minutes=5)) == 0
            assert queue_weekly_digests(session, settings=settings, now=monday) == 1
            assert queue_weekly_digests(session, settings=settings, now=monday + timedelta(minutes=1)) == 0
            assert queue_weekly_digests(session, settings=settings, now=monday + timedelta(hours=2)) == 0
            (page,) = session.query(Notification).all()
            assert (page.purpose, page.person_id, page.payload["week"]) == ("digest", "kasia", "2026-W48")
        assert deliver_due(runtime.sessions, settings=settings) == ["sent"]
        sent = json.loads(pages.read_text(encoding="utf-8").splitlines()[0])
        assert "Podsumowanie tygodnia · Zielony Koszyk (Facebook) · 2026-W48" in sent["title"]
        assert "/digest?week=2026-W48&profile=koszyk-fb" in sent["body"]
    finally:
        runtime.engine.dispose()


@pytest.mark.sqlite_only
def test_figures_compare_weekends_with_weekdays(tmp_path, db_url):
    runtime = make_runtime(oncall_settings(tmp_path, db_url))
    now = datetime(2026, 12, 6, 20, 0, tzinfo=WARSAW)  # a Sunday
    saturday, wednesday = (
        datetime(2026, 12, 5, 22, 0, tzinfo=WARSAW),
        datetime(2026, 12, 2, 10, 0, tzinfo=WARSAW),
    )
    holiday = datetime(2026, 11, 11, 12, 0, tzinfo=WARSAW)  # Independence Day, a Wednesday: a weekend
    cases = [  # opened, minutes to acknowledge (None: never), paged
        (saturday, 25, True),
        (saturday + timedelta(hours=1), 4, True),
        (holiday, None, True),
        (wednesday, 3, True),
        (wednesday + timedelta(hours=2), 9, True),
        (wednesday + timedelta(hours=3), None, False),  # never paged: says nothing of the team
    ]
    try:
        with session_scope(runtime.sessions, write=True) as session:
            for n, (opened, minutes, paged) in enumerate(cases):
                acked = opened + timedelta(minutes=minutes) if minutes is not None else None
                incident = Incident(
                    profile_id="koszyk-fb",
                    kind="quarrel" if n % 2 else "negative_surge",
                    dedup_key=f"k{n}",
                    state="resolved",
                    severity=2,
                    title="t",
                    opened_at=opened,
                    last_signal_at=opened,
                    acknowledged_at=acked,
                    resolved_at=opened + timedelta(hours=1),
                )
                session.add(incident)
                session.flush()
                if paged:
                    session.add(
                        Notification(
                            incident_id=incident.id,
                            dedup_key=f"n{n}",
                            page_key=f"n{n}",
                            person_id="ania",
                            channel="json",
                            channel_number=0,
                            step=0,
                            round=0,
                            via="test",
                            urgency="high",
                            status="sent",
                            send_after=opened,
                            sent_at=opened,
                        )
                    )
        with session_scope(runtime.sessions) as session:
            made = response_figures(session, settings=runtime.settings, now=now.astimezone(UTC))
        assert made["weekend"] == {
            "incidents": 3,
            "paged": 3,
            "acknowledged_in_goal": 1,
            "share": round(1 / 3, 4),
        }
        assert made["weekday"] == {"incidents": 3, "paged": 2, "acknowledged_in_goal": 2, "share": 1.0}
        assert len(made["weeks"]) == 12 and made["weeks"][-1]["week"] == "2026-W49"
        this_week = made["weeks"][-1]
        assert this_week["incidents"] == 5 and this_week["median_tta_seconds"] == 6.5 * 60
        assert this_week["median_ttr_seconds"] == 3600
        assert set(this_week["kinds"]) == {"quarrel", "negative_surge"}
        assert made["weeks"][-4]["incidents"] == 1  # the holiday's week, 2026-W46
        # the paged ones missing the goal, newest first, to open: Saturday's 25 minutes and the holiday's never
        assert [(r["tta"], r["weekend"]) for r in made["slow"]] == [(25 * 60, True), (None, True)]
        with dashboard(runtime) as board:
            page = board.sign_in("gosc")[0].get("/figures")
        assert page.status_code == 200 and 'id="slow"' in page.text and "never acknowledged" in page.text
    finally:
        runtime.engine.dispose()
