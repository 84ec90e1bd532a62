"""How long `peer-support --help` (and each group's) takes, against a minimal Typer app.

Each invocation is a fresh process, as an operator runs it. The anchor is the smallest Typer
app of the same shape (a top-level command and a group with a command taking options), run by
the same interpreter, so both pay for Python and Typer's own start-up. Rounds interleave anchor
and bot in A B B A order, so a load that comes and goes on a shared machine falls on both.

    .venv/bin/python benchmarks/cli_help.py --rounds 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANCHOR = '''
import typer

app = typer.Typer(help="A minimal Typer app.", no_args_is_help=True, add_completion=False)
group = typer.Typer(help="A group.", no_args_is_help=True)


@app.command()
def hello(name: str = typer.Option("world", help="Who to greet.")) -> None:
    """Say hello."""
    typer.echo(name)


@group.command("add")
def add(count: int = typer.Option(1, min=1, help="How many.")) -> None:
    """Add some."""
    typer.echo(count)


app.add_typer(group, name="group")
app()
'''

# (what the bot runs, what of the anchor has the same shape)
CASES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("--help",), ("--help",)),
    (("db", "--help"), ("group", "--help")),
    (("org", "--help"), ("group", "--help")),
    (("roster", "--help"), ("group", "--help")),
    (("report", "--help"), ("hello", "--help")),
    (("roster", "add-peer", "--help"), ("group", "add", "--help")),
)


ABBA = ("anchor", "bot", "bot", "anchor")
BAAB = ("bot", "anchor", "anchor", "bot")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_env())
    return time.perf_counter() - started


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "100", "TERM": "dumb"}


def measure(bot: list[str], anchor: list[str], rounds: int) -> tuple[list[float], list[float]]:
    bot_times: list[float] = []
    anchor_times: list[float] = []
    timed(bot), timed(anchor)  # warm the file cache for both
    for round_number in range(rounds):
        order = ABBA if round_number % 2 == 0 else BAAB
        for which in order:
            if which == "bot":
                bot_times.append(timed(bot))
            else:
                anchor_times.append(timed(anchor))
    return bot_times, anchor_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="A B B A rounds per command.")
    arguments = parser.parse_args()
    entry = Path(sys.executable).with_name("peer-support")
    if not entry.exists():
        sys.exit(f"error: {entry} not found: run `make .venv/.installed` first")
    with tempfile.TemporaryDirectory() as directory:
        anchor_file = Path(directory) / "minimal_typer_app.py"
        anchor_file.write_text(ANCHOR)
        print(f"load average before: {_load()}")
        print(f"{'command':<34} {'bot ms':>8} {'anchor ms':>10} {'ratio':>6}  per-round spread")
        for bot_args, anchor_args in CASES:
            bot_times, anchor_times = measure(
                [str(entry), *bot_args],
                [sys.executable, str(anchor_file), *anchor_args],
                arguments.rounds,
            )
            ratio = statistics.median(bot_times) / statistics.median(anchor_times)
            per_round = [b / a for b, a in zip(bot_times, anchor_times, strict=True)]
            print(
                f"peer-support {' '.join(bot_args):<21} {statistics.median(bot_times) * 1000:>8.0f}"
                f" {statistics.median(anchor_times) * 1000:>10.0f} {ratio:>5.2f}x"
                f"  {min(per_round):.2f}-{max(per_round):.2f}x"
            )
        print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
