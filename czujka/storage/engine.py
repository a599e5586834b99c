"""Engine and session scope: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

BUSY_SECONDS = 10.0  # how long a writer waits for its turn before "database is locked"
WRITE = "czujka_write"  # execution option: this transaction will write, so take SQLite's write lock first


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cursor.close()
    # czujka, not the driver, begins transactions (see `_sqlite_begin`).
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    """A transaction that will write begins IMMEDIATE: it waits for the write lock up front (busy_timeout)
    instead of reading first and then failing with "database is locked" when another writer committed in
    between, which a deferred transaction cannot wait out. Readers begin deferred and never block.

    Writers of this process first queue on a lock of their own: SQLite's busy handler polls with growing
    sleeps, so among sixteen waiting deliveries some would wait seconds while the lock sat free."""
    if not connection.get_execution_options().get(WRITE):
        connection.exec_driver_sql("BEGIN")
        return
    writers: threading.Lock = connection.engine.dialect.czujka_writers
    if not writers.acquire(timeout=BUSY_SECONDS):  # as long as SQLite itself would wait
        locked = sqlite3.OperationalError(f"database is locked: no write turn within {BUSY_SECONDS:g} s")
        raise OperationalError("BEGIN IMMEDIATE", None, locked)
    connection.info[WRITE] = True
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _sqlite_end(connection)
        raise


def _sqlite_end(connection: Any, *_: Any) -> None:
    if connection.info.pop(WRITE, False):
        connection.engine.dialect.czujka_writers.release()


def _writer_lock_released(engine: Engine) -> Any:
    """A connection handed back to the pool (or thrown away) mid-transaction gives its write turn back too,
    so one broken connection never stalls every writer."""

    def release(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        if record is not None and record.info.pop(WRITE, False):
            engine.dialect.czujka_writers.release()  # type: ignore[attr-defined]

    return release


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened; the message names the path or setting, and what to do."""


KNOWN_URLS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE"


def make_engine(url: str) -> Engine:
    """An engine for `url`; creates the SQLite file's folder so a fresh machine needs no manual step."""
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except ArgumentError:
        raise DatabaseUnavailable(f"database_url is not a database URL: write {KNOWN_URLS}") from None
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"database_url: czujka does not run on {backend!r}; write {KNOWN_URLS}")
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise DatabaseUnavailable(
                    f"data_dir: {folder} is a file, not a folder; point data_dir (CZUJKA_DATA_DIR) at a folder"
                ) from None
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"data_dir: cannot create {folder} ({exc.strerror}); choose a folder this user may write"
                ) from None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        engine.dialect.czujka_writers = threading.Lock()  # type: ignore[attr-defined]
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _sqlite_end)
        event.listen(engine, "rollback", _sqlite_end)
        for moment in ("checkin", "invalidate"):
            event.listen(engine.pool, moment, _writer_lock_released(engine))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def check_database(engine: Engine) -> None:
    """Open a connection and write nothing, or say in one line why not: at start, not at the first
    comment."""
    url = engine.url
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        text = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        if url.get_backend_name() == "sqlite":
            path = Path(url.database or "")
            if "not a database" in text:
                raise DatabaseUnavailable(
                    f"{path} is not a czujka database (nor any SQLite database): move it away, or point "
                    f"data_dir (CZUJKA_DATA_DIR) elsewhere"
                ) from None
            folder = path.parent
            if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
                raise DatabaseUnavailable(
                    f"data_dir: {folder} is read-only for this user; czujka writes its database there: "
                    f"give it write access or point data_dir (CZUJKA_DATA_DIR) at a folder it may write"
                ) from None
            raise DatabaseUnavailable(f"cannot open the SQLite database {path}: {text}") from None
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        raise DatabaseUnavailable(
            f"database_url: cannot reach PostgreSQL at {where} ({text}); is the server running, and are the "
            f"host, port, user and password right?"
        ) from None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session], *, write: bool = False) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back whole when it raises. `write` says it
    will write after reading (an ingest, a claim): on SQLite it then holds the write lock from the start."""
    # The write option rides on the bind, so the transaction still begins only at the first statement: a
    # request can hold its session while another short write (a token's last use) commits before it.
    session = factory(bind=factory.kw["bind"].execution_options(**{WRITE: True})) if write else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
