"""Keep a Teams person's identity and conversation reference current.

This is the one write the adapter makes itself: the support flow only creates or refreshes an
identity when someone asks for help, but a peer must be reachable from the moment they install
the app, and a reference can change (a reinstall opens a new conversation). A peer put on the
roster who never wrote to the bot has no reference at all: the messenger opens a personal chat
with them and stores its reference here, so the next message continues that chat.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from bot.teams.activities import PLATFORM
from handlers.core.people import Person, find_identity, identity_for, organisation_for
from handlers.core.ports import Address
from handlers.core.unit import Core
from handlers.roster.reachability import Reachability
from models import ChatIdentity
from models.db import Database

log = logging.getLogger(__name__)

# Recent references of a tenant read to find its Bot Connector's service URL.
TENANT_SAMPLE = 20


async def remember(core: Core, person: Person) -> None:
    """Create or refresh the person's identity, reachable again if they had removed the app;
    a failure is logged, never shown to them."""
    try:
        async with core.changing() as session:
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, core.defaults
            )
            identity = await identity_for(session, organisation, person)
            await Reachability(core).returned(session, identity)
    except Exception as exc:  # the answer to the person matters more than the refresh
        log.warning("teams: could not store a conversation reference (%s)", type(exc).__name__)


async def store_reference(database: Database, to: Address, reference: dict[str, Any]) -> None:
    """Store the reference of a chat the bot opened; a failure is logged and the send goes on.

    Without it the next message opens the chat again, and Teams answers with the same one.
    """
    person = Person(platform=to.platform, tenant_id=to.tenant_id, user_id=to.user_id)
    try:
        async with database.session() as session, session.begin():
            identity = await find_identity(session, person)
            if identity is not None:  # None: erased since the message was queued
                identity.address = reference
    except Exception as exc:
        log.warning("teams: could not store an opened conversation (%s)", type(exc).__name__)


async def tenant_reference(database: Database, tenant_id: str) -> dict[str, Any] | None:
    """A reference someone of the tenant gave us: its service URL and the bot's account in it."""
    async with database.session() as session:
        addresses = await session.scalars(
            select(ChatIdentity.address)
            .where(
                ChatIdentity.platform == PLATFORM,
                ChatIdentity.tenant_id == tenant_id,
                ChatIdentity.address.is_not(None),
            )
            .order_by(ChatIdentity.id.desc())
            .limit(TENANT_SAMPLE)
        )
        for address in addresses:
            if isinstance(address, dict) and address.get("serviceUrl"):
                return address
    return None
