"""`peer-support roster ...`: peers, rotations, overrides, imports, and who is on call."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.choices import TierChoice
from bot.cli.common import OrgOption, with_runtime

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from handlers.roster.admin import RosterAdmin
    from handlers.roster.imports import ImportReport
    from models import Tier

console = Console()

roster_app = typer.Typer(help="The roster: peers, rotations, overrides, imports, who is on call.")


def _admin(runtime: Runtime) -> RosterAdmin:
    from handlers.roster.admin import RosterAdmin

    return RosterAdmin(runtime.database)


def _tier(choice: TierChoice) -> Tier:
    from models import Tier

    return Tier(choice.value)


async def _organisation_zone(runtime: Runtime, organisation_id: int) -> ZoneInfo:
    from models import Organisation

    async with runtime.database.session() as session:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None:
            raise LookupError(f"no organisation {organisation_id}")
        return ZoneInfo(organisation.time_zone)


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


@roster_app.command("add-peer")
def add_peer(
    org: int = OrgOption,
    platform: str = typer.Option(..., help="slack or teams."),
    tenant: str = typer.Option(..., help="Slack team id or Teams tenant id."),
    user: str = typer.Option(..., help="The person's platform user id."),
    name: str = typer.Option(..., help="Name as shown to requesters who are connected."),
    tier: TierChoice = typer.Option(
        TierChoice.PEER, help="peer, backup, coordinator or professional."
    ),
    unit: str | None = typer.Option(None, help="Their unit (requesters may exclude it)."),
    languages: str = typer.Option("en", help="Languages they support in, e.g. en,es."),
    cap: int = typer.Option(2, min=1, help="Open cases at most."),
    trained_until: str | None = typer.Option(None, help="Training valid until, YYYY-MM-DD."),
) -> None:
    """Put someone on the roster (or update them)."""
    from handlers.core.people import Person
    from handlers.roster.admin import PeerFields

    fields = PeerFields(
        tier=_tier(tier),
        unit=unit,
        languages=_languages(languages) or ("en",),
        caseload_cap=cap,
        training_valid_until=date.fromisoformat(trained_until) if trained_until else None,
    )
    person = Person(platform=platform, tenant_id=tenant, user_id=user, display_name=name)
    peer_id = with_runtime(lambda runtime: _admin(runtime).add_peer(None, org, person, fields))
    typer.echo(f"peer {peer_id}")


@roster_app.command("remove-peer")
def remove_peer(
    org: int = OrgOption, peer: int = typer.Option(..., help="Peer id (see `roster list`).")
) -> None:
    """Take a peer off the roster (out of rotations and overrides)."""
    with_runtime(lambda runtime: _admin(runtime).remove_peer(None, org, peer))
    typer.echo(f"peer {peer} removed")


@roster_app.command("list")
def list_peers(org: int = OrgOption) -> None:
    """The roster: every active peer with tier, unit, languages, cap and training date."""
    table = Table("id", "name", "tier", "unit", "languages", "cap", "trained until", "available")
    for peer, identity in with_runtime(lambda runtime: _admin(runtime).peers(org)):
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
    tier: TierChoice = typer.Option(TierChoice.PEER, help="Which tier the rotation covers."),
    starts_on: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    handoff: str = typer.Option("08:00", help="Local handoff time, HH:MM."),
    hours: int = typer.Option(24, min=1, help="Shift length in hours."),
) -> None:
    """Define a rotation: members take shifts of HOURS in turn from the handoff time."""
    rotation_id = with_runtime(
        lambda runtime: _admin(runtime).add_rotation(
            None,
            org,
            name=name,
            tier=_tier(tier),
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
    tier: TierChoice = typer.Option(TierChoice.PEER, help="Tier covered."),
    replaces: int | None = typer.Option(None, help="Peer id taken off call for the period."),
) -> None:
    """Put a peer on call for a period (a swap, a holiday cover)."""

    async def work(runtime: Runtime) -> int:
        zone = await _organisation_zone(runtime, org)
        starts_at = datetime.fromisoformat(start).replace(tzinfo=zone).astimezone(UTC)
        ends_at = datetime.fromisoformat(end).replace(tzinfo=zone).astimezone(UTC)
        return await _admin(runtime).add_override(
            None,
            org,
            peer_id=peer,
            tier=_tier(tier),
            starts_at=starts_at,
            ends_at=ends_at,
            replaces_peer_id=replaces,
        )

    typer.echo(f"override {with_runtime(work)}")


@roster_app.command("on-call")
def on_call_command(
    org: int = OrgOption, days: int = typer.Option(14, min=1, help="How many days ahead.")
) -> None:
    """Who is on call now and for the coming days, tier by tier."""

    async def work(runtime: Runtime) -> tuple[ZoneInfo, list[Any], dict[int, str]]:
        admin = _admin(runtime)
        names = {peer.id: identity.display_name or "" for peer, identity in await admin.peers(org)}
        zone = await _organisation_zone(runtime, org)
        now = datetime.now(UTC)
        return zone, await admin.schedule(org, now, now + timedelta(days=days)), names

    zone, entries, names = with_runtime(work)
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
    from handlers.roster.imports import RosterImports

    text = path.read_text(encoding="utf-8-sig")
    _print_report(
        with_runtime(
            lambda runtime: RosterImports(runtime.database).import_peers_csv(
                None, org, text, apply=apply
            )
        )
    )


async def _fetch(source: str) -> bytes:
    import asyncio

    import aiohttp

    if source.startswith(("http://", "https://")):
        async with aiohttp.ClientSession() as session, session.get(source) as response:
            response.raise_for_status()
            return await response.read()
    return await asyncio.to_thread(Path(source).read_bytes)


@roster_app.command("import-ical")
def import_ical(
    org: int = OrgOption,
    source: str = typer.Argument(..., help="An .ics file or an http(s) URL."),
    tier: TierChoice = typer.Option(TierChoice.PEER, help="Tier the calendar's shifts cover."),
    days: int = typer.Option(90, min=1, help="How far ahead to import."),
    apply: bool = typer.Option(False, help="Apply the changes (default: preview only)."),
) -> None:
    """Import shifts from a calendar: each event naming a peer (in its title or as an attendee)
    puts them on call; recurring events are expanded."""

    import aiohttp

    from handlers.roster.imports import RosterImports

    async def work(runtime: Runtime) -> ImportReport:
        try:
            data = await _fetch(source)
        except (OSError, aiohttp.ClientError) as exc:
            raise ValueError(f"could not read {source}: {exc}") from None
        now = datetime.now(UTC)
        return await RosterImports(runtime.database).import_rotation_ical(
            None, org, data, tier=tier, start=now, end=now + timedelta(days=days), apply=apply
        )

    _print_report(with_runtime(work))


@roster_app.command("lapsing")
def lapsing(org: int = OrgOption) -> None:
    """Peers whose training lapses within 30 days, or has lapsed."""

    from handlers.roster.watch import RosterWatch

    async def work(runtime: Runtime) -> list[tuple[str, date | None]]:
        names = {p.id: i.display_name or "" for p, i in await _admin(runtime).peers(org)}
        peers = await RosterWatch(runtime.core).lapsing(org)
        return [(names.get(peer.id, ""), peer.training_valid_until) for peer in peers]

    table = Table("peer", "training valid until")
    for name, valid_until in with_runtime(work):
        table.add_row(name, valid_until.isoformat() if valid_until else "")
    console.print(table)
