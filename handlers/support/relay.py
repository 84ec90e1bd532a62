"""Anonymous mode: what the requester and the peer write to the bot is passed on to the other,
with no name on either side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select

from config.crisis import CrisisResource
from handlers.core import notices
from handlers.core.outbox import deliver
from handlers.core.people import (
    Person,
    find_identity,
    identity_of,
    locale_of,
)
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.support import messages
from handlers.support.lookups import accepting_peer
from models import (
    ChatIdentity,
    Organisation,
    Peer,
    RequestStatus,
    SupportRequest,
)


@dataclass(frozen=True)
class Relayed:
    """What came of a message written in an anonymous case: the answer to its writer, and the
    case it was passed on in (None when it was not: the writer is asked which case)."""

    answer: Message
    request_id: str | None
    from_requester: bool


class Relay:
    """Anonymous mode: messages passed on between a requester and their peer."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def pass_on(
        self, person: Person, text: str, risk: list[CrisisResource] | None = None
    ) -> Relayed | None:
        """Anonymous mode: pass a message to the other side. None if there is no such case.

        Someone in several anonymous cases at once starts the message with the case reference
        (`AB12CD your text`); without it nothing is passed on and they are asked which case, so a
        reply never reaches the wrong person. `risk` (the crisis lines) flags words that
        suggest risk: the message still goes, with guidance for whoever reads it.
        """
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            if identity is None:
                return None
            peer_ids = select(Peer.id).where(Peer.identity_id == identity.id)
            cases = list(
                await session.scalars(
                    select(SupportRequest)
                    .where(
                        SupportRequest.status == RequestStatus.ACCEPTED.value,
                        SupportRequest.anonymous.is_(True),
                        or_(
                            SupportRequest.requester_id == identity.id,
                            SupportRequest.accepted_peer_id.in_(peer_ids),
                        ),
                    )
                    .order_by(SupportRequest.accepted_at)
                )
            )
            if not cases:
                return None
            organisation = await session.get(Organisation, cases[0].organisation_id)
            assert organisation is not None
            request, text = addressed_case(cases, text)
            if request is None:
                which = notices.notice(
                    locale_of(identity, organisation),
                    "relay.which",
                    references=", ".join(case.reference for case in cases),
                    example=cases[-1].reference,
                )
                return Relayed(which, None, from_requester=False)
            from_requester = request.requester_id == identity.id
            if from_requester:
                peer = await accepting_peer(session, request)
                assert peer is not None
                other = await identity_of(session, peer)
            else:
                assert request.requester_id is not None
                other = await session.get(ChatIdentity, request.requester_id)
                assert other is not None
            message = messages.relayed(
                locale_of(other, organisation), from_requester, text, request, risk
            )
            key = f"{relay_key_prefix(request.id)}{uuid.uuid4()}"  # found again by `forget`
            await deliver(session, to=other, message=message, key=key, now=now)
            view = notices.notice(
                locale_of(identity, organisation),
                "relay.sent",
                reference=request.reference,
            )
        self.core.after_commit()
        return Relayed(view, request.id, from_requester)


def addressed_case(cases: list[SupportRequest], text: str) -> tuple[SupportRequest | None, str]:
    """Which case a relayed message is for, and the message without its leading reference.

    With one case a leading reference is optional; with several it is required (None if absent
    or unknown).
    """
    first, _, rest = text.strip().partition(" ")
    wanted = first.strip("#:,").upper()
    for case in cases:
        if wanted == case.reference and rest.strip():
            return case, rest.strip()
    return (cases[0], text) if len(cases) == 1 else (None, text)


def relay_key_prefix(request_id: str) -> str:
    """How relayed messages of a case are keyed (see `deliver`): they quote both sides."""
    return f"relay:{request_id}:"
