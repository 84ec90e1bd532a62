"""The report's trend chart as a PNG: requests per period (bars) and the pulse average (line).

Drawn on matplotlib's Agg canvas directly, without pyplot: no display, no global figure state,
safe in a server process. Matplotlib is not thread-safe, so drawings are made one at a time; a
server calls `trend_chart_png` in a worker thread (it is CPU-bound) to keep its loop free.
Suppressed figures are gaps, never drawn as zero. The texts come from the catalog.
"""

from __future__ import annotations

import io
import math
import threading
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from handlers.core.i18n import DEFAULT_LOCALE, t
from handlers.reports.figures import Report
from handlers.reports.summary import wellbeing

_DRAWING = threading.Lock()


def trend_chart_png(report: Report, locale: str = DEFAULT_LOCALE) -> bytes:
    """The chart as PNG bytes, its texts in `locale`."""
    with _DRAWING:
        figure = _draw(report, locale)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def write_trend_chart(report: Report, path: Path, locale: str = DEFAULT_LOCALE) -> Path:
    path.write_bytes(trend_chart_png(report, locale))
    return path


def _draw(report: Report, locale: str) -> Figure:
    figure = Figure(figsize=(9, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    requests_axis = figure.add_subplot()
    labels = [figures.label for figures in report.periods]
    positions = range(len(labels))
    requests = [figures.requests for figures in report.periods]
    requests_axis.bar(
        positions, [math.nan if count is None else count for count in requests], color="#4c78a8"
    )
    for position, count in zip(positions, requests, strict=True):
        if count is None:
            requests_axis.annotate("*", (position, 0), ha="center", va="bottom")
    requests_axis.set_ylabel(t(locale, "report.chart.requests"), color="#4c78a8")
    requests_axis.set_xticks(list(positions), labels, rotation=45, ha="right")
    requests_axis.set_xlim(-0.5, len(labels) - 0.5)  # suppressed periods at the ends too
    # Whole requests on a readable scale, even when every count is suppressed (matplotlib
    # would otherwise label an empty axis 0.00 to 0.05).
    shown = [count for count in requests if count is not None]
    requests_axis.set_ylim(0, max([*shown, report.threshold]) * 1.15)
    requests_axis.yaxis.set_major_locator(MaxNLocator(integer=True))

    pulse_axis = requests_axis.twinx()
    averages = [_pulse_average(report, index) for index in positions]
    pulse_axis.plot(positions, averages, color="#f58518", marker="o")
    pulse_axis.set_ylim(1, 5)
    pulse_axis.set_ylabel(t(locale, "report.chart.pulse"), color="#f58518")

    figure.suptitle(t(locale, f"report.chart.title.{report.period.value}"))
    figure.supxlabel(
        t(locale, "report.chart.suppressed", threshold=report.threshold), fontsize="small"
    )
    return figure


def _pulse_average(report: Report, index: int) -> float:
    pulse = wellbeing(report.periods[index])
    return math.nan if pulse is None or pulse.average is None else pulse.average
