"""The command line starts quickly: its help needs Typer, not the runtime.

Timing is the benchmark's job (`benchmarks/cli_help.py`); these tests check the cause, which
does not vary with the machine's load: what a fresh interpreter has imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.cli.choices import CategoryChoice, PeriodChoice, TierChoice
from handlers.reports.figures import Period
from handlers.support.intake import Category
from models import Tier

# What makes start-up slow: the runtime, the data model, the use cases and their libraries.
RUNTIME = (
    "bot.runtime",
    "bot.web",
    "bot.slack",
    "bot.teams",
    "bot.sandbox",
    "models",
    "handlers",
    "scheduler",
    "config.settings",
    "sqlalchemy",
    "pydantic_settings",
    "aiohttp",
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "apscheduler",
    "cryptography",
    "babel",
    "matplotlib",
    "asyncio",
)

PROBE = """
import json, sys
sys.argv = ["peer-support", *json.loads(sys.argv[1])]
if sys.argv[1:]:
    from bot.cli import main
    try:
        main()
    except SystemExit:
        pass
else:
    import bot.cli
runtime = json.loads({runtime!r})
loaded = sorted(
    name for name in sys.modules if any(name == r or name.startswith(r + ".") for r in runtime)
)
print(json.dumps(loaded), file=sys.stderr)
"""


def loaded_modules(*arguments: str) -> list[str]:
    """The runtime modules a fresh interpreter holds after `peer-support ARGUMENTS`."""
    code = PROBE.format(runtime=json.dumps(RUNTIME))
    finished = subprocess.run(
        [sys.executable, "-c", code, json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(finished.stderr.strip().splitlines()[-1])


def test_importing_the_command_line_loads_no_runtime() -> None:
    assert loaded_modules() == []


@pytest.mark.parametrize(
    "arguments",
    [
        ("--help",),
        ("db", "--help"),
        ("org", "--help"),
        ("roster", "--help"),
        ("report", "--help"),
        ("roster", "add-peer", "--help"),
        ("serve", "--help"),
        ("reach-in", "record", "--help"),
        ("roster", "add-override", "--help"),
        ("org", "crisis", "--help"),
        ("privacy", "--help"),
        ("audit", "--help"),
    ],
)
def test_help_loads_no_runtime(arguments: tuple[str, ...]) -> None:
    assert loaded_modules(*arguments) == []


def test_a_command_still_reaches_the_runtime() -> None:
    """The probe sees imports: a command loads what it needs when it runs."""
    assert "cryptography" in loaded_modules("generate-key")


def test_the_choices_are_the_models() -> None:
    assert [choice.value for choice in TierChoice] == [tier.value for tier in Tier]
    assert [choice.value for choice in PeriodChoice] == [period.value for period in Period]
    assert [choice.value for choice in CategoryChoice] == [category.value for category in Category]
