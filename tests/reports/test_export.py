"""The CSV rows and the PNG trend chart made from a report."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime
from pathlib import Path

from bot.report_chart import _draw, write_trend_chart
from handlers.reports.export import CSV_HEADER, csv_rows
from tests.hospital import Hospital
from tests.reports.rows import (
    MONDAY,
    NEXT_MONDAY,
    add_pulse_round,
    add_requests,
    configure,
    report_for,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def two_weeks(hospital: Hospital) -> None:
    database, organisation_id = hospital.database, hospital.organisation_id
    await configure(database, organisation_id, anonymity_threshold=3)
    peer = await hospital.add_peer("ana")
    tuesday = datetime(2026, 11, 24, 9, tzinfo=UTC)
    await add_requests(database, organisation_id, tuesday, 4, minutes_to_accept=6, peer_id=peer)
    await add_requests(database, organisation_id, tuesday, 1, urgency="today")
    await add_requests(database, organisation_id, tuesday, 3, urgency="week")
    await add_pulse_round(database, organisation_id, MONDAY, [3, 4, 5])


async def test_csv_has_one_row_per_period_and_measure(hospital: Hospital) -> None:
    await two_weeks(hospital)
    report = await report_for(hospital, MONDAY, NEXT_MONDAY)

    rows = csv_rows(report)

    assert CSV_HEADER == ("period_start", "period_end", "measure", "value", "suppressed")
    week = [row for row in rows if row[0] == "2026-11-23"]
    by_measure = {measure: (value, suppressed) for _start, _end, measure, value, suppressed in week}
    assert len(by_measure) == len(week)  # one row per measure
    assert all(row[1] == "2026-11-29" for row in week)
    assert by_measure["requests"] == ("8", "no")
    assert by_measure["requests.urgency.now"] == ("4", "no")
    assert by_measure["requests.urgency.today"] == ("", "yes")
    assert by_measure["requests.urgency.week"] == ("", "yes")  # the complementary cell
    assert by_measure["minutes_to_accept.median"] == ("6.0", "no")
    assert by_measure["pulse.q1.average"] == ("4.0", "no")
    assert by_measure["pulse.q1.trend"] == ("", "yes")  # nothing the week before to compare
    assert [row[2] for row in rows if row[0] == "2026-11-30"] == [row[2] for row in week]
    peer = hospital.peers["ana"]
    assert rows[-1] == ("2026-11-01", "2026-11-30", f"cases_carried.peer:{peer}", "4", "no")


async def test_trend_chart_is_a_png(hospital: Hospital, tmp_path: Path) -> None:
    await two_weeks(hospital)
    report = await report_for(hospital, date(2026, 9, 1), NEXT_MONDAY)

    path = write_trend_chart(report, tmp_path / "trend.png")

    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (900, 450)
    assert len(data) > 10_000


async def test_a_chart_with_every_count_suppressed_has_a_readable_whole_number_axis(
    hospital: Hospital,
) -> None:
    """A demo's few requests are all suppressed: the requests axis still reads 0 to the
    threshold in whole numbers, not 0.00 to 0.05."""
    await hospital.setup()
    report = await report_for(hospital, date(2026, 9, 1), NEXT_MONDAY)
    assert all(figures.requests is None for figures in report.periods)
    requests_axis = _draw(report, "en").axes[0]
    bottom, top = requests_axis.get_ylim()
    assert bottom == 0 and top >= report.threshold
    ticks = [tick for tick in requests_axis.get_yticks() if bottom <= tick <= top]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
