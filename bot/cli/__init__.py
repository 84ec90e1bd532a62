"""The `peer-support` command line: one app, a module per command group.

- `serve`: `serve`, `web`, `worker` and `start`, the processes;
- `db`: `db upgrade` and `db downgrade`;
- `setup`: `check-config`, `generate-key` and `teams-package`;
- `org`: `org create`, `link`, `set`, `crisis`, `risk-phrases` and `list`;
- `roster`: `roster add-peer`, `remove-peer`, `list`, `add-rotation`, `add-override`,
  `on-call`, `import-csv`, `import-ical` and `lapsing`;
- `reach_in`: `reach-in record` and `figures`;
- `reports`: `report`;
- `privacy`: `privacy export` (subject access) and `audit export`;
- `sandbox`: `sandbox`.

Start-up is kept to what Typer needs to build the help: each module imports the runtime, the
data model and the use cases inside the commands that use them (a test checks that importing
`bot.cli` loads none of them; `benchmarks/cli_help.py` times `--help` against a bare Typer app).
"""

from __future__ import annotations

import sys

import typer

from bot.cli.common import OneLineErrors
from bot.cli.db import db_app
from bot.cli.org import org_app
from bot.cli.privacy import audit_app, privacy_app
from bot.cli.reach_in import reach_in_app
from bot.cli.reports import report_app
from bot.cli.roster import roster_app
from bot.cli.sandbox import sandbox_app
from bot.cli.serve import serve_app
from bot.cli.setup import setup_app
from config.errors import ConfigError

app = typer.Typer(
    cls=OneLineErrors,
    rich_markup_mode=None,  # plain help: rich shows a stray <bool> beside every flag
    help="Confidential peer support for health and care workers, on Slack and Microsoft Teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for commands in (serve_app, setup_app, sandbox_app, report_app):
    app.add_typer(commands)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(roster_app, name="roster")
app.add_typer(privacy_app, name="privacy")
app.add_typer(audit_app, name="audit")
app.add_typer(reach_in_app, name="reach-in")


def main() -> None:
    try:
        app()
    except ConfigError as exc:  # raised while settings are read, before any command body ran
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
