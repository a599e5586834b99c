"""Scores on stored comments: computed off the ingest path, shown by the feed API, redone after edits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from czujka.analysis.models import CommentScore
from czujka.analysis.scorer import Analyzer, Item
from czujka.analysis.service import unscored
from czujka.auth.service import create_token
from czujka.cli import app
from czujka.demo.deliveries import delivery, fb_comment_change, signed_headers
from czujka.pipeline import Pipeline
from czujka.storage.engine import session_scope
from tests.conftest import APP_SECRET

PAGE = "1122334455"
T0 = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(accurate="never").load()


def send(server, changes) -> None:
    body = delivery("page", PAGE, changes, T0)
    response = httpx.post(
        f"{server.url}/webhooks/meta", content=body, headers=signed_headers(body, APP_SECRET)
    )
    assert response.status_code == 200


def change(cid: str, text: str, verb: str = "add", minutes: int = 0) -> dict:
    return fb_comment_change(
        page_id=PAGE,
        post_id=f"{PAGE}_1",
        comment_id=cid,
        message=text,
        at=T0 + timedelta(minutes=minutes),
        author_id="9",
        author_name="Jan",
        verb=verb,
    )


def test_scores_reach_the_feed_and_follow_edits(server, runtime):
    pipeline = Pipeline(runtime)
    send(
        server,
        [
            change("c1", "Kurwa, gdzie jest moja paczka?! Trzeci dzień czekam na kuriera"),
            change("c2", "Super sklep, wszystko świeże, polecam!"),
            change("c3", "Lepiej zamawiać w Koszyk24"),
        ],
    )
    with runtime.sessions() as session:
        assert unscored(session) == 3
    assert pipeline.score_pending() == 3
    with session_scope(runtime.sessions) as session:
        token = create_token(session, name="v", role="viewer")
    feed = httpx.get(f"{server.url}/api/comments", headers={"Authorization": f"Bearer {token}"}).json()
    scores = {c["platform_id"]: c["score"] for c in feed["items"]}
    assert scores["c1"]["vulgar"] and scores["c1"]["vulgar_words"][0]["word"] == "Kurwa"
    assert scores["c1"]["topic"] == "delivery" and scores["c1"]["sentiment"] == "negative"
    assert scores["c2"]["sentiment"] == "positive" and not scores["c2"]["vulgar"]
    assert scores["c3"]["competitors"] == ["Koszyk24"]
    flagged = httpx.get(
        f"{server.url}/api/comments", params={"vulgar": "true"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert [c["platform_id"] for c in flagged["items"]] == ["c1"]
    send(server, [change("c2", "Zmieniam zdanie: ch#j nie sklep", verb="edited", minutes=5)])
    with runtime.sessions() as session:
        assert unscored(session) == 1
    assert pipeline.score_pending() == 1
    with runtime.sessions() as session:
        edited = session.scalar(select(CommentScore).where(CommentScore.comment_id == 2))
        assert edited.vulgar and edited.vulgar_words[0]["entry"] == "chuj"
        assert session.scalar(select(func.count()).select_from(CommentScore)) == 3


def test_scorer_basics(analyzer):
    calm, angry = analyzer.score(
        [
            Item("Dziękuję, paczka doszła szybko, wszystko super!"),
            Item("Ty debilu, zamknij mordę, złodzieje jebani"),
        ]
    )
    assert calm.sentiment == "positive" and not calm.vulgar and calm.harm < angry.harm
    assert angry.harmful and angry.vulgar and angry.sentiment == "negative"
    assert 0 <= calm.harm <= 1 and calm.harm_tier == "fast"
    assert set(calm.sentiment_probabilities) == {"negative", "neutral", "positive", "mixed"}
    assert calm.model_version == angry.model_version and "vulgar-1" in calm.model_version


def write_jsonl(path, rows) -> str:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def test_eval_interfaces(tmp_path):
    runner = CliRunner()
    harm = write_jsonl(
        tmp_path / "h.jsonl", [{"text": "Ty debilu jebany", "label": 1}, {"text": "Miłego dnia!", "label": 0}]
    )
    result = runner.invoke(app, ["eval", "harm", "--input", harm, "--json", "--tier", "fast"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= {"f1", "precision", "recall", "accuracy", "n", "per_second"}
    vulgar = write_jsonl(
        tmp_path / "v.jsonl", [{"text": "k*rwa", "label": 1}, {"text": "kurtka", "label": 0}]
    )
    result = runner.invoke(app, ["eval", "vulgar", "--input", vulgar, "--json"])
    report = json.loads(result.stdout)
    assert report["f1"] == 100 and report["n"] == 2
    sentiment = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"text": "Fatalna obsługa, nie polecam.", "label": "negative"},
            {"text": "Wspaniały hotel, polecam!", "label": "positive"},
        ],
    )
    result = runner.invoke(app, ["eval", "sentiment", "--input", sentiment, "--json"])
    assert set(json.loads(result.stdout)) >= {"accuracy", "macro_f1", "n", "per_second"}
    bad = write_jsonl(tmp_path / "b.jsonl", [{"text": "x", "label": 1}, {"text": "y", "label": "maybe"}])
    result = runner.invoke(app, ["eval", "harm", "--input", bad])
    assert result.exit_code == 2 and "b.jsonl:2: label" in result.output


def test_score_command():
    result = CliRunner().invoke(app, ["score", "Co za ch#jowa obsługa, oddajcie kasę", "--tier", "fast"])
    assert result.exit_code == 0, result.output
    assert "ch#jowa [6:13] (chuj)" in result.output and "refund" in result.output
