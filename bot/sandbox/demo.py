"""The sandbox's demo organisation: people, roster and crisis lines, made through the same
roster administration the `peer-support org` and `roster` commands use.

Two peer rotations run over the same three peers, one step apart, so two peers are on call at
any time (the third is off): an offer goes to both, and the one who does not accept sees it
taken. The coordinator and the professional each have a rotation of their own, so escalation
reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sandbox.clock import SandboxClock
from bot.sandbox.slack_state import SlackUser
from config.crisis import CrisisResource
from handlers.core.dates import week_start
from handlers.core.people import Person
from handlers.pulse.rounds import ROUND_LENGTH, Pulses, opening_time
from handlers.roster.admin import PeerFields, RosterAdmin
from models import Base, Organisation, PulseRound, Tier, Workspace
from models.db import Database

TEAM = "T0SANDBOX"
BOT_USER = "U0BOT"
TIME_ZONE = "Europe/London"
COUNTRY = "GB"
ORGANISATION = "St Example Hospital (sandbox)"
# Tables a reset keeps: the schema version and the keyring (lookup keys for identities).
KEPT_TABLES = {"alembic_version", "keyring"}


@dataclass(frozen=True)
class DemoPerson:
    user_id: str
    name: str
    role: str  # shown on the page: the catalog's `sandbox.role.<role>`, in the person's language
    tier: Tier | None = None  # on the roster when set
    unit: str | None = None


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("U0RITA", "Rita", "clinician", unit="Emergency"),
    # Rita's colleagues: with her, whom Cy reaches in after an event (README, the sandbox)
    DemoPerson("U0SAM", "Sam", "nurse", unit="Emergency"),
    DemoPerson("U0TESS", "Tess", "paramedic", unit="Emergency"),
    DemoPerson("U0ANA", "Ana", "peer", Tier.PEER, unit="ICU"),
    DemoPerson("U0BEN", "Ben", "peer", Tier.PEER, unit="Theatres"),
    DemoPerson("U0CLEO", "Cleo", "peer", Tier.PEER, unit="Maternity"),
    DemoPerson("U0CY", "Cy", "coordinator", Tier.COORDINATOR),
    DemoPerson("U0PAT", "Pat", "psychologist", Tier.PROFESSIONAL),
)

CRISIS_LINES = (
    ("Staff psychology service (demo)", "ext. 4455, 24/7"),
    ("Emergency services", "999"),
    ("Samaritans", "116 123"),
)


def slack_users() -> list[SlackUser]:
    return [SlackUser(person.user_id, person.name, tz=TIME_ZONE) for person in PEOPLE]


def _person(demo: DemoPerson) -> Person:
    return Person(platform="slack", tenant_id=TEAM, user_id=demo.user_id, display_name=demo.name)


async def is_seeded(database: Database) -> bool:
    async with database.session() as session:
        return await session.get(Workspace, ("slack", TEAM)) is not None


async def seed(database: Database, clock: SandboxClock, pulses: Pulses) -> int:
    """Create the demo organisation (once); returns its id."""
    admin = RosterAdmin(database, clock)
    today = clock().astimezone(ZoneInfo(TIME_ZONE)).date()
    verified = today.isoformat()
    organisation_id = await admin.create_organisation(
        ORGANISATION,
        time_zone=TIME_ZONE,
        country=COUNTRY,
        locale="en",
        crisis_resources=[
            CrisisResource(name=name, contact=contact, verified_on=verified).model_dump()
            for name, contact in CRISIS_LINES
        ],
    )
    await admin.link_workspace(organisation_id, "slack", TEAM)
    peer_ids: dict[str, int] = {}
    for demo in PEOPLE:
        if demo.tier is not None:
            fields = PeerFields(
                tier=demo.tier,
                unit=demo.unit,
                languages=("en", "es") if demo.name == "Ana" else ("en",),
                caseload_cap=2,
                training_valid_until=today + timedelta(days=365),
            )
            peer_ids[demo.name] = await admin.add_peer(None, organisation_id, _person(demo), fields)
    rotations = (
        ("Peer on call, first", Tier.PEER, ["Ana", "Ben", "Cleo"]),
        ("Peer on call, second", Tier.PEER, ["Ben", "Cleo", "Ana"]),
        ("Coordinator", Tier.COORDINATOR, ["Cy"]),
        ("Professional", Tier.PROFESSIONAL, ["Pat"]),
    )
    for name, tier, members in rotations:
        await admin.add_rotation(
            None,
            organisation_id,
            name=name,
            tier=tier,
            starts_on=today - timedelta(days=1),
            handoff_time=time(8, 0),
            shift_hours=24,
            peer_ids=[peer_ids[member] for member in members],
        )
    for demo in PEOPLE:  # everyone takes the weekly pulse
        await pulses.set_opt_in(_person(demo), True)
    return organisation_id


async def wipe(database: Database) -> None:
    """Delete every row the sandbox made (the schema and the keyring stay)."""
    async with database.session() as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                await session.execute(delete(table))


async def organisation_of(session: AsyncSession) -> Organisation | None:
    """The demo organisation (the one the sandbox's Slack workspace belongs to)."""
    workspace = await session.get(Workspace, ("slack", TEAM))
    return await session.get(Organisation, workspace.organisation_id) if workspace else None


async def next_pulse_opening(database: Database, now: datetime) -> datetime | None:
    """When the demo organisation's next pulse round opens: now, if this week's round is due
    and not yet open; else this week's or next week's opening time."""
    async with database.session() as session:
        organisation = await organisation_of(session)
        if organisation is None:
            return None
        zone = ZoneInfo(organisation.time_zone)
        week_of = week_start(now, zone)
        for _ in range(3):
            opens_at = opening_time(organisation, week_of)
            opened = await session.scalar(
                select(PulseRound.id).where(
                    PulseRound.organisation_id == organisation.id, PulseRound.week_of == week_of
                )
            )
            if opened is None and now < opens_at + ROUND_LENGTH:
                return max(opens_at, now)
            week_of += timedelta(days=7)
    return None
