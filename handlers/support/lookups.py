"""Small lookups the support flow's use cases share."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Peer, SupportRequest


async def accepting_peer(session: AsyncSession, request: SupportRequest) -> Peer | None:
    """The peer who has the case, if anyone does."""
    if request.accepted_peer_id is None:
        return None
    return await session.get(Peer, request.accepted_peer_id)
