"""`peer-support org ...`: organisations, their settings, crisis lines and risk phrases."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import OrgOption, with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from handlers.roster.admin import RosterAdmin
    from models import Organisation

console = Console()
org_app = typer.Typer(help="Organisations: settings, crisis lines, linked workspaces.")


def _admin(runtime: Runtime) -> RosterAdmin:
    from handlers.roster.admin import RosterAdmin

    return RosterAdmin(runtime.database)


@org_app.command("create")
def org_create(
    name: str = typer.Option(..., help="The organisation's name."),
    time_zone: str = typer.Option("UTC", help="IANA time zone, e.g. Europe/London."),
    country: str = typer.Option("US", help="Two-letter country code (crisis line defaults)."),
    locale: str = typer.Option("en", help="Default language: en or es."),
) -> None:
    """Create an organisation; prints its id."""
    ZoneInfo(time_zone)
    organisation_id = with_runtime(
        lambda runtime: _admin(runtime).create_organisation(
            name, time_zone=time_zone, country=country.upper(), locale=locale
        )
    )
    typer.echo(organisation_id)
    _warn_without_crisis_defaults(country, organisation_id)


def _warn_without_crisis_defaults(country: str, organisation_id: object) -> None:
    """Requesters must never be shown another country's emergency numbers for long."""
    from config.crisis import DEFAULT_CRISIS_RESOURCES, FALLBACK_COUNTRY

    if country.upper() not in DEFAULT_CRISIS_RESOURCES:
        typer.echo(
            f"warning: no crisis lines are shipped for {country.upper()}; requesters see the "
            f"{FALLBACK_COUNTRY} ones until you set yours: peer-support org crisis "
            f'--org {organisation_id} --line "Name|number"',
            err=True,
        )


@org_app.command("link")
def org_link(
    org: int = OrgOption,
    platform: str = typer.Option(..., help="slack or teams."),
    tenant: str = typer.Option(..., help="Slack team id (T...) or Teams tenant id."),
) -> None:
    """Attach a Slack workspace or Teams tenant to the organisation (one shared roster)."""
    if platform not in ("slack", "teams"):
        raise typer.BadParameter("platform must be slack or teams")
    with_runtime(lambda runtime: _admin(runtime).link_workspace(org, platform, tenant))
    typer.echo(f"linked {platform} {tenant} to organisation {org}")


@org_app.command("set")
def org_set(
    org: int = OrgOption,
    time_zone: str | None = typer.Option(None, help="IANA time zone."),
    locale: str | None = typer.Option(None, help="en or es."),
    country: str | None = typer.Option(None, help="Two-letter country code."),
    offer_mode: str | None = typer.Option(None, help="broadcast (all at once) or sequential."),
    timeout_now: int | None = typer.Option(None, help="Minutes before 'now' requests escalate."),
    timeout_today: int | None = typer.Option(None, help="Minutes for 'today' requests."),
    timeout_week: int | None = typer.Option(None, help="Minutes for 'this week' requests."),
    follow_ups: str | None = typer.Option(None, help="Check-in days after closing, e.g. 1,3,7,30."),
    pulse_day: int | None = typer.Option(None, help="Pulse weekday, 0 = Monday."),
    pulse_time: str | None = typer.Option(None, help="Pulse local time, HH:MM."),
    pulse_second_question: bool | None = typer.Option(
        None, help="Also ask the optional second question (support from the team)."
    ),
    threshold: int | None = typer.Option(None, help="Smallest group shown in figures (>= 3)."),
    retention_days: int | None = typer.Option(None, help="Days personal data is kept."),
    coverage_hours: int | None = typer.Option(None, help="Hours ahead to warn of gaps."),
) -> None:
    """Change organisation settings (only those given)."""
    changes: dict[str, Any] = {
        "time_zone": time_zone,
        "locale": locale,
        "country": country.upper() if country else None,
        "offer_mode": offer_mode,
        "timeout_now_minutes": timeout_now,
        "timeout_today_minutes": timeout_today,
        "timeout_week_minutes": timeout_week,
        "follow_up_offsets_days": [int(day) for day in follow_ups.split(",")]
        if follow_ups
        else None,
        "pulse_weekday": pulse_day,
        "pulse_local_time": time.fromisoformat(pulse_time) if pulse_time else None,
        "pulse_second_question": pulse_second_question,
        "anonymity_threshold": threshold,
        "retention_days": retention_days,
        "coverage_warning_hours": coverage_hours,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    if time_zone:
        ZoneInfo(time_zone)
    if offer_mode and offer_mode not in ("broadcast", "sequential"):
        raise typer.BadParameter("offer mode must be broadcast or sequential")
    if threshold is not None and threshold < 3:
        raise typer.BadParameter("the threshold must be at least 3")
    if not changes:
        raise typer.BadParameter("give at least one setting to change")
    with_runtime(lambda runtime: _admin(runtime).update_settings(None, org, **changes))
    typer.echo(f"updated: {', '.join(sorted(changes))}")
    if country:
        _warn_without_crisis_defaults(country, org)


@org_app.command("crisis")
def org_crisis(
    org: int = OrgOption,
    line: list[str] = typer.Option(
        [], "--line", help='"Name|contact", repeatable; replaces the list. Checked today.'
    ),
    defaults: bool = typer.Option(False, help="Go back to the country's shipped defaults."),
) -> None:
    """Set the crisis lines every requester is shown."""
    if defaults == bool(line):
        raise typer.BadParameter("give --line entries, or --defaults")
    from config.crisis import CrisisResource

    resources = None
    if line:
        resources = []
        for entry in line:
            name, _, contact = entry.partition("|")
            if not name.strip() or not contact.strip():
                raise typer.BadParameter(f"expected Name|contact, got {entry!r}")
            resources.append(
                CrisisResource(
                    name=name.strip(), contact=contact.strip(), verified_on=date.today().isoformat()
                ).model_dump()
            )
    with_runtime(
        lambda runtime: _admin(runtime).update_settings(None, org, crisis_resources=resources)
    )
    typer.echo("crisis lines updated")


@org_app.command("risk-phrases")
def org_risk_phrases(
    org: int = OrgOption,
    add: list[str] = typer.Option(
        [], "--add", help='A phrase to recognise as risk, e.g. "going to the bridge"; repeatable.'
    ),
    remove: list[str] = typer.Option([], "--remove", help="A phrase to stop using; repeatable."),
) -> None:
    """List, add or remove the organisation's own risk phrases (the shipped English and Spanish
    ones always apply). Case, accents and spacing do not matter."""
    phrases = with_runtime(
        lambda runtime: _admin(runtime).risk_phrases(None, org, tuple(add), tuple(remove))
    )
    if add or remove:
        typer.echo("risk phrases updated")
    for phrase in phrases:
        typer.echo(phrase)
    if not phrases:
        typer.echo("no phrases of the organisation's own; the shipped ones apply")


@org_app.command("list")
def org_list() -> None:
    """List organisations with their time zone and country."""

    async def rows(runtime: Runtime) -> list[Organisation]:
        from sqlalchemy import select

        from models import Organisation

        async with runtime.database.session() as session:
            return list(await session.scalars(select(Organisation).order_by(Organisation.id)))

    table = Table("id", "name", "time zone", "country", "offer mode")
    for organisation in with_runtime(rows):
        table.add_row(
            str(organisation.id),
            organisation.name,
            organisation.time_zone,
            organisation.country,
            organisation.offer_mode,
        )
    console.print(table)
