"""Real `czujka worker` processes on PostgreSQL: the same results as one process, and SIGKILLs under load
without a comment lost or counted twice (short runs of `czujka bench scale`)."""

from __future__ import annotations

import os

import pytest

from czujka.bench.scale import run_load, run_same
from tests.conftest import PG_ENV

pytestmark = pytest.mark.postgres


def admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (a URL of a server where the user may create databases)")
    return url


def test_three_workers_give_what_one_process_gives(tmp_path):
    result = run_same(admin_url=admin_url(), folder=tmp_path, profiles=10, comments=800, workers=[3], seed=5)
    reference, *workers = result["runs"]
    assert reference["incidents"] > 0 and reference["signals"] > 0  # the stream has crises to find
    for run in workers:
        assert all(run["same"].values()), (run["workers"], run["differences"])


def test_sigkill_every_few_seconds_loses_nothing_counts_nothing_twice_and_moves_the_profiles(tmp_path):
    lease = 3
    result = run_load(
        admin_url=admin_url(),
        folder=tmp_path,
        profiles=12,
        rate=25,
        seconds=24,
        workers=3,
        kill_every=6,
        lease=lease,
    )
    log = (tmp_path / "kill-3" / "workers.log").read_text(errors="replace")[-3000:]
    assert result["kills"] >= 2, result
    assert result["sent"] > 400 and result["comments"] == result["sent"]
    assert result["lost"] == 0 and result["counted_twice"] == 0 and result["not_counted"] == 0, log
    assert result["incidents"] > 0 and result["incidents_doubled"] == 0, log
    # the killed worker's profiles have a new owner soon after its lease runs out (one ownership round)
    assert result["takeover_after_expiry_seconds_max"] <= 3, result
