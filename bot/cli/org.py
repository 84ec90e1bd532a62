"""`peer-support org ...`: organisations, their settings, crisis lines and risk phrases."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli import checks
from bot.cli.common import OrgOption, with_runtime, wrong

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
    time_zone = checks.time_zone(time_zone)
    country, locale = checks.country(country), checks.locale(locale)
    if not name.strip():
        wrong("--name", "give the organisation's name")
    organisation_id = with_runtime(
        lambda runtime: _admin(runtime).create_organisation(
            name.strip(), time_zone=time_zone, country=country, locale=locale
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
    platform = checks.one_of(platform, "--platform", checks.PLATFORMS)
    if not tenant.strip():
        wrong("--tenant", "give the Slack team id (T...) or the Teams tenant id")
    with_runtime(lambda runtime: _admin(runtime).link_workspace(org, platform, tenant))
    typer.echo(f"linked {platform} {tenant} to organisation {org}")


@org_app.command("set")
def org_set(
    org: int = OrgOption,
    time_zone: str | None = typer.Option(None, help="IANA time zone."),
    locale: str | None = typer.Option(None, help="en or es."),
    country: str | None = typer.Option(None, help="Two-letter country code."),
    offer_mode: str | None = typer.Option(None, help="broadcast (all at once) or sequential."),
    timeout_now: int | None = typer.Option(
        None, min=1, help="Minutes before 'now' requests escalate."
    ),
    timeout_today: int | None = typer.Option(None, min=1, help="Minutes for 'today' requests."),
    timeout_week: int | None = typer.Option(None, min=1, help="Minutes for 'this week' requests."),
    follow_ups: str | None = typer.Option(
        None, help="Check-in days after closing, e.g. 1,3,7,30 (none: no check-ins)."
    ),
    pulse_day: int | None = typer.Option(None, min=0, max=6, help="Pulse weekday, 0 = Monday."),
    pulse_time: str | None = typer.Option(None, help="Pulse local time, HH:MM."),
    pulse_second_question: bool | None = typer.Option(
        None, help="Also ask the optional second question (support from the team)."
    ),
    threshold: int | None = typer.Option(
        None, min=3, help="Smallest group shown in figures (>= 3)."
    ),
    small_numbers: str | None = typer.Option(
        None,
        help="threshold (counts under it hidden) or nhs (1-7 hidden, others rounded to 5).",
    ),
    retention_days: int | None = typer.Option(None, min=1, help="Days personal data is kept."),
    coverage_hours: int | None = typer.Option(None, min=1, help="Hours ahead to warn of gaps."),
    awareness_weeks: int | None = typer.Option(
        None, min=0, help="Remind all staff the service exists every N weeks (0: off)."
    ),
    welcome_new_staff: bool | None = typer.Option(
        None, help="Introduce the service to each new member of the Slack workspace."
    ),
    group_threshold: int | None = typer.Option(
        None, min=2, help="A reach-in to more people than this suggests a group session."
    ),
    on_call_notice: int | None = typer.Option(
        None, min=0, max=24 * 60, help="Minutes before a stretch on call that the peer is told."
    ),
) -> None:
    """Change organisation settings (only those given)."""
    changes: dict[str, Any] = {
        "time_zone": checks.time_zone(time_zone) if time_zone is not None else None,
        "locale": checks.locale(locale) if locale is not None else None,
        "country": checks.country(country) if country is not None else None,
        "offer_mode": checks.one_of(offer_mode, "--offer-mode", checks.OFFER_MODES)
        if offer_mode is not None
        else None,
        "timeout_now_minutes": timeout_now,
        "timeout_today_minutes": timeout_today,
        "timeout_week_minutes": timeout_week,
        "follow_up_offsets_days": checks.follow_up_days(follow_ups)
        if follow_ups is not None
        else None,
        "pulse_weekday": pulse_day,
        "pulse_local_time": checks.clock_time(pulse_time, "--pulse-time")
        if pulse_time is not None
        else None,
        "pulse_second_question": pulse_second_question,
        "anonymity_threshold": threshold,
        "small_numbers": small_numbers,
        "retention_days": retention_days,
        "coverage_warning_hours": coverage_hours,
        "awareness_every_weeks": awareness_weeks,
        "welcome_new_staff": welcome_new_staff,
        "group_session_threshold": group_threshold,
        "on_call_notice_minutes": on_call_notice,
    }
    changes = {name: value for name, value in changes.items() if value is not None}
    if small_numbers is not None and small_numbers not in ("threshold", "nhs"):
        raise typer.BadParameter("small numbers must be threshold or nhs")
    if not changes:
        wrong("org set", "give at least one setting to change (see --help)")
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
    from config.crisis import CrisisResource

    if defaults == bool(line):
        wrong("--line", 'give "Name|contact" entries, or --defaults (not both)')
    resources = None
    if line:
        resources = []
        for entry in line:
            name, _, contact = entry.partition("|")
            if not name.strip() or not contact.strip():
                wrong("--line", f'{entry!r} is not accepted: use "Name|contact"')
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


def _small_numbers(organisation: Organisation) -> str:
    if organisation.small_numbers == "nhs":
        return "NHS rule: 1-7 hidden, others rounded to 5"
    return f"under {max(organisation.anonymity_threshold, 3)} hidden"


@org_app.command("list")
def org_list() -> None:
    """List organisations with their time zone and country."""

    async def rows(runtime: Runtime) -> list[Organisation]:
        from sqlalchemy import select

        from models import Organisation

        async with runtime.database.session() as session:
            return list(await session.scalars(select(Organisation).order_by(Organisation.id)))

    table = Table("id", "name", "time zone", "country", "offer mode", "small numbers")
    for organisation in with_runtime(rows):
        table.add_row(
            str(organisation.id),
            organisation.name,
            organisation.time_zone,
            organisation.country,
            organisation.offer_mode,
            _small_numbers(organisation),
        )
    console.print(table)
