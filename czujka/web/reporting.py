"""The report's page, its document and its PDF from one template (`_report.html`), and its chart.

The page wraps `_report.html` in the dashboard; the document (`czujka report --format html`, the PDF) wraps
it in `report_document.html`, with print styles. The PDF is that document through WeasyPrint, so what a
shop owner forwards is what the page shows. The chart is SVG in both: bars of comments per hour against the
hour-of-week baseline, the negative share against its baseline share, the crisis shaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from czujka.web.charts import plot
from czujka.web.i18n import LANGUAGE
from czujka.web.templating import STATIC, TEMPLATES

PLOT_W, PLOT_H = 1000, 180
HEIGHT = 212


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it draws text with (Pango) are missing."""


@dataclass
class ReportChart:
    bars: list[dict[str, float]] = field(default_factory=list)
    baseline_path: str = ""
    negative_path: str = ""
    baseline_share_path: str = ""
    during: dict[str, float] = field(default_factory=dict)
    markers: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    y_max: int = 1
    plot_w: int = PLOT_W
    plot_h: int = PLOT_H
    height: int = HEIGHT
    daily: bool = False


def report_chart(report: dict[str, Any]) -> ReportChart:
    volume, sentiment = report["volume"]["hours"], report["sentiment"]["hours"]
    chart = ReportChart(daily=len(volume) > 48)  # hour labels every 6 h would collide on a phone
    n = len(volume)
    if not n:
        return chart
    drawn = plot([h["comments"] for h in volume], [h["baseline"] for h in volume], plot_h=PLOT_H)
    chart.y_max, chart.bars = drawn.y_max, drawn.bars
    chart.baseline_path = drawn.count_path([h["baseline"] for h in volume])
    chart.negative_path = drawn.share_path([h["negative_share"] for h in sentiment])
    chart.baseline_share_path = drawn.share_path([h["baseline_share"] for h in sentiment])
    step = PLOT_W / n
    inside = [i for i, h in enumerate(volume) if h["phase"] == "during"]
    if inside:
        chart.during = {"x": round(inside[0] * step, 1), "w": round(len(inside) * step, 1)}
    start, end = volume[0]["start"], report["volume"]["after"]["end"]
    span = (end - start).total_seconds()
    for key, label in (("detected", "detected"), ("acknowledged", "acknowledged"), ("resolved", "resolved")):
        at: datetime | None = report.get(key)
        if at is not None and start <= at <= end:
            chart.markers.append(
                {"x": round(PLOT_W * (at - start).total_seconds() / span, 1), "kind": label, "at": at}
            )
    for i, h in enumerate(volume):
        pct = 100 * (i + 0.5) / n
        hour = h["start"].hour
        if 4 <= pct <= 94 and ((not chart.daily and hour % 6 == 0) or (chart.daily and hour == 12)):
            chart.ticks.append({"pct": round(pct, 2), "at": h["start"]})
    return chart


@cache
def _report_css() -> str:
    """The page's stylesheet, read once: the documents carry it inline."""
    return (STATIC / "report.css").read_text(encoding="utf-8")


def _document(template: str, *, language: str, **context: Any) -> str:
    """A report or a digest as a document of its own (no dashboard around it), for a file or the PDF."""
    token = LANGUAGE.set(language)
    try:
        return TEMPLATES.get_template(template).render(language=language, report_css=_report_css(), **context)
    finally:
        LANGUAGE.reset(token)


def render_report(report: dict[str, Any], *, language: str, settings: Any) -> str:
    return _document(
        "report_document.html",
        language=language,
        report=report,
        chart=report_chart(report),
        settings=settings,
        editable=False,
        document=True,
    )


def render_digest(digest: dict[str, Any], *, language: str) -> str:
    return _document("digest_document.html", language=language, digest=digest)


def pdf_of(html: str) -> bytes:
    """The document as PDF through WeasyPrint (A4, the page numbers in the footer)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango or its fonts are missing from the system
        raise PdfUnavailable(
            f"PDF needs WeasyPrint and the Pango library ({exc}); on Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0 fonts-dejavu-core"
        ) from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it skips is for screens, not a fault
    return HTML(string=html).write_pdf()
