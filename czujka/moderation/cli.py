"""`czujka moderation test`: which rule would act on a text, for a profile, at a time — sends nothing."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from czujka.cli_common import ConfigOption, JsonOption, console, fail, settings_or_exit
from czujka.oncall.cli import AtOption, parse_at

moderation_app = typer.Typer(help="Moderation rules.", no_args_is_help=True)


@moderation_app.command("test")
def test(
    text: Annotated[str, typer.Argument(help="The comment's text.")],
    profile: Annotated[str, typer.Option(help="Profile id.")],
    at: AtOption = None,
    author: Annotated[
        str | None, typer.Option(help="The author's id or name (trusted authors are skipped).")
    ] = None,
    staff: Annotated[bool, typer.Option(help="The profile's own comment (never touched).")] = False,
    coordinated: Annotated[bool, typer.Option(help="Part of a coordinated incident.")] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score the text as the pipeline would and say which rule acts, why, and what it would do."""
    from czujka.analysis.scorer import Analyzer, Item
    from czujka.moderation.rules import Facts, explain, first_match
    from czujka.moderation.service import nobody_on_duty

    settings = settings_or_exit(config)
    chosen = settings.profile(profile)
    if chosen is None:
        known = ", ".join(p.id for p in settings.profiles) or "none"
        raise fail(f"--profile: no profile {profile!r} (known: {known})", 2)
    moment = parse_at(at, settings.timezone_of(profile))
    score = Analyzer(accurate="never").load().score([Item(text, list(chosen.competitors))])[0]
    facts = Facts(
        profile, text, author, author, staff, score.vulgar, score.harm, score.topic, coordinated, moment
    )
    empty = nobody_on_duty(settings, moment)
    found = first_match(
        settings.moderation_rules,
        facts,
        trusted=set(chosen.trusted_authors),
        nobody_on_duty=empty,
        zone=settings.timezone_of(profile),
    )
    result = {
        "profile": profile,
        "at": moment.isoformat(),
        "nobody_on_duty": empty,
        "scores": {"vulgar": score.vulgar, "harm": round(score.harm, 3), "topic": score.topic},
        "rule": found[0].id if found else None,
        "action": (found[0].action if not found[0].dry_run else f"{found[0].action} (dry run)")
        if found
        else None,
        "why": str(found[1]) if found else None,
    }
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    duty = "nobody is on duty" if empty else "someone is on duty"
    console.print(
        f"{profile} at {result['at']} ({duty}); vulgar {score.vulgar}, harm {score.harm:.2f}, topic {score.topic}",
        highlight=False,
    )
    if found:
        console.print(
            f"→ {result['action']} by rule {found[0].id}: {found[1]}", highlight=False, markup=False
        )
        console.print(f"  {explain(found[0], settings.language)}", highlight=False, markup=False)
    else:
        console.print("→ no rule acts", highlight=False)
