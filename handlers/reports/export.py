"""A report as rows: the measures of a period, and the CSV the command line writes."""

from __future__ import annotations

from datetime import timedelta

from handlers.reports.figures import Period, PeriodFigures, Report, add_periods

CSV_HEADER = ("period_start", "period_end", "measure", "value", "suppressed")


def measures(figures: PeriodFigures) -> list[tuple[str, float | None]]:
    """The period's figures as (measure, value) pairs, in the order the CSV lists them."""
    items: list[tuple[str, float | None]] = [("requests", figures.requests)]
    items += [(f"requests.urgency.{key}", value) for key, value in figures.by_urgency.cells.items()]
    items += [
        (f"requests.category.{key}", value) for key, value in figures.by_category.cells.items()
    ]
    items += [
        ("minutes_to_accept.median", figures.median_minutes_to_accept),
        ("minutes_to_accept.p90", figures.p90_minutes_to_accept),
        ("escalations", figures.escalations.total),
    ]
    items += [
        (f"escalations.tier_reached.{key}", value)
        for key, value in figures.escalations.cells.items()
    ]
    items += [
        ("crisis_activations", figures.crisis),
        ("follow_up.answers", figures.follow_up_answers),
        ("follow_up.average_score", figures.follow_up_average),
    ]
    items += [("encounters", figures.encounters.total)]
    items += [(f"encounters.{key}", value) for key, value in figures.encounters.cells.items()]
    for pulse in figures.pulse:
        items += [
            (f"pulse.q{pulse.question}.answers", pulse.answers),
            (f"pulse.q{pulse.question}.average", pulse.average),
            (f"pulse.q{pulse.question}.trend", pulse.trend),
        ]
    return items


def csv_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """One row per period and measure, one per month and peer for the cases carried, then one
    per reach-in event and measure (dated the day of the event).
    A suppressed value is left empty and marked, so it is never read as a zero."""
    rows = [
        (
            figures.start.isoformat(),
            figures.end.isoformat(),
            measure,
            "" if value is None else str(value),
            "yes" if value is None else "no",
        )
        for figures in report.periods
        for measure, value in measures(figures)
    ]
    rows += [
        (
            caseload.month.isoformat(),
            (add_periods(caseload.month, Period.MONTH, 1) - timedelta(days=1)).isoformat(),
            f"cases_carried.{caseload.peer}",
            str(caseload.cases),
            "no",
        )
        for caseload in report.caseloads
    ]
    for event in report.reach_ins:
        day = event.occurred_on.isoformat()
        for measure, value in (
            ("reached", event.reached),
            ("asked_to_talk", event.talk),
            ("no_thanks", event.declined),
            ("no_answer_yet", event.unanswered),
            ("maybe_later", event.later),
        ):
            rows.append(
                (
                    day,
                    day,
                    f"reach_in.{event.category}.{measure}",
                    "" if value is None else str(value),
                    "yes" if value is None else "no",
                )
            )
    return rows
