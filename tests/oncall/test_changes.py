"""Shift changes made on the dashboard: used by the escalator at once, approved where the schedule asks,
refused in plain words, and made from the phone's on-call page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from czujka.notifications.models import Notification
from czujka.oncall.changes import Actor, ChangeError, cancel, decide, propose
from czujka.oncall.schedule import who_is_on_duty
from czujka.oncall.service import run_escalations
from czujka.storage.engine import session_scope
from tests.factories import open_incident, runtime_for
from tests.notifications.helpers import oncall_settings
from tests.web.helpers import CSRF, dashboard

ANIA = Actor("ania", "ania", False)
KASIA = Actor("kasia", "kasia", False)


@pytest.fixture
def rota(tmp_path, db_url):
    settings = oncall_settings(tmp_path, db_url, policy_steps=[{"notify": ["schedule:duty"]}])
    with runtime_for(settings) as runtime:
        yield runtime


def on_duty(runtime, at: datetime) -> tuple[str, ...]:
    return who_is_on_duty(runtime.settings.schedule("duty"), at).people


def test_a_change_pages_its_person_at_once_without_a_restart(rota):
    now = datetime.now(UTC)
    before = on_duty(rota, now)
    taker = next(p.id for p in rota.settings.people if (p.id,) != before and p.id != "prezes")
    with session_scope(rota.sessions, write=True) as session:
        change = propose(
            session,
            rota.settings,
            schedule_id="duty",
            person_id=taker,
            start=now - timedelta(minutes=5),
            end=now + timedelta(hours=3),
            note="zamiana z Anią",
            actor=ANIA,
            now=now,
        )
        assert change.state == "active"
    rota.refresh_schedules()
    assert on_duty(rota, now) == (taker,)
    open_incident(rota, score=0.95, at=now)
    run_escalations(rota.sessions, settings=rota.settings, now=now)
    with session_scope(rota.sessions) as session:
        paged = {n.person_id for n in session.scalars(select(Notification))}
    assert paged == {taker}
    with session_scope(rota.sessions, write=True) as session:
        cancel(session, rota.settings, change_id=change.id, actor=ANIA, now=now)
    rota.refresh_schedules()
    assert on_duty(rota, now) == before


def test_a_schedule_that_asks_for_approval_waits_for_its_lead(tmp_path, db_url):
    settings = oncall_settings(tmp_path, db_url, policy_steps=[{"notify": ["schedule:duty"]}])
    settings.schedules[0] = settings.schedules[0].model_copy(update={"approve_changes": ["role:social-lead"]})
    now = datetime.now(UTC)
    with runtime_for(settings) as runtime:
        before = on_duty(runtime, now)
        with session_scope(runtime.sessions, write=True) as session:
            change = propose(
                session,
                runtime.settings,
                schedule_id="duty",
                person_id="tomek",
                start=now,
                end=now + timedelta(hours=2),
                note="",
                actor=ANIA,
                now=now,
            )
            assert change.state == "pending"
            change_id = change.id
        runtime.refresh_schedules()
        assert on_duty(runtime, now + timedelta(minutes=1)) == before  # not in force yet
        with (
            session_scope(runtime.sessions, write=True) as session,
            pytest.raises(ChangeError, match="approvers"),
        ):
            decide(session, runtime.settings, change_id=change_id, approve=True, actor=ANIA, now=now)
        with session_scope(runtime.sessions, write=True) as session:
            decide(session, runtime.settings, change_id=change_id, approve=True, actor=KASIA, now=now)
        runtime.refresh_schedules()
        assert on_duty(runtime, now + timedelta(minutes=1)) == ("tomek",)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"person_id": "nikt"}, "no person"),
        ({"schedule_id": "brak"}, "no schedule"),
        ({"hours": -1}, "end must be after"),
        ({"hours": 24 * 15}, "at most 14 days"),
        ({"start_in_hours": -30}, "for the past"),
    ],
)
def test_bad_changes_are_refused_in_plain_words(rota, change, words):
    now = datetime.now(UTC)
    start = now + timedelta(hours=change.get("start_in_hours", 0))
    with session_scope(rota.sessions, write=True) as session, pytest.raises(ChangeError, match=words):
        propose(
            session,
            rota.settings,
            schedule_id=change.get("schedule_id", "duty"),
            person_id=change.get("person_id", "tomek"),
            start=start,
            end=start + timedelta(hours=change.get("hours", 2)),
            note="",
            actor=ANIA,
            now=now,
        )


def test_the_on_call_page_takes_a_shift_from_the_phone(rota):
    with dashboard(rota) as board:
        client, _ = board.sign_in("ania")
        page = client.get("/oncall")
        assert page.status_code == 200 and 'action="/oncall/changes"' in page.text
        csrf = CSRF.search(page.text)[1]
        now = datetime.now(UTC).astimezone(ZoneInfo(board.runtime.settings.schedule("duty").timezone))
        form = {
            "csrf": csrf,
            "schedule": "duty",
            "person": "tomek",
            "start": now.strftime("%Y-%m-%dT%H:%M"),
            "end": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "note": "Ania u lekarza",
        }
        saved = client.post("/oncall/changes", data=form)
        assert saved.status_code == 303
        shown = client.get("/oncall?saved=1").text
        assert "Tomasz Zieliński" in shown and "obowiązuje" in shown and "Ania u lekarza" in shown
        assert on_duty(board.runtime, datetime.now(UTC) + timedelta(minutes=1)) == ("tomek",)
        backwards = client.post("/oncall/changes", data={**form, "end": form["start"]})
        assert backwards.status_code == 422 and "after the start" in backwards.text
        garbled = client.post("/oncall/changes", data={**form, "start": "jutro"})
        assert garbled.status_code == 422
        viewer, _ = board.sign_in("gosc")
        viewer_page = viewer.get("/oncall").text
        assert 'action="/oncall/changes"' not in viewer_page
        refused = viewer.post("/oncall/changes", data={**form, "csrf": CSRF.search(viewer_page)[1]})
        assert refused.status_code == 403


def test_oncall_who_sees_a_change_made_on_the_dashboard(rota, monkeypatch):
    from typer.testing import CliRunner

    from czujka.cli import app
    from tests.notifications.helpers import ONCALL

    now = datetime.now(UTC)
    with session_scope(rota.sessions, write=True) as session:
        propose(
            session,
            rota.settings,
            schedule_id="duty",
            person_id="tomek",
            start=now - timedelta(minutes=1),
            end=now + timedelta(hours=1),
            note="",
            actor=ANIA,
            now=now,
        )
    monkeypatch.setenv("CZUJKA_DATABASE_URL", rota.settings.sqlalchemy_url)
    answer = CliRunner().invoke(
        app, ["oncall", "who", "--schedule", "duty", "--config", str(ONCALL), "--json"]
    )
    assert answer.exit_code == 0, answer.output
    assert '"on_duty": ["tomek"]' in answer.stdout and '"layer": "override"' in answer.stdout
