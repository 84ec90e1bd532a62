"""Small lookups the support flow's use cases share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.people import Person, find_identity, locale_of
from handlers.core.ports import Message
from handlers.core.unit import Core
from models import ChatIdentity, Organisation, Peer, SupportRequest


async def accepting_peer(session: AsyncSession, request: SupportRequest) -> Peer | None:
    """The peer who has the case, if anyone does."""
    if request.accepted_peer_id is None:
        return None
    return await session.get(Peer, request.accepted_peer_id)


@dataclass(frozen=True)
class PeerCase:
    """A case as the peer who took it answers about it."""

    request: SupportRequest
    identity: ChatIdentity
    organisation: Organisation
    peer: Peer
    locale: str


async def peer_case(
    session: AsyncSession, core: Core, person: Person, request_id: str, *, lock: bool = False
) -> PeerCase | Message:
    """The case `request_id` if `person` is the peer who took it (the request row locked with
    `lock`); otherwise the answer to give: an unknown request or person, or not their case."""
    request = await session.get(SupportRequest, request_id, with_for_update=lock)
    identity = await find_identity(session, person)
    if request is None or identity is None:
        return core.unknown(person)
    organisation = await session.get(Organisation, request.organisation_id)
    assert organisation is not None
    locale = locale_of(identity, organisation)
    peer = await accepting_peer(session, request)
    if peer is None or peer.identity_id != identity.id:
        return notices.notice(locale, "request.not_yours")
    return PeerCase(request, identity, organisation, peer, locale)
