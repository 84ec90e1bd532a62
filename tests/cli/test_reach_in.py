"""`peer-support reach-in`: the operator records an event for colleagues by their platform ids;
the offers are queued for the worker; the totals come back suppressed; mistakes are one line."""

from __future__ import annotations

from datetime import date, timedelta

from typer.testing import CliRunner

from bot.cli import app
from tests.cli.test_programme import cli, run  # noqa: F401  (the fixture)


def test_an_event_recorded_from_the_command_line(cli: CliRunner) -> None:  # noqa: F811
    org = run(cli, "org", "create", "--name", "St Example").strip()
    run(cli, "org", "link", "--org", org, "--platform", "slack", "--tenant", "T123")
    day = (date.today() - timedelta(days=1)).isoformat()
    people = [arg for user in ("U1", "U2", "U3") for arg in ("--person", f"slack:T123:{user}")]
    out = run(cli, "reach-in", "record", "--org", org, "--date", day, "--category",
              "adverse_event", "--units", "ICU", "--note", "bay 4", *people)  # fmt: skip
    assert "Event recorded" in out and ": 3." in out
    figures = run(cli, "reach-in", "figures", "--org", org)
    assert day in figures and "adverse_event" in figures and "*" in figures
    assert "U1" not in figures and "bay 4" not in figures


def test_reach_in_mistakes_are_one_line(cli: CliRunner) -> None:  # noqa: F811
    org = run(cli, "org", "create", "--name", "St Example").strip()
    run(cli, "org", "link", "--org", org, "--platform", "slack", "--tenant", "T123")
    today = date.today().isoformat()
    base = ["reach-in", "record", "--org", org, "--category", "violence"]
    cases = {
        ("--date", today, "--person", "U1"): "expected platform:tenant:user_id",
        ("--date", "2020-01-01", "--person", "slack:T123:U1"): "--date: Pick the day",
        ("--date", today, "--person", "slack:T999:U1"): "not linked to organisation 1",
    }
    for args, expected in cases.items():
        result = cli.invoke(app, [*base, *args])
        assert result.exit_code == 2, result.output
        assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "No event recorded" in run(cli, "reach-in", "figures", "--org", org)
    result = cli.invoke(app, ["reach-in", "figures", "--org", "9"])
    assert result.exit_code == 2 and result.stderr.strip() == "error: no organisation 9"
