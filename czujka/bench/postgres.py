"""A fresh PostgreSQL database for one run of a benchmark or a test, dropped afterwards."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def fresh_postgres(admin_url: str, prefix: str = "czujka") -> Iterator[str]:
    """`admin_url` names a server where the user may create databases; yields the new database's URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))  # template1 may be busy
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        for attempt in range(3):  # a process of the run may still be closing its connections
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                break
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.5)
        admin.dispose()
