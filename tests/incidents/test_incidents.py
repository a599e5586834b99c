"""Incidents: grouping by dedup key, lifecycle with a timeline, silences, auto-resolve, API and CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from czujka.auth.service import create_token
from czujka.cli import app
from czujka.detection.signals import SignalIn
from czujka.incidents import flows
from czujka.incidents.models import Signal, Silence
from czujka.storage.engine import session_scope
from tests.factories import make_signal

T0 = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)


def signal(kind="negative_surge", score=0.6, at=T0, evidence=(), key=None) -> SignalIn:
    return make_signal(kind, score=score, at=at, evidence=evidence, key=key)


def test_signals_group_into_one_incident_and_raise_severity(runtime):
    with session_scope(runtime.sessions) as session:
        first = flows.open_or_attach(session, signal=signal(score=0.6))
        second = flows.open_or_attach(session, signal=signal(score=0.95, at=T0 + timedelta(minutes=10)))
        other = flows.open_or_attach(session, signal=signal(kind="quarrel", key="koszyk-fb:quarrel:7"))
        assert first.id == second.id != other.id
        assert second.severity == 3 and second.last_signal_at == T0 + timedelta(minutes=10)
        kinds = [e["kind"] for e in _timeline(session, first.id)]
    assert kinds == ["opened", "signal", "severity"]


def _timeline(session, incident_id):
    from czujka.incidents.service import get_incident

    return get_incident(session, incident_id)["timeline"]


def test_lifecycle_and_wrong_transitions(runtime):
    with session_scope(runtime.sessions) as session:
        incident = flows.open_or_attach(session, signal=signal())
        flows.acknowledge(session, incident_id=incident.id, actor="ania", at=T0 + timedelta(minutes=3))
        with pytest.raises(flows.FlowError, match="only a triggered incident"):
            flows.acknowledge(session, incident_id=incident.id, actor="kasia", at=T0)
        flows.note(
            session,
            incident_id=incident.id,
            actor="ania",
            at=T0 + timedelta(minutes=4),
            text="dzwonię do kuriera",
        )
        flows.resolve(
            session, incident_id=incident.id, actor="ania", at=T0 + timedelta(hours=1), reason="kurier jeździ"
        )
        with pytest.raises(flows.FlowError, match="resolved already"):
            flows.resolve(session, incident_id=incident.id, actor="ania", at=T0)
        events = _timeline(session, incident.id)
        assert [(e["kind"], e["actor"]) for e in events] == [
            ("opened", "detector:negative_surge"),
            ("acknowledged", "ania"),
            ("note", "ania"),
            ("resolved", "ania"),
        ]
        again = flows.open_or_attach(session, signal=signal(at=T0 + timedelta(hours=2)))
        assert again.id != incident.id  # a new crisis after the old one was resolved is a new incident


def test_silence_mutes_matching_signals_but_keeps_them(runtime):
    with session_scope(runtime.sessions) as session:
        session.add(
            Silence(
                profile_id="koszyk-fb",
                kind="volume_surge",
                starts_at=T0,
                ends_at=T0 + timedelta(hours=2),
                reason="kampania reklamowa",
                author="marek",
            )
        )
        session.flush()
        assert (
            flows.open_or_attach(session, signal=signal(kind="volume_surge", at=T0 + timedelta(minutes=5)))
            is None
        )
        assert flows.open_or_attach(session, signal=signal(kind="negative_surge")) is not None
        assert (
            flows.open_or_attach(session, signal=signal(kind="volume_surge", at=T0 + timedelta(hours=3)))
            is not None
        )
        muted = session.scalars(select(Signal).where(Signal.muted_by.is_not(None))).all()
        assert len(muted) == 1 and muted[0].incident_id is None


def test_auto_resolve_after_quiet(runtime):
    with session_scope(runtime.sessions) as session:
        incident = flows.open_or_attach(session, signal=signal())
        assert flows.auto_resolve(session, now=T0 + timedelta(hours=1), quiet=timedelta(hours=3)) == []
        assert flows.auto_resolve(session, now=T0 + timedelta(hours=4), quiet=timedelta(hours=3)) == [
            incident.id
        ]
        assert incident.state == "resolved" and incident.resolved_by == "czujka"


def test_api_and_roles(server, runtime):
    with session_scope(runtime.sessions) as session:
        viewer = create_token(session, name="v", role="viewer")
        responder = create_token(session, name="r", role="responder")
        incident_id = flows.open_or_attach(session, signal=signal()).id
    url = f"{server.url}/api/incidents"
    listed = httpx.get(url, params={"state": "open"}, headers={"Authorization": f"Bearer {viewer}"}).json()
    assert [i["id"] for i in listed] == [incident_id]
    assert (
        httpx.post(
            f"{url}/{incident_id}/acknowledge", headers={"Authorization": f"Bearer {viewer}"}
        ).status_code
        == 403
    )
    acked = httpx.post(
        f"{url}/{incident_id}/acknowledge",
        json={"reason": "biorę to"},
        headers={"Authorization": f"Bearer {responder}"},
    )
    assert acked.status_code == 200 and acked.json()["state"] == "acknowledged"
    assert (
        acked.json()["timeline"][-1]["message"] == "biorę to" and acked.json()["acknowledged_by"] == "token:r"
    )
    again = httpx.post(f"{url}/{incident_id}/acknowledge", headers={"Authorization": f"Bearer {responder}"})
    assert again.status_code == 409
    assert httpx.get(f"{url}/999", headers={"Authorization": f"Bearer {viewer}"}).status_code == 404
    done = httpx.post(f"{url}/{incident_id}/resolve", headers={"Authorization": f"Bearer {responder}"}).json()
    assert done["state"] == "resolved"


def test_api_notes_and_silence(server, runtime):
    with session_scope(runtime.sessions) as session:
        viewer = create_token(session, name="v", role="viewer")
        responder = create_token(session, name="r", role="responder")
        incident_id = flows.open_or_attach(session, signal=signal()).id
    url = f"{server.url}/api/incidents/{incident_id}"
    as_viewer = {"Authorization": f"Bearer {viewer}"}
    as_responder = {"Authorization": f"Bearer {responder}"}
    assert httpx.post(f"{url}/notes", json={"text": "x"}, headers=as_viewer).status_code == 403
    assert httpx.post(f"{url}/notes", json={"text": ""}, headers=as_responder).status_code == 422
    noted = httpx.post(f"{url}/notes", json={"text": "dzwonię do kuriera"}, headers=as_responder).json()
    assert (
        noted["timeline"][-1]["kind"] == "note" and noted["timeline"][-1]["message"] == "dzwonię do kuriera"
    )
    bad = httpx.post(f"{url}/silence", json={"hours": -1, "reason": "x"}, headers=as_responder)
    assert bad.status_code == 422 and "hours" in bad.text
    silenced = httpx.post(f"{url}/silence", json={"hours": 2, "reason": "znana awaria"}, headers=as_responder)
    assert silenced.status_code == 200 and silenced.json()["state"] == "silenced"
    assert "znana awaria" in silenced.json()["timeline"][-1]["message"]
    again = httpx.post(f"{url}/silence", json={"hours": 2, "reason": "x"}, headers=as_responder)
    assert again.status_code == 409
    with session_scope(runtime.sessions) as session:
        # the same kind on the same profile within the silence is muted
        assert (
            flows.open_or_attach(session, signal=signal(at=datetime.now(UTC) + timedelta(minutes=5))) is None
        )


def test_cli(runtime, monkeypatch):
    monkeypatch.setenv("CZUJKA_DATABASE_URL", runtime.settings.sqlalchemy_url)
    with session_scope(runtime.sessions) as session:
        incident_id = flows.open_or_attach(session, signal=signal()).id
    runner = CliRunner()
    listed = runner.invoke(app, ["incidents", "list"])
    assert listed.exit_code == 0 and f"#{incident_id}" in listed.output
    acked = runner.invoke(
        app, ["incidents", "ack", str(incident_id), "--actor", "ania", "--reason", "dzwonię"]
    )
    assert acked.exit_code == 0 and "potwierdzony" in acked.output
    assert runner.invoke(app, ["incidents", "ack", str(incident_id)]).exit_code == 1
    shown = runner.invoke(app, ["incidents", "show", str(incident_id)])
    assert "potwierdzony" in shown.output and "ania" in shown.output and "dzwonię" in shown.output
    assert runner.invoke(app, ["incidents", "show", "999"]).exit_code == 1
    noted = runner.invoke(
        app, ["incidents", "note", str(incident_id), "kurier potwierdził", "--actor", "ania"]
    )
    assert noted.exit_code == 0, noted.output
    assert runner.invoke(app, ["incidents", "note", str(incident_id), " "]).exit_code == 2
    assert "kurier potwierdził" in runner.invoke(app, ["incidents", "show", str(incident_id)]).output
    assert runner.invoke(app, ["incidents", "resolve", str(incident_id)]).exit_code == 0
