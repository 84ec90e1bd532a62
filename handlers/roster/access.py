"""Who may change the roster: active coordinators in chat, the operator on the command line
(audited as `admin:cli`); and the audit line every change writes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import peer_actor, record
from handlers.core.people import Person, find_identity
from models import (
    Organisation,
    Peer,
    Tier,
)

CLI_ACTOR = "admin:cli"


class NotAllowed(Exception):
    """The person asking is not a coordinator of this organisation."""


class UnknownPeer(Exception):
    """No peer with that id in this organisation."""


async def coordinator_peer(session: AsyncSession, person: Person) -> Peer | None:
    """The person's place on the roster if they are an active coordinator, else None: the one
    role check for every roster change and coordinator view in chat."""
    identity = await find_identity(session, person)
    if identity is None:
        return None
    return await session.scalar(
        select(Peer).where(
            Peer.identity_id == identity.id,
            Peer.organisation_id == identity.organisation_id,
            Peer.tier == Tier.COORDINATOR.value,
            Peer.active.is_(True),
        )
    )


async def require_coordinator(session: AsyncSession, person: Person) -> Peer:
    """`coordinator_peer`, or NotAllowed for anyone who is not an active coordinator."""
    coordinator = await coordinator_peer(session, person)
    if coordinator is None:
        raise NotAllowed()
    return coordinator


async def authorise(
    session: AsyncSession, organisation_id: int, actor: Person | None
) -> tuple[Organisation, str]:
    """The organisation, and who is changing it as the audit names them; NotAllowed for
    anyone in chat who is not one of its active coordinators."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise LookupError(f"no organisation {organisation_id}")
    if actor is None:
        return organisation, CLI_ACTOR
    coordinator = await coordinator_peer(session, actor)
    if coordinator is None or coordinator.organisation_id != organisation_id:
        raise NotAllowed()
    return organisation, peer_actor(coordinator)


def audit_change(
    at: datetime,
    session: AsyncSession,
    organisation: Organisation,
    actor: str,
    action: str,
    detail: str,
) -> None:
    record(
        session,
        organisation_id=organisation.id,
        request_id=None,
        actor=actor,
        action=action,
        detail=detail[:200],
        at=at,
    )
