"""Pages through real receivers on 127.0.0.1: SMTP, an HTTP JSON receiver and a Web Push endpoint; fallbacks,
dedup, the one-tap acknowledge link, and re-paging on a more severe signal."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from czujka.app import build_app
from czujka.config import ConfigError
from czujka.incidents import flows
from czujka.incidents.models import Incident, TimelineEvent
from czujka.notifications.ack import create_link
from czujka.notifications.channels import Page, file_target, send
from czujka.notifications.models import Notification
from czujka.notifications.pipeline import deliver_due
from czujka.notifications.push import PushSender, subscribe
from czujka.notifications.receiver import LocalReceiver
from czujka.oncall.models import Escalation
from czujka.oncall.service import run_escalations
from czujka.storage.engine import session_scope
from czujka.web.server import start_in_thread
from tests.factories import make_runtime, open_incident
from tests.notifications.helpers import free_port, oncall_settings


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.url = f"mailto://127.0.0.1:{controller.port}?from=czujka@sklep.pl&to=kasia@sklep.pl&mode=insecure"
    yield box
    controller.stop()


@pytest.fixture
def receiver():
    r = LocalReceiver().start()
    yield r
    r.stop()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def drain(runtime, *, rounds: int = 20) -> list[str]:
    """Run the sender's stages synchronously until nothing is due."""
    push = PushSender(runtime.settings, runtime.sessions)
    results = []
    for _ in range(rounds):
        done = deliver_due(runtime.sessions, settings=runtime.settings, push=push.for_person)
        if not done:
            break
        results += done
    return results


def timeline(runtime, incident_id):
    with session_scope(runtime.sessions) as session:
        return [
            (e.kind, e.message)
            for e in session.scalars(
                select(TimelineEvent)
                .where(TimelineEvent.incident_id == incident_id)
                .order_by(TimelineEvent.id)
            )
        ]


def test_pages_reach_smtp_json_and_web_push(tmp_path, db_url, smtp, receiver):
    settings = oncall_settings(
        tmp_path,
        db_url,
        channels={"ania": [f"json://{receiver.url}/ania"], "kasia": [smtp.url], "tomek": ["webpush"]},
        policy_steps=[{"notify": ["person:ania", "person:kasia", "person:tomek"]}],
    )
    runtime = make_runtime(settings)
    # a browser's push subscription: its own P-256 key pair and auth secret
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    public = browser_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    with session_scope(runtime.sessions) as session:
        subscribe(
            session,
            person_id="tomek",
            subscription={
                "endpoint": f"http://{receiver.url}/push/tomek-phone",
                "keys": {"p256dh": _b64(public), "auth": _b64(auth)},
            },
        )
    now = datetime.now(UTC)
    incident_id = open_incident(runtime, at=now)
    assert run_escalations(runtime.sessions, settings=settings, now=now) == 3
    assert (
        run_escalations(runtime.sessions, settings=settings, now=now) == 0
    )  # a second round pages nobody again
    assert sorted(drain(runtime)) == ["sent", "sent", "sent"]

    posts = {r.path: r for r in receiver.wait_for(2)}
    page = posts["/ania"].json()
    assert "fala negatywnych komentarzy" in page["title"] and "Zielony Koszyk" in page["title"]
    assert f"#{incident_id}" in page["message"]
    # Every page links the incident's playbook: what to do next, in the person's language.
    assert (
        f"Co robić (Fala negatywnych opinii): {settings.public_url}/incidents/{incident_id}#playbook"
        in page["message"]
    )
    assert len(smtp.messages) == 1 and smtp.messages[0][1] == ["kasia@sklep.pl"]

    import http_ece

    push = posts["/push/tomek-phone"]
    assert push.headers["content-encoding"] == "aes128gcm" and push.headers["authorization"].startswith(
        "vapid "
    )
    clear = json.loads(
        http_ece.decrypt(push.body, private_key=browser_key, auth_secret=auth, version="aes128gcm")
    )
    assert clear["incident"] == incident_id and "negative comments are surging" in clear["title"]  # tomek: en

    events = timeline(runtime, incident_id)
    assert [k for k, _ in events].count("page") == 3
    assert any(m.startswith("paged ") and "by e-mail (step 1)" in m for k, m in events if k == "page")


def test_a_failing_channel_falls_back_to_the_next(tmp_path, db_url):
    broken = LocalReceiver(status=500).start()
    pages = tmp_path / "pages.jsonl"
    settings = oncall_settings(
        tmp_path,
        db_url,
        channels={"ania": [f"json://{broken.url}/ania", f"file://{pages}"]},
        person_overrides={"ania": {"channel_delay_minutes": 30}},
        policy_steps=[{"notify": ["person:ania"]}],
        notify_attempts=2,
    )
    runtime = make_runtime(settings)
    now = datetime.now(UTC)
    incident_id = open_incident(runtime, at=now)
    run_escalations(runtime.sessions, settings=settings, now=now)
    results = []
    for _ in range(50):
        results += drain(runtime)
        if pages.exists():
            break
        import time

        time.sleep(0.05)
    broken.stop()
    assert results.count("retry") == 1 and "failed" in results and results[-1] == "sent"
    assert len(broken.requests) == 2  # two tries on the broken channel, then the file at once, not in 30 min
    assert json.loads(pages.read_text().splitlines()[0])["incident"] == incident_id
    kinds = [k for k, _ in timeline(runtime, incident_id)]
    assert kinds.index("page_failed") < kinds.index("page")


def test_one_tap_acknowledge_link(tmp_path, db_url, receiver):
    settings = oncall_settings(
        tmp_path,
        db_url,
        channels={"ania": [f"json://{receiver.url}/ania"]},
        policy_steps=[{"notify": ["person:ania"], "wait_minutes": 5}, {"notify": ["person:prezes"]}],
    )
    runtime = make_runtime(settings)
    server = start_in_thread(build_app(settings, runtime))
    try:
        now = datetime.now(UTC)
        incident_id = open_incident(runtime, at=now)
        run_escalations(runtime.sessions, settings=settings, now=now)
        drain(runtime)
        body = receiver.wait_for(1)[0].json()["message"]
        link = re.search(r"https?://\S+/ack/(\S+)", body)
        assert link, body
        url = f"{server.url}/ack/{link[1]}"
        shown = httpx.get(url)
        assert shown.status_code == 200 and '<form method="post">' in shown.text
        with session_scope(runtime.sessions) as session:
            assert session.get(Incident, incident_id).state == "triggered"  # looking is not acknowledging
        done = httpx.post(url)
        assert done.status_code == 200 and "Potwierdzone" in done.text
        again = httpx.post(url)
        assert again.status_code == 410 and "już użyty" in again.text
        assert httpx.get(f"{server.url}/ack/forged-token").status_code == 410
        with session_scope(runtime.sessions) as session:
            incident = session.get(Incident, incident_id)
            assert incident.state == "acknowledged" and incident.acknowledged_by == "person:ania"
            expired = create_link(
                session, incident_id=incident_id, person_id="ania", now=now - timedelta(hours=2), hours=1
            )
        assert "wygasł" in httpx.get(f"{server.url}/ack/{expired}").text
        # the next step, due in 5 minutes, is not taken: the escalation stops
        later = now + timedelta(minutes=6)
        assert run_escalations(runtime.sessions, settings=settings, now=later) == 0
        with session_scope(runtime.sessions) as session:
            assert session.get(Escalation, incident_id).status == "stopped"
    finally:
        server.stop()


def test_a_more_severe_signal_repages_an_acknowledged_incident(tmp_path, db_url):
    settings = oncall_settings(tmp_path, db_url, policy_steps=[{"notify": ["person:ania"]}])
    runtime = make_runtime(settings)
    now = datetime.now(UTC)
    incident_id = open_incident(runtime, at=now, score=0.6)  # severity 1
    run_escalations(runtime.sessions, settings=settings, now=now)
    with session_scope(runtime.sessions) as session:
        flows.acknowledge(session, incident_id=incident_id, actor="ania", at=now)
    open_incident(runtime, at=now + timedelta(minutes=1), score=0.95)  # severity 3, same dedup key
    assert run_escalations(runtime.sessions, settings=settings, now=now + timedelta(minutes=1)) == 1
    with session_scope(runtime.sessions) as session:
        assert session.get(Incident, incident_id).state == "triggered"
        keys = session.scalars(select(Notification.dedup_key).order_by(Notification.id)).all()
    assert keys == [f"{incident_id}:s1:r0:0:ania:0", f"{incident_id}:s3:r0:0:ania:0"]
    assert "repaged" in [k for k, _ in timeline(runtime, incident_id)]


def test_old_incidents_and_unrouted_ones_are_not_paged(tmp_path, db_url):
    settings = oncall_settings(
        tmp_path,
        db_url,
        escalation_policies=[{"id": "only-red", "steps": [{"notify": ["person:ania"]}]}],
        routes=[{"kinds": ["red_flag"], "policy": "only-red"}],
    )
    runtime = make_runtime(settings)
    now = datetime.now(UTC)
    old = open_incident(runtime, at=now - timedelta(hours=5), kind="red_flag")
    unrouted = open_incident(runtime, at=now, kind="quarrel")
    assert run_escalations(runtime.sessions, settings=settings, now=now) == 0
    with session_scope(runtime.sessions) as session:
        assert session.get(Escalation, old).status == "not_paged"
        assert session.get(Escalation, unrouted).status == "unrouted"
    assert any("nobody was paged" in m for _, m in timeline(runtime, unrouted))
    # the old one is still going on: a fresh signal pages after all
    open_incident(runtime, at=now, kind="red_flag")
    assert run_escalations(runtime.sessions, settings=settings, now=now) == 1
    with session_scope(runtime.sessions) as session:
        assert session.get(Escalation, old).status in ("active", "finished")


def test_health_says_when_the_escalation_worker_stops(tmp_path, db_url):
    settings = oncall_settings(tmp_path, db_url, policy_steps=[{"notify": ["person:ania"]}])
    runtime = make_runtime(settings)
    server = start_in_thread(build_app(settings, runtime))
    try:
        assert httpx.get(f"{server.url}/api/health").json()["status"] == "ok"
        long_ago = datetime.now(UTC) - timedelta(minutes=5)
        open_incident(runtime, at=long_ago)
        with session_scope(runtime.sessions) as session:  # a worker started it, then died
            from czujka.oncall.service import open_escalations

            open_escalations(session, settings=settings, now=long_ago)
        health = httpx.get(f"{server.url}/api/health").json()
        assert health["status"] == "degraded"
        assert any("escalation worker last ran never" in p for p in health["problems"])
        run_escalations(runtime.sessions, settings=settings, now=datetime.now(UTC))
        drain(runtime)
        assert httpx.get(f"{server.url}/api/health").json()["status"] == "ok"
    finally:
        server.stop()


def test_oncall_api_and_calendar_feed(tmp_path, db_url):
    from czujka.auth.service import create_token
    from czujka.oncall.ical import feed_url

    settings = oncall_settings(tmp_path, db_url)
    runtime = make_runtime(settings)
    with session_scope(runtime.sessions) as session:
        token = create_token(session, name="v", role="viewer")
    server = start_in_thread(build_app(settings, runtime))
    try:
        duty = httpx.get(
            f"{server.url}/api/oncall",
            params={"at": "2026-11-28T22:00:00+01:00"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert (
            duty[0]["schedule"] == "duty"
            and duty[0]["on_duty"] == ["marek"]
            and duty[0]["layer"] == "override"
        )
        url = feed_url(settings, runtime.sessions, "duty").replace(settings.public_url, server.url)
        calendar = httpx.get(url)
        assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in calendar.content
        assert httpx.get(url.replace("key=", "key=0")).status_code == 404
        assert httpx.get(f"{server.url}/oncall/duty.ics").status_code == 422
    finally:
        server.stop()


@pytest.mark.parametrize(
    "url",
    ["file://czujka-data/demo/pages/ania.jsonl", "file://pages.jsonl"],
)
def test_a_file_channel_needs_an_absolute_path(tmp_path, url):
    """`file://czujka-data/…` reads as host `czujka-data`: the page would land at the root of the disk."""
    page = Page("t", "b", 1, 3, "http://x/incidents/1", "http://x/ack/1")
    sent = send(url, page, timeout=1)
    assert not sent.ok and "absolute path" in (sent.error or "") and "file:///" in (sent.error or "")
    with pytest.raises(ConfigError, match=r"people.*channels: a file:// channel needs an absolute path"):
        oncall_settings(tmp_path, f"sqlite:///{tmp_path / 'c.db'}", channels={"ania": [url]})
    absolute = tmp_path / "pages.jsonl"
    assert send(absolute.as_uri(), page, timeout=1).ok and absolute.read_text().count("\n") == 1
    assert file_target(f"file://localhost{absolute}") == absolute
