"""How well the reply check separates risky staff replies from good ones, on data the model did not see."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from czujka.playbooks.check_model import HOLDOUT, Labelled, ToneModel, cross_validated, fit, read_labelled
from czujka.playbooks.reply_check import ReplyChecker
from czujka.playbooks.rules import rule_reasons


def rates(rows: Sequence[Labelled], verdicts: Sequence[bool]) -> dict[str, Any]:
    """Risky replies caught and good ones flagged, in per cent, overall and per language."""

    def one(selected: list[tuple[Labelled, bool]]) -> dict[str, Any]:
        risky = [v for r, v in selected if r.risky]
        good = [v for r, v in selected if not r.risky]
        return {
            "risky_caught": round(100 * sum(risky) / len(risky), 1) if risky else None,
            "good_flagged": round(100 * sum(good) / len(good), 1) if good else None,
            "risky": len(risky),
            "good": len(good),
        }

    pairs = list(zip(rows, verdicts, strict=True))
    report = one(pairs)
    for lang in sorted({r.lang for r in rows}):
        report[lang] = one([(r, v) for r, v in pairs if r.lang == lang])
    return report


def _checked(model: ToneModel, texts: list[str], _langs: list[str]) -> list[bool]:
    return [bool(codes) for codes, _ in ReplyChecker(model).codes(texts)]


def _model_only(model: ToneModel, texts: list[str], _langs: list[str]) -> list[bool]:
    return [p >= model.threshold for p, _ in model.predict(texts)]


def evaluate(path: Path, *, folds: int = 5, holdout: Path | None = HOLDOUT) -> dict[str, Any]:
    """Cross-validation of rules + model on `path` (the model refitted in each fold), the rules and the
    model alone, each language checked with a model trained on the other only, and the shipped check on
    the hold-out set if there is one."""
    rows = read_labelled(path)
    report: dict[str, Any] = {
        "data": f"{len(rows)} replies ({path.name}), {folds}-fold stratified cross-validation",
        "check": rates(rows, cross_validated(rows, _checked, folds=folds)),
        "rules_only": rates(rows, [bool(rule_reasons(r.text)) for r in rows]),
        "model_only": rates(rows, cross_validated(rows, _model_only, folds=folds)),
    }
    report["across_languages"] = {}
    for lang in sorted({r.lang for r in rows}):
        others = [r for r in rows if r.lang != lang]
        mine = [r for r in rows if r.lang == lang]
        if others and mine:  # the model learns from the other language only
            report["across_languages"][lang] = rates(mine, _checked(fit(others), [r.text for r in mine], []))
    if holdout is not None and holdout.exists():
        held = read_labelled(holdout)
        shipped = ReplyChecker()
        report["holdout"] = {
            "data": f"{len(held)} replies ({holdout.name}) written after the rules and model were set",
            **rates(held, [bool(codes) for codes, _ in shipped.codes([r.text for r in held])]),
        }
    return report
