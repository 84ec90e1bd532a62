"""The roster commands as an operator meets them: updates change only what is given and say
what changed, imports are all-or-nothing (UTF-16 from Excel too) and preview in local time,
tables are never cut, and a check creates nothing."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import app

ANA = ["roster", "add-peer", "--org", "1", "--platform", "slack", "--tenant", "T1",
       "--user", "U1", "--name", "Ana"]  # fmt: skip
LATER = (date.today() + timedelta(days=400)).isoformat()


def clean_env(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(folder)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    clean_env(monkeypatch, tmp_path)
    runner = CliRunner()
    for args in (
        ["db", "upgrade"],
        ["org", "create", "--name", "St Example", "--time-zone", "Europe/Madrid"],
        ["org", "link", "--org", "1", "--platform", "slack", "--tenant", "T1"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    return runner


def ok(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_an_update_changes_only_what_is_given_and_says_what(cli: CliRunner) -> None:
    added = ok(cli, *ANA, "--unit", "ICU", "--cap", "3", "--trained-until", LATER)
    assert added.strip() == "peer 1 added"
    assert ok(cli, *ANA, "--cap", "4").strip() == "peer 1 updated: cap 3 -> 4"
    assert ok(cli, *ANA).strip() == "peer 1: no change"
    listing = ok(cli, "roster", "list", "--org", "1")
    assert "ICU" in listing and LATER in listing  # kept: not reset to the defaults


def test_removing_twice_says_so_the_second_time(cli: CliRunner) -> None:
    ok(cli, *ANA)
    assert ok(cli, "roster", "remove-peer", "--org", "1", "--peer", "1").strip() == (
        "peer 1 removed"
    )
    again = cli.invoke(app, ["roster", "remove-peer", "--org", "1", "--peer", "1"])
    assert again.exit_code == 2 and "already off the roster" in again.stderr


def test_the_roster_table_is_not_cut_and_an_empty_lapsing_list_says_so(cli: CliRunner) -> None:
    long_name = "Ana Maria de los Angeles Fernandez-Villaverde"
    unit = "Paediatric intensive care unit"
    ok(cli, *ANA[:-1], long_name, "--unit", unit, "--languages", "es,en,fr,pt")
    listing = ok(cli, "roster", "list", "--org", "1")
    assert "Ana Maria de los Angeles Fernandez-Villaverde" in listing
    assert "Paediatric intensive care unit" in listing and "available" in listing
    assert ok(cli, "roster", "lapsing", "--org", "1").strip() == (
        "Nobody's training lapses within 30 days."
    )


CSV = "platform,tenant,user_id,name,languages\nslack,T1,U3,Cara,es\nfax,T1,U4,Bad,en\n"


def test_a_csv_with_a_bad_row_applies_nothing_unless_partial(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "peers.csv"
    path.write_text(CSV)
    result = cli.invoke(app, ["roster", "import-csv", "--org", "1", str(path), "--apply"])
    assert result.exit_code == 2 and "nothing was applied" in result.stderr
    assert "Cara" not in ok(cli, "roster", "list", "--org", "1")
    partial = ["roster", "import-csv", "--org", "1", str(path), "--apply", "--partial"]
    result = cli.invoke(app, partial)
    assert result.exit_code == 2  # still says a row could not be read
    assert "Cara" in ok(cli, "roster", "list", "--org", "1")


def test_a_csv_saved_as_excel_unicode_text_is_read(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "peers.csv"
    path.write_bytes("platform,tenant,user_id,name\nslack,T1,U5,Íñigo\n".encode("utf-16"))
    assert "Added Íñigo" in ok(cli, "roster", "import-csv", "--org", "1", str(path), "--apply")


def test_a_csv_row_is_checked_as_the_chat_form_checks_a_peer(
    cli: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "peers.csv"
    path.write_text("platform,tenant,user_id,name,trained_until\nslack,T1,U6,Dan,2020-01-01\n")
    result = cli.invoke(app, ["roster", "import-csv", "--org", "1", str(path)])
    assert result.exit_code == 2 and "trained_until" in result.stdout


def test_an_ical_import_of_garbage_fails_and_a_preview_is_in_local_time(
    cli: CliRunner, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.ics"
    garbage.write_bytes(b"\x00\x01 not a calendar")
    result = cli.invoke(app, ["roster", "import-ical", "--org", "1", str(garbage)])
    assert result.exit_code == 2 and "could not be read" in result.stderr

    ok(cli, *ANA[:-1], "Ana Ruiz")
    day = (date.today() + timedelta(days=2)).strftime("%Y%m%d")
    calendar = tmp_path / "shifts.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\nBEGIN:VEVENT\nUID:1\n"
        f"DTSTART:{day}T070000Z\nDTEND:{day}T150000Z\nSUMMARY:Ana Ruiz on call\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    preview = ok(cli, "roster", "import-ical", "--org", "1", str(calendar))
    assert "Ana Ruiz: " in preview  # as the roster names her, not "ana ruiz"
    madrid = ZoneInfo("Europe/Madrid")
    starts = datetime.strptime(f"{day}T07", "%Y%m%dT%H").replace(tzinfo=UTC).astimezone(madrid)
    assert f"{starts:%H}:00 to " in preview and "(Europe/Madrid)" in preview
    assert "UTC" not in preview


def test_check_config_in_a_fresh_directory_creates_nothing_and_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env(monkeypatch, tmp_path)
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 2
    assert "peer-support db upgrade" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_on_call_marks_a_peer_who_switched_to_unavailable(cli: CliRunner, tmp_path: Path) -> None:
    ok(cli, *ANA)
    ok(cli, "roster", "add-rotation", "--org", "1", "--name", "Days", "--peers", "1",
       "--starts-on", "2026-01-01", "--handoff", "08:00", "--hours", "24")  # fmt: skip
    assert "Ana (unavailable)" not in ok(cli, "roster", "on-call", "--org", "1", "--days", "2")
    with sqlite3.connect(tmp_path / "peer_support.db") as database:
        database.execute("UPDATE peers SET available = 0")
    assert "Ana (unavailable)" in ok(cli, "roster", "on-call", "--org", "1", "--days", "2")
