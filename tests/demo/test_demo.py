"""`czujka demo --no-serve`: the week goes through the real webhook and its ground truth is kept."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from czujka.cli import app
from czujka.comments.models import Comment, CommentHistory
from czujka.demo.scenario import WARSAW, build_week
from czujka.incidents.models import TimelineEvent
from czujka.web.server import listen
from tests.reports.helpers import agrees_with_timeline

WEEK = datetime(2026, 11, 16, tzinfo=WARSAW)


def test_same_seed_same_week():
    a, b = build_week(3, WEEK), build_week(3, WEEK)
    assert [(c.text, c.at) for c in a.comments] == [(c.text, c.at) for c in b.comments]
    assert [(c.text, c.at) for c in build_week(4, WEEK).comments] != [(c.text, c.at) for c in a.comments]


def test_scenario_has_its_weekend_crisis():
    week = build_week(7, WEEK)
    kinds = {c.kind for c in week.crises}
    assert kinds == {"negative_surge", "harm_surge", "quarrel", "coordinated"}
    friday = next(c for c in week.crises if c.kind == "negative_surge").onset.astimezone(WARSAW)
    assert (friday.strftime("%a"), friday.hour) == ("Fri", 18)
    quarrel = [c for c in week.comments if c.kind == "quarrel"]
    assert any(c.is_staff for c in quarrel) and any(not c.is_staff for c in quarrel)
    assert all(c.parent_id == quarrel[0].platform_id for c in quarrel[1:])
    coordinated = [c for c in week.comments if c.kind == "coordinated"]
    assert len({c.author_id for c in coordinated}) == len(coordinated) >= 10
    assert all(
        c.at >= next(x for x in week.crises if x.kind == "harm_surge").onset
        for c in week.comments
        if c.vulgar
    )
    assert any(c.lang == "en" for c in week.comments)


def test_demo_replays_through_the_webhook(tmp_path):
    """As a newcomer runs it: the default data directory, relative to where they stand (the tests stand in
    tmp_path), and with the port asked for already taken by another program."""
    taken = listen("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        result = CliRunner().invoke(app, ["demo", "--no-serve", "--speed", "0", "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 0, result.output
    assert f"Port {port} jest zajęty" in result.output and "Traceback" not in result.output  # in Polish
    data_dir = tmp_path / "czujka-data" / "demo"
    truth = json.loads((data_dir / "truth.json").read_text(encoding="utf-8"))
    engine = create_engine(f"sqlite:///{data_dir / 'czujka.db'}")
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count(Comment.id)))
        vulgar_stored = conn.scalar(
            select(func.count(Comment.id)).where(Comment.platform_id.in_(truth["vulgar"]))
        )
        staff = conn.scalar(select(func.count(Comment.id)).where(Comment.author_is_staff))
        replies = conn.scalar(select(func.count(Comment.id)).where(Comment.parent_id.is_not(None)))
        history = (
            conn.execute(select(CommentHistory.verb).where(CommentHistory.source != "czujka-moderation"))
            .scalars()
            .all()
        )
        hidden = set(conn.scalars(select(Comment.platform_id).where(Comment.hidden_at.is_not(None))))
        hidden_staff = conn.scalar(
            select(func.count(Comment.id)).where(Comment.hidden_at.is_not(None), Comment.author_is_staff)
        )
    assert stored == len(truth["comments"]) + 1  # and the live comment
    assert vulgar_stored == len(truth["vulgar"]) > 10
    assert staff > 5 and replies > 10
    assert sorted(history) == ["edited", "remove"]
    # The weekend has nobody on duty: every vulgar customer's comment is hidden, and nothing else is.
    assert hidden == set(truth["vulgar"]) and hidden_staff == 0
    assert f"od razu ukryto {len(truth['vulgar'])} z {len(truth['vulgar'])} wulgarnych" in result.output
    with engine.connect() as conn:
        kinds = set(conn.scalars(text("SELECT kind FROM incidents")))
    assert {
        "negative_surge",
        "harm_surge",
        "quarrel",
        "coordinated",
    } <= kinds  # the weekend crises, each an incident
    assert "Podpisanych dostaw od Meta" in result.output and "Bearer czk_" in result.output
    # the live part: the person on duty is paged, nobody answers, the chain goes up, the link acknowledges
    assert "powiadomienie do: Anna Nowak (plik)" in result.output
    assert "powiadomienie do: Katarzyna Wiśniewska" in result.output
    assert "potwierdzone, eskalacja się zatrzymuje" in result.output
    assert (data_dir / "pages" / "ania.jsonl").read_text(encoding="utf-8").count("\n") == 1
    with engine.connect() as conn:
        live = conn.execute(
            text("SELECT state, acknowledged_by FROM incidents WHERE kind = 'red_flag'")
        ).all()
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM escalations GROUP BY status")).all())
        paged = set(
            conn.scalars(
                text("SELECT DISTINCT i.kind FROM notifications n JOIN incidents i ON i.id = n.incident_id")
            )
        )
    assert live == [("acknowledged", "person:kasia")]
    assert statuses["not_paged"] >= 1 and paged == {"red_flag"}  # the replayed week is too old to page
    # the demo leaves its configuration beside its database: every command works on it afterwards
    config = data_dir / "czujka.toml"
    assert f"Konfiguracja demo to {config.relative_to(tmp_path)}" in result.output
    who = CliRunner().invoke(app, ["oncall", "who", "-c", str(config), "--json"])
    assert who.exit_code == 0 and json.loads(who.stdout)[0]["on_duty"] == ["ania"]  # the live override
    listed = CliRunner().invoke(app, ["incidents", "list", "-c", str(config), "--json"])
    assert listed.exit_code == 0 and "red_flag" in listed.stdout
    assert CliRunner().invoke(app, ["check-config", str(config)]).exit_code == 0
    # every incident of the demo has a report, and its figures agree with its timeline
    assert "raporty po kryzysie" in result.output and "czujka report" in result.output
    week = re.search(r"czujka digest --week (\d{4}-W\d{2})", result.output)[1]  # the replayed week's
    with engine.connect() as conn:
        ids = list(conn.scalars(text("SELECT id FROM incidents ORDER BY id")))
    for incident_id in ids:
        made = CliRunner().invoke(app, ["report", str(incident_id), "--format", "json", "-c", str(config)])
        assert made.exit_code == 0, made.output
        with Session(engine) as session:
            events = list(
                session.scalars(
                    select(TimelineEvent)
                    .where(TimelineEvent.incident_id == incident_id)
                    .order_by(TimelineEvent.at, TimelineEvent.id)
                )
            )
        agrees_with_timeline(json.loads(made.stdout), events)
    pdf = CliRunner().invoke(
        app, ["report", str(ids[-1]), "--format", "pdf", "--out", "r.pdf", "-c", str(config)]
    )
    assert pdf.exit_code == 0 and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    digest = CliRunner().invoke(app, ["digest", "--week", week, "--format", "json", "-c", str(config)])
    assert digest.exit_code == 0 and json.loads(digest.stdout)["totals"]["incidents"] == len(ids) - 1
