"""`czujka bench nab`: the product's seasonal surge code on Numenta Anomaly Benchmark series.

For each `DATA/<category>/<file>.csv` (`timestamp,value`) it writes
`OUT/<name>/<category>/<name>_<file>.csv` with the same rows and an `anomaly_score` in [0, 1], computed
causally (each score uses only earlier rows), two-sided.
"""

from __future__ import annotations

import csv
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from czujka.detection.detectors.value_surge import ValueSurge


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def score_file(source: Path, target: Path) -> int:
    """Each file gets a fresh detector, so files are independent and can be scored in parallel."""
    detector = ValueSurge()
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with (
        source.open(newline="", encoding="utf-8") as inp,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.DictReader(inp)
        writer = csv.writer(out)
        writer.writerow(["timestamp", "value", "anomaly_score"])
        for row in reader:
            detector.update(float(row["value"]), _parse(row["timestamp"]))
            writer.writerow([row["timestamp"], row["value"], f"{detector.score:.6f}"])
            rows += 1
    return rows


def run_nab(data: Path, out: Path, name: str = "czujka") -> dict[str, float]:
    files = sorted(data.glob("*/*.csv"))
    if not files:
        raise FileNotFoundError(f"{data}: no <category>/<file>.csv series found")
    started = time.perf_counter()
    targets = [out / name / source.parent.name / f"{name}_{source.name}" for source in files]
    with ProcessPoolExecutor(max_workers=min(len(files), os.cpu_count() or 1)) as pool:
        rows = sum(pool.map(score_file, files, targets))
    return {"files": len(files), "rows": rows, "seconds": time.perf_counter() - started}
