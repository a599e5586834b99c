"""Paging across real processes: SIGKILL mid-escalation and a restart, and two workers on one PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from czujka.config import load_settings
from czujka.notifications.models import Notification
from czujka.notifications.receiver import LocalReceiver
from czujka.oncall.models import Escalation
from czujka.runtime import build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.migrate import upgrade
from tests.factories import open_incident
from tests.notifications.helpers import free_port


def write_config(path: Path, *, db_url: str, receiver: LocalReceiver, port: int, first_wait: float) -> Path:
    path.write_text(
        f'''
[service]
database_url = "{db_url}"
data_dir = "{path.parent}"
port = {port}
public_url = "http://127.0.0.1:{port}"
notify_retry_seconds = 0.2

[[profiles]]
id = "koszyk-fb"
name = "Zielony Koszyk"
platform = "generic"
platform_id = "koszyk"

[[people]]
id = "ania"
name = "Anna"
channels = ["json://{receiver.url}/ania"]

[[people]]
id = "kasia"
name = "Kasia"
channels = ["json://{receiver.url}/kasia"]

[[escalation_policies]]
id = "default"
steps = [{{ notify = ["person:ania"], wait_minutes = {first_wait} }}, {{ notify = ["person:kasia"] }}]
''',
        encoding="utf-8",
    )
    return path


def czujka(*args: str, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CZUJKA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "czujka", *args], stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env
    )


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "czujka serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("czujka serve did not become healthy")


def test_sigkill_mid_escalation_then_restart_pages_the_next_step_once_and_on_time(tmp_path):
    receiver = LocalReceiver().start()
    port = free_port()
    db_url = f"sqlite:///{tmp_path / 'czujka.db'}"
    config = write_config(
        tmp_path / "czujka.toml", db_url=db_url, receiver=receiver, port=port, first_wait=0.15
    )
    settings = load_settings(config)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    runtime.sync_profiles()
    log = tmp_path / "serve.log"
    first = czujka("serve", "--config", str(config), "--no-poll", log=log)
    try:
        wait_healthy(port, first)
        incident_id = open_incident(runtime, at=datetime.now(UTC))
        assert [r.path for r in receiver.wait_for(1, timeout=20)] == ["/ania"]
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        with session_scope(runtime.sessions) as session:
            escalation = session.get(Escalation, incident_id)
            due, status = escalation.next_step_at, escalation.status
        assert status == "active" and due > datetime.now(UTC)  # killed between step 1 and step 2
        second = czujka("serve", "--config", str(config), "--no-poll", log=log)
        try:
            wait_healthy(port, second)
            restarted = datetime.now(UTC)
            got = receiver.wait_for(2, timeout=30)
            time.sleep(2)  # room for a duplicate to show up, if there were one
            assert [r.path for r in receiver.requests] == ["/ania", "/kasia"], log.read_text()[-3000:]
            with session_scope(runtime.sessions) as session:
                kasia = session.scalar(select(Notification).where(Notification.person_id == "kasia"))
            # on time: not before it was due, and within a few seconds of due (or of the restart, if later)
            assert kasia.handed_at >= due
            assert kasia.handed_at <= max(due, restarted) + timedelta(seconds=5)
            assert len(got) == 2
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
    finally:
        if first.poll() is None:
            first.kill()
        receiver.stop()


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_a_step_twice(tmp_path, pg_database):
    receiver = LocalReceiver().start()
    config = write_config(
        tmp_path / "czujka.toml", db_url=pg_database, receiver=receiver, port=free_port(), first_wait=0.02
    )
    settings = load_settings(config)
    runtime = build_runtime(settings)
    upgrade(runtime.engine)
    runtime.sync_profiles()
    log = tmp_path / "workers.log"
    workers = [
        czujka("worker", "--config", str(config), "--no-score", "--no-poll", log=log) for _ in range(2)
    ]
    try:
        time.sleep(3)  # both workers up and polling
        now = datetime.now(UTC)
        ids = [open_incident(runtime, at=now, key=f"koszyk-fb:negative_surge:{i}") for i in range(25)]
        receiver.wait_for(50, timeout=60)
        time.sleep(3)
        pages = [(r.json()["title"], r.path) for r in receiver.requests]
        assert len(pages) == 50, log.read_text()[-3000:]
        with session_scope(runtime.sessions) as session:
            rows = session.execute(
                select(Notification.incident_id, Notification.person_id, Notification.status)
            ).all()
        assert sorted((i, p) for i, p, _ in rows) == sorted((i, p) for i in ids for p in ("ania", "kasia"))
        assert {s for _, _, s in rows} == {"sent"}
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
        runtime.engine.dispose()
        receiver.stop()
