"""`peer-support roster ...`: peers, rotations, overrides, imports, and who is on call."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from bot.cli import checks
from bot.cli.choices import TierChoice
from bot.cli.common import OrgOption, fail, table_console, with_runtime, wrong

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from handlers.roster.admin import PeerFields, RosterAdmin
    from handlers.roster.imports import ImportReport

# The commands import the use cases and the data model when they run, so `--help` stays fast
# (tests/cli/test_start_up.py).

console = table_console()
ROTATION_OPTIONS = {
    "name": "--name",
    "tier": "--tier",
    "peers": "--peers",
    "starts_on": "--starts-on",
    "handoff": "--handoff",
    "hours": "--hours",
}

roster_app = typer.Typer(help="The roster: peers, rotations, overrides, imports, who is on call.")


def _admin(runtime: Runtime) -> RosterAdmin:
    from handlers.roster.admin import RosterAdmin

    return RosterAdmin(runtime.database)


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


def _exit_for(report: ImportReport, applying: bool) -> None:
    """Any row or event that could not be read: one line and exit status 2, saying what was
    done."""
    if not report.errors:
        return
    if applying and not report.applied:
        fail(
            f"{len(report.errors)} could not be read: nothing was applied (fix them, or use "
            "--partial to apply the rest)"
        )
    fail(f"{len(report.errors)} could not be read")


@roster_app.command("add-peer")
def add_peer(
    org: int = OrgOption,
    platform: str = typer.Option(..., help="slack or teams."),
    tenant: str = typer.Option(..., help="Slack team id or Teams tenant id (linked to --org)."),
    user: str = typer.Option(..., help="The person's platform user id."),
    name: str = typer.Option(..., help="Name as shown to requesters who are connected."),
    tier: str | None = typer.Option(
        None, help="peer, backup, coordinator or professional (new peers: peer)."
    ),
    unit: str | None = typer.Option(None, help="Their unit (requesters may exclude it)."),
    languages: str | None = typer.Option(
        None, help="Languages they support in, e.g. en,es (new peers: en)."
    ),
    cap: str | None = typer.Option(None, help="Open cases at most, 1 to 20 (new peers: 2)."),
    trained_until: str | None = typer.Option(
        None, help="Training valid until, YYYY-MM-DD (today or later)."
    ),
) -> None:
    """Put someone on the roster, or update them: an update changes only the options given,
    and says what changed."""
    from bot.cli.peer_options import changes, merged_fields
    from handlers.core.people import Person
    from models import Workspace

    platform = checks.one_of(platform, "--platform", checks.PLATFORMS)
    given = {
        "tier": tier,
        "unit": unit,
        "languages": languages,
        "cap": cap,
        "trained_until": trained_until,
    }
    person = Person(platform=platform, tenant_id=tenant, user_id=user, display_name=name)

    async def work(runtime: Runtime) -> tuple[int, PeerFields | None, PeerFields]:
        admin = _admin(runtime)
        async with runtime.database.session() as session:
            workspace = await session.get(Workspace, (platform, tenant))
        if workspace is None or workspace.organisation_id != org:
            wrong(
                "--tenant",
                f"{platform} {tenant} is not linked to organisation {org}: link it first "
                f"(peer-support org link --org {org} --platform {platform} --tenant {tenant})",
            )
        before = await admin.peer_fields_of(org, person)
        fields = merged_fields(given, before, runtime.core.clock().date())
        return await admin.add_peer(None, org, person, fields), before, fields

    peer_id, before, after = with_runtime(work)
    if before is None:
        typer.echo(f"peer {peer_id} added")
        return
    changed = changes(before, after)
    typer.echo(f"peer {peer_id} updated: {changed}" if changed else f"peer {peer_id}: no change")


@roster_app.command("remove-peer")
def remove_peer(
    org: int = OrgOption, peer: int = typer.Option(..., help="Peer id (see `roster list`).")
) -> None:
    """Take a peer off the roster (out of rotations and overrides)."""
    removed = with_runtime(lambda runtime: _admin(runtime).remove_peer(None, org, peer))
    if removed is False:
        fail(f"--peer: peer {peer} is already off the roster (see `roster list --org {org}`)")
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
    tier: str = typer.Option("peer", help="peer, backup, coordinator or professional."),
    starts_on: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    handoff: str = typer.Option("08:00", help="Local handoff time, HH:MM."),
    hours: str = typer.Option("24", help="Shift length in hours, 1 to 336."),
) -> None:
    """Define a rotation: members take shifts of HOURS in turn from the handoff time."""
    from handlers.core.i18n import DEFAULT_LOCALE
    from handlers.roster.forms import FormInvalid, rotation_answers

    try:
        answers = rotation_answers(
            DEFAULT_LOCALE,
            name=name,
            tier=tier.strip().lower(),
            peers=checks.ids(peers, "--peers"),
            starts_on=starts_on,
            handoff=handoff,
            hours=hours,
        )
    except FormInvalid as exc:
        checks.form_errors(exc, ROTATION_OPTIONS)
    rotation_id = with_runtime(
        lambda runtime: _admin(runtime).add_rotation(
            None,
            org,
            name=answers.name,
            tier=answers.tier,
            starts_on=answers.starts_on,
            handoff_time=answers.handoff_time,
            shift_hours=answers.shift_hours,
            peer_ids=answers.peer_ids,
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
    from handlers.core.i18n import DEFAULT_LOCALE
    from handlers.roster.forms import FormInvalid, override_answers
    from models import Organisation, Tier

    local_start = checks.local_moment(start, "--from")
    local_end = checks.local_moment(end, "--to")

    async def work(runtime: Runtime) -> int:
        async with runtime.database.session() as session:
            organisation = await session.get(Organisation, org)
            if organisation is None:
                raise LookupError(f"no organisation {org}")
            zone = ZoneInfo(organisation.time_zone)
        try:
            answers = override_answers(
                DEFAULT_LOCALE,
                runtime.core.clock(),
                peer=str(peer),
                starts_at=local_start.replace(tzinfo=zone).isoformat(),
                ends_at=local_end.replace(tzinfo=zone).isoformat(),
            )
        except FormInvalid as exc:
            checks.form_errors(exc, {"starts_at": "--from", "ends_at": "--to", "peer": "--peer"})
        return await _admin(runtime).add_override(
            None,
            org,
            peer_id=answers.peer_id,
            tier=Tier(tier.value),
            starts_at=answers.starts_at,
            ends_at=answers.ends_at,
            replaces_peer_id=replaces,
        )

    typer.echo(f"override {with_runtime(work)}")


@roster_app.command("on-call")
def on_call_command(
    org: int = OrgOption, days: int = typer.Option(14, min=1, help="How many days ahead.")
) -> None:
    """Who is on call now and for the coming days, tier by tier."""
    from models import Organisation

    async def work(runtime: Runtime) -> tuple[ZoneInfo, list[Any], dict[int, str]]:
        admin = _admin(runtime)
        # A peer who switched to unavailable is on the rota but skipped by routing: said so.
        names = {
            peer.id: (identity.display_name or "") + ("" if peer.available else " (unavailable)")
            for peer, identity in await admin.peers(org)
        }
        async with runtime.database.session() as session:
            organisation = await session.get(Organisation, org)
            if organisation is None:
                raise LookupError(f"no organisation {org}")
            zone = ZoneInfo(organisation.time_zone)
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
    partial: bool = typer.Option(
        False, help="With --apply, apply the good rows even if some could not be read."
    ),
) -> None:
    """Import peers from CSV: platform,tenant,user_id,name,tier,unit,languages,cap,trained_until
    (languages separated by ';'; UTF-8, or Excel's "Unicode text"). All or nothing: any row
    that cannot be read stops the import (exit status 2) unless --partial is given."""
    from handlers.roster.imports import RosterImports

    text = _read_text(path)
    report = with_runtime(
        lambda runtime: RosterImports(runtime.database, runtime.core.clock).import_peers_csv(
            None, org, text, apply=apply, partial=partial
        )
    )
    _print_report(report)
    _exit_for(report, apply)


def _read_text(path: Path) -> str:
    """A text file as spreadsheets save them: UTF-8 (with or without its mark) or UTF-16."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        wrong("path", f"{path} is not a text file: save it as CSV (UTF-8) or Unicode text")


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
    from models import Tier

    async def work(runtime: Runtime) -> ImportReport:
        try:
            data = await _fetch(source)
        except (OSError, aiohttp.ClientError) as exc:
            raise ValueError(f"could not read {source}: {exc}") from None
        now = datetime.now(UTC)
        return await RosterImports(runtime.database, runtime.core.clock).import_rotation_ical(
            None,
            org,
            data,
            tier=Tier(tier.value),
            start=now,
            end=now + timedelta(days=days),
            apply=apply,
        )

    report = with_runtime(work)
    _print_report(report)
    _exit_for(report, apply)


@roster_app.command("lapsing")
def lapsing(org: int = OrgOption) -> None:
    """Peers whose training lapses within 30 days, or has lapsed."""
    from handlers.roster.watch import RosterWatch

    async def work(runtime: Runtime) -> list[tuple[str, date | None]]:
        names = {p.id: i.display_name or "" for p, i in await _admin(runtime).peers(org)}
        peers = await RosterWatch(runtime.core).lapsing(org)
        return [(names.get(peer.id, ""), peer.training_valid_until) for peer in peers]

    rows = with_runtime(work)
    if not rows:
        console.print("Nobody's training lapses within 30 days.")
        return
    table = Table("peer", "training valid until")
    for name, valid_until in rows:
        table.add_row(name, valid_until.isoformat() if valid_until else "")
    console.print(table)
