"""`czujka demo`: a fresh database, the week replayed through the real webhook, then the server keeps going."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import tomli_w
from babel.dates import format_datetime
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from czujka.analysis.models import CommentScore
from czujka.app import build_app
from czujka.auth.service import create_token
from czujka.auth.users import add_user
from czujka.comments.models import Comment
from czujka.config import Settings, load_settings
from czujka.demo.deliveries import (
    deliveries,
    fb_comment_change,
    fb_post_change,
    ig_comment_change,
    signed_headers,
)
from czujka.demo.meta import TOKEN as META_TOKEN
from czujka.demo.meta import MetaStandIn
from czujka.demo.paging import demo_oncall, live_paging
from czujka.demo.scenario import FB_PAGE, IG_ACCOUNT, WARSAW, Scenario, build_week
from czujka.logs import configure_logging
from czujka.notifications.receiver import LocalReceiver
from czujka.pipeline import Pipeline
from czujka.runtime import build_runtime
from czujka.storage.engine import session_scope
from czujka.storage.migrate import upgrade
from czujka.vocabulary import kind_name
from czujka.web.server import BackgroundServer, PortInUse, start_in_thread
from czujka.words import gettext as _
from czujka.words import ngettext

DEMO_PROFILES = [
    {
        "id": "koszyk-fb",
        "name": "Zielony Koszyk (Facebook)",
        "platform": "facebook",
        "platform_id": FB_PAGE,
        "competitors": ["Koszyk24", "eko-market.pl"],
    },
    {
        "id": "koszyk-ig",
        "name": "Zielony Koszyk (Instagram)",
        "platform": "instagram",
        "platform_id": IG_ACCOUNT,
        "username": "zielonykoszyk",
        "competitors": ["Koszyk24"],
    },
]
DEMO_CONTACT = {
    "pl": "na Messengerze albo na pomoc@zielonykoszyk.pl",
    "en": "on Messenger or at pomoc@zielonykoszyk.pl",
}
# The weekend has nobody on duty (see demo_oncall): then vulgar customers' comments are hidden at once.
DEMO_RULES = [
    {"id": "weekend-vulgar", "when": "nobody_on_duty", "vulgar": True, "action": "hide", "max_per_hour": 120}
]
MAX_PAUSE = 0.5  # seconds: quiet nights pass quickly even on a slow clock


@dataclass
class Delivery:
    at: datetime
    body: bytes


def demo_values(data_dir: Path, port: int, receiver_url: str, graph_url: str | None = None) -> dict[str, Any]:
    """The demo's settings as czujka.toml would hold them, secrets apart; with `graph_url` (the local Meta
    stand-in) its profiles can send replies."""
    profiles = DEMO_PROFILES
    extra: dict[str, Any] = {}
    if graph_url:
        profiles = [
            dict(p, contact=DEMO_CONTACT, review_leads=["person:kasia"], digest_to=["person:kasia"])
            for p in DEMO_PROFILES
        ]
        extra["graph_base_url"] = graph_url
        extra["moderation_rules"] = DEMO_RULES
        extra["moderation_max_age_hours"] = 24 * 14  # the replayed week is days old
    return {
        "data_dir": str(data_dir),
        "database_url": f"sqlite:///{data_dir / 'czujka.db'}",
        "public_url": f"http://127.0.0.1:{port}",
        "profiles": profiles,
        **demo_oncall(data_dir, receiver_url),
        **extra,
    }


def demo_settings(data_dir: Path, port: int, receiver_url: str, graph_url: str | None = None) -> Settings:
    values = demo_values(data_dir, port, receiver_url, graph_url)
    if graph_url:
        values["profiles"] = [dict(p, access_token=META_TOKEN) for p in values["profiles"]]
    return load_settings(
        meta_app_secret=secrets.token_hex(16), meta_verify_token=secrets.token_hex(8), **values
    )


DEMO_CONFIG_HEAD = """\
# The demo's configuration, written by `czujka demo` beside its database, so that every command works on
# the demo afterwards: czujka oncall who -c {path}, czujka check-config {path}, czujka incidents list -c …
# Its pages went to a receiver that stopped with the demo; `czujka init` writes a file to start your own.

"""


def write_demo_config(data_dir: Path, values: dict[str, Any]) -> Path:
    """`czujka.toml` beside the demo's database: the service keys in [service], the lists as tables."""
    tables = {k: v for k, v in values.items() if isinstance(v, list)}
    service = {k: v for k, v in values.items() if not isinstance(v, list) and k != "graph_base_url"}
    path = data_dir / "czujka.toml"
    path.write_text(
        DEMO_CONFIG_HEAD.format(path=path) + tomli_w.dumps({"service": service, **tables}), encoding="utf-8"
    )
    return path


def to_deliveries(scenario: Scenario) -> Iterator[Delivery]:
    """Meta batches what happens close together: one delivery per profile per minute, in time order."""
    events: list[tuple[datetime, str, str, dict[str, Any]]] = []
    for post in scenario.posts:
        if post.profile_id == "koszyk-fb":
            events.append(
                (
                    post.at,
                    "page",
                    FB_PAGE,
                    fb_post_change(page_id=FB_PAGE, post_id=post.platform_id, message=post.text, at=post.at),
                )
            )
    for c in scenario.comments:
        if c.profile_id == "koszyk-fb":

            def change(text: str | None, at: datetime, verb: str, c: Any = c) -> dict[str, Any]:
                return fb_comment_change(
                    page_id=FB_PAGE,
                    post_id=c.post_id,
                    comment_id=c.platform_id,
                    message=text,
                    at=at,
                    author_id=c.author_id,
                    author_name=c.author_name,
                    verb=verb,
                    parent_id=c.parent_id,
                )

            events.append((c.at, "page", FB_PAGE, change(c.text, c.at, "add")))
            events.extend((at, "page", FB_PAGE, change(text, at, "edited")) for at, text in c.edits)
            if c.removed_at:
                events.append((c.removed_at, "page", FB_PAGE, change(None, c.removed_at, "remove")))
        else:
            events.append(
                (
                    c.at,
                    "instagram",
                    IG_ACCOUNT,
                    ig_comment_change(
                        media_id=c.post_id,
                        comment_id=c.platform_id,
                        text=c.text,
                        username=c.author_name,
                        user_id=c.author_id,
                        parent_id=c.parent_id,
                    ),
                )
            )
    events.sort(key=lambda e: e[0])
    group: list[tuple[datetime, str, str, dict[str, Any]]] = []
    for event in events:
        if group and (event[1] != group[0][1] or event[0] - group[0][0] >= timedelta(minutes=1)):
            yield _delivery(group)
            group = []
        group.append(event)
    if group:
        yield _delivery(group)


def _delivery(group: list[tuple[datetime, str, str, dict[str, Any]]]) -> Delivery:
    last = group[-1][0]
    return Delivery(at=last, body=deliveries(group[0][1], [(group[0][2], [e[3] for e in group], last)]))


def replay(
    scenario: Scenario, *, url: str, secret: str, speed: float, console: Console, language: str
) -> dict[str, int]:
    """Send every delivery, signed, to `/webhooks/meta`; `speed` scenario seconds pass per real second."""
    items = list(to_deliveries(scenario))
    totals = {"deliveries": 0, "stored": 0, "changed": 0}
    previous = items[0].at if items else None
    with (
        httpx.Client(timeout=30) as http,
        Progress(
            TextColumn("[bold]" + _("replaying the week", language) + "[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[clock]}"),
            console=console,
            transient=False,
        ) as progress,
    ):
        task = progress.add_task("replay", total=len(items), clock="")
        for item in items:
            if speed > 0 and previous is not None and item.at >= scenario.week_start:
                time.sleep(min((item.at - previous).total_seconds() / speed, MAX_PAUSE))
            previous = item.at
            response = http.post(
                f"{url}/webhooks/meta", content=item.body, headers=signed_headers(item.body, secret)
            )
            response.raise_for_status()
            result = response.json()
            totals["deliveries"] += 1
            totals["stored"] += result["stored"]
            totals["changed"] += result["changed"]
            clock = format_datetime(item.at, "EEE dd.MM HH:mm", tzinfo=WARSAW, locale=language)
            progress.update(task, advance=1, clock=clock)
    return totals


def run_demo(
    *,
    console: Console,
    seed: int,
    speed: float,
    data_dir: Path,
    port: int,
    keep_serving: bool,
    week_start: datetime | None = None,
    live: bool = True,
) -> tuple[Scenario, dict[str, int]]:
    configure_logging("warning")
    data_dir.mkdir(parents=True, exist_ok=True)
    for leftover in [*data_dir.glob("czujka.db*"), *data_dir.glob("pages/*.jsonl")]:
        leftover.unlink()
    receiver = LocalReceiver().start()
    meta = MetaStandIn(data_dir / "replies.jsonl").start()
    settings = demo_settings(data_dir, port, receiver.url, meta.url)
    language = settings.language
    config = write_demo_config(data_dir, demo_values(data_dir.resolve(), port, receiver.url, meta.url))
    runtime = build_runtime(settings)
    pipeline = Pipeline(runtime)
    upgrade(runtime.engine)
    scenario = build_week(seed, week_start)
    (data_dir / "truth.json").write_text(
        json.dumps(scenario.truth(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    password = secrets.token_urlsafe(9)
    with session_scope(runtime.sessions, write=True) as session:
        token = create_token(session, name="demo", role="admin")
        add_user(session, username="demo", role="admin", password=password, person_id="kasia")
    try:
        server: BackgroundServer = start_in_thread(build_app(settings, runtime), port=port)
    except PortInUse:
        server = start_in_thread(build_app(settings, runtime), port=0)
        console.print(
            _(
                "Port %(port)s is in use (another czujka demo?), so the demo serves on %(url)s instead; "
                "choose one with --port.",
                language,
                port=port,
                url=server.url,
            ),
            highlight=False,
        )
    runtime.settings = settings.model_copy(update={"public_url": server.url})  # links in pages: the real port
    stop = threading.Event()
    try:
        console.print(
            _(
                "czujka demo: the week of %(start)s at Zielony Koszyk, seed %(seed)s",
                language,
                start=f"{scenario.week_start:%d.%m.%Y}",
                seed=seed,
            )
        )
        secret = settings.meta_app_secret.get_secret_value()  # type: ignore[union-attr]
        totals = replay(
            scenario, url=server.url, secret=secret, speed=speed, console=console, language=language
        )
        with console.status(_("scoring the comments …", language)):
            pipeline.score_pending()
        _summary(console, scenario, totals, server.url, token, data_dir, language)
        _analysis_summary(console, runtime, scenario, language)
        _incident_summary(console, runtime, server.url, data_dir, language)
        _moderation_summary(console, runtime, scenario, meta, server.url, language)
        pipeline.start(stop, poll=False, tick=False)  # the replayed week keeps its incidents
        if live:
            live_paging(
                console=console,
                scenario=scenario,
                url=server.url,
                secret=secret,
                receiver=receiver,
                data_dir=data_dir,
                runtime=runtime,
            )
        dashboard = _(
            "Dashboard: %(url)s/  sign in as demo with the password %(password)s (on a phone: the same "
            "address, then 'install' / 'add to home screen').",
            language,
            url=server.url,
            password=password,
        )
        console.print("\n" + dashboard, highlight=False, markup=False, style="bold")
        console.print(
            _(
                "Open an incident: its playbook says what to do; '%(reply)s' under a comment picks a template, "
                "checks the reply as you type and sends it to a local stand-in for Meta (%(file)s).",
                language,
                reply=_("Reply", language),
                file=data_dir / "replies.jsonl",
            ),
            highlight=False,
            markup=False,
        )
        console.print(
            _(
                "Its configuration is %(config)s: czujka oncall who -c %(config)s (and every other command) "
                "works on the demo afterwards.",
                language,
                config=config,
            ),
            highlight=False,
            markup=False,
        )
        console.print(
            _(
                "Your own shop next: docs/connect.md walks from here to your Facebook Page and Instagram "
                "account (a Meta app, then '%(profiles)s' → '%(connect)s', or `czujka connect meta`).",
                language,
                profiles=_("Profiles", language),
                connect=_("Connect Facebook / Instagram", language),
            ),
            highlight=False,
            markup=False,
        )
        if keep_serving:
            console.print(_("Serving; press Ctrl+C to stop.", language))
            while server.thread.is_alive():
                server.thread.join(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stop()
        receiver.stop()
        meta.stop()
        runtime.engine.dispose()
    return scenario, totals


def _analysis_summary(console: Console, runtime: Any, scenario: Scenario, language: str) -> None:
    """What analysis found, next to the scenario's ground truth."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(
                Comment.platform_id,
                CommentScore.vulgar,
                CommentScore.harmful,
                CommentScore.sentiment,
                CommentScore.topic,
            ).join(CommentScore, CommentScore.comment_id == Comment.id)
        ).all()
    truth = {c.platform_id: c for c in scenario.comments}
    vulgar_true = {c.platform_id for c in scenario.comments if c.vulgar}
    vulgar_found = {r.platform_id for r in rows if r.vulgar}
    negative = sum(1 for r in rows if r.sentiment == "negative")
    delivery = sum(1 for r in rows if r.topic == "delivery" and truth.get(r.platform_id) is not None)
    console.print(
        _(
            "Analysis: %(scored)s comments scored; vulgar %(vulgar)s (ground truth %(truth)s, %(found)s of them "
            "found); harmful %(harmful)s; negative %(negative)s; about delivery %(delivery)s.",
            language,
            scored=len(rows),
            vulgar=len(vulgar_found),
            truth=len(vulgar_true),
            found=len(vulgar_found & vulgar_true),
            harmful=sum(1 for r in rows if r.harmful),
            negative=negative,
            delivery=delivery,
        ),
        highlight=False,
    )


def _moderation_summary(
    console: Console, runtime: Any, scenario: Scenario, meta: MetaStandIn, url: str, language: str
) -> None:
    """The weekend rule's work, against the ground truth: vulgar customers' comments hidden, nothing else."""
    from czujka.moderation.review import waiting_count
    from czujka.moderation.service import run_due

    with httpx.Client(timeout=20) as http:
        while run_due(runtime.sessions, settings=runtime.settings, http=http):
            pass
    hidden = {c["to"] for c in meta.calls("hide")}
    truth = {c.platform_id: c for c in scenario.comments}
    vulgar = {c.platform_id for c in scenario.comments if c.vulgar and not c.is_staff}
    wrong = sorted(p for p in hidden if p not in vulgar)
    staff = [p for p in wrong if truth.get(p) is not None and truth[p].is_staff]
    with runtime.sessions() as session:
        waiting = waiting_count(session)
    console.print(
        moderation_line(language, len(hidden & vulgar), len(vulgar), len(wrong), len(staff), waiting, url),
        highlight=False,
    )


def moderation_line(
    language: str, hidden: int, vulgar: int, wrong: int, staff: int, waiting: int, url: str
) -> str:
    return _(
        "Moderation (rule weekend-vulgar: nobody is on duty at the weekend): %(hidden)s of %(vulgar)s vulgar "
        "customers' comments hidden at once; %(wrong)s other comments hidden (%(staff)s of them staff); "
        "%(waiting)s wait in the Monday review queue: %(url)s/hidden",
        language,
        hidden=hidden,
        vulgar=vulgar,
        wrong=wrong,
        staff=staff,
        waiting=waiting,
        url=url,
    )


def _incident_summary(console: Console, runtime: Any, url: str, data_dir: Path, language: str) -> None:
    """The incidents the week opened, with where to read their timelines."""
    from czujka.incidents.service import list_incidents

    with runtime.sessions() as session:
        incidents = list_incidents(session, state=None)
    console.print(_("Incidents opened: %(n)s", language, n=len(incidents)))
    for incident in sorted(incidents, key=lambda i: i["opened_at"]):
        opened = format_datetime(
            datetime.fromisoformat(incident["opened_at"]), "EEE HH:mm", tzinfo=WARSAW, locale=language
        )
        line = _(
            "#%(id)s %(opened)s  %(kind)s · severity %(severity)s · %(comments)s · %(profile)s",
            language,
            id=incident["id"],
            opened=opened,
            kind=kind_name(incident["kind"], language),
            severity=incident["severity"],
            comments=ngettext("%(num)d comment", "%(num)d comments", incident["evidence_count"], language),
            profile=incident["profile_id"],
        )
        console.print("  " + line, highlight=False)
    console.print(
        "  "
        + _(
            "timelines: %(url)s/api/incidents/<id> (with the token), or CZUJKA_DATA_DIR=%(dir)s czujka incidents "
            "show <id>",
            language,
            url=url,
            dir=data_dir,
        ),
        highlight=False,
    )
    if not incidents:
        return
    worst = max(incidents, key=lambda i: (i["severity"], i["evidence_count"]))
    year, week, _day = datetime.fromisoformat(worst["opened_at"]).astimezone(WARSAW).isocalendar()
    config = data_dir / "czujka.toml"
    console.print(
        "  "
        + _(
            "post-crisis reports: %(url)s/incidents/%(id)s/report, or czujka report %(id)s -c %(config)s "
            "--format pdf --out report-%(id)s.pdf; the week's digest: czujka digest --week %(week)s -c %(config)s",
            language,
            url=url,
            id=worst["id"],
            config=config,
            week=f"{year}-W{week:02d}",
        ),
        highlight=False,
    )


def _summary(
    console: Console,
    scenario: Scenario,
    totals: dict[str, int],
    url: str,
    token: str,
    data_dir: Path,
    language: str,
) -> None:
    console.print(
        "\n"
        + _(
            "%(deliveries)s signed Meta deliveries, %(stored)s posts and comments stored, %(changed)s changes "
            "(edits, removals).",
            language,
            **totals,
        ),
        highlight=False,
    )
    console.print(_("The weekend crisis inside the week:", language))
    for crisis in scenario.crises:
        onset = format_datetime(crisis.onset, "EEE HH:mm", tzinfo=WARSAW, locale=language)
        console.print(
            f"  {onset}  {kind_name(crisis.kind, language)}: {_(crisis.description, language)}",
            highlight=False,
        )
    console.print(
        "\n"
        + _(
            "Look at it:\n  health        %(url)s/api/health\n  comments      curl -H 'Authorization: Bearer "
            "%(token)s' '%(url)s/api/comments?q=paczka'\n  API schema    %(url)s/openapi.json\n  ground truth  "
            "%(truth)s",
            language,
            url=url,
            token=token,
            truth=data_dir / "truth.json",
        ),
        highlight=False,
        soft_wrap=True,
    )
