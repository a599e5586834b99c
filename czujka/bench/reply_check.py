"""`czujka bench reply-check`: how long one draft takes to check, as the dashboard checks it on every pause
in typing (one draft at a time, the model already loaded)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from czujka.playbooks.check_model import REPLIES, read_labelled
from czujka.playbooks.reply_check import ReplyChecker

BUDGET_MS = 20.0


def run_reply_check_bench(drafts: int = 2000) -> dict[str, Any]:
    texts = [r.text for r in read_labelled(REPLIES)]
    checker = ReplyChecker()
    started = time.perf_counter()
    checker.warm()
    load_ms = (time.perf_counter() - started) * 1000
    timings = []
    for i in range(drafts):
        text = texts[i % len(texts)]
        started = time.perf_counter()
        checker.check(text, staff_public_replies=i % 3)
        timings.append((time.perf_counter() - started) * 1000)
    p50, p95, p99 = np.percentile(timings, [50, 95, 99])
    return {
        "drafts": drafts,
        "load_ms": round(load_ms, 1),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "p99_ms": round(float(p99), 2),
        "max_ms": round(max(timings), 2),
        "budget_ms": BUDGET_MS,
        "within_budget": float(p99) <= BUDGET_MS,
    }
