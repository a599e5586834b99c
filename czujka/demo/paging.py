"""The demo's live part: a comment with legal weight arrives now, the person on duty is paged and does not
answer, the escalation goes up to the social media lead and the expert, who acknowledges with the one-tap link.

Pages go to local receivers only: a file for the person on duty, and an HTTP receiver on 127.0.0.1 (Apprise's
json://) for the others, printed as they arrive. The demo policy waits seconds where a real one waits minutes.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from babel.dates import format_datetime
from rich.console import Console

from czujka.demo.deliveries import deliveries, fb_comment_change, signed_headers
from czujka.demo.scenario import FB_PAGE, WARSAW, Scenario
from czujka.notifications.receiver import LocalReceiver, Received
from czujka.vocabulary import kind_name
from czujka.words import gettext as _
from czujka.words import say

LIVE_COMMENT = (
    "Po waszym jogurcie cała rodzina się zatruła, córka wylądowała w szpitalu. "
    "Zgłaszam to do sanepidu i na policję, a sprawę przekażę prawnikowi!"
)
ACK_LINK = re.compile(r"(https?://\S+/ack/\S+)")


def _local(at: datetime) -> str:
    return at.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M")


def demo_oncall(data_dir: Path, receiver_url: str, now: datetime | None = None) -> dict[str, Any]:
    """People, a duty schedule, and a policy whose waits are seconds, so the demo shows a whole escalation."""
    now = now or datetime.now(UTC)

    def http(who: str) -> list[str]:
        return [f"json://{receiver_url}/{who}"]

    return {
        "people": [
            {
                "id": "ania",
                "name": "Anna Nowak",
                "roles": ["social"],
                "channels": [(data_dir / "pages" / "ania.jsonl").resolve().as_uri()],
            },
            {
                "id": "kasia",
                "name": "Katarzyna Wiśniewska",
                "roles": ["social-lead"],
                "channels": http("kasia"),
            },
            {
                "id": "ola",
                "name": "Aleksandra Lis",
                "roles": ["legal"],
                "expert_in": ["legal-safety"],
                "phone": "+48 600 000 301",
                "channels": http("ola"),
            },
            {
                "id": "marek",
                "name": "Marek Kowalczyk",
                "roles": ["logistics"],
                "expert_in": ["delivery", "refund"],
                "phone": "+48 600 000 302",
                "channels": http("marek"),
                "reachable": ["mon-fri 08:00-20:00"],
            },
            {"id": "prezes", "name": "Jan Prezes", "roles": ["ceo"], "channels": http("prezes")},
        ],
        "schedules": [
            {
                "id": "duty",
                "name": "grafik sklepu",
                # Office hours only: the weekend has nobody on duty, so the weekend rule hides vulgar comments.
                # The live part happens now, so Ania covers the next hours with an override.
                "layers": [
                    {
                        "name": "biuro",
                        "rotation": ["ania"],
                        "length": "1w",
                        "start": "2026-01-05 08:00",
                        "windows": ["mon-fri 08:00-18:00"],
                    }
                ],
                "overrides": [
                    {
                        "person": "ania",
                        "start": _local(now - timedelta(hours=1)),
                        "end": _local(now + timedelta(hours=6)),
                    }
                ],
            }
        ],
        "escalation_policies": [
            {
                "id": "default",
                "name": "główna",
                "steps": [
                    {"notify": ["schedule:duty"], "wait_minutes": 0.1},
                    {"notify": ["person:kasia", "experts"], "wait_minutes": 0.5},
                    {"notify": ["person:prezes"]},
                ],
            }
        ],
    }


def _show(console: Console, who: str, page: dict[str, Any], language: str) -> None:
    title = page.get("title", "")
    body = page.get("message") or page.get("body", "")
    first = body.splitlines()[0] if body else ""
    line = _("→ page to %(who)s: %(title)s", language, who=who, title=title)
    console.print(f"  {line}\n      {first}", highlight=False, markup=False)


def _wait(predicate, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    return None


def live_paging(
    *,
    console: Console,
    scenario: Scenario,
    url: str,
    secret: str,
    receiver: LocalReceiver,
    data_dir: Path,
    runtime: Any,
) -> dict[str, Any]:
    """Send the live comment, follow its escalation, acknowledge from the page; returns what happened."""
    settings = runtime.settings
    language = settings.language

    def name(person_id: str) -> str:
        person = settings.person(person_id)
        return person.name if person else person_id

    receiver.on_request = lambda item: _show(console, name(item.path.strip("/")), item.json(), language)
    post = next(p for p in scenario.posts if p.profile_id == "koszyk-fb")
    now = datetime.now(UTC)
    change = fb_comment_change(
        page_id=FB_PAGE,
        post_id=post.platform_id,
        comment_id=f"{post.platform_id}_live",
        message=LIVE_COMMENT,
        at=now,
        author_id="live-1",
        author_name="Ewa Klientka",
    )
    body = deliveries("page", [(FB_PAGE, [change], now)])
    at = format_datetime(now, "EEE HH:mm", tzinfo=WARSAW, locale=language)
    console.print("\n" + _("Now, live (%(at)s): a comment with legal weight arrives.", language, at=at))
    console.print(f"  Ewa Klientka: {LIVE_COMMENT}", highlight=False, markup=False)
    httpx.post(f"{url}/webhooks/meta", content=body, headers=signed_headers(body, secret), timeout=30)
    pages_file = data_dir / "pages" / "ania.jsonl"
    first = _wait(lambda: pages_file.exists() and pages_file.read_text(encoding="utf-8").splitlines(), 60)
    result: dict[str, Any] = {"ania": bool(first)}
    if not first:
        console.print("  " + _("(no page reached the person on duty: see the incident timeline)", language))
        return result
    ania, kasia_name = name("ania"), name("kasia")
    _show(console, _("%(name)s (a file)", language, name=ania), json.loads(first[0]), language)
    console.print(
        "  "
        + _("%(name)s does not acknowledge; the escalation moves on in a few seconds …", language, name=ania)
    )
    kasia: Received | None = _wait(
        lambda: next((r for r in receiver.requests if r.path == "/kasia"), None), 60
    )
    result["kasia"] = kasia is not None
    if kasia is None:
        return result
    link = ACK_LINK.search(kasia.json().get("message", ""))
    if link:
        console.print(
            "  " + _("%(name)s taps the one-tap acknowledge link from the page:", language, name=kasia_name)
        )
        answer = httpx.post(link[1], timeout=30)
        result["acknowledged"] = answer.status_code == 200
        done = _("acknowledged, the escalation stops", language)
        console.print(f"    {done if answer.status_code == 200 else answer.text}")
    incident_id = int(re.search(r"#(\d+)", kasia.json().get("message", ""))[1])
    result["incident"] = incident_id
    time.sleep(1.0)
    _timeline(console, runtime, incident_id, language)
    return result


def _timeline(console: Console, runtime: Any, incident_id: int, language: str) -> None:
    from czujka.incidents.service import get_incident

    with runtime.sessions() as session:
        incident = get_incident(session, incident_id)
    heading = _(
        "Timeline of incident #%(id)s (%(kind)s, severity %(severity)s):",
        language,
        id=incident_id,
        kind=kind_name(incident["kind"], language),
        severity=incident["severity"],
    )
    console.print("  " + heading)
    for item in incident["timeline"]:
        at = datetime.fromisoformat(item["at"]).astimezone(WARSAW)
        said = say((item.get("data") or {}).get("said") or item["message"], language)
        console.print(f"    {at:%H:%M:%S}  {said}", highlight=False, markup=False)
