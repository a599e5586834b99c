"""A shop's week with a weekend crisis, generated from a seed, with its ground truth.

The truth (which comments are vulgar, when each crisis starts and ends) stays beside the comments so the
detectors and tests can be scored against it.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from czujka.demo import phrases as P
from czujka.words import N_

WARSAW = ZoneInfo("Europe/Warsaw")
FB_PAGE = "1122334455"
IG_ACCOUNT = "17841400000000"
STAFF_NAME = "Zielony Koszyk"
# Comments an hour on a normal weekday by local hour (a small-to-mid shop).
HOURLY = [
    0.3,
    0.1,
    0.1,
    0.05,
    0.05,
    0.1,
    0.4,
    1.2,
    2.2,
    2.8,
    3.0,
    2.8,
    3.2,
    3.0,
    2.6,
    2.5,
    2.8,
    3.4,
    3.8,
    4.0,
    3.6,
    2.8,
    1.6,
    0.8,
]


@dataclass
class DemoPost:
    profile_id: str
    platform_id: str
    text: str
    at: datetime


@dataclass
class DemoComment:
    profile_id: str
    platform_id: str
    post_id: str
    text: str
    at: datetime
    author_id: str
    author_name: str
    is_staff: bool = False
    parent_id: str | None = None
    lang: str = "pl"
    kind: str = "praise"  # praise, question, staff, complaint, crisis, vulgar, quarrel, coordinated
    vulgar: bool = False
    new_account: bool = False
    edits: list[tuple[datetime, str]] = field(default_factory=list)
    removed_at: datetime | None = None


@dataclass
class Crisis:
    kind: str  # negative_surge, harm_surge, quarrel, coordinated
    profile_id: str
    onset: datetime
    end: datetime
    post_id: str | None = None
    description: str = ""


@dataclass
class Scenario:
    seed: int
    week_start: datetime
    posts: list[DemoPost]
    comments: list[DemoComment]
    crises: list[Crisis]

    def truth(self) -> dict[str, Any]:
        """Plain data for tests and reports: per-comment labels and the crises' windows."""
        return {
            "seed": self.seed,
            "week_start": self.week_start.isoformat(),
            "vulgar": sorted(c.platform_id for c in self.comments if c.vulgar),
            "comments": {
                c.platform_id: {"kind": c.kind, "vulgar": c.vulgar, "lang": c.lang} for c in self.comments
            },
            "crises": [
                {**asdict(c), "onset": c.onset.isoformat(), "end": c.end.isoformat()} for c in self.crises
            ],
        }


def last_full_week(today: date) -> datetime:
    """Monday 00:00 (Warsaw) of the week before the current one."""
    monday = today - timedelta(days=today.weekday() + 7)
    return datetime.combine(monday, time(0), WARSAW)


class _Writer:
    def __init__(self, seed: int, week_start: datetime):
        self.rng = random.Random(seed)
        self.counts = np.random.default_rng(seed)  # how many comments an hour gets: Poisson draws
        self.start = week_start
        self.posts: list[DemoPost] = []
        self.comments: list[DemoComment] = []
        self.counter = 0

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def person(self) -> tuple[str, str]:
        first, last = self.rng.choice(P.FIRST_NAMES), self.rng.choice(P.LAST_NAMES)
        return f"10{self.rng.randrange(10**9, 10**10)}", f"{first} {P.surname(last, first)}"

    def add(self, post: DemoPost, text: str, at: datetime, **kw: Any) -> DemoComment:
        author_id, author_name = kw.pop("author", None) or self.person()
        if post.profile_id == "koszyk-ig" and not kw.get("is_staff"):
            author_name = self.rng.choice(P.IG_HANDLES) + str(self.rng.randrange(100))
        ident = f"{post.platform_id.split('_')[-1]}_{self.next_id()}"
        at = at.replace(microsecond=0)
        comment = DemoComment(
            post.profile_id, ident, post.platform_id, text, at, author_id, author_name, **kw
        )
        self.comments.append(comment)
        return comment

    def staff(self) -> tuple[str, str]:
        return FB_PAGE, STAFF_NAME


def _posts(w: _Writer) -> None:
    for day in range(7):
        for hour in (9, 15) if day < 5 else (11,):
            at = w.start + timedelta(days=day, hours=hour, minutes=w.rng.randrange(50))
            text = P.POSTS_FB[(day * 2 + hour) % len(P.POSTS_FB)]
            w.posts.append(DemoPost("koszyk-fb", f"{FB_PAGE}_{80000 + len(w.posts)}", text, at))
        at = w.start + timedelta(days=day, hours=12, minutes=w.rng.randrange(50))
        w.posts.append(
            DemoPost("koszyk-ig", f"{18000000 + len(w.posts)}", P.POSTS_IG[day % len(P.POSTS_IG)], at)
        )


def _recent_post(w: _Writer, profile: str, at: datetime) -> DemoPost:
    candidates = [p for p in w.posts if p.profile_id == profile and p.at <= at]
    recent = candidates[-3:] or [p for p in w.posts if p.profile_id == profile][:1]
    return w.rng.choices(recent, weights=range(1, len(recent) + 1))[0]


def _normal_traffic(w: _Writer) -> None:
    for hour in range(7 * 24):
        at_hour = w.start + timedelta(hours=hour)
        local = at_hour.astimezone(WARSAW)
        rate = HOURLY[local.hour] * (1.3 if local.weekday() >= 5 else 1.0)
        for _ in range(int(w.counts.poisson(rate))):
            at = at_hour + timedelta(seconds=w.rng.randrange(3600))
            profile = "koszyk-fb" if w.rng.random() < 0.75 else "koszyk-ig"
            post = _recent_post(w, profile, at)
            roll = w.rng.random()
            if roll < 0.45:
                w.add(post, w.rng.choice(P.PRAISE), at, kind="praise")
            elif roll < 0.75:
                question = w.add(post, w.rng.choice(P.QUESTIONS), at, kind="question")
                if 8 <= local.hour < 17 and local.weekday() < 5:
                    reply_at = at + timedelta(minutes=w.rng.randrange(10, 60))
                    w.add(
                        post,
                        w.rng.choice(P.STAFF_REPLIES),
                        reply_at,
                        author=w.staff(),
                        is_staff=True,
                        parent_id=question.platform_id,
                        kind="staff",
                    )
            elif roll < 0.92:
                w.add(post, w.rng.choice(P.MILD_COMPLAINTS), at, kind="complaint")
            else:
                w.add(post, w.rng.choice(P.ENGLISH), at, kind="praise", lang="en")


def _complaint(w: _Writer) -> str:
    """People say the same thing in their own words: an opener, the complaint, sometimes an ending."""
    text = w.rng.choice(P.CRISIS_COMPLAINTS)
    opener = w.rng.choice(P.COMPLAINT_OPENERS)
    ending = w.rng.choice(P.COMPLAINT_ENDINGS) if w.rng.random() < 0.5 else ""
    return " ".join(part for part in (opener, text, ending) if part)


def _courier_failure(w: _Writer) -> list[Crisis]:
    onset = w.start + timedelta(days=4, hours=18)  # Friday 18:00
    end = w.start + timedelta(days=6, hours=22)
    vulgar_onset = onset + timedelta(hours=2, minutes=10)
    at = onset
    n = 0
    on_facebook = 0  # complaints on the Page: one of them is edited later, one removed (Meta sends both)
    while at < end:
        hours_in = (at - onset).total_seconds() / 3600
        local_hour = at.astimezone(WARSAW).hour
        night = 0.25 if 1 <= local_hour < 7 else 1.0
        rate_per_hour = min(3 + hours_in * 0.25, 9) * night
        at += timedelta(minutes=w.rng.expovariate(rate_per_hour / 60))
        if at >= end:
            break
        post = _recent_post(w, "koszyk-fb" if w.rng.random() < 0.85 else "koszyk-ig", at)
        if at >= vulgar_onset and w.rng.random() < 0.18:
            w.add(post, P.CRISIS_VULGAR[n % len(P.CRISIS_VULGAR)], at, kind="vulgar", vulgar=True)
        else:
            comment = w.add(post, _complaint(w), at, kind="crisis")
            if post.profile_id == "koszyk-fb":
                on_facebook += 1
                if on_facebook == 5:
                    comment.edits.append((at + timedelta(minutes=20), comment.text + " EDIT: nadal nic."))
                if on_facebook == 9:
                    comment.removed_at = at + timedelta(hours=1)
        n += 1
    return [
        Crisis(
            "negative_surge",
            "koszyk-fb",
            onset,
            end,
            description=N_("Courier failure: complaints rise from Friday 18:00"),
        ),
        Crisis("harm_surge", "koszyk-fb", vulgar_onset, end, description=N_("Vulgar comments pile up")),
    ]


def _quarrel(w: _Writer) -> Crisis:
    onset = w.start + timedelta(days=5, hours=11, minutes=5)  # Saturday 11:05
    post = _recent_post(w, "koszyk-fb", onset)
    customer = w.person()
    at = onset
    root = None
    for is_staff, text in P.QUARREL:
        author = w.staff() if is_staff else customer
        comment = w.add(
            post,
            text,
            at,
            author=author,
            is_staff=is_staff,
            kind="quarrel",
            parent_id=root.platform_id if root else None,
        )
        root = root or comment
        at += timedelta(minutes=w.rng.randrange(2, 6))
    return Crisis(
        "quarrel",
        "koszyk-fb",
        onset,
        at,
        post_id=post.platform_id,
        description=N_("A customer and a staff member argue under one post"),
    )


def _coordinated(w: _Writer) -> Crisis:
    onset = w.start + timedelta(days=6, hours=14)  # Sunday 14:00
    at = onset
    for i in range(16):
        post = _recent_post(w, "koszyk-fb", at)
        author = (f"66{w.rng.randrange(10**9, 10**10)}", w.person()[1])
        w.add(
            post,
            P.COORDINATED[i % len(P.COORDINATED)],
            at,
            author=author,
            kind="coordinated",
            new_account=True,
        )
        at += timedelta(seconds=w.rng.randrange(30, 120))
    return Crisis(
        "coordinated",
        "koszyk-fb",
        onset,
        at,
        description=N_("Near-identical 1-star opinions from new accounts"),
    )


def build_week(seed: int = 7, week_start: datetime | None = None, history_weeks: int = 2) -> Scenario:
    """The week's posts and comments in time order, and its crises; the same seed gives the same week.

    `history_weeks` ordinary weeks come first, as a running czujka would have seen them, so the
    baseline knows the shop's usual Friday evening before the crisis week."""
    start = (week_start or last_full_week(date.today())).astimezone(WARSAW)
    w = _Writer(seed, start)
    for weeks_back in range(history_weeks, 0, -1):
        w.start = start - timedelta(weeks=weeks_back)
        _posts(w)
        _normal_traffic(w)
    w.start = start
    _posts(w)
    _normal_traffic(w)
    crises = [*_courier_failure(w), _quarrel(w), _coordinated(w)]
    w.comments.sort(key=lambda c: c.at)
    w.posts.sort(key=lambda p: p.at)
    return Scenario(seed=seed, week_start=start, posts=w.posts, comments=w.comments, crises=crises)
