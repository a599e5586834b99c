"""What `czujka check-config` says about on-call: coverage gaps, unreachable people, unknown channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from czujka.config import Settings
from czujka.notifications.channels import WEBPUSH
from czujka.oncall.escalation import route_policy
from czujka.oncall.schedule import GAP_HORIZON, coverage_gaps
from czujka.vocabulary import EXPERT_TOPICS, KINDS, TOPICS
from czujka.words import Phrase, phrase


@dataclass
class OncallReport:
    """Said in the reader's language by check-config."""

    lines: list[Phrase] = field(default_factory=list)
    warnings: list[Phrase] = field(default_factory=list)
    problems: list[Phrase] = field(default_factory=list)


def _channel_problems(settings: Settings) -> list[Phrase]:
    import apprise

    problems = []
    for i, person in enumerate(settings.people):
        for name, channels in (
            ("channels", person.channels),
            ("low_urgency_channels", person.low_urgency_channels),
        ):
            for j, secret in enumerate(channels or []):
                url = secret.get_secret_value()
                if url == WEBPUSH or url.startswith("file://"):
                    continue
                if not apprise.Apprise().add(url):
                    scheme = url.split("://", 1)[0]
                    problems.append(
                        phrase(
                            "people[%(i)s].%(name)s[%(j)s]: Apprise does not accept this %(scheme)s:// URL",
                            i=i,
                            name=name,
                            j=j,
                            scheme=scheme,
                        )
                    )
    return problems


def oncall_report(settings: Settings, *, now: datetime | None = None) -> OncallReport:
    now = now or datetime.now(UTC)
    report = OncallReport(problems=_channel_problems(settings))
    if not settings.people:
        return report
    report.lines.append(
        phrase(
            "on-call: %(people)s people, %(schedules)s schedule(s), %(policies)s escalation polic(ies), "
            "%(routes)s route(s)",
            people=len(settings.people),
            schedules=len(settings.schedules),
            policies=len(settings.escalation_policies),
            routes=len(settings.routes),
        )
    )
    for schedule in settings.schedules:
        zone = ZoneInfo(schedule.timezone)
        gaps = coverage_gaps(schedule, now, now + GAP_HORIZON)
        for gap in gaps[:10]:
            report.warnings.append(
                phrase(
                    "schedule %(schedule)s: nobody on duty from %(start)s to %(end)s",
                    schedule=schedule.id,
                    start=f"{gap.start.astimezone(zone):%Y-%m-%d %H:%M}",
                    end=f"{gap.end.astimezone(zone):%Y-%m-%d %H:%M}",
                )
            )
        if len(gaps) > 10:
            report.warnings.append(
                phrase(
                    "schedule %(schedule)s: %(more)s more gaps in the next 4 weeks",
                    schedule=schedule.id,
                    more=len(gaps) - 10,
                )
            )
    for person in settings.people:
        if not person.channels:
            report.warnings.append(
                phrase("person %(person)s has no channels: pages to them reach nobody", person=person.id)
            )
    for profile in settings.profiles:
        unrouted = [
            k for k in KINDS if route_policy(settings, profile=profile.id, kind=k, severity=3) is None
        ]
        if unrouted:
            report.warnings.append(
                phrase(
                    "profile %(profile)s: nobody is paged for %(kinds)s",
                    profile=profile.id,
                    kinds=", ".join(unrouted),
                )
            )
    experts = {t for p in settings.people for t in p.expert_in}
    missing = [t for t in EXPERT_TOPICS if t not in experts]
    if missing:
        report.warnings.append(
            phrase("no expert for topic(s): %(topics)s", topics=[phrase(TOPICS[t]) for t in missing])
        )
    return report
