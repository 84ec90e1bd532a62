"""The audit log: who touched a request, by pseudonym only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Peer, SupportRequest

SYSTEM = "system"
REQUESTER = "requester"


def peer_actor(peer: Peer) -> str:
    return f"peer:{peer.id}"


def record(
    session: AsyncSession,
    *,
    organisation_id: int,
    request_id: str | None,
    actor: str,
    action: str,
    at: datetime,
    detail: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            organisation_id=organisation_id,
            request_id=request_id,
            actor=actor,
            action=action,
            detail=detail,
            at=at,
        )
    )


async def audit_many(
    session: AsyncSession,
    request: SupportRequest,
    actors: list[str],
    *,
    action: str,
    at: datetime,
    detail: str | None = None,
) -> None:
    """`audit` for many actors at once, in one statement (offers shown to a whole tier)."""
    if not actors:
        return
    rows = [
        {
            "organisation_id": request.organisation_id,
            "request_id": request.id,
            "actor": actor,
            "action": action,
            "detail": detail,
            "at": at,
        }
        for actor in actors
    ]
    await session.execute(insert(AuditEvent), rows)


def audit(
    session: AsyncSession,
    request: SupportRequest,
    *,
    actor: str,
    action: str,
    at: datetime,
    detail: str | None = None,
) -> None:
    """Record an access to `request`."""
    record(
        session,
        organisation_id=request.organisation_id,
        request_id=request.id,
        actor=actor,
        action=action,
        at=at,
        detail=detail,
    )
