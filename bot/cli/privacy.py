"""`peer-support privacy export` (subject access) and `peer-support audit export` (the audit log
for reviewers): the two rights an organisation answers from the command line."""

from __future__ import annotations

import enum
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.common import fail, with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime

privacy_app = typer.Typer(help="Privacy: what is held about a person (subject access).")
audit_app = typer.Typer(help="The audit log, pseudonymous as stored, for reviewers.")


class ChatPlatform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class AuditFormat(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def _check_writable(path: Path) -> None:
    """Before anything is read or audited: the folder must exist and the path not be one."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(f"--output: no folder {folder}; give a path in an existing folder, e.g. ./out.json")
    if path.is_dir():
        fail(f"--output: {path} is a folder; give a file name, e.g. {path / 'export.json'}")


def _write_private(path: Path, text: str) -> None:
    """Write `text` readable by the operator alone: it is personal (and health) data."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        fail(f"--output: cannot write {path} ({exc.strerror})")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


@privacy_app.command("export")
def privacy_export(
    platform: ChatPlatform = typer.Option(..., "--platform", help="slack or teams."),
    tenant: str = typer.Option(
        ..., "--tenant", help="The Slack team id (T…) or the Entra tenant id."
    ),
    user: str = typer.Option(
        ..., "--user", help="The person's Slack user id (U…) or Entra object id."
    ),
    output: Path = typer.Option(
        Path("subject-access.json"),
        "--output",
        help="Where the JSON goes; the text summary goes beside it (.txt).",
    ),
) -> None:
    """Everything held about one person, decrypted (JSON and a short text summary); audited.

    Check-in and pulse answers are stored with no link to anyone: the export says so.
    """
    from handlers.core.people import Person
    from handlers.privacy.access import SubjectAccess, summary
    from handlers.roster.access import CLI_ACTOR

    if not tenant.strip() or not user.strip():
        fail("--tenant and --user must not be empty, e.g. --tenant T0123ABCD --user U0123ABCD")
    person = Person(platform=platform.value, tenant_id=tenant.strip(), user_id=user.strip())
    _check_writable(output)

    async def work(runtime: Runtime) -> dict[str, Any]:
        return await SubjectAccess(runtime.core).export(person, by=CLI_ACTOR)

    held = with_runtime(work)
    text = summary(held)
    _write_private(output, json.dumps(held, indent=2, ensure_ascii=False) + "\n")
    summary_path = output.with_suffix(".txt")
    _write_private(summary_path, text)
    typer.echo(text, nl=False)
    typer.echo(f"wrote {output} and {summary_path}")


@audit_app.command("export")
def audit_export(
    since: datetime = typer.Option(
        ...,
        "--since",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="First day, e.g. 2026-11-01.",
    ),
    output_format: AuditFormat = typer.Option(AuditFormat.CSV, "--format", help="csv or jsonl."),
    organisation: int | None = typer.Option(
        None, "--org", help="One organisation's events (default: every organisation)."
    ),
    output: Path | None = typer.Option(None, "--output", help="A file (default: standard out)."),
) -> None:
    """Every audit event since a day (UTC), pseudonymous as stored; the export is audited."""
    from datetime import UTC

    from handlers.privacy.audit_export import audit_events, render
    from handlers.roster.access import CLI_ACTOR

    async def work(runtime: Runtime) -> list[dict[str, Any]]:
        return await audit_events(runtime.core, since.replace(tzinfo=UTC), CLI_ACTOR, organisation)

    if output is not None:
        _check_writable(output)
    text = render(with_runtime(work), output_format.value)
    if output is None:
        typer.echo(text, nl=False)
        return
    _write_private(output, text)
    typer.echo(f"wrote {output}", err=True)
