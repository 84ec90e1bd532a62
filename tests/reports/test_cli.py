"""`peer-support report` against a SQLite file, as an operator runs it."""

from __future__ import annotations

import asyncio
import csv
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.reports import report_app, write_csv
from handlers.reports.figures import Period, Report
from models import AuditEvent, Organisation
from models.db import Database
from models.migrate import upgrade
from tests.reports.rows import add_pulse_round, add_requests

app = typer.Typer()
app.add_typer(report_app)  # as bot/cli/__init__.py registers it: `peer-support report`


async def prepare(url: str) -> None:
    """A migrated database with one organisation, a busy week and a quiet one."""
    database = Database(url)
    await upgrade(database)
    async with database.session() as session, session.begin():
        session.add(Organisation(name="St Example", anonymity_threshold=3, time_zone="UTC"))
    tuesday = datetime(2026, 11, 24, 9, tzinfo=UTC)
    await add_requests(database, 1, tuesday, 4, minutes_to_accept=5)
    await add_requests(database, 1, tuesday, 1, category="violence", urgency="today")
    await add_pulse_round(database, 1, date(2026, 11, 23), [4, 4, 2])
    await database.dispose()


async def audit_actions(url: str) -> list[tuple[str, str, str | None]]:
    database = Database(url)
    async with database.session() as session:
        events = await session.scalars(select(AuditEvent))
        actions = [(event.actor, event.action, event.detail) for event in events]
    await database.dispose()
    return actions


@pytest.fixture
def programme_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_", "ENVIRONMENT")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    url = f"sqlite+aiosqlite:///{tmp_path / 'programme.db'}"
    asyncio.run(prepare(url))
    return url


def invoke(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["report", *args], env={"DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def test_report_table_csv_and_chart(programme_db: str, tmp_path: Path) -> None:
    code, out, err = invoke(
        programme_db,
        "--organisation", "1", "--from", "2026-11-23", "--to", "2026-12-06",
        "--period", "week", "--csv", "out.csv", "--chart", "trend.png",
    )  # fmt: skip

    assert code == 0, err
    assert "2026-11-23" in out and "2026-11-30" in out
    assert "Median minutes to accept" in out and "5.0" in out
    assert "* suppressed: fewer than 3" in out
    assert "No peer accepted a case" in out
    with (tmp_path / "out.csv").open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["period_start", "period_end", "measure", "value", "suppressed"]
    assert ["2026-11-23", "2026-11-29", "requests", "5", "no"] in rows
    assert ["2026-11-23", "2026-11-29", "requests.category.violence", "", "yes"] in rows
    assert ["2026-11-23", "2026-11-29", "pulse.q1.average", "3.33", "no"] in rows
    assert (tmp_path / "trend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert asyncio.run(audit_actions(programme_db)) == [
        ("admin:cli", "report_viewed", "week 2026-11-23..2026-12-06")
    ]


def test_monthly_report(programme_db: str) -> None:
    code, out, _err = invoke(
        programme_db, "--org", "1", "--from", "2026-11-01", "--to", "2026-11-30",
        "--period", "month",
    )  # fmt: skip
    assert code == 0 and "Month" in out and "2026-11" in out


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--organisation", "9"], {}, "error: no organisation 9"),
        (["--organisation", "1", "--to", "2026-11-01"], {}, "before it starts"),
        (["--organisation", "1"], {"DATABASE_URL": "mysql://db/x"}, "DATABASE_URL:"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    programme_db: str, args: list[str], env: dict[str, str], message: str
) -> None:
    dates = ["--from", "2026-11-23"] + ([] if "--to" in args else ["--to", "2026-11-29"])
    result = CliRunner().invoke(
        app, ["report", *dates, *args], env={"DATABASE_URL": programme_db, **env}
    )
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_long_export_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    terminal = Console(force_terminal=True, record=True, width=100)
    report = Report(organisation_id=1, period=Period.WEEK, threshold=3, periods=(), caseloads=())
    write_csv(report, tmp_path / "empty.csv", terminal)
    assert "Writing empty.csv" in terminal.export_text()


def test_org_set_small_numbers_nhs_then_the_report_rounds(programme_db: str) -> None:
    """`org set --small-numbers nhs`: the busy week's 5 requests (1-7) are suppressed and the
    report names the rule; `org list` says which rule is on; a wrong value is one line."""
    from bot.cli import app as whole_app

    env = {"DATABASE_URL": programme_db, "COLUMNS": "200"}
    runner = CliRunner()
    wrong = runner.invoke(whole_app, ["org", "set", "--org", "1", "--small-numbers", "x"], env=env)
    assert wrong.exit_code == 2 and "small numbers must be threshold or nhs" in wrong.output
    changed = runner.invoke(
        whole_app, ["org", "set", "--org", "1", "--small-numbers", "nhs"], env=env
    )
    assert changed.exit_code == 0 and "small_numbers" in changed.stdout
    listing = runner.invoke(whole_app, ["org", "list"], env=env)
    assert "NHS rule: 1-7 hidden, others rounded to 5" in listing.stdout
    code, out, err = invoke(
        programme_db, "--org", "1", "--from", "2026-11-23", "--to", "2026-11-29",
    )  # fmt: skip
    assert code == 0, err
    assert "NHS rule: counts of 1 to 7 suppressed" in out
    assert "* suppressed: fewer than 8" in out
