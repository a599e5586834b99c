"""`czujka import FILE`: JSONL or CSV, one comment a line.

Good rows are stored even when others are bad; each bad row is reported with its line, field and reason.
Rows are stored in chunks, each its own transaction, so a long import that stops half-way keeps what it
had stored, and a rerun stores nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from czujka.comments.events import Batch, CommentEvent
from czujka.comments.service import store
from czujka.config import Settings
from czujka.sources.base import PayloadError, load_json
from czujka.sources.records import RowError, to_event
from czujka.validators import repair

FileFormat = Literal["jsonl", "csv"]
CHUNK_ROWS = 1000
REQUIRED_CSV = ("id", "text", "time")


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    stored: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def detect_format(path: Path, given: str | None = None) -> FileFormat:
    name = (given or path.suffix.lstrip(".")).lower()
    if name in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if name == "csv":
        return "csv"
    raise ValueError(f"{path}: cannot tell the format from {path.suffix!r}; pass --format jsonl or csv")


def read_rows(text: str, fmt: FileFormat) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(line number, row) pairs; a row that cannot be read at all comes as its error."""
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row, _ = load_json(line)
            except PayloadError as exc:
                yield number, RowError(number, "json", str(exc))
                continue
            if not isinstance(row, dict):
                yield number, RowError(number, "json", f"expected an object, got {type(row).__name__}")
                continue
            yield number, row
        return
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield 1, RowError(1, "header", f"not CSV: {exc}")
        return
    missing = [name for name in REQUIRED_CSV if name not in header]
    if missing:
        yield 1, RowError(1, "header", f"missing column(s): {', '.join(missing)}")
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, RowError(reader.line_num, "row", f"not CSV: {exc}")
            return
        extra = row.pop(None, None)  # type: ignore[call-overload]
        if extra:
            yield (
                reader.line_num,
                RowError(reader.line_num, "row", f"{len(extra)} more value(s) than columns"),
            )
            continue
        yield reader.line_num, repair({k: v for k, v in row.items() if v is not None})[0]


def import_text(
    factory: sessionmaker[Session],
    *,
    text: str,
    fmt: FileFormat,
    settings: Settings,
    source: str = "import",
    default_profile: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    pending: list[tuple[int, str, CommentEvent]] = []

    def flush() -> None:
        if not pending:
            return
        body = "\n".join(raw for _, raw, _ in pending).encode()
        batch = Batch(events=[event for _, _, event in pending])
        result = store(factory, source=source, body=body, batch=batch)
        report.stored += result.stored
        report.changed += result.changed
        report.unchanged += result.ignored
        if on_rows:
            on_rows(len(pending))
        pending.clear()

    for number, row in read_rows(text, fmt):
        report.rows += 1
        if isinstance(row, RowError):
            report.errors.append(row)
            continue
        outcome = to_event(
            row, line=number, settings=settings, source=source, default_profile=default_profile
        )
        if isinstance(outcome, list):
            report.errors.extend(outcome)
            continue
        pending.append((number, json.dumps(row, ensure_ascii=False, sort_keys=True), outcome))
        if len(pending) >= CHUNK_ROWS:
            flush()
    flush()
    return report
