"""`czujka reply`: check a draft reply, and train or measure the reply check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from czujka.cli_common import JsonOption, console, errors, fail

reply_app = typer.Typer(
    help="Staff replies: the check that runs before a reply goes out.", no_args_is_help=True
)
LangOption = Annotated[
    str | None, typer.Option("--lang", help="Language of the messages: pl or en (default: the draft's).")
]


def _language(lang: str | None) -> str | None:
    if lang not in (None, "pl", "en"):
        raise fail(f"--lang: {lang!r} is not pl or en", 2)
    return lang


def _show(result: dict[str, Any], as_json: bool, label: str = "") -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    if result.get("error"):
        console.print(f"{label}[red]{result['error']}[/]", highlight=False)
        return
    verdict = "[red]risky[/]" if result["risky"] else "[green]good[/]"
    console.print(f"{label}{verdict}", highlight=False)
    for reason in result["reasons"]:
        console.print(f"  {reason['code']}: {reason['message']}", highlight=False, markup=False)


def _read_drafts(path: Path) -> list[tuple[int, dict[str, Any] | str]]:
    """Each line's draft, or the reason it cannot be checked (which becomes that line's answer)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise fail(f"--input: {path} does not exist", 2) from None
    except UnicodeDecodeError:
        raise fail(f"--input: {path} is not UTF-8 text", 2) from None
    except OSError as exc:
        raise fail(f"--input: {path}: {exc.strerror}", 2) from None
    drafts: list[tuple[int, dict[str, Any] | str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            drafts.append((number, f"line {number}: not JSON ({exc.msg})"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            drafts.append((number, f"line {number}: needs a string field 'text'"))
            continue
        lang = item.get("lang")
        drafts.append((number, {"text": item["text"], "lang": lang if lang in ("pl", "en") else None}))
    return drafts


@reply_app.command("check")
def check(
    text: Annotated[str | None, typer.Argument(help="The draft reply.")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help='JSONL of drafts: {"text": ...} a line.')
    ] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Is the draft risky, and why: {"risky": bool, "reasons": [{"code", "message"}]} (a line each with
    --input, in the file's order; a line that cannot be read answers {"risky": null, "error": ...})."""
    from czujka.playbooks.reply_check import ReplyChecker

    language = _language(lang)
    if (text is None) == (input is None):
        raise fail("give either the draft TEXT or --input FILE.jsonl", 2)
    checker = ReplyChecker()
    if text is not None:
        _show(checker.check(text, language=language).as_dict(), as_json)
        return
    assert input is not None
    drafts = _read_drafts(input)
    good = [d for _, d in drafts if isinstance(d, dict)]
    results = iter(checker.check_many([d["text"] for d in good], [language or d["lang"] for d in good]))
    bad = 0
    for number, draft in drafts:
        if isinstance(draft, str):
            bad += 1
            errors.print(draft, highlight=False, markup=False)
            _show({"risky": None, "reasons": [], "error": draft}, as_json, f"line {number}: ")
        else:
            _show(next(results).as_dict(), as_json, "" if as_json else f"line {number}: ")
    if bad:
        raise typer.Exit(1)


@reply_app.command("train")
def train(
    data: Annotated[Path | None, typer.Option(help="Labelled replies (default: the shipped set).")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the model (default: the package's).")] = None,
) -> None:
    """Rebuild the reply check's model from the labelled set, after measuring it by cross-validation."""
    from czujka.playbooks.check_model import MODELS, REPLIES, LabelledSetError, fit, read_labelled, save
    from czujka.playbooks.evaluate import evaluate

    path = data or REPLIES
    try:
        metrics = evaluate(path, holdout=None)
        model = fit(read_labelled(path))
    except (LabelledSetError, FileNotFoundError) as exc:
        raise fail(str(exc), 2) from None
    save(model, out or MODELS, metrics)
    check = metrics["check"]
    console.print(
        f"reply check: risky caught {check['risky_caught']} %, good flagged {check['good_flagged']} % "
        f"({metrics['data']}); model saved to {out or MODELS}",
        highlight=False,
    )


@reply_app.command("eval")
def eval_(
    data: Annotated[Path | None, typer.Option(help="Labelled replies (default: the shipped set).")] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Risky replies caught and good ones flagged: by cross-validation, rules and model apart, and the
    shipped check on the hold-out set."""
    from czujka.playbooks.check_model import REPLIES, LabelledSetError
    from czujka.playbooks.evaluate import evaluate

    try:
        report = evaluate(data or REPLIES, folds=folds)
    except (LabelledSetError, FileNotFoundError) as exc:
        raise fail(str(exc), 2) from None
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    console.print(report["data"], highlight=False)
    for part in ("check", "rules_only", "model_only", "holdout"):
        if part not in report:
            continue
        r = report[part]
        langs = " · ".join(
            f"{lang}: {r[lang]['risky_caught']} % / {r[lang]['good_flagged']} %"
            for lang in ("pl", "en")
            if lang in r
        )
        console.print(
            f"  {part:<11} risky caught {r['risky_caught']} %, good flagged {r['good_flagged']} % ({langs})",
            highlight=False,
        )
    for lang, r in report.get("across_languages", {}).items():
        console.print(
            f"  {lang} with a model trained on the other language only: risky caught {r['risky_caught']} %, "
            f"good flagged {r['good_flagged']} %",
            highlight=False,
        )
