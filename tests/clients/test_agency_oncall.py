"""An agency with two clients sharing a weekend duty and keeping their own leads, experts and CEOs:
who each step pages, table-style, and what check-config refuses."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import pytest

from czujka.config import ConfigError, load_settings
from czujka.oncall.escalation import client_for, recipients, route_policy, simulate
from tests.factories import DATA

AGENCY = DATA / "agency.toml"
SATURDAY = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)  # 22:00 in Warsaw: piotr's weekend
pytestmark = pytest.mark.sqlite_only


@pytest.fixture(scope="module")
def agency():
    return load_settings(AGENCY)


@pytest.mark.parametrize(
    ("profile", "kind", "step", "topic", "paged"),
    [
        ("koszyk-fb", "negative_surge", 0, "delivery", ["piotr"]),  # the agency's weekend duty
        ("koszyk-fb", "negative_surge", 1, "delivery", ["kasia", "marek"]),  # the client's lead and expert
        ("koszyk-fb", "negative_surge", 2, "delivery", ["prezes"]),
        ("buty-ig", "negative_surge", 0, "delivery", ["piotr"]),  # the same duty for the other client
        ("buty-ig", "negative_surge", 1, "delivery", ["tom", "eve"]),  # ... and its own people only
        ("buty-ig", "negative_surge", 2, "delivery", ["boss"]),
        ("buty-ig", "red_flag", 0, "legal-safety", ["piotr", "boss"]),  # its own route and policy
        ("buty-ig", "red_flag", 1, "legal-safety", ["tom"]),  # no expert in legal matters: none paged
        ("koszyk-fb", "red_flag", 1, "delivery", ["kasia", "marek"]),  # buty's route is not koszyk's
    ],
)
def test_each_client_is_paged_its_own_people_after_the_shared_duty(agency, profile, kind, step, topic, paged):
    policy = route_policy(agency, profile=profile, kind=kind, severity=3)
    people, _ = recipients(
        agency, policy.steps[step].notify, topic=topic, at=SATURDAY, client=client_for(agency, profile)
    )
    assert [r.person.id for r in people] == paged


def test_simulation_pages_no_other_clients_people(agency):
    for profile, theirs in (("koszyk-fb", {"kasia", "marek", "prezes"}), ("buty-ig", {"tom", "eve", "boss"})):
        policy = route_policy(agency, profile=profile, kind="quarrel", severity=3)
        pages, _ = simulate(
            agency, policy, severity=3, topic="delivery", at=SATURDAY, client=client_for(agency, profile)
        )
        assert {p.person for p in pages} == theirs | {"piotr"}


def test_a_single_shop_has_one_implicit_client_and_pages_as_before():
    shop = load_settings(DATA / "oncall.toml")
    assert not shop.agency and [c.id for c in shop.all_clients] == ["shop"]
    assert client_for(shop, "koszyk-fb") is None and shop.client_of("koszyk-fb") == "shop"


def _agency(**change) -> dict:
    raw = tomllib.loads(AGENCY.read_text(encoding="utf-8"))
    for key, value in change.items():
        raw[key] = value(raw[key]) if callable(value) else value
    return raw


def _with(items: list[dict], index: int, **values) -> list[dict]:
    items = [dict(i) for i in items]
    items[index] = {**items[index], **values}
    return items


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (  # a client's policy naming another client's person
            {"escalation_policies": lambda ps: _with(ps, 1, steps=[{"notify": ["person:kasia"]}])},
            "person:kasia belongs to koszyk, not to the policy's client 'buty'",
        ),
        (  # the shared chain naming one client's CEO would page her for the other client's incidents
            {"escalation_policies": lambda ps: _with(ps, 0, steps=[{"notify": ["person:prezes"]}])},
            "would page person:prezes (koszyk) for an incident of client 'buty'",
        ),
        (  # a route sending one client's incidents to another client's policy
            {"routes": [{"client": "koszyk", "policy": "buty-red"}]},
            "incidents of koszyk would go to client 'buty''s escalation policy 'buty-red'",
        ),
        (  # a client's schedule with another client's person on it
            {
                "schedules": lambda ss: _with(
                    ss, 0, client="buty", layers=[{**ss[0]["layers"][0], "rotation": ["kasia"]}]
                )
            },
            "kasia work for another client than 'buty'",
        ),
        (  # a profile that belongs to no client
            {"profiles": lambda ps: [{k: v for k, v in ps[0].items() if k != "client"}, ps[1]]},
            "profiles[0].client: which client is it? (known: koszyk, buty)",
        ),
        (  # a client nobody declared
            {"people": lambda ps: _with(ps, 2, client="sklep")},
            "people[2].client: no client 'sklep'",
        ),
        (  # approval leads of one client's profile naming another client's lead
            {"profiles": lambda ps: _with(ps, 1, approval={"leads": ["person:kasia"]})},
            "profiles[1].approval.leads: person:kasia belongs to koszyk, not to 'buty'",
        ),
    ],
)
def test_check_config_refuses_what_would_page_across_clients(tmp_path, change, refusal):
    import tomli_w

    path = tmp_path / "czujka.toml"
    path.write_text(tomli_w.dumps(_agency(**change)), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert refusal in str(caught.value)


def test_the_escalator_pages_each_clients_own_people_and_the_page_names_the_client(tmp_path, db_url):
    """Through the database: a Szybkie Buty incident pages the shared duty, then Buty's own lead and CEO,
    and never Zielony Koszyk's people; its page names the client."""
    from datetime import timedelta

    from sqlalchemy import select

    from czujka.notifications.message import render_page
    from czujka.notifications.models import Notification
    from czujka.oncall.service import run_escalations
    from czujka.storage.engine import session_scope
    from tests.factories import open_incident, runtime_for

    settings = load_settings(AGENCY, data_dir=tmp_path, database_url=db_url)
    now = datetime.now(UTC)
    with runtime_for(settings) as runtime:
        incident = open_incident(runtime, profile="buty-ig", kind="quarrel", at=now)
        for minutes in (0, 11, 27, 45):  # every step of the chain, nobody acknowledging
            run_escalations(runtime.sessions, settings=settings, now=now + timedelta(minutes=minutes))
        with session_scope(runtime.sessions) as session:
            paged = set(
                session.scalars(select(Notification.person_id).where(Notification.incident_id == incident))
            )
        assert paged and paged <= {"ania", "piotr", "tom", "eve", "boss"}
        assert {"tom", "boss"} <= paged
    name = settings.client_name_of("buty-ig")
    title, _ = render_page(
        language="en",
        incident_id=incident,
        kind="quarrel",
        severity=3,
        profile_name="Szybkie Buty (Instagram)",
        opened_at=now,
        timezone="Europe/Warsaw",
        topic=None,
        quotes=[],
        experts=[],
        url="https://czujka.example/incidents/1",
        ack_url="https://czujka.example/ack/x",
        step=0,
        client_name=name,
    )
    assert title.startswith("[czujka] Szybkie Buty · severity 3/3")
    assert load_settings(DATA / "oncall.toml").client_name_of("koszyk-fb") is None  # one shop: no name
