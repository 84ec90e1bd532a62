"""`peer-support report`: a programme's figures as a table, a CSV file and a trend chart."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bot.cli.choices import PeriodChoice
from config.errors import ConfigError

if TYPE_CHECKING:
    from handlers.reports.figures import Report
    from handlers.reports.suppression import Breakdown

SUPPRESSED = "*"
ENCOUNTER_COLUMNS = {
    "listened": "Listened",
    "practical": "Practical help",
    "referred": "Referred to a professional",
    "group": "Group session",
}

report_app = typer.Typer(help="Programme reports: aggregates only, small cells suppressed.")


@report_app.command("report")
def report(
    organisation: int = typer.Option(
        ..., "--organisation", "--org", help="Organisation id (see `peer-support org list`)."
    ),
    start: datetime = typer.Option(
        ...,
        "--from",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="First day, e.g. 2026-09-01.",
    ),
    end: datetime = typer.Option(
        ...,
        "--to",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Last day (included), e.g. 2026-11-30.",
    ),
    period: PeriodChoice = typer.Option(
        PeriodChoice.WEEK, "--period", help="One row per week or month."
    ),
    csv_path: Path | None = typer.Option(None, "--csv", help="Also write the figures as CSV."),
    chart_path: Path | None = typer.Option(
        None, "--chart", help="Also draw the trend chart as a PNG image."
    ),
) -> None:
    """Requests, time to accept, escalations, follow-ups and pulse per week or month.

    Counts under the anonymity threshold show as *, and so does a figure a total would reveal.
    """
    figures = _load(organisation, start.date(), end.date(), period)
    console = Console()  # made here, so it measures the terminal the command runs in
    print_report(figures, console)
    if csv_path is not None:
        write_csv(figures, csv_path, Console(stderr=True))
        console.print(f"wrote {csv_path}")
    if chart_path is not None:
        from bot.report_chart import write_trend_chart  # matplotlib only when a chart is asked

        write_trend_chart(figures, chart_path)
        console.print(f"wrote {chart_path}")


def _load(organisation_id: int, start: date, end: date, choice: PeriodChoice) -> Report:
    """Compute the report and audit that it was seen; any problem is one line and exit 2."""
    import asyncio

    from bot.logs import configure_logging
    from bot.runtime import build_runtime, ensure_schema_current
    from config.settings import load_settings
    from handlers.reports.figures import Period, seen_report
    from handlers.roster.access import CLI_ACTOR
    from models import Organisation, utcnow

    configure_logging("WARNING")
    period = Period(choice.value)

    async def main() -> Report:
        runtime = build_runtime(load_settings())
        try:
            await ensure_schema_current(runtime.database)
            async with runtime.database.session() as session, session.begin():
                organisation = await session.get(Organisation, organisation_id)
                if organisation is None:
                    raise LookupError(f"no organisation {organisation_id}")
                return await seen_report(
                    session, organisation, start, end, period, actor=CLI_ACTOR, at=utcnow()
                )
        finally:
            await runtime.database.dispose()

    try:
        return asyncio.run(main())
    except (ConfigError, LookupError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def print_report(report: Report, out: Console) -> None:
    from handlers.reports.figures import Period
    from handlers.reports.suppression import SmallNumbers

    heading = "Week of" if report.period is Period.WEEK else "Month"
    requests = _table("Requests", heading, "Total", "Now", "Today", "This week", "Crisis path")
    requests.add_column("Median minutes to accept", justify="right")
    requests.add_column("90th percentile", justify="right")
    categories = _table("Requests by category", heading)
    escalations = _table("Escalations by tier reached", heading, "Escalated")
    follow_up = _table("Follow-up and pulse", heading, "Follow-up answers", "Average (1-5)")
    encounters = _table("Kinds of support (closed cases, as peers said)", heading, "Answers")
    first = report.periods[0]
    for name in first.by_category.cells:
        categories.add_column(name.replace("_", " ").capitalize(), justify="right")
    for name in first.escalations.cells:
        escalations.add_column(name.capitalize(), justify="right")
    for name in first.encounters.cells:
        encounters.add_column(ENCOUNTER_COLUMNS.get(name, name), justify="right")
    questions = sorted({pulse.question for figures in report.periods for pulse in figures.pulse})
    for question in questions:
        for column in ("answers", "average", "trend"):
            follow_up.add_column(f"Pulse Q{question} {column}", justify="right")

    for figures in report.periods:
        requests.add_row(
            figures.label,
            *_cells(figures.by_urgency, with_total=True),
            _show(figures.crisis),
            _show(figures.median_minutes_to_accept),
            _show(figures.p90_minutes_to_accept),
        )
        categories.add_row(figures.label, *_cells(figures.by_category))
        escalations.add_row(figures.label, *_cells(figures.escalations, with_total=True))
        encounters.add_row(figures.label, *_cells(figures.encounters, with_total=True))
        pulse = {item.question: item for item in figures.pulse}
        pulse_cells = []
        for question in questions:
            item = pulse.get(question)
            pulse_cells += [
                _show(item and item.answers),
                _show(item and item.average),
                SUPPRESSED if item is None or item.trend is None else f"{item.trend:+.2f}",
            ]
        follow_up.add_row(
            figures.label,
            _show(figures.follow_up_answers),
            _show(figures.follow_up_average),
            *pulse_cells,
        )
    for table in (requests, categories, escalations, follow_up, encounters):
        out.print(table)
    out.print(
        f"{SUPPRESSED} suppressed: fewer than {report.threshold}, or hidden so that a total "
        "cannot reveal a smaller figure."
    )
    if report.small_numbers == SmallNumbers.NHS:
        out.print(
            "NHS rule: counts of 1 to 7 suppressed, every other count rounded to the nearest 5."
        )
    if report.reach_ins:
        reach_ins = _table(
            "Reach-in after events",
            "Day",
            "Category",
            "Reached",
            "Asked to talk",
            "No thanks",
            "No answer yet",
            "Maybe later",
        )
        for event in report.reach_ins:
            reach_ins.add_row(
                event.occurred_on.isoformat(),
                event.category.replace("_", " "),
                str(event.reached),
                *(
                    _show(value)
                    for value in (event.talk, event.declined, event.unanswered, event.later)
                ),
            )
        out.print(reach_ins)
    else:
        out.print("No reach-in after an event in these dates.")
    if report.caseloads:
        caseloads = _table("Cases each peer carried", "Month", "Peer", "Cases")
        for caseload in report.caseloads:
            caseloads.add_row(caseload.month.strftime("%Y-%m"), caseload.peer, str(caseload.cases))
        out.print(caseloads)
    else:
        out.print("No peer accepted a case in these months.")


def write_csv(report: Report, path: Path, progress_to: Console) -> None:
    """Write the CSV; on a terminal a progress bar shows how far a long export has got."""
    from handlers.reports.export import CSV_HEADER, csv_rows

    rows = csv_rows(report)
    progress = Progress(
        TextColumn("Writing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=progress_to,
        transient=True,
        disable=not progress_to.is_terminal,
    )
    with path.open("w", newline="", encoding="utf-8") as file, progress:
        writer = csv.writer(file)
        writer.writerow(CSV_HEADER)
        for row in progress.track(rows, description=path.name):
            writer.writerow(row)


def _table(title: str, first: str, *columns: str) -> Table:
    table = Table(title=title)
    table.add_column(first)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def _cells(breakdown: Breakdown, *, with_total: bool = False) -> list[str]:
    cells = [_show(value) for value in breakdown.cells.values()]
    return [_show(breakdown.total), *cells] if with_total else cells


def _show(value: float | None) -> str:
    return SUPPRESSED if value is None else str(value)
