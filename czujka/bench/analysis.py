"""`czujka bench analysis`: comments per second of each tier, on one core and on all cores, and memory.

Texts are the demo week's comments (realistic Polish and English shop comments). Each measurement runs
in fresh worker processes limited to one math thread each, so "one core" means one core.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from typing import Any

from rich.console import Console

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _texts(n: int) -> list[str]:
    from czujka.demo.scenario import build_week

    pool = [c.text for c in build_week(7).comments]
    return [pool[i % len(pool)] for i in range(n)]


def _work(args: tuple[list[str], str]) -> tuple[int, float]:
    from czujka.analysis.scorer import Analyzer, Item

    texts, mode = args
    analyzer = Analyzer(accurate=mode).load()  # type: ignore[arg-type]
    analyzer.score([Item(t) for t in texts[:32]])  # warm caches and the e5 model
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        analyzer.score([Item(t) for t in texts[start : start + 256]])
    return len(texts), time.perf_counter() - started


def _rate(texts: list[str], mode: str, processes: int) -> float:
    chunks = [texts[i::processes] for i in range(processes)]
    with mp.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_work, [(chunk, mode) for chunk in chunks])
    return sum(n for n, _ in results) / max(seconds for _, seconds in results)


def _memory() -> float:
    """Peak resident memory (MB) of a process holding the web app and both tiers, after scoring."""
    from czujka.analysis.scorer import Analyzer, Item
    from czujka.app import build_app
    from czujka.config import load_settings

    settings = load_settings(database_url="sqlite://")
    build_app(settings)
    Analyzer(accurate="always").load().score([Item(t) for t in _texts(64)])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memory_in_child(queue: Any) -> None:
    queue.put(_memory())


def run_analysis_bench(*, comments: int, console: Console) -> dict[str, Any]:
    os.environ.update(SINGLE_THREAD)
    cores = os.cpu_count() or 1
    rows = []
    plan = [("fast", "never", comments), ("accurate", "always", max(64, comments // 40))]
    for tier, mode, n in plan:
        texts = _texts(n)
        for processes in sorted({1, cores}):
            console.print(f"measuring the {tier} tier on {processes} core(s) with {n} comments …")
            rows.append(
                {"tier": tier, "cores": processes, "comments": n, "per_second": _rate(texts, mode, processes)}
            )
    queue: Any = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=_memory_in_child, args=(queue,))
    child.start()
    rss = queue.get(timeout=300)
    child.join()
    return {"rows": rows, "rss_mb": rss}
