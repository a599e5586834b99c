"""Analysis commands: eval, score, train, rescore and the analysis benchmark."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from czujka.analysis.datasets import DatasetMissing, EvalInputError
from czujka.cli_common import JsonOption, console, errors, fail

eval_app = typer.Typer(help="Measure analysis against labelled JSONL files.", no_args_is_help=True)
InputOption = Annotated[
    Path, typer.Option("--input", "-i", help='JSONL: {"text": ..., "label": ...} a line.')
]
TierOption = Annotated[str, typer.Option(help="fast, auto (accurate where uncertain) or accurate.")]
INNOCENT = Path(__file__).resolve().parents[2] / "tests" / "data" / "innocent_pl.txt"


def _tier(tier: str) -> str:
    mapping = {"fast": "never", "auto": "auto", "accurate": "always"}
    if tier not in mapping:
        raise fail(f"--tier: {tier!r} is not one of fast, auto, accurate", 2)
    return mapping[tier]


def _read(path: Path, allowed: tuple[Any, ...]) -> tuple[list[str], list[Any]]:
    from czujka.analysis.evaluate import read_labelled

    try:
        return read_labelled(path, allowed)
    except EvalInputError as exc:
        raise fail(str(exc), 2) from None


def _print(report: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    console.print(f"[bold]{title}[/]")
    for key, value in report.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        console.print(f"  {key:<14} {value}", highlight=False)


@eval_app.command("harm")
def eval_harm(input: InputOption, as_json: JsonOption = False, tier: TierOption = "auto") -> None:
    """Precision, recall and F1 of the harmful class, accuracy, n and comments per second."""
    from czujka.analysis.evaluate import binary_report, timed
    from czujka.analysis.scorer import Analyzer

    texts, labels = _read(input, (0, 1))
    analyzer = Analyzer(accurate=_tier(tier)).load()  # type: ignore[arg-type]

    def predict(batch: list[str]) -> list[int]:
        probs, _, thresholds = analyzer.harm_scores(batch)
        return [int(p >= t) for p, t in zip(probs, thresholds, strict=True)]

    predicted, per_second = timed(predict, texts)
    _print(binary_report(labels, predicted, per_second), as_json, f"harm ({tier} tier) on {input}")


@eval_app.command("sentiment")
def eval_sentiment(input: InputOption, as_json: JsonOption = False) -> None:
    """Accuracy, macro-F1, per-class F1, n and comments per second."""
    from czujka.analysis.evaluate import SENTIMENT_LABELS, sentiment_report, timed
    from czujka.analysis.scorer import Analyzer

    texts, labels = _read(input, SENTIMENT_LABELS)
    analyzer = Analyzer().load()
    predicted, per_second = timed(analyzer.sentiments, texts)
    _print(sentiment_report(labels, predicted, per_second), as_json, f"sentiment on {input}")


@eval_app.command("vulgar")
def eval_vulgar(input: InputOption, as_json: JsonOption = False) -> None:
    """Precision, recall and F1 of the vulgar class, accuracy, n and comments per second."""
    from czujka.analysis.evaluate import binary_report, timed
    from czujka.analysis.vulgar import find_vulgar

    texts, labels = _read(input, (0, 1))
    predicted, per_second = timed(lambda batch: [int(bool(find_vulgar(t))) for t in batch], texts)
    _print(binary_report(labels, predicted, per_second), as_json, f"vulgarity on {input}")


@eval_app.command("datasets")
def eval_datasets(
    out: Annotated[Path, typer.Option(help="Folder for the JSONL files.")] = Path("czujka-data/eval"),
    data: Annotated[
        Path | None, typer.Option(help="The shared data folder (default ../shared/data).")
    ] = None,
) -> None:
    """Write czujka's eval files (CBD, PolEmo dev, NASK forms, disguised forms, innocent words) as JSONL."""
    from czujka.analysis.evaluate import build_eval_sets

    try:
        written = build_eval_sets(out, data, INNOCENT)
    except DatasetMissing as exc:
        raise fail(str(exc), 2) from None
    for name, count in written.items():
        console.print(f"{out / name}: {count} lines", highlight=False)


def score(
    text: Annotated[str, typer.Argument(help="The comment to score.")],
    competitors: Annotated[str, typer.Option(help="Comma-separated competitor names.")] = "",
    tier: TierOption = "auto",
    as_json: JsonOption = False,
) -> None:
    """Print every score of one text, with the matched vulgar words."""
    from czujka.analysis.scorer import Analyzer, Item

    names = tuple(n.strip() for n in competitors.split(",") if n.strip())
    result = Analyzer(accurate=_tier(tier)).load().score([Item(text, names)])[0].as_dict()  # type: ignore[arg-type]
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    words = ", ".join(f"{w['word']} [{w['start']}:{w['end']}] ({w['entry']})" for w in result["vulgar_words"])
    console.print(f"language   {result['language']}", highlight=False)
    console.print(f"sentiment  {result['sentiment']} ({result['sentiment_confidence']:.2f})", highlight=False)
    console.print(
        f"harm       {result['harm']:.3f} ({result['harm_tier']} tier)"
        f"{' harmful' if result['harmful'] else ''}",
        highlight=False,
    )
    console.print(f"vulgar     {'yes: ' + words if result['vulgar'] else 'no'}", highlight=False)
    console.print(f"topic      {result['topic']} ({result['topic_confidence']:.2f})", highlight=False)
    console.print(f"competitor {', '.join(result['competitors']) or '-'}", highlight=False)
    console.print(f"model      {result['model_version']}", highlight=False)


def train(
    data: Annotated[
        Path | None, typer.Option(help="The shared data folder (default ../shared/data).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the models (default: the package).")
    ] = None,
    only: Annotated[str | None, typer.Option(help="harm, sentiment or topic.")] = None,
    accurate: Annotated[bool, typer.Option(help="Also train the accurate (e5) harm tier.")] = True,
    cache: Annotated[Path, typer.Option(help="Cache of e5 embeddings.")] = Path("czujka-data/cache"),
) -> None:
    """Train the harm and sentiment models from the public sets and write the model card."""
    from czujka.analysis.train import (
        MODELS,
        TOPIC_SET,
        train_harm,
        train_sentiment,
        train_topic,
        write_model_card,
    )

    if only not in (None, "harm", "sentiment", "topic"):
        raise fail(f"--only: {only!r} is not harm, sentiment or topic", 2)
    target = out or MODELS
    reports = []
    try:
        if only in (None, "topic"):
            reports.append(train_topic(TOPIC_SET, target, errors.print))
        if only in (None, "sentiment"):
            reports.append(train_sentiment(data, target, errors.print))
        if only in (None, "harm"):
            reports.append(train_harm(data, target, errors.print, cache=cache, accurate=accurate))
    except DatasetMissing as exc:
        raise fail(str(exc), 2) from None
    card = write_model_card(target, reports)
    for report in reports:
        console.print(f"{report.name}: {json.dumps(report.metrics, ensure_ascii=False)}", highlight=False)
    console.print(f"models and card in {card.parent}")
