"""`czujka bench moderation` runs end to end on 127.0.0.1: every vulgar comment hidden, no clean one (its
seconds are the benchmark's to report, not this test's)."""

from __future__ import annotations

from czujka.bench.moderation import run_moderation_bench


def test_the_bench_hides_every_vulgar_comment_and_no_clean_one():
    result = run_moderation_bench(rate=10, seconds=2)
    assert result["deliveries"] == 20 and result["vulgar"] == 10
    assert result["hidden"] == 10 and result["clean_hidden"] == 0
    assert result["p99_seconds"] >= result["p50_seconds"] > 0
