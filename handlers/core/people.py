"""Who is talking to us: the organisation behind a workspace, and a person's chat identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import pick_locale
from handlers.core.log_context import note_organisation
from handlers.core.ports import Address
from models import ChatIdentity, Organisation, Peer, Workspace
from models.crypto import vault
from models.db import Database


@dataclass(frozen=True)
class OrganisationDefaults:
    """Settings a new organisation starts with (from the process settings)."""

    time_zone: str = "UTC"
    locale: str = "en"
    country: str = "US"


@dataclass(frozen=True)
class Person:
    """A person as an adapter sees them on one platform."""

    platform: str
    tenant_id: str
    user_id: str
    display_name: str | None = None
    locale: str | None = None
    address: dict[str, Any] | None = field(default=None, hash=False)
    time_zone: str | None = None  # IANA, when the platform says it


def lookup_key(platform: str, tenant_id: str, user_id: str) -> str:
    return vault().pseudonym(platform, tenant_id, user_id)


def address_of(identity: ChatIdentity) -> Address:
    return Address(
        platform=identity.platform,
        tenant_id=identity.tenant_id,
        user_id=identity.user_id,
        data=identity.address or {},
    )


async def organisation_for(
    session: AsyncSession, platform: str, tenant_id: str, defaults: OrganisationDefaults
) -> Organisation:
    """The organisation a workspace belongs to; a workspace seen for the first time gets one."""
    workspace = await session.get(Workspace, (platform, tenant_id))
    if workspace is None:
        try:
            async with session.begin_nested():
                organisation = Organisation(
                    name=f"{platform} {tenant_id}",
                    time_zone=defaults.time_zone,
                    locale=defaults.locale,
                    country=defaults.country,
                )
                session.add(organisation)
                await session.flush()
                session.add(
                    Workspace(
                        platform=platform, tenant_id=tenant_id, organisation_id=organisation.id
                    )
                )
                await session.flush()
            note_organisation(organisation.id)
            return organisation
        except IntegrityError:  # created by a concurrent first contact
            workspace = await session.get(Workspace, (platform, tenant_id))
            assert workspace is not None
    organisation = await session.get(Organisation, workspace.organisation_id)
    assert organisation is not None
    note_organisation(organisation.id)
    return organisation


async def find_organisation(
    session: AsyncSession, platform: str, tenant_id: str
) -> Organisation | None:
    """The organisation a workspace belongs to, if it has one yet (reads only)."""
    workspace = await session.get(Workspace, (platform, tenant_id))
    if workspace is None:
        return None
    note_organisation(workspace.organisation_id)
    return await session.get(Organisation, workspace.organisation_id)


async def find_identity(session: AsyncSession, person: Person) -> ChatIdentity | None:
    """The person's identity, with the language their platform gives now: a peer's Slack locale
    reaches the bot only when they act, and everything sent to them later (offers, receipts)
    must be in it. In a writing transaction the new language is stored."""
    key = lookup_key(person.platform, person.tenant_id, person.user_id)
    identity = await session.scalar(select(ChatIdentity).where(ChatIdentity.lookup_key == key))
    if identity is not None and person.locale and person.locale != identity.locale:
        identity.locale = person.locale
    return identity


async def identity_for(
    session: AsyncSession, organisation: Organisation, person: Person
) -> ChatIdentity:
    """The person's identity, created or refreshed with what the platform told us this time."""
    identity = await find_identity(session, person)
    if identity is None:
        try:
            async with session.begin_nested():
                identity = ChatIdentity(
                    organisation_id=organisation.id,
                    platform=person.platform,
                    tenant_id=person.tenant_id,
                    lookup_key=lookup_key(person.platform, person.tenant_id, person.user_id),
                    user_id=person.user_id,
                    display_name=person.display_name,
                    locale=person.locale,
                    address=person.address,
                    time_zone=known_time_zone(person.time_zone),
                )
                session.add(identity)
                await session.flush()
            return identity
        except IntegrityError:
            identity = await find_identity(session, person)
            assert identity is not None
    if person.display_name and person.display_name != identity.display_name:
        identity.display_name = person.display_name
    if person.locale and person.locale != identity.locale:
        identity.locale = person.locale
    if person.address and person.address != identity.address:
        identity.address = person.address
    zone = known_time_zone(person.time_zone)
    if zone and zone != identity.time_zone:
        identity.time_zone = zone
    return identity


def locale_of(identity: ChatIdentity, organisation: Organisation) -> str:
    """A person's language: their platform's, else their organisation's."""
    return pick_locale(identity.locale, organisation.locale)


async def identity_of(session: AsyncSession, peer: Peer) -> ChatIdentity:
    """How to reach someone on the roster."""
    identity = await session.get(ChatIdentity, peer.identity_id)
    assert identity is not None
    return identity


def known_time_zone(name: str | None) -> str | None:
    """`name` if this machine's time zone database knows it, else None (a client may send
    anything: "America" alone is a directory there, not a zone)."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None
    return name


async def remember_address(database: Database, to: Address, **learnt: Any) -> None:
    """Keep what an adapter learnt about reaching a person (a DM channel id, say) with their
    stored address, so a restart does not have to ask the platform again."""
    person = Person(platform=to.platform, tenant_id=to.tenant_id, user_id=to.user_id)
    async with database.session() as session, session.begin():
        identity = await find_identity(session, person)
        if identity is not None:  # None: erased since the message was queued
            identity.address = {**(identity.address or {}), **learnt}
