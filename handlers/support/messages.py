"""Builders for every message the support flow sends, in the recipient's language.

Nothing here reads the database: callers pass what a message may show. Offers and coordinator
notices are built from the request's attributes only, never from who asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from config.crisis import CrisisResource
from handlers.core.dates import duration
from handlers.core.i18n import t
from handlers.core.notices import crisis_lines, platform_caveat, start_button
from handlers.core.ports import Address, Button, Message
from models import RequestStatus, SupportRequest

if TYPE_CHECKING:
    pass

ACCEPT = "offer.accept"
DECLINE = "offer.decline"
WITHDRAW = "request.withdraw"
CLOSE = "request.close"
PEER_OK = "peer.ok"
PEER_DEBRIEF = "peer.debrief"
INTAKE_FAILED = "intake.failed"  # the kind of the answer to a request not stored yet
TAKE = "request.take"  # a coordinator's "I will make contact": takes the case like an accept
ALERT = "coordinator.alert"


def _request_fields(locale: str, request: SupportRequest) -> list[tuple[str, str]]:
    return [
        (t(locale, "field.urgency"), t(locale, f"urgency.{request.urgency}")),
        (t(locale, "field.category"), t(locale, f"category.{request.category}")),
        (t(locale, "field.contact"), t(locale, f"contact.{request.contact}")),
        (t(locale, "field.language"), t(locale, f"language.{request.language}")),
    ]


def withdraw_button(locale: str, request: SupportRequest, label: str = "button.withdraw") -> Button:
    return Button(action=WITHDRAW, label=t(locale, label), value=request.id)


def acknowledgement(
    locale: str,
    request: SupportRequest,
    resources: list[CrisisResource],
    minutes: int,
    platform: str,
) -> Message:
    """The confirmation of a stored request: what happens next (its status line, updated in
    place as things change), its crisis lines (first of all for a crisis request) and Withdraw."""
    within = duration(locale, minutes)
    confidential = [t(locale, "ack.confidential"), platform_caveat(locale, platform)]
    common = {
        "kind": "intake.ack",
        "crisis": crisis_lines(locale, resources),
        "buttons": [withdraw_button(locale, request)],
        "footer": t(locale, "ack.reference", reference=request.reference),
    }
    if request.crisis:
        return Message(
            crisis_first=True,
            lines=[t(locale, "ack.crisis"), *confidential],
            status=t(locale, "ack.status.crisis", within=within),
            **common,
        )
    return Message(
        title=t(locale, "ack.title"),
        lines=confidential,
        status=t(locale, f"ack.status.{request.urgency}", within=within),
        **common,
    )


def receipt(locale: str, crisis: bool, resources: list[CrisisResource], platform: str) -> Message:
    """What a valid form turns into at once, before it is stored: the confirmation with what
    happens next follows by message. A crisis answer puts the crisis lines first."""
    lines = [t(locale, "ack.crisis")] if crisis else []
    lines += [t(locale, "receipt.body"), t(locale, "ack.confidential")]
    lines.append(platform_caveat(locale, platform))
    return Message(
        kind="intake.receipt",
        title=None if crisis else t(locale, "ack.title"),
        crisis=crisis_lines(locale, resources),
        crisis_first=crisis,
        lines=lines,
    )


def fallback_acknowledgement(locale: str, resources: list[CrisisResource]) -> Message:
    """What a person asking for help sees when we could not store their request: the crisis
    lines come first, as we cannot know yet what they need."""
    return Message(
        kind=INTAKE_FAILED,
        title=t(locale, "failure.title"),
        crisis=crisis_lines(locale, resources),
        crisis_first=True,
        lines=[t(locale, "failure.body")],
    )


def offer(locale: str, request: SupportRequest, tier: str, offer_id: int) -> Message:
    lines = [t(locale, f"offer.intro.{tier}")]
    if request.crisis:
        lines.append(t(locale, "offer.crisis"))
    return Message(
        kind="offer",
        title=t(locale, "offer.title"),
        lines=lines,
        fields=_request_fields(locale, request),
        buttons=[
            Button(
                action=ACCEPT,
                label=t(locale, "button.accept"),
                value=str(offer_id),
                style="primary",
            ),
            Button(action=DECLINE, label=t(locale, "button.decline"), value=str(offer_id)),
        ],
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def offer_for(template: dict[str, Any], offer_id: int) -> dict[str, Any]:
    """An `offer` message dumped once as JSON (for a tier's peers who share a language), with
    its buttons for offer `offer_id`."""
    buttons = [{**button, "value": str(offer_id)} for button in template["buttons"]]
    return {**template, "buttons": buttons}


def offer_closed(locale: str, request: SupportRequest, reason: str) -> Message:
    """Replaces an offer card once it can no longer be accepted (no dead buttons remain)."""
    return Message(
        kind="offer.update",
        title=t(locale, "offer.title"),
        lines=[t(locale, f"offer.{reason}")],
        fields=_request_fields(locale, request),
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def accepted_for_peer(
    locale: str,
    request: SupportRequest,
    contact_name: str | None,
    contact: Address | None,
    note: str | None,
) -> Message:
    """The accepting peer's view of a case. Anonymous: what happened and the note, never who
    (nor the unit, which could say who); named: who, and how they asked to be reached."""
    fields = _request_fields(locale, request)
    if request.anonymous:
        lines = [t(locale, "accepted.peer.anonymous")]
    else:
        lines = [t(locale, f"accepted.peer.contact.{request.contact}", name=contact_name or "?")]
        if request.contact_number:
            fields.append((t(locale, "field.phone"), request.contact_number))
        if request.requester_unit:
            fields.append((t(locale, "field.unit"), request.requester_unit))
    if note:
        fields.append((t(locale, "field.note"), note))
    if request.crisis:
        lines.append(t(locale, "accepted.peer.crisis"))
    lines.append(t(locale, "accepted.peer.close_hint"))
    return Message(
        kind="offer.accepted",
        title=t(locale, "accepted.peer.title"),
        lines=lines,
        fields=fields,
        contact=None if request.anonymous else contact,
        buttons=[Button(action=CLOSE, label=t(locale, "button.close"), value=request.id)],
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def connected_for_requester(
    locale: str,
    request: SupportRequest,
    peer_name: str | None,
    peer: Address | None,
    platform: str,
) -> Message:
    if request.anonymous:
        lines = [t(locale, "connected.anonymous")]
    else:
        lines = [t(locale, f"connected.named.{request.contact}", name=peer_name or "?")]
    lines.append(platform_caveat(locale, platform))
    return Message(
        kind="request.connected",
        title=t(locale, "connected.title"),
        lines=lines,
        contact=None if request.anonymous else peer,
        buttons=[Button(action=CLOSE, label=t(locale, "button.close"), value=request.id)],
    )


def case_ended_for_peer(locale: str, request: SupportRequest) -> Message:
    """Replaces the card of the peer who accepted, once the case has ended: what the case was,
    and that it has ended (no button: nothing is left to do on it)."""
    return Message(
        kind="offer.update",
        title=t(locale, "accepted.peer.title"),
        fields=_request_fields(locale, request),
        status=ended_status(locale, request),
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def ended_status(locale: str, request: SupportRequest) -> str:
    """The status line of a message whose case has ended (its buttons go with it)."""
    key = "ended.withdrawn" if request.status == RequestStatus.WITHDRAWN.value else "ended.closed"
    return t(locale, key, reference=request.reference)


def to_requester(
    locale: str, key: str, resources: list[CrisisResource], **params: object
) -> Message:
    """A message to a requester about their request; it points to the crisis lines, so it
    carries them itself."""
    return Message(
        kind="notice", lines=[t(locale, key, **params)], crisis=crisis_lines(locale, resources)
    )


def coordinator_alert(
    locale: str, key: str, request: SupportRequest, *, can_take: bool = True
) -> Message:
    """A coordinator alert: the request's kind and urgency, never who asked, and (while nobody
    has it) "I will make contact", which takes the case as an accept would. Updated in place
    once it is taken."""
    take = Button(action=TAKE, label=t(locale, "button.take"), value=request.id, style="primary")
    return Message(
        kind=ALERT,
        title=t(locale, "coordinator.title"),
        lines=[t(locale, key)],
        fields=_request_fields(locale, request),
        buttons=[take] if can_take else [],
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def alert_answered(locale: str, request: SupportRequest) -> Message:
    """The answer to "I will make contact" on a request someone has already (or that ended)."""
    return Message(
        kind="coordinator.alert.update",
        title=t(locale, "coordinator.title"),
        fields=_request_fields(locale, request),
        status=t(locale, f"alert.status.{request.status}"),
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def relayed(
    locale: str,
    from_requester: bool,
    text: str,
    request: SupportRequest,
    risk: list[CrisisResource] | None = None,
) -> Message:
    """A relayed message; `risk` (the crisis lines) when its words suggest risk: it is still
    passed on, flagged, with what to do and the lines to share."""
    key = "relay.from_requester" if from_requester else "relay.from_peer"
    lines = [text]
    if risk is not None and from_requester:  # to the peer: a warning, and what to do
        lines = [t(locale, "relay.flagged"), text, t(locale, "relay.flagged.requester")]
    elif risk is not None:  # to the requester: the lines, should the words be about them
        lines = [text, t(locale, "relay.flagged.peer")]
    return Message(
        kind="relay",
        title=t(locale, key, reference=request.reference),
        lines=lines,
        crisis=crisis_lines(locale, risk) if risk is not None else [],
    )


def peer_wellbeing(locale: str, request: SupportRequest) -> Message:
    return Message(
        kind="peer.wellbeing",
        lines=[t(locale, "peer.wellbeing.question")],
        buttons=[
            Button(action=PEER_OK, label=t(locale, "peer.wellbeing.ok"), value=request.id),
            Button(
                action=PEER_DEBRIEF, label=t(locale, "peer.wellbeing.debrief"), value=request.id
            ),
        ],
        footer=t(locale, "offer.footer", reference=request.reference),
    )


def debrief_request(locale: str, peer_name: str | None, peer: Address) -> Message:
    return Message(
        kind="coordinator.debrief",
        title=t(locale, "coordinator.title"),
        lines=[t(locale, "coordinator.debrief", name=peer_name or "?")],
        contact=peer,
    )


def no_relay(locale: str) -> Message:
    """The answer to a message written to the bot with no case to pass it on to."""
    return Message(
        kind="relay.none", lines=[t(locale, "relay.none")], buttons=[start_button(locale)]
    )
