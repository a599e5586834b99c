"""Schema fuzzing: schemathesis sends what the OpenAPI schema allows (and what it does not) to every API
operation of a real server, with an admin token; any 5xx or an answer that breaks the schema fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from czujka.auth.service import create_token
from czujka.storage.engine import session_scope
from tests.factories import open_incident

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


def test_every_api_operation_against_its_schema(server, runtime, tmp_path: Path):
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    with session_scope(runtime.sessions) as session:
        token = create_token(session, name="fuzz", role="admin")
    open_incident(runtime, at=datetime.now(UTC))  # an incident id that exists, beside those that do not
    budget = os.environ.get("CZUJKA_FUZZ_SECONDS", "45")
    run = subprocess.run(
        [
            st,
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            CHECKS,
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "40",
            "--max-time",
            budget,
            "--seed",
            "2026",
            "--generation-database",
            "none",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=int(budget) + 120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
