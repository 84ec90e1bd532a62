"""What the bot says when someone may be at risk: to them (crisis lines first, always), to the
peer of their case, and to the professional tier. Never the writer's words, never a name."""

from __future__ import annotations

from config.crisis import CrisisResource
from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.ports import Address, Button, Message
from handlers.support.relay import Relayed
from models import SupportRequest

ANSWER = "risk.answer"


def _answer(
    locale: str,
    resources: list[CrisisResource],
    lines: list[str],
    request: SupportRequest | None = None,
    buttons: list[Button] | None = None,
) -> Message:
    return Message(
        kind=ANSWER,
        crisis=notices.crisis_lines(locale, resources),
        crisis_first=True,
        lines=lines,
        buttons=buttons or [],
        footer=(t(locale, "ack.reference", reference=request.reference) if request else None),
    )


def _relayed(relayed: Relayed | None, request: SupportRequest) -> list[str]:
    """What came of passing the message on: "passed on", or the question which case."""
    if relayed is None:
        return []
    if relayed.request_id is None:  # several cases and no reference: nothing was passed on
        return relayed.answer.lines
    return relayed.answer.lines if relayed.request_id == request.id else []


def answer_new(locale: str, resources: list[CrisisResource], request: SupportRequest) -> Message:
    """No request was open: one has been made for them (urgent, anonymous, by chat here); the
    request's own message, which follows, carries its Withdraw button."""
    return _answer(locale, resources, [t(locale, "risk.answer.new")], request)


def answer_waiting(
    locale: str, resources: list[CrisisResource], request: SupportRequest, professional: bool
) -> Message:
    """Their request was waiting for a peer: it is now a crisis request."""
    key = "risk.answer.waiting" if professional else "risk.answer.waiting.no_professional"
    return _answer(locale, resources, [t(locale, key)], request)


def answer_accepted(
    locale: str,
    resources: list[CrisisResource],
    request: SupportRequest,
    relayed: Relayed | None,
    told: str,
) -> Message:
    """A peer has their case: the peer and the professional on call (else the coordinator)
    have been told."""
    lines = [*_relayed(relayed, request), t(locale, f"risk.answer.accepted.{told}")]
    return _answer(locale, resources, lines, request)


def answer_peer(
    locale: str,
    resources: list[CrisisResource],
    request: SupportRequest,
    relayed: Relayed | None,
    told: str,
) -> Message:
    """The writer is the peer of a case: what to do if it is about the person they support,
    and the way to ask for themselves if it is about them."""
    lines = [
        *_relayed(relayed, request),
        t(locale, "risk.answer.peer", reference=request.reference),
        t(locale, f"risk.told.{told}"),
    ]
    return _answer(locale, resources, lines, buttons=[notices.start_button(locale)])


def answer_unrecorded(locale: str, resources: list[CrisisResource]) -> Message:
    """The database or the roster failed: the lines, and that we keep trying to reach someone."""
    return _answer(locale, resources, [t(locale, "risk.answer.unrecorded")])


def peer_alert(
    locale: str, request: SupportRequest, resources: list[CrisisResource], told: str
) -> Message:
    """To the peer of a case whose requester wrote words that suggest risk."""
    return Message(
        kind="risk.peer",
        title=t(locale, "risk.peer.title", reference=request.reference),
        lines=[
            t(locale, "risk.peer.body"),
            t(locale, "risk.guidance"),
            t(locale, f"risk.told.{told}"),
        ],
        crisis=notices.crisis_lines(locale, resources),
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def professional_alert(
    locale: str, request: SupportRequest, by_peer: bool, peer: Address
) -> Message:
    """To the professional tier: risk in a case a peer has; the peer is the contact (never the
    requester, whom only the accepting peer may know)."""
    body = "risk.professional.by_peer" if by_peer else "risk.professional.by_requester"
    return Message(
        kind="risk.professional",
        title=t(locale, "risk.professional.title"),
        lines=[t(locale, body, reference=request.reference)],
        contact=peer,
        footer=t(locale, "offer.footer", reference=request.reference),
    )
