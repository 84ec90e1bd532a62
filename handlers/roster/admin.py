"""Roster administration: organisations and their settings, peers, rotations, overrides.

Every change is audited. A chat user must be an active coordinator of the organisation; the
command line is the operator (an admin of the installation) and is audited as `admin:cli`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.people import Person, find_identity, identity_for
from handlers.roster.access import CLI_ACTOR, UnknownPeer, audit_change, authorise
from handlers.roster.schedule import OnCallEntry, on_call_schedule
from handlers.safety.risk import clean_phrase, normal
from models import (
    ChatIdentity,
    Organisation,
    Override,
    Peer,
    Rotation,
    RotationMember,
    Tier,
    Workspace,
    utcnow,
)
from models.db import Database


@dataclass(frozen=True)
class PeerFields:
    """What a coordinator sets about a peer."""

    tier: Tier = Tier.PEER
    unit: str | None = None
    languages: tuple[str, ...] = ("en",)
    caseload_cap: int = 2
    training_valid_until: date | None = None


class RosterAdmin:
    def __init__(self, database: Database, clock: Any = utcnow) -> None:
        self.database = database
        self.clock = clock

    async def create_organisation(self, name: str, **settings: Any) -> int:
        async with self.database.session() as session, session.begin():
            organisation = Organisation(name=name, **settings)
            session.add(organisation)
            await session.flush()
            audit_change(
                self.clock(), session, organisation, CLI_ACTOR, "organisation_created", name
            )
            return organisation.id

    async def link_workspace(self, organisation_id: int, platform: str, tenant_id: str) -> None:
        """Make a Slack team or Teams tenant part of the organisation (shared roster)."""
        async with self.database.session() as session, session.begin():
            organisation, actor = await authorise(session, organisation_id, None)
            workspace = await session.get(Workspace, (platform, tenant_id))
            if workspace is None:
                session.add(
                    Workspace(
                        platform=platform, tenant_id=tenant_id, organisation_id=organisation.id
                    )
                )
            else:
                workspace.organisation_id = organisation.id
            audit_change(
                self.clock(), session, organisation, actor, "workspace_linked", f"{platform}"
            )

    async def update_settings(
        self, actor: Person | None, organisation_id: int, **settings: Any
    ) -> None:
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            for name, value in settings.items():
                if not hasattr(Organisation, name) or name in ("id", "created_at"):
                    raise AttributeError(f"unknown organisation setting {name!r}")
                setattr(organisation, name, value)
            audit_change(
                self.clock(),
                session,
                organisation,
                who,
                "settings_changed",
                ",".join(sorted(settings)),
            )

    async def risk_phrases(
        self,
        actor: Person | None,
        organisation_id: int,
        add: tuple[str, ...] = (),
        remove: tuple[str, ...] = (),
    ) -> list[str]:
        """The organisation's own risk phrases after adding and removing some (matched as the
        shipped ones are: case, accents and spacing do not matter); ValueError names a phrase
        that cannot be used or is not there to remove."""
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            phrases = list(organisation.risk_phrases or [])
            for phrase in remove:
                kept = [old for old in phrases if normal(old) != normal(phrase)]
                if len(kept) == len(phrases):
                    raise ValueError(f"{phrase!r} is not one of the organisation's risk phrases")
                phrases = kept
            for phrase in add:
                cleaned = clean_phrase(phrase)
                if all(normal(old) != normal(cleaned) for old in phrases):
                    phrases.append(cleaned)
            if add or remove:
                organisation.risk_phrases = phrases or None
                audit_change(
                    self.clock(), session, organisation, who, "settings_changed", "risk_phrases"
                )
            return phrases

    async def add_peer(
        self, actor: Person | None, organisation_id: int, person: Person, fields: PeerFields
    ) -> int:
        """Put a person on the roster (or update them if already there); returns the peer id."""
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            peer, created = await upsert_peer(session, organisation, person, fields)
            action = "peer_added" if created else "peer_updated"
            audit_change(self.clock(), session, organisation, who, action, f"peer:{peer.id}")
            return peer.id

    async def peer_fields_of(self, organisation_id: int, person: Person) -> PeerFields | None:
        """What the roster holds about `person`, if they are an active peer of the
        organisation (what an update starts from)."""
        async with self.database.session() as session:
            identity = await find_identity(session, person)
            peer = (
                await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
                if identity is not None
                else None
            )
            if peer is None or not peer.active or peer.organisation_id != organisation_id:
                return None
            return PeerFields(
                tier=Tier(peer.tier),
                unit=peer.unit,
                languages=tuple(peer.languages),
                caseload_cap=peer.caseload_cap,
                training_valid_until=peer.training_valid_until,
            )

    async def remove_peer(self, actor: Person | None, organisation_id: int, peer_id: int) -> bool:
        """Take a peer off the roster: out of every rotation and override, kept for history.
        False if they were already off it (nothing changes)."""
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            peer = await self._peer(session, organisation, peer_id)
            if not peer.active:
                return False
            peer.active = False
            await session.execute(delete(RotationMember).where(RotationMember.peer_id == peer.id))
            await session.execute(delete(Override).where(Override.peer_id == peer.id))
            audit_change(
                self.clock(), session, organisation, who, "peer_removed", f"peer:{peer.id}"
            )
            return True

    async def _peer(self, session: AsyncSession, organisation: Organisation, peer_id: int) -> Peer:
        peer = await session.get(Peer, peer_id)
        if peer is None or peer.organisation_id != organisation.id:
            raise UnknownPeer(f"no peer {peer_id} in organisation {organisation.id}")
        return peer

    async def peers(self, organisation_id: int) -> list[tuple[Peer, ChatIdentity]]:
        async with self.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            return await peer_rows(session, organisation)

    async def add_rotation(
        self,
        actor: Person | None,
        organisation_id: int,
        *,
        name: str,
        tier: Tier,
        starts_on: date,
        handoff_time: time,
        shift_hours: int,
        peer_ids: list[int],
    ) -> int:
        if shift_hours <= 0 or not peer_ids:
            raise ValueError("a rotation needs a positive shift length and at least one member")
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            for peer_id in peer_ids:
                await self._peer(session, organisation, peer_id)
            rotation = Rotation(
                organisation_id=organisation.id,
                name=name,
                tier=tier.value,
                starts_on=starts_on,
                handoff_time=handoff_time,
                shift_hours=shift_hours,
            )
            rotation.members = [
                RotationMember(position=position, peer_id=peer_id)
                for position, peer_id in enumerate(peer_ids)
            ]
            session.add(rotation)
            await session.flush()
            audit_change(
                self.clock(),
                session,
                organisation,
                who,
                "rotation_added",
                f"rotation:{rotation.id}",
            )
            return rotation.id

    async def add_override(
        self,
        actor: Person | None,
        organisation_id: int,
        *,
        peer_id: int,
        tier: Tier,
        starts_at: datetime,
        ends_at: datetime,
        replaces_peer_id: int | None = None,
    ) -> int:
        if ends_at <= starts_at:
            raise ValueError("an override must end after it starts")
        async with self.database.session() as session, session.begin():
            organisation, who = await authorise(session, organisation_id, actor)
            await self._peer(session, organisation, peer_id)
            if replaces_peer_id is not None:
                await self._peer(session, organisation, replaces_peer_id)
            override = Override(
                organisation_id=organisation.id,
                peer_id=peer_id,
                replaces_peer_id=replaces_peer_id,
                tier=tier.value,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            session.add(override)
            await session.flush()
            audit_change(
                self.clock(),
                session,
                organisation,
                who,
                "override_added",
                f"override:{override.id}",
            )
            return override.id

    async def schedule(
        self, organisation_id: int, start: datetime, end: datetime
    ) -> list[OnCallEntry]:
        """Who is on call from `start` to `end`: rotation shifts and overrides, in time order."""
        async with self.database.session() as session:
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                raise LookupError(f"no organisation {organisation_id}")
            return await on_call_schedule(session, organisation, start, end)


async def upsert_peer(
    session: AsyncSession, organisation: Organisation, person: Person, fields: PeerFields
) -> tuple[Peer, bool]:
    """Put `person` on the roster with `fields`, or update them; True if they were new."""
    identity = await identity_for(session, organisation, person)
    peer = await session.scalar(select(Peer).where(Peer.identity_id == identity.id))
    created = peer is None
    if peer is None:
        peer = Peer(organisation_id=organisation.id, identity_id=identity.id)
        session.add(peer)
    peer.tier = fields.tier.value
    peer.unit = fields.unit
    peer.languages = list(fields.languages)
    peer.caseload_cap = fields.caseload_cap
    peer.training_valid_until = fields.training_valid_until
    peer.active = True
    await session.flush()
    return peer, created


async def peer_rows(
    session: AsyncSession, organisation: Organisation
) -> list[tuple[Peer, ChatIdentity]]:
    """Everyone active on the roster, with how to reach them, by tier."""
    rows = await session.execute(
        select(Peer, ChatIdentity)
        .join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
        .where(Peer.organisation_id == organisation.id, Peer.active.is_(True))
        .order_by(Peer.tier, Peer.id)
    )
    return [(peer, identity) for peer, identity in rows]
