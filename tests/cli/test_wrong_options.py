"""Every subcommand, given a wrong value for each of its options, answers with one line naming
the option (and what is accepted), no traceback, and a non-zero exit; nothing changes."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

# A process's own log lines (db upgrade logs what it does at INFO): not part of the answer.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO) ")
PAST = "2020-01-01"
SOON = (date.today() + timedelta(days=5)).isoformat()
PEER = ["roster", "add-peer", "--org", "1", "--platform", "slack", "--tenant", "T1",
        "--user", "U9", "--name", "Zoe"]  # fmt: skip
ROTATION = ["roster", "add-rotation", "--org", "1", "--name", "Days", "--peers", "1",
            "--starts-on", "2026-12-01"]  # fmt: skip
OVERRIDE = ["roster", "add-override", "--org", "1", "--peer", "1",
            "--from", "2030-01-01T08:00", "--to", "2030-01-01T20:00"]  # fmt: skip

# (arguments, what the one line must name)
WRONG: list[tuple[list[str], str]] = [
    (["org", "create", "--name", "A", "--time-zone", "Europe/Madird"], "--time-zone"),
    (["org", "create", "--name", "A", "--locale", "fr"], "--locale"),
    (["org", "create", "--name", "A", "--country", "Spain"], "--country"),
    (["org", "create", "--name", " "], "--name"),
    (["org", "link", "--org", "1", "--platform", "sms", "--tenant", "T2"], "--platform"),
    (["org", "link", "--org", "x", "--platform", "slack", "--tenant", "T2"], "--org"),
    (["org", "set", "--org", "1", "--time-zone", "Mars/Base"], "--time-zone"),
    (["org", "set", "--org", "1", "--locale", "fr"], "--locale"),
    (["org", "set", "--org", "1", "--country", "123"], "--country"),
    (["org", "set", "--org", "1", "--offer-mode", "random"], "--offer-mode"),
    (["org", "set", "--org", "1", "--timeout-now", "0"], "--timeout-now"),
    (["org", "set", "--org", "1", "--timeout-today", "x"], "--timeout-today"),
    (["org", "set", "--org", "1", "--timeout-week", "-5"], "--timeout-week"),
    (["org", "set", "--org", "1", "--follow-ups", "1,x"], "--follow-ups"),
    (["org", "set", "--org", "1", "--follow-ups", "7,3"], "--follow-ups"),
    (["org", "set", "--org", "1", "--pulse-day", "9"], "--pulse-day"),
    (["org", "set", "--org", "1", "--pulse-time", "25:00"], "--pulse-time"),
    (["org", "set", "--org", "1", "--threshold", "2"], "--threshold"),
    (["org", "set", "--org", "1", "--retention-days", "0"], "--retention-days"),
    (["org", "set", "--org", "1", "--coverage-hours", "x"], "--coverage-hours"),
    (["org", "set", "--org", "99", "--locale", "es"], "organisation 99"),
    (["org", "crisis", "--org", "1", "--line", "no bar here"], "--line"),
    (["org", "risk-phrases", "--org", "1", "--add", "!!"], "risk phrase"),
    ([*PEER, "--platform", "sms"], "--platform"),
    ([*PEER[:6], "T404", *PEER[8:]], "--tenant"),
    ([*PEER, "--tier", "boss"], "--tier"),
    ([*PEER, "--languages", "english"], "--languages"),
    ([*PEER, "--cap", "0"], "--cap"),
    ([*PEER, "--cap", "x"], "--cap"),
    ([*PEER, "--trained-until", "30/06/2027"], "--trained-until"),
    ([*PEER, "--trained-until", PAST], "--trained-until"),
    ([*PEER, "--unit", "x" * 101], "--unit"),
    (["roster", "remove-peer", "--org", "1", "--peer", "99"], "peer 99"),
    (["roster", "remove-peer", "--org", "1", "--peer", "x"], "--peer"),
    (["roster", "list", "--org", "x"], "--org"),
    ([*ROTATION, "--peers", "1,x"], "--peers"),
    ([*ROTATION, "--tier", "boss"], "--tier"),
    ([*ROTATION[:8], "--starts-on", "tomorrow"], "--starts-on"),
    ([*ROTATION, "--handoff", "8am"], "--handoff"),
    ([*ROTATION, "--hours", "0"], "--hours"),
    (["roster", "add-rotation", "--org", "1", "--name", " ", *ROTATION[6:]], "--name"),
    ([*OVERRIDE[:6], "--from", "soon", *OVERRIDE[8:]], "--from"),
    ([*OVERRIDE[:8], "--to", "2029-01-01T08:00"], "--to"),
    ([*OVERRIDE, "--tier", "boss"], "--tier"),
    ([*OVERRIDE[:4], "--peer", "x", *OVERRIDE[6:]], "--peer"),
    (["roster", "on-call", "--org", "1", "--days", "0"], "--days"),
    (["roster", "import-csv", "--org", "1", "missing.csv"], "'path'"),
    (["roster", "import-ical", "--org", "1", "cal.ics", "--days", "0"], "--days"),
    (["roster", "import-ical", "--org", "1", "cal.ics", "--tier", "boss"], "--tier"),
    (["roster", "lapsing", "--org", "x"], "--org"),
    (["report", "--org", "1", "--from", "x", "--to", "2026-01-31"], "--from"),
    (["report", "--org", "1", "--from", "2026-01-01", "--to", "x"], "--to"),
    (
        ["report", "--org", "1", "--from", "2026-01-01", "--to", "2026-01-31", "--period", "year"],
        "--period",
    ),  # fmt: skip
    (["db", "upgrade", "nonsense"], "REVISION"),
    (["db", "downgrade", "nonsense"], "REVISION"),
    (["sandbox", "--port", "99999"], "--port"),
    (["sandbox", "--page-port", "x"], "--page-port"),
    (["start", "--page-port", "-1"], "--page-port"),
    (["teams-package", "--domain"], "--domain"),
    (["roster", "nonsense"], "nonsense"),
    (["org", "set", "--org", "1", "--nope", "1"], "--nope"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with a migrated database, an organisation (1) linked to Slack T1,
    and one peer (1)."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "cal.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    return folder


@pytest.fixture
def cli(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(home)
    runner = CliRunner()
    if not (home / "peer_support.db").exists():
        for args in (
            ["db", "upgrade"],
            ["org", "create", "--name", "St Example"],
            ["org", "link", "--org", "1", "--platform", "slack", "--tenant", "T1"],
            [
                "roster",
                "add-peer",
                "--org",
                "1",
                "--platform",
                "slack",
                "--tenant",
                "T1",
                "--user",
                "U1",
                "--name",
                "Ana",
            ],  # fmt: skip
        ):
            result = runner.invoke(app, args)
            assert result.exit_code == 0, result.output
    return runner


@pytest.mark.parametrize(("args", "named"), WRONG, ids=lambda value: " ".join(value)[:60])
def test_a_wrong_option_is_one_line_naming_it(cli: CliRunner, args: list[str], named: str) -> None:
    before = cli.invoke(app, ["roster", "list", "--org", "1"]).stdout
    result = cli.invoke(app, args)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    [line] = [line for line in result.stderr.strip().splitlines() if not LOG_LINE.match(line)]
    assert line.startswith("error: ") and named in line
    assert cli.invoke(app, ["roster", "list", "--org", "1"]).stdout == before  # nothing changed


def test_help_shows_no_stray_type_names(cli: CliRunner) -> None:
    for args in (["org", "set", "--help"], ["roster", "import-csv", "--help"]):
        assert "<bool>" not in cli.invoke(app, args).stdout
