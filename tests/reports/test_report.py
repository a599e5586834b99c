"""The post-crisis report: its figures agree with the timeline, its JSON keeps the interface other tools call,
its PDF reads as a document, and the team's review is kept with every change on the timeline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from czujka.cli import app
from czujka.incidents.models import TimelineEvent
from czujka.reports.models import ActionItem, IncidentReview
from czujka.storage.engine import session_scope
from tests.notifications.helpers import ONCALL
from tests.reports.helpers import agrees_with_timeline, make_crisis
from tests.web.helpers import csrf_of, dashboard

INTERFACE = (
    "time_to_acknowledge_seconds",
    "time_to_resolve_seconds",
    "timeline",
    "paged",
    "volume",
    "sentiment",
)


def report_json(crisis, monkeypatch, incident_id: int | None = None) -> dict:
    """`czujka report ID --format json`, as other tools call it."""
    settings = crisis.runtime.settings
    monkeypatch.setenv("CZUJKA_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CZUJKA_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(
        app, ["report", str(incident_id or crisis.incident_id), "--format", "json", "-c", str(ONCALL)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def timeline_of(runtime, incident_id: int) -> list[TimelineEvent]:
    with session_scope(runtime.sessions) as session:
        return list(
            session.query(TimelineEvent)
            .filter(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )


def test_the_report_agrees_with_its_timeline(tmp_path, db_url, monkeypatch):
    crisis = make_crisis(tmp_path, db_url)
    try:
        report = report_json(crisis, monkeypatch)
        assert all(key in report for key in INTERFACE)
        agrees_with_timeline(report, timeline_of(crisis.runtime, crisis.incident_id))
        assert report["time_to_acknowledge_seconds"] == (crisis.acknowledged - crisis.opened).total_seconds()
        assert report["time_to_resolve_seconds"] == (crisis.resolved - crisis.opened).total_seconds()
        assert report["time_to_first_reply_seconds"] == (crisis.replied - crisis.opened).total_seconds()
        assert report["time_to_detect_seconds"] == (crisis.opened - crisis.onset).total_seconds() == 20 * 60
        assert [(p["name"], p["status"], p["step"]) for p in report["paged"]] == [("Anna Nowak", "sent", 1)]
        assert report["acknowledged_by_name"] == "Anna Nowak" and report["resolved_by_name"] == "Kasia"
        assert report["replies"][0]["check"] == {"passed": False, "reasons": ["defers"]}
        assert (report["moderation"]["hidden"], report["moderation"]["by_rule"]) == (1, 1)
        assert report["worst_comments"][0]["message"] == "Złodzieje, oddajcie kasę"
        assert report["topics"][0] == {"topic": "delivery", "comments": 4}
        assert all("said" not in e for e in report["timeline"])
        # impact: the day before is usual, the crisis is four times the volume, the mood recovers after it
        volume, sentiment = report["volume"], report["sentiment"]
        assert (volume["before"]["comments"], volume["before"]["baseline"]) == (72, 72)
        assert (volume["during"]["comments"], volume["during"]["baseline"]) == (12, 3)
        assert (sentiment["during"]["negative_share"], sentiment["during"]["baseline_share"]) == (
            round(10 / 12, 4),
            round(1 / 3, 4),
        )
        # the pooled share of the third hour after the onset's is the first back at the usual third
        assert datetime.fromisoformat(sentiment["recovered_at"]) == crisis.hour + timedelta(hours=3)
        assert (
            sentiment["recovery_seconds"] == (crisis.hour + timedelta(hours=3) - crisis.onset).total_seconds()
        )
        assert {h["phase"] for h in volume["hours"]} == {"before", "during", "after"}
        assert sentiment["during"]["negative"] == 10 and sentiment["during"]["negative_share"] > 0.8
    finally:
        crisis.runtime.engine.dispose()


@pytest.mark.sqlite_only
def test_an_open_incident_has_no_time_to_resolve(tmp_path, db_url, monkeypatch):
    crisis = make_crisis(tmp_path, db_url, resolve=False)
    try:
        report = report_json(crisis, monkeypatch)
        assert report["state"] == "acknowledged" and report["time_to_resolve_seconds"] is None
        assert report["resolved"] is None and report["time_to_acknowledge_seconds"] is not None
        missing = CliRunner().invoke(app, ["report", "999", "--format", "json", "-c", str(ONCALL)])
        assert missing.exit_code == 1 and "no incident 999" in missing.output
        no_file = CliRunner().invoke(app, ["report", "1", "--format", "pdf", "-c", str(ONCALL)])
        assert no_file.exit_code == 1 and "--out" in no_file.output
    finally:
        crisis.runtime.engine.dispose()


@pytest.mark.sqlite_only
def test_the_pdf_is_the_page_as_a_document(tmp_path, db_url, monkeypatch):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is missing (apt-get install poppler-utils)")
    crisis = make_crisis(tmp_path, db_url)
    monkeypatch.setenv("CZUJKA_DATABASE_URL", db_url)
    monkeypatch.setenv("CZUJKA_DATA_DIR", str(tmp_path))
    try:
        out = tmp_path / "raport.pdf"
        result = CliRunner().invoke(
            app, ["report", str(crisis.incident_id), "--format", "pdf", "--out", str(out), "-c", str(ONCALL)]
        )
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        text = " ".join(text.split())  # lines wrap where the page is full
        for words in (
            "RAPORT PO KRYZYSIE",
            "#1 fala negatywnych komentarzy",
            "Anna Nowak",
            "Złodzieje, oddajcie kasę",
            "Skutki i powrót do normy",
            "odsyła klienta na później",  # the reply check's verdict on the reply sent
            "Ukryte komentarze: 1",
        ):
            assert words in text, f"{words!r} is not in the PDF"
        assert re.search(r"\b1 ?/ ?\d\b", text), "no page numbers"
        html = CliRunner().invoke(app, ["report", str(crisis.incident_id), "-c", str(ONCALL)])
        assert html.exit_code == 0 and "<svg" in html.stdout and "Raport po kryzysie" in html.stdout
    finally:
        crisis.runtime.engine.dispose()


@pytest.mark.sqlite_only
def test_the_team_writes_its_review_on_the_page(tmp_path, db_url):
    crisis = make_crisis(tmp_path, db_url)
    runtime, incident = crisis.runtime, crisis.incident_id
    try:
        with dashboard(runtime) as board:
            viewer, _ = board.sign_in("gosc")
            page = viewer.get(f"/incidents/{incident}/report")
            assert page.status_code == 200 and "Post-crisis report" in page.text  # gosc reads English
            assert 'id="review-form"' not in page.text
            assert viewer.get(f"/incidents/{incident}/report.pdf").content.startswith(b"%PDF")
            assert viewer.get("/incidents/999/report").status_code == 404
            responder, _ = board.sign_in("ania")
            form = responder.get(f"/incidents/{incident}/report")
            assert 'id="review-form"' in form.text
            csrf = csrf_of(form)
            saved = responder.post(
                f"/incidents/{incident}/report/review",
                data={
                    "csrf": csrf,
                    "what_happened": "Kurier nie odebrał paczek",
                    "went_well": "Szybkie\x00 potwierdzenie",
                },
            )
            assert saved.status_code == 303
            refused = responder.post(
                f"/incidents/{incident}/report/actions",
                data={"csrf": csrf, "text": "Drugi kurier", "owner": "kasia", "due": "jutro"},
            )
            assert refused.status_code == 422 and "due: &#39;jutro&#39; is not a date" in refused.text
            added = responder.post(
                f"/incidents/{incident}/report/actions",
                data={
                    "csrf": csrf,
                    "text": "Drugi kurier na weekendy",
                    "owner": "kasia",
                    "due": "2026-12-18",
                },
            )
            assert added.status_code == 303
            with session_scope(runtime.sessions) as session:
                item = session.query(ActionItem).one()
            done = responder.post(f"/incidents/{incident}/report/actions/{item.id}/done", data={"csrf": csrf})
            assert done.status_code == 303
            forbidden = viewer.post(
                f"/incidents/{incident}/report/review", data={"csrf": csrf, "went_well": "nic"}
            )
            assert forbidden.status_code == 403
            shown = responder.get(f"/incidents/{incident}/report").text
            assert "Kurier nie odebrał paczek" in shown and "Drugi kurier na weekendy" in shown
        with session_scope(runtime.sessions) as session:
            review = session.get(IncidentReview, incident)
            assert (review.went_well, review.to_change, review.updated_by) == (
                "Szybkie potwierdzenie",
                "",
                "user:ania",
            )
            item = session.query(ActionItem).one()
            assert (item.owner, item.due.isoformat(), item.done_by) == ("kasia", "2026-12-18", "user:ania")
        kinds = [e.kind for e in timeline_of(runtime, incident)]
        assert (
            kinds.count("review") == 1 and kinds.count("action_item") == 1 and kinds.count("action_done") == 1
        )
    finally:
        runtime.engine.dispose()
