"""`czujka import` and the generic webhook: good rows stored, bad rows reported, reruns store nothing twice."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import func, select
from typer.testing import CliRunner

from czujka.cli import app
from czujka.comments.models import Comment
from czujka.sources.files import import_text
from czujka.sources.signing import sign
from tests.conftest import GENERIC_SECRET

GOOD = [
    {
        "profile": "opinie",
        "id": "r1",
        "post": "sklep",
        "author": "a1",
        "text": "Świetny sklep",
        "time": "2026-11-20T10:00:00+01:00",
        "rating": 5,
    },
    {
        "profile": "opinie",
        "id": "r2",
        "post": "sklep",
        "author": "a2",
        "text": "Paczka nie doszła",
        "time": "2026-11-20 12:00",
        "rating": 1,
    },
    {
        "profile": "koszyk-fb",
        "id": "c9",
        "post": "p1",
        "parent": "c8",
        "author": "a3",
        "text": "Też czekam",
        "time": 1795000000,
    },
]


def count(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(Comment.id)))


def test_jsonl_bad_rows_reported_good_rows_stored_rerun_idempotent(runtime):
    lines = [json.dumps(r, ensure_ascii=False) for r in GOOD]
    lines.insert(1, "{broken json")
    lines.append(json.dumps({"profile": "nope", "id": "x", "text": "t", "time": "2026-11-20T10:00:00Z"}))
    lines.append(json.dumps({"profile": "opinie", "id": "r3", "text": "t", "time": "wczoraj"}))
    lines.append(
        json.dumps(
            {"profile": "opinie", "id": "r4", "text": "t", "time": "2026-11-20T10:00:00Z", "rating": 9}
        )
    )
    lines.append(json.dumps({"profile": "opinie", "text": "bez id", "time": "2026-11-20T10:00:00Z"}))
    text = "\n".join(lines) + "\n"
    report = import_text(runtime.sessions, text=text, fmt="jsonl", settings=runtime.settings)
    assert report.stored == 3 and count(runtime) == 3
    problems = {(e.line, e.field) for e in report.errors}
    assert problems == {(2, "json"), (5, "profile"), (6, "time"), (7, "rating"), (8, "id")}
    assert all(e.reason for e in report.errors)
    again = import_text(runtime.sessions, text=text, fmt="jsonl", settings=runtime.settings)
    assert again.stored == 0 and count(runtime) == 3
    with runtime.sessions() as session:
        local = session.scalar(select(Comment).where(Comment.platform_id == "r2"))
    assert local.created_at.isoformat() == "2026-11-20T11:00:00+00:00"  # Warsaw time without offset
    assert local.rating == 1


def test_csv_through_the_cli(runtime, tmp_path, monkeypatch):
    path = tmp_path / "opinie.csv"
    path.write_text(
        "profile,id,post,parent,author,text,time,rating\n"
        'opinie,r1,sklep,,a1,"Szybka dostawa, polecam",2026-11-20T10:00:00+01:00,5\n'
        "opinie,r2,sklep,,a2,Nie polecam,,1\n"
        "opinie,r3,sklep,,a3,Ok,2026-11-20T10:00:00+01:00,3,extra\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CZUJKA_DATABASE_URL", runtime.settings.sqlalchemy_url)
    config = tmp_path / "czujka.toml"
    config.write_text(
        '[[profiles]]\nid = "opinie"\nname = "Opinie"\nplatform = "generic"\nplatform_id = "opinie"\n'
    )
    result = CliRunner().invoke(app, ["import", str(path), "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert "line 3: time: missing" in result.output
    assert "line 4: row: 1 more value(s) than columns" in result.output
    assert "1 stored" in result.output
    assert count(runtime) == 1


def test_csv_without_required_columns(runtime):
    report = import_text(runtime.sessions, text="a,b\n1,2\n", fmt="csv", settings=runtime.settings)
    assert [(e.line, e.field) for e in report.errors] == [(1, "header")]


def generic(server, body: bytes, secret: str = GENERIC_SECRET, source: str = "opinie") -> httpx.Response:
    return httpx.post(
        f"{server.url}/webhooks/generic/{source}",
        content=body,
        headers={"X-Czujka-Signature-256": sign(body, secret)},
    )


def test_generic_webhook(server, runtime):
    items = [
        {
            "id": "r1",
            "text": "1 gwiazdka, oszuści",
            "time": "2026-11-29T10:00:00+01:00",
            "rating": 1,
            "author": "n1",
        },
        {"id": "r2", "text": "brak czasu"},
    ]
    body = json.dumps({"comments": items}).encode()
    assert generic(server, body, secret="wrong").status_code == 403
    response = generic(server, body)
    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    assert response.json()["rejected"] == [{"index": 1, "field": "time", "reason": "Field required"}]
    assert generic(server, body).json()["stored"] == 0
    assert generic(server, json.dumps([{"id": "x"}]).encode()).status_code == 422
    assert generic(server, b"nope").status_code == 400
    assert generic(server, body, source="koszyk-fb").status_code == 404  # no webhook_secret there
    other = json.dumps(
        {"profile": "koszyk-fb", "id": "z", "text": "t", "time": "2026-11-29T10:00:00Z"}
    ).encode()
    refused = generic(server, other)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", 0, "profile"]
    assert count(runtime) == 1
