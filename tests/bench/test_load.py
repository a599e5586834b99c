"""`czujka bench load`, short: a viral post, and a server killed with SIGKILL mid-load, lose nothing."""

from __future__ import annotations

import pytest

from czujka.bench.load import run_load


def test_a_short_viral_load_loses_nothing_and_never_answers_5xx():
    result = run_load(clients=8, seconds=6, comments_per_post=25)
    assert result["acknowledged"] > 50
    assert result["server_errors"] == 0 and result["no_answer"] == 0
    assert result["lost"] == 0 and result["doubled"] == 0 and result["stored"] == result["acknowledged"]


@pytest.mark.postgres
def test_the_same_on_postgresql_with_a_kill_in_the_middle(pg_database):
    result = run_load(clients=8, seconds=12, comments_per_post=25, kill_every=5, database_url=pg_database)
    assert result["kills"] >= 1 and result["acknowledged"] > 50
    assert result["lost"] == 0 and result["doubled"] == 0 and result["stored"] == result["acknowledged"]
