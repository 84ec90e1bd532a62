"""A coordinator sets up a programme from nothing with the command line."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "DATABASE_", "ENCRYPTION_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_programme_from_nothing(cli: CliRunner, tmp_path: Path) -> None:
    org = run(cli, "org", "create", "--name", "St Example", "--time-zone", "Europe/Madrid",
              "--country", "ES", "--locale", "es").strip()  # fmt: skip
    assert org == "1"
    run(cli, "org", "link", "--org", org, "--platform", "slack", "--tenant", "T123")
    run(cli, "org", "crisis", "--org", org, "--line", "Hospital psychology|ext. 4455")
    changed = run(cli, "org", "set", "--org", org, "--offer-mode", "sequential",
                  "--timeout-now", "15", "--pulse-second-question")  # fmt: skip
    assert "pulse_second_question" in changed
    ana = run(cli, "roster", "add-peer", "--org", org, "--platform", "slack", "--tenant", "T123",
              "--user", "U1", "--name", "Ana", "--languages", "es,en").split()[1]  # fmt: skip
    soon = (date.today() + timedelta(days=10)).isoformat()  # lapsing within 30 days
    ben = run(cli, "roster", "add-peer", "--org", org, "--platform", "slack", "--tenant", "T123",
              "--user", "U2", "--name", "Ben", "--trained-until", soon)  # fmt: skip
    ben = ben.split()[1]
    run(cli, "roster", "add-rotation", "--org", org, "--name", "Days", "--peers", f"{ana},{ben}",
        "--starts-on", "2026-01-01", "--handoff", "08:00", "--hours", "24")  # fmt: skip
    listing = run(cli, "roster", "list", "--org", org)
    assert "Ana" in listing and "Ben" in listing
    on_call = run(cli, "roster", "on-call", "--org", org, "--days", "2")
    assert "Ana" in on_call and "rotation" in on_call
    assert "Ben" in run(cli, "roster", "lapsing", "--org", org)

    csv_file = tmp_path / "peers.csv"
    csv_file.write_text("platform,tenant,user_id,name\nslack,T123,U3,Cara\nfax,T1,U4,Bad\n")
    preview = cli.invoke(app, ["roster", "import-csv", "--org", org, str(csv_file)])
    assert preview.exit_code == 2  # a row could not be read
    assert "Would add Cara" in preview.stdout and "line 3" in preview.stdout
    assert "Preview only" in preview.stdout
    assert "Cara" not in run(cli, "roster", "list", "--org", org)


def test_mistakes_are_one_line(cli: CliRunner) -> None:
    result = cli.invoke(app, ["roster", "remove-peer", "--org", "7", "--peer", "1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no organisation 7"
    result = cli.invoke(app, ["org", "set", "--org", "1", "--threshold", "2"])
    assert result.exit_code == 2 and "--threshold" in result.output and "3" in result.output


def test_a_country_without_shipped_crisis_lines_is_warned_about(cli: CliRunner) -> None:
    result = cli.invoke(app, ["org", "create", "--name", "Hôpital", "--country", "FR"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "1"
    [warning] = result.stderr.strip().splitlines()
    assert warning.startswith("warning: no crisis lines are shipped for FR")
    assert "peer-support org crisis --org 1" in warning
    quiet = cli.invoke(app, ["org", "create", "--name", "St Example", "--country", "GB"])
    assert quiet.stderr == ""


def test_an_organisation_adds_its_own_risk_phrases(cli: CliRunner) -> None:
    org = run(cli, "org", "create", "--name", "St Example").strip()
    assert "shipped ones apply" in run(cli, "org", "risk-phrases", "--org", org)
    added = run(cli, "org", "risk-phrases", "--org", org, "--add", "going to the  bridge",
                "--add", "Se acabó todo")  # fmt: skip
    assert added.splitlines() == ["risk phrases updated", "going to the bridge", "Se acabó todo"]
    again = run(cli, "org", "risk-phrases", "--org", org, "--add", "GOING to the bridge")
    assert again.count("going to the bridge") == 1  # the same phrase, however it is written
    removed = run(cli, "org", "risk-phrases", "--org", org, "--remove", "se acabo todo")
    assert "Se acabó todo" not in removed
    for wrong in (["--add", "!!"], ["--remove", "never added"]):
        result = cli.invoke(app, ["org", "risk-phrases", "--org", org, *wrong])
        assert result.exit_code == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and ("risk phrase" in line)
