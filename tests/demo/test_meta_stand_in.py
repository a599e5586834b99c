"""The demo's stand-in for Meta answers replies as Meta does, through czujka's own Graph client."""

from __future__ import annotations

import json

import httpx
import pytest

from czujka.demo.meta import TOKEN, MetaStandIn
from czujka.sources.graph import GraphClient, GraphError, TokenExpired


def test_replies_are_answered_and_written_down(tmp_path):
    stand_in = MetaStandIn(tmp_path / "replies.jsonl").start()
    try:
        with httpx.Client(timeout=10) as http:
            graph = GraphClient(stand_in.url, "v24.0", TOKEN, http)
            first = graph.post("p1_c1/comments", {"message": "Dzień dobry, odpiszę dziś do 18:00."})
            private = graph.post("p1_c2/private_replies", {"message": "Tu Anna z Zielonego Koszyka."})
            assert first["id"] == "p1_c1_demo1" and private["id"] == "m_demo2"
            assert graph.get("1122334455/posts") == {"data": []}
            with pytest.raises(GraphError):
                graph.post("p1_c1/likes", {"message": "x"})
            with pytest.raises(TokenExpired):
                GraphClient(stand_in.url, "v24.0", "other", http).post("p1_c1/comments", {"message": "x"})
    finally:
        stand_in.stop()
    lines = [json.loads(line) for line in (tmp_path / "replies.jsonl").read_text().splitlines()]
    assert [(x["to"], x["edge"]) for x in lines] == [("p1_c1", "comments"), ("p1_c2", "private_replies")]
