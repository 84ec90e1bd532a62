"""A person the bot can no longer reach (they removed the app) and their return.

Teams says so (`installationUpdate` "remove"); every message to them would fail after its
retries. So the identity is marked unreachable, routing passes them by (`on_call`), and, for
someone on the roster, the coordinators hear it at once, as they may need to cover the shifts.
When the person adds the app again or writes to the bot, they are reachable again and the
coordinators hear that too. Both are safe to run twice: the second changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.i18n import t
from handlers.core.people import Person, find_identity
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.roster.notify import tell_coordinators
from models import ChatIdentity, Organisation, Peer


def unreachable_notice(locale: str, name: str) -> Message:
    return Message(kind="roster.unreachable", lines=[t(locale, "roster.unreachable", name=name)])


def reachable_notice(locale: str, name: str) -> Message:
    return Message(kind="roster.reachable", lines=[t(locale, "roster.reachable", name=name)])


async def _peer_of(session: AsyncSession, identity: ChatIdentity) -> Peer | None:
    return await session.scalar(
        select(Peer).where(Peer.identity_id == identity.id, Peer.active.is_(True))
    )


class Reachability:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def removed(self, person: Person) -> None:
        """The person removed the app: mark them unreachable; tell the coordinators if they
        are on the roster."""
        now = self.core.clock()
        async with self.core.changing() as session:
            identity = await find_identity(session, person)
            if identity is None or identity.unreachable_since is not None:
                return
            identity.unreachable_since = now
            peer = await _peer_of(session, identity)
            if peer is None:
                return
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            name = identity.display_name or "?"
            await tell_coordinators(
                session,
                organisation,
                lambda locale: unreachable_notice(locale, name),
                key=f"unreachable:{identity.id}:{now.isoformat()}",
                now=now,
                not_to=identity.id,
            )

    async def returned(self, session: AsyncSession, identity: ChatIdentity) -> None:
        """`identity` can be reached again (they added the app or wrote): within the caller's
        transaction, as it refreshes the identity anyway."""
        since = identity.unreachable_since
        if since is None:
            return
        identity.unreachable_since = None
        peer = await _peer_of(session, identity)
        if peer is None:
            return
        organisation = await session.get(Organisation, identity.organisation_id)
        assert organisation is not None
        name = identity.display_name or "?"
        await tell_coordinators(
            session,
            organisation,
            lambda locale: reachable_notice(locale, name),
            key=f"reachable:{identity.id}:{since.isoformat()}",
            now=self.core.clock(),
            not_to=identity.id,
        )
