"""What `czujka check-config` says about on-call: coverage gaps, unreachable people, unknown channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from czujka.config import Settings
from czujka.notifications.channels import WEBPUSH
from czujka.oncall.escalation import route_policy
from czujka.oncall.schedule import GAP_HORIZON, coverage_gaps
from czujka.vocabulary import EXPERT_TOPICS, KINDS


@dataclass
class OncallReport:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _channel_problems(settings: Settings) -> list[str]:
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
                    problems.append(f"people[{i}].{name}[{j}]: Apprise does not accept this {scheme}:// URL")
    return problems


def oncall_report(settings: Settings, *, now: datetime | None = None) -> OncallReport:
    now = now or datetime.now(UTC)
    report = OncallReport(problems=_channel_problems(settings))
    if not settings.people:
        return report
    report.lines.append(
        f"on-call: {len(settings.people)} people, {len(settings.schedules)} schedule(s), "
        f"{len(settings.escalation_policies)} escalation polic(ies), {len(settings.routes)} route(s)"
    )
    for schedule in settings.schedules:
        zone = ZoneInfo(schedule.timezone)
        gaps = coverage_gaps(schedule, now, now + GAP_HORIZON)
        for gap in gaps[:10]:
            report.warnings.append(
                f"schedule {schedule.id}: nobody on duty from {gap.start.astimezone(zone):%a %Y-%m-%d %H:%M} "
                f"to {gap.end.astimezone(zone):%a %Y-%m-%d %H:%M}"
            )
        if len(gaps) > 10:
            report.warnings.append(f"schedule {schedule.id}: {len(gaps) - 10} more gaps in the next 4 weeks")
    for person in settings.people:
        if not person.channels:
            report.warnings.append(f"person {person.id} has no channels: pages to them reach nobody")
    for profile in settings.profiles:
        unrouted = [
            k for k in KINDS if route_policy(settings, profile=profile.id, kind=k, severity=3) is None
        ]
        if unrouted:
            report.warnings.append(f"profile {profile.id}: nobody is paged for {', '.join(unrouted)}")
    experts = {t for p in settings.people for t in p.expert_in}
    missing = [t for t in EXPERT_TOPICS if t not in experts]
    if missing:
        report.warnings.append(f"no expert for topic(s): {', '.join(missing)}")
    return report
