"""The channel watch: a broken or silent channel is a `channel_down` incident that pages like any other, and
a channel that works again resolves it. Meta is the stand-in Graph API on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from czujka.detection.models import SeriesBucket
from czujka.incidents.models import Incident
from czujka.notifications.models import Notification
from czujka.oncall.service import run_escalations
from czujka.pipeline import Pipeline
from czujka.sources import health
from czujka.sources.graph import GraphError, RateLimited, TokenExpired
from czujka.sources.models import ChannelHealth
from czujka.storage.engine import session_scope
from tests.factories import runtime_for
from tests.notifications.helpers import oncall_settings
from tests.sources.fake_graph import APP_ID, GraphState, serving

WARSAW = ZoneInfo("Europe/Warsaw")
PAGE = "1122334455"


@pytest.fixture
def graph():
    state = GraphState()
    with serving(state) as url:
        yield state, url


@pytest.fixture
def watched(tmp_path, db_url, graph):
    """koszyk-fb with a token, paging Ania at once for anything."""
    _, url = graph
    profiles = [
        {"id": "koszyk-fb", "name": "Zielony Koszyk", "platform": "facebook", "platform_id": PAGE},
        {"id": "opinie", "name": "Opinie", "platform": "generic", "platform_id": "opinie"},
    ]
    settings = oncall_settings(
        tmp_path,
        db_url,
        policy_steps=[{"notify": ["person:ania"]}],
        profiles=[{**profiles[0], "access_token": "fb-token"}, profiles[1]],
        graph_base_url=url,
        meta_app_id=APP_ID,
        meta_app_secret="test-app-secret",
    )
    with runtime_for(settings) as runtime:
        yield runtime


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW).astimezone(UTC)


def busy_saturdays(runtime, *, until: datetime, weeks: int = 4) -> None:
    """Four weeks of a page busy on Saturday evenings (24 comments an hour from 18:00 to 24:00), one
    comment at 3 a.m. on Tuesdays, and nothing else."""
    rows = []
    for week in range(1, weeks + 1):
        saturday = local(2026, 11, 28, 18) - timedelta(weeks=week)
        rows += [(saturday + timedelta(minutes=10 * i), 4) for i in range(36)]
        rows.append((local(2026, 11, 24, 3, 10) - timedelta(weeks=week), 1))
    with session_scope(runtime.sessions, write=True) as session:
        for start, total in rows:
            if start < until:
                session.add(SeriesBucket(profile_id="koszyk-fb", start=start, total=total))


def set_health(runtime, **values) -> None:
    with session_scope(runtime.sessions, write=True) as session:
        row = health.health_of(session, "koszyk-fb", now=values.get("watched_since", datetime.now(UTC)))
        for key, value in values.items():
            setattr(row, key, value)


def incidents(runtime) -> list[Incident]:
    with session_scope(runtime.sessions) as session:
        found = list(session.scalars(select(Incident).where(Incident.kind == "channel_down")))
        session.expunge_all()
        return found


def watch(runtime, now: datetime):
    with httpx.Client(timeout=10) as http:
        return Pipeline(runtime).watch_channels(http=http, now=now)


def pages_for(runtime, now: datetime) -> list[Notification]:
    run_escalations(runtime.sessions, settings=runtime.settings, now=now)
    with session_scope(runtime.sessions) as session:
        found = list(session.scalars(select(Notification)))
        session.expunge_all()
        return found


def test_silence_pages_on_a_night_the_page_is_busy(watched):
    now = local(2026, 11, 28, 22, 30)  # Saturday, after 90 quiet minutes of a busy evening
    busy_saturdays(watched, until=now)
    set_health(watched, watched_since=now - timedelta(weeks=5), last_delivery_at=local(2026, 11, 28, 21))
    result = watch(watched, now)
    assert [s.kind for s in result.signals] == ["channel_down"]
    [incident] = incidents(watched)
    assert incident.profile_id == "koszyk-fb" and incident.severity == 3
    [page] = pages_for(watched, now)
    assert page.person_id == "ania" and page.urgency == "high"
    with session_scope(watched.sessions) as session:
        row = session.get(ChannelHealth, "koszyk-fb")
        assert row.problem == "silent"
        assert "about 36 comments" in health.problem_words(row)["en"]
        assert "ok. 36 komentarzy" in health.problem_words(row)["pl"]
    # still silent a few minutes later: the same incident, no second signal until an hour has passed
    assert watch(watched, now + timedelta(minutes=5)).signals == []
    assert len(watch(watched, now + timedelta(minutes=61)).signals) == 1
    assert len(incidents(watched)) == 1
    # a comment arrives: the channel works, and its incident is resolved
    set_health(watched, last_delivery_at=now + timedelta(minutes=70))
    assert watch(watched, now + timedelta(minutes=71)).recovered == ["koszyk-fb"]
    assert incidents(watched)[0].state == "resolved"


def test_the_same_silence_in_a_quiet_hour_pages_nobody(watched):
    now = local(2026, 11, 24, 4, 30)  # Tuesday night, 3.5 quiet hours of a page that is quiet then
    busy_saturdays(watched, until=now)
    set_health(watched, watched_since=now - timedelta(weeks=5), last_delivery_at=local(2026, 11, 24, 1))
    assert watch(watched, now).signals == []
    assert incidents(watched) == [] and pages_for(watched, now) == []


def test_a_new_profile_without_history_is_never_silent(watched):
    now = local(2026, 11, 28, 22, 30)
    set_health(watched, watched_since=now - timedelta(days=2), last_delivery_at=now - timedelta(days=2))
    assert watch(watched, now).signals == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (TokenExpired("x", code=190, subcode=458), "token", "removed czujka's app"),
        (TokenExpired("x", code=190, subcode=459), "token", "locked the account"),
        (TokenExpired("x", code=190, subcode=460), "token", "password was changed"),
        (TokenExpired("x", code=190, subcode=463), "token", "token expired"),
        (TokenExpired("x", code=190, subcode=None), "token", "rejects the access token"),
        (GraphError("x", code=10), "permission", "code 10"),
        (GraphError("x", code=200), "permission", "code 200"),
        (GraphError("x", code=230), "permission", "code 230"),
        (GraphError("x", code=299), "permission", "code 299"),
    ],
)
def test_a_refused_token_or_permission_opens_channel_down_at_once(watched, error, kind, words):
    now = datetime(2026, 11, 28, 21, tzinfo=UTC)
    with session_scope(watched.sessions, write=True) as session:
        health.polled(session, "koszyk-fb", error=error, at=now)
    checked = {"token_checked_at": now, "subscription_checked_at": now}  # Meta is not asked again here
    set_health(watched, watched_since=now - timedelta(days=1), last_delivery_at=now, **checked)
    [signal] = watch(watched, now + timedelta(minutes=1)).signals
    assert words in signal.reason
    with session_scope(watched.sessions) as session:
        assert session.get(ChannelHealth, "koszyk-fb").problem == kind
    assert len(incidents(watched)) == 1


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "error", [GraphError("x", code=1), RateLimited("x", code=4), httpx.ConnectError("x")]
)
def test_other_poll_failures_open_channel_down_after_thirty_minutes(watched, error):
    start = datetime(2026, 11, 28, 21, tzinfo=UTC)
    checked = {"token_checked_at": start, "subscription_checked_at": start}
    set_health(watched, watched_since=start - timedelta(days=1), last_delivery_at=start, **checked)
    for minute in (0, 10, 20, 29):
        with session_scope(watched.sessions, write=True) as session:
            health.polled(session, "koszyk-fb", error=error, at=start + timedelta(minutes=minute))
        assert watch(watched, start + timedelta(minutes=minute)).signals == []
    [signal] = watch(watched, start + timedelta(minutes=31)).signals
    assert "every poll for 31 min has failed" in signal.reason
    with session_scope(watched.sessions, write=True) as session:  # a poll succeeds: recovered
        health.polled(session, "koszyk-fb", error=None, at=start + timedelta(minutes=35))
    assert watch(watched, start + timedelta(minutes=35)).recovered == ["koszyk-fb"]


def test_a_poll_meta_refuses_is_seen_by_the_watch(watched, graph):
    from czujka.sources.service import poll_once

    state, _ = graph
    state.tokens.discard("fb-token")  # the Page token no longer works: Meta answers 190/463
    now = datetime.now(UTC)
    with httpx.Client(timeout=10) as http:
        outcome = poll_once(
            watched.sessions, watched.settings, watched.settings.profile("koszyk-fb"), http=http, now=now
        )
    assert outcome.error_kind == "token_expired"
    [signal] = watch(watched, now).signals
    assert "token expired" in signal.reason


def test_webhooks_unsubscribed_and_token_checks(watched, graph):
    state, _ = graph
    now = datetime.now(UTC)
    state.meta.subscribed[PAGE] = ["feed"]
    state.meta.expires["fb-token"] = int((now + timedelta(days=3)).timestamp())
    set_health(watched, watched_since=now - timedelta(days=1), last_delivery_at=now)
    assert watch(watched, now).signals == []
    with session_scope(watched.sessions) as session:
        row = session.get(ChannelHealth, "koszyk-fb")
        assert row.subscribed is True and row.token_valid is True
        assert health.warnings_of(row, now=now)[0].startswith("token expires")
    state.meta.subscribed.pop(PAGE)  # someone removed the app from the Page
    assert watch(watched, now + timedelta(minutes=30)).signals == []  # not checked again yet
    [signal] = watch(watched, now + timedelta(minutes=61)).signals
    assert "no longer sends webhooks" in signal.reason
    state.meta.subscribed[PAGE] = ["feed"]
    assert watch(watched, now + timedelta(minutes=125)).recovered == ["koszyk-fb"]
    state.tokens.discard("fb-token")  # debug_token now says the token is invalid
    [signal] = watch(watched, now + timedelta(hours=7)).signals
    assert "rejects the access token" in signal.reason


def test_an_expired_token_by_its_date(watched):
    now = datetime(2026, 11, 28, 21, tzinfo=UTC)
    set_health(
        watched,
        watched_since=now - timedelta(days=1),
        last_delivery_at=now,
        token_expires_at=now - timedelta(minutes=1),
        token_checked_at=now,
        subscription_checked_at=now,
    )
    [signal] = watch(watched, now).signals
    assert "token expired" in signal.reason


def test_the_now_page_and_health_show_a_blind_channel(watched):
    from tests.web.helpers import dashboard

    now = datetime.now(UTC)
    with session_scope(watched.sessions, write=True) as session:
        health.polled(session, "koszyk-fb", error=TokenExpired("x", code=190, subcode=460), at=now)
    checked = {"token_checked_at": now, "subscription_checked_at": now}
    set_health(watched, watched_since=now - timedelta(days=1), last_delivery_at=now, **checked)
    watch(watched, now)
    with dashboard(watched) as board:
        client, _ = board.sign_in("ania")
        text = client.get("/").text
        assert "czujka nie widzi" in text and "zmieniono hasło do konta na Facebooku" in text
        assert "/connect#profile-koszyk-fb" not in text  # the fix is an admin's; a responder sees the words
        admin, _ = board.sign_in("admin")
        assert "/connect#profile-koszyk-fb" in admin.get("/fragments/now").text
        answer = httpx.get(f"{board.url}/api/health").json()
        assert answer["status"] == "degraded" and "channel koszyk-fb: token" in answer["problems"]
