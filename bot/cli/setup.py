"""`peer-support check-config`, `generate-key` and `teams-package`: setting up, nothing run."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.common import fail, run_async
from config.errors import ConfigError

setup_app = typer.Typer()


@setup_app.command("check-config")
def check_config() -> None:
    """Check the settings and the database, creating nothing; print what would run. Exit 2
    with one line (what is wrong, and what to run) if anything is."""
    from config.settings import load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        fail(exc)
    from bot.logs import configure_logging
    from bot.platforms import platform_status
    from bot.runtime import build_runtime, ensure_schema_current
    from models.crypto import vault_from_settings
    from models.db import Database

    configure_logging("WARNING")

    # A check creates nothing: the local key file is read only if it is there (the runtime
    # would create it), and the database is looked at before anything is built.
    has_key = bool(settings.encryption_key_list) or Path(settings.local_key_file).exists()

    async def main() -> None:
        if has_key:
            vault_from_settings(settings)
        database = Database(settings.database_url)
        try:
            await ensure_schema_current(database)
        finally:
            await database.dispose()
        if has_key:
            runtime = build_runtime(settings)
            await runtime.database.dispose()
        typer.echo(f"settings: ok ({settings.environment})")
        typer.echo("database: ok, schema current")
        for platform, status in platform_status(settings).items():
            typer.echo(f"{platform}: {status}")

    run_async(main)


@setup_app.command("generate-key")
def generate_key() -> None:
    """Print a new encryption key for ENCRYPTION_KEYS (put it first; keep old keys after it)."""
    from cryptography.fernet import Fernet

    typer.echo(Fernet.generate_key().decode())


@setup_app.command("teams-package")
def teams_package(
    output: Path = typer.Option(
        Path("peer-support-teams.zip"), "--output", "-o", help="Where to write the zip."
    ),
    domain: str | None = typer.Option(
        None, "--domain", help="The bot's public host name, listed in validDomains."
    ),
) -> None:
    """Build the Teams app package (manifest with MICROSOFT_APP_ID, and icons) to upload."""
    from bot.teams.package import build_package
    from config.settings import load_settings

    try:
        settings = load_settings()
        written = build_package(output, settings.microsoft_app_id, domain)
    except ConfigError as exc:
        fail(exc)
    typer.echo(f"wrote {written}")
