"""The few statements that differ between SQLite and PostgreSQL, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_ignoring_duplicates(session: Session, model: Any, rows: list[dict[str, Any]], key: str) -> int:
    """INSERT … ON CONFLICT (key) DO NOTHING; returns how many rows were new."""
    if not rows:
        return 0
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=[key])
    # RETURNING counts reliably on both databases (psycopg reports -1 as the rowcount here).
    return len(session.execute(statement.returning(getattr(model, key))).all())


def skip_locked(session: Session, query: Select) -> Select:
    """Row locks that other workers skip (PostgreSQL); SQLite has one writer, guarded by fencing instead."""
    return query.with_for_update(skip_locked=True) if is_postgres(session) else query


def insert_or_update(
    session: Session, model: Any, rows: list[dict[str, Any]], key: str, changes: dict[str, Any]
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE SET `changes` (expressions may read the existing row)."""
    if not rows:
        return
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(rows).on_conflict_do_update(index_elements=[key], set_=changes))
