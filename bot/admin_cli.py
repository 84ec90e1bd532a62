"""`peer-support org ...` and `peer-support roster ...`: setting up and running a programme."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiohttp
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from bot.logs import configure_logging
from bot.runtime import Runtime, build_runtime, ensure_schema_current
from config.crisis import DEFAULT_CRISIS_RESOURCES, FALLBACK_COUNTRY, CrisisResource
from config.settings import ConfigError, load_settings
from handlers.people import Person
from handlers.roster_admin import ImportReport, PeerFields, RosterAdmin, UnknownPeer
from handlers.roster_watch import RosterWatch
from models import Organisation, Tier
from models.keyring import load_keyring

T = TypeVar("T")
console = Console()

org_app = typer.Typer(help="Organisations: settings, crisis lines, linked workspaces.")
roster_app = typer.Typer(help="The roster: peers, rotations, overrides, imports, who is on call.")

OrgOption = typer.Option(..., "--org", help="Organisation id (see `peer-support org list`).")


def _run(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run `work` against the configured database; any problem is one line and exit 2."""

    configure_logging("WARNING")  # operator output is the table; warnings still show

    async def main() -> T:
        runtime = build_runtime(load_settings())
        try:
            await ensure_schema_current(runtime.database)
            await load_keyring(runtime.database, runtime.vault)
            return await work(runtime)
        finally:
            await runtime.database.dispose()

    try:
        return asyncio.run(main())
    except (ConfigError, LookupError, ValueError, UnknownPeer, AttributeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _admin(runtime: Runtime) -> RosterAdmin:
    return RosterAdmin(runtime.database)


def _languages(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def _print_report(report: ImportReport) -> None:
    verb = "Added" if report.applied else "Would add"
    for label in report.added:
        console.print(f"[green]{verb}[/green] {label}")
    for label in report.updated:
        console.print(f"[yellow]{'Updated' if report.applied else 'Would update'}[/yellow] {label}")
    if report.unchanged:
        console.print(
            f"{len(report.unchanged)} already on the roster as the import says: left as is"
        )
    for line, reason in report.errors:
        where = f"line {line}: " if line else ""
        console.print(f"[red]Could not read[/red] {where}{reason}")
    if not report.applied:
        console.print("Preview only: nothing changed. Run again with --apply to apply it.")


# --- organisations ---------------------------------------------------------------------------


@org_app.command("create")
def org_create(
    name: str = typer.Option(..., help="The organisation's name."),
    time_zone: str = typer.Option("UTC", help="IANA time zone, e.g. Europe/London."),
    country: str = typer.Option("US", help="Two-letter country code (crisis line defaults)."),
    locale: str = typer.Option("en", help="Default language: en or es."),
) -> None:
    """Create an organisation; prints its id."""
    ZoneInfo(time_zone)
    organisation_id = _run(
        lambda runtime: _admin(runtime).create_organisation(
            name, time_zone=time_zone, country=country.upper(), locale=locale
        )
    )
    typer.echo(organisation_id)
    _warn_without_crisis_defaults(country, organisation_id)


def _warn_without_crisis_defaults(country: str, organisation_id: object) -> None:
    """Requesters must never be shown another country's emergency numbers for long."""
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
    _run(lambda runtime: _admin(runtime).link_workspace(org, platform, tenant))
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
    _run(lambda runtime: _admin(runtime).update_settings(None, org, **changes))
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
    _run(lambda runtime: _admin(runtime).update_settings(None, org, crisis_resources=resources))
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
    phrases = _run(
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
        async with runtime.database.session() as session:
            return list(await session.scalars(select(Organisation).order_by(Organisation.id)))

    table = Table("id", "name", "time zone", "country", "offer mode")
    for organisation in _run(rows):
        table.add_row(
            str(organisation.id),
            organisation.name,
            organisation.time_zone,
            organisation.country,
            organisation.offer_mode,
        )
    console.print(table)


# --- roster ----------------------------------------------------------------------------------


@roster_app.command("add-peer")
def add_peer(
    org: int = OrgOption,
    platform: str = typer.Option(..., help="slack or teams."),
    tenant: str = typer.Option(..., help="Slack team id or Teams tenant id."),
    user: str = typer.Option(..., help="The person's platform user id."),
    name: str = typer.Option(..., help="Name as shown to requesters who are connected."),
    tier: Tier = typer.Option(Tier.PEER, help="peer, backup, coordinator or professional."),
    unit: str | None = typer.Option(None, help="Their unit (requesters may exclude it)."),
    languages: str = typer.Option("en", help="Languages they support in, e.g. en,es."),
    cap: int = typer.Option(2, min=1, help="Open cases at most."),
    trained_until: str | None = typer.Option(None, help="Training valid until, YYYY-MM-DD."),
) -> None:
    """Put someone on the roster (or update them)."""
    fields = PeerFields(
        tier=tier,
        unit=unit,
        languages=_languages(languages) or ("en",),
        caseload_cap=cap,
        training_valid_until=date.fromisoformat(trained_until) if trained_until else None,
    )
    person = Person(platform=platform, tenant_id=tenant, user_id=user, display_name=name)
    peer_id = _run(lambda runtime: _admin(runtime).add_peer(None, org, person, fields))
    typer.echo(f"peer {peer_id}")


@roster_app.command("remove-peer")
def remove_peer(
    org: int = OrgOption, peer: int = typer.Option(..., help="Peer id (see `roster list`).")
) -> None:
    """Take a peer off the roster (out of rotations and overrides)."""
    _run(lambda runtime: _admin(runtime).remove_peer(None, org, peer))
    typer.echo(f"peer {peer} removed")


@roster_app.command("list")
def list_peers(org: int = OrgOption) -> None:
    """The roster: every active peer with tier, unit, languages, cap and training date."""
    table = Table("id", "name", "tier", "unit", "languages", "cap", "trained until", "available")
    for peer, identity in _run(lambda runtime: _admin(runtime).peers(org)):
        table.add_row(
            str(peer.id),
            identity.display_name or "",
            peer.tier,
            peer.unit or "",
            ",".join(peer.languages),
            str(peer.caseload_cap),
            peer.training_valid_until.isoformat() if peer.training_valid_until else "",
            "yes" if peer.available else "no",
        )
    console.print(table)


@roster_app.command("add-rotation")
def add_rotation(
    org: int = OrgOption,
    name: str = typer.Option(..., help="A name, e.g. 'Nights'."),
    peers: str = typer.Option(..., help="Peer ids in turn order, e.g. 3,5,8."),
    tier: Tier = typer.Option(Tier.PEER, help="Which tier the rotation covers."),
    starts_on: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    handoff: str = typer.Option("08:00", help="Local handoff time, HH:MM."),
    hours: int = typer.Option(24, min=1, help="Shift length in hours."),
) -> None:
    """Define a rotation: members take shifts of HOURS in turn from the handoff time."""
    rotation_id = _run(
        lambda runtime: _admin(runtime).add_rotation(
            None,
            org,
            name=name,
            tier=tier,
            starts_on=date.fromisoformat(starts_on),
            handoff_time=time.fromisoformat(handoff),
            shift_hours=hours,
            peer_ids=[int(part) for part in peers.split(",") if part.strip()],
        )
    )
    typer.echo(f"rotation {rotation_id}")


@roster_app.command("add-override")
def add_override(
    org: int = OrgOption,
    peer: int = typer.Option(..., help="Peer id who will be on call."),
    start: str = typer.Option(..., "--from", help="Start, local time: YYYY-MM-DDTHH:MM."),
    end: str = typer.Option(..., "--to", help="End, local time: YYYY-MM-DDTHH:MM."),
    tier: Tier = typer.Option(Tier.PEER, help="Tier covered."),
    replaces: int | None = typer.Option(None, help="Peer id taken off call for the period."),
) -> None:
    """Put a peer on call for a period (a swap, a holiday cover)."""

    async def work(runtime: Runtime) -> int:
        async with runtime.database.session() as session:
            organisation = await session.get(Organisation, org)
            if organisation is None:
                raise LookupError(f"no organisation {org}")
            zone = ZoneInfo(organisation.time_zone)
        starts_at = datetime.fromisoformat(start).replace(tzinfo=zone).astimezone(UTC)
        ends_at = datetime.fromisoformat(end).replace(tzinfo=zone).astimezone(UTC)
        return await _admin(runtime).add_override(
            None,
            org,
            peer_id=peer,
            tier=tier,
            starts_at=starts_at,
            ends_at=ends_at,
            replaces_peer_id=replaces,
        )

    typer.echo(f"override {_run(work)}")


@roster_app.command("on-call")
def on_call_command(
    org: int = OrgOption, days: int = typer.Option(14, min=1, help="How many days ahead.")
) -> None:
    """Who is on call now and for the coming days, tier by tier."""

    async def work(runtime: Runtime) -> tuple[ZoneInfo, list[Any], dict[int, str]]:
        admin = _admin(runtime)
        names = {peer.id: identity.display_name or "" for peer, identity in await admin.peers(org)}
        async with runtime.database.session() as session:
            organisation = await session.get(Organisation, org)
            if organisation is None:
                raise LookupError(f"no organisation {org}")
            zone = ZoneInfo(organisation.time_zone)
        now = datetime.now(UTC)
        return zone, await admin.schedule(org, now, now + timedelta(days=days)), names

    zone, entries, names = _run(work)
    table = Table("from", "to", "tier", "peer", "source", title=f"On call ({zone.key})")
    for entry in entries:
        table.add_row(
            f"{entry.starts_at.astimezone(zone):%a %d %b %H:%M}",
            f"{entry.ends_at.astimezone(zone):%a %d %b %H:%M}",
            entry.tier,
            names.get(entry.peer_id, f"peer {entry.peer_id} (removed)"),
            entry.source,
        )
    console.print(table if entries else "Nobody is on call in that period.")


@roster_app.command("import-csv")
def import_csv(
    org: int = OrgOption,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file."),
    apply: bool = typer.Option(False, help="Apply the changes (default: preview only)."),
) -> None:
    """Import peers from CSV: platform,tenant,user_id,name,tier,unit,languages,cap,trained_until
    (languages separated by ';')."""
    text = path.read_text(encoding="utf-8-sig")
    _print_report(
        _run(lambda runtime: _admin(runtime).import_peers_csv(None, org, text, apply=apply))
    )


async def _fetch(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        async with aiohttp.ClientSession() as session, session.get(source) as response:
            response.raise_for_status()
            return await response.read()
    return await asyncio.to_thread(Path(source).read_bytes)


@roster_app.command("import-ical")
def import_ical(
    org: int = OrgOption,
    source: str = typer.Argument(..., help="An .ics file or an http(s) URL."),
    tier: Tier = typer.Option(Tier.PEER, help="Tier the calendar's shifts cover."),
    days: int = typer.Option(90, min=1, help="How far ahead to import."),
    apply: bool = typer.Option(False, help="Apply the changes (default: preview only)."),
) -> None:
    """Import shifts from a calendar: each event naming a peer (in its title or as an attendee)
    puts them on call; recurring events are expanded."""

    async def work(runtime: Runtime) -> ImportReport:
        try:
            data = await _fetch(source)
        except (OSError, aiohttp.ClientError) as exc:
            raise ValueError(f"could not read {source}: {exc}") from None
        now = datetime.now(UTC)
        return await _admin(runtime).import_rotation_ical(
            None, org, data, tier=tier, start=now, end=now + timedelta(days=days), apply=apply
        )

    _print_report(_run(work))


@roster_app.command("lapsing")
def lapsing(org: int = OrgOption) -> None:
    """Peers whose training lapses within 30 days, or has lapsed."""

    async def work(runtime: Runtime) -> list[tuple[str, date | None]]:
        names = {p.id: i.display_name or "" for p, i in await _admin(runtime).peers(org)}
        peers = await RosterWatch(runtime.support).lapsing(org)
        return [(names.get(peer.id, ""), peer.training_valid_until) for peer in peers]

    table = Table("peer", "training valid until")
    for name, valid_until in _run(work):
        table.add_row(name, valid_until.isoformat() if valid_until else "")
    console.print(table)
