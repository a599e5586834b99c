"""`czujka bench nab`: the product's seasonal surge code on Numenta Anomaly Benchmark series.

For each `DATA/<category>/<file>.csv` (`timestamp,value`) it writes
`OUT/<name>/<category>/<name>_<file>.csv` with the same rows and an `anomaly_score` in [0, 1], computed
causally (each score uses only earlier rows), two-sided.
"""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime
from pathlib import Path

from czujka.detection.detectors.surge import ValueSurge


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def score_file(source: Path, target: Path) -> int:
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
    rows = 0
    for source in files:
        rows += score_file(source, out / name / source.parent.name / f"{name}_{source.name}")
    return {"files": len(files), "rows": rows, "seconds": time.perf_counter() - started}
