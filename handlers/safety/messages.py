"""What the bot says when someone may be at risk: to them (crisis lines first, always), to the
peer of their case, and to the professional tier. Never the writer's words, never a name."""

from __future__ import annotations

from config.crisis import CrisisResource
from handlers import notices
from handlers.i18n import t
from handlers.ports import Address, Message
from models import SupportRequest

ANSWER = "risk.answer"


def _answer(
    locale: str, resources: list[CrisisResource], lines: list[str], **extra: object
) -> Message:
    return Message(
        kind=ANSWER,
        crisis=notices.crisis_lines(locale, resources),
        crisis_first=True,
        lines=lines,
        **extra,  # type: ignore[arg-type]
    )


def _passed_on(locale: str, request: SupportRequest, passed: bool) -> list[str]:
    return [t(locale, "relay.sent", reference=notices.reference(request))] if passed else []


def answer_new(locale: str, resources: list[CrisisResource], request: SupportRequest) -> Message:
    """No request was open: one has been made for them (urgent, anonymous, by chat here)."""
    return _answer(
        locale,
        resources,
        [t(locale, "risk.answer.new")],
        buttons=[notices.withdraw_button(locale, request, "risk.button.withdraw")],
        footer=t(locale, "ack.reference", reference=notices.reference(request)),
    )


def answer_waiting(
    locale: str, resources: list[CrisisResource], request: SupportRequest
) -> Message:
    """Their request was waiting for a peer: it is now a crisis request."""
    return _answer(
        locale,
        resources,
        [t(locale, "risk.answer.waiting")],
        footer=t(locale, "ack.reference", reference=notices.reference(request)),
    )


def answer_accepted(
    locale: str, resources: list[CrisisResource], request: SupportRequest, relayed: object
) -> Message:
    """A peer has their case: the peer and the professional on call have been told."""
    passed = getattr(relayed, "request_id", None) == request.id
    return _answer(
        locale,
        resources,
        [*_passed_on(locale, request, passed), t(locale, "risk.answer.accepted")],
        footer=t(locale, "ack.reference", reference=notices.reference(request)),
    )


def answer_peer(
    locale: str, resources: list[CrisisResource], request: SupportRequest, relayed: object
) -> Message:
    """The writer is the peer of a case: what to do if it is about the person they support,
    and the way to ask for themselves if it is about them."""
    passed = getattr(relayed, "request_id", None) == request.id
    return _answer(
        locale,
        resources,
        [
            *_passed_on(locale, request, passed),
            t(locale, "risk.answer.peer", reference=notices.reference(request)),
        ],
        buttons=[notices.start_button(locale)],
    )


def answer_unrecorded(locale: str, resources: list[CrisisResource]) -> Message:
    """The database or the roster failed: the lines, and that we keep trying to reach someone."""
    return _answer(locale, resources, [t(locale, "risk.answer.unrecorded")])


def peer_alert(locale: str, request: SupportRequest, resources: list[CrisisResource]) -> Message:
    """To the peer of a case whose requester wrote words that suggest risk."""
    return Message(
        kind="risk.peer",
        title=t(locale, "risk.peer.title", reference=notices.reference(request)),
        lines=[t(locale, "risk.peer.body"), t(locale, "risk.guidance")],
        crisis=notices.crisis_lines(locale, resources),
        footer=t(locale, "offer.footer", reference=notices.reference(request)),
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
        lines=[t(locale, body, reference=notices.reference(request))],
        contact=peer,
        footer=t(locale, "offer.footer", reference=notices.reference(request)),
    )
