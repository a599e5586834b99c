"""Factories and real components: a fresh SQLite file or PostgreSQL database per test, a real HTTP server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from czujka.app import build_app
from czujka.bench.postgres import fresh_postgres
from czujka.config import Settings, load_settings
from czujka.runtime import Runtime
from czujka.web.server import BackgroundServer, start_in_thread
from tests.factories import runtime_for

PG_ENV = "CZUJKA_TEST_POSTGRES_URL"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
GENERIC_SECRET = "opinie-secret"

PROFILES: list[dict[str, Any]] = [
    {
        "id": "koszyk-fb",
        "name": "Zielony Koszyk",
        "platform": "facebook",
        "platform_id": "1122334455",
        "access_token": "fb-token",
        "competitors": ["Koszyk24"],
    },
    {
        "id": "koszyk-ig",
        "name": "Zielony Koszyk IG",
        "platform": "instagram",
        "platform_id": "17841400000000",
        "username": "zielonykoszyk",
        "access_token": "ig-token",
    },
    {
        "id": "opinie",
        "name": "Opinie",
        "platform": "generic",
        "platform_id": "opinie",
        "webhook_secret": GENERIC_SECRET,
    },
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        databases: list[Any] = ["sqlite"]
        if metafunc.definition.get_closest_marker("sqlite_only") is None:
            databases.append(pytest.param("postgres", marks=pytest.mark.postgres))
        metafunc.parametrize("db_url", databases, indirect=True)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; skips when no server is configured."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (a URL of a server where the user may create databases)")
    with fresh_postgres(admin_url, prefix="czujka_test") as url:
        yield url


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'czujka.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def pg_database() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def make_settings(tmp_path: Path, db_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": db_url or f"sqlite:///{tmp_path / 'czujka.db'}",
        "meta_app_secret": APP_SECRET,
        "meta_verify_token": VERIFY_TOKEN,
        "profiles": PROFILES,
    }
    values.update(overrides)
    return load_settings(None, **values)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    with runtime_for(settings) as rt:
        yield rt


@pytest.fixture
def server(runtime: Runtime) -> Iterator[BackgroundServer]:
    """The real app on a real socket on 127.0.0.1."""
    background = start_in_thread(build_app(runtime.settings, runtime))
    yield background
    background.stop()


@pytest.fixture(autouse=True)
def _no_stray_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's own czujka.toml, .env or CZUJKA_* variables."""
    for key in list(os.environ):
        if key.startswith("CZUJKA_") and key != PG_ENV:
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo week replayed once per test run into a database that each browser test copies."""
    import io

    from rich.console import Console

    from czujka.demo.run import run_demo

    data_dir = tmp_path_factory.mktemp("demo")
    run_demo(
        console=Console(file=io.StringIO()),
        seed=7,
        speed=0,
        data_dir=data_dir,
        port=0,
        keep_serving=False,
        live=False,
    )
    return data_dir / "czujka.db"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, through Playwright) for every browser test of the run."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium_path = os.environ.get("CZUJKA_TEST_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium_path).exists():
        pytest.skip(f"no Chromium at {chromium_path} (apt-get install chromium, or set CZUJKA_TEST_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()
