"""Builders for every message the support flow sends, in the recipient's language.

Nothing here reads the database: callers pass what a message may show. Offers and coordinator
notices are built from the request's attributes only, never from who asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from config.crisis import CrisisResource
from handlers.dates import duration
from handlers.i18n import t
from handlers.ports import Address, Button, Message
from models import RequestStatus, SupportRequest

if TYPE_CHECKING:
    from handlers.support import PeerStatus

ACCEPT = "offer.accept"
DECLINE = "offer.decline"
WITHDRAW = "request.withdraw"
CLOSE = "request.close"
ASK_AGAIN = "support.start"
AVAILABILITY = "peer.availability"
PEER_OK = "peer.ok"
PEER_DEBRIEF = "peer.debrief"
PULSE_OPT = "pulse.opt"  # value "on" or "off": the weekly pulse in one click
INTAKE_FAILED = "intake.failed"  # the kind of the answer to a request not stored yet
TAKE = "request.take"  # a coordinator's "I will make contact": takes the case like an accept
ALERT = "coordinator.alert"


def reference(request: SupportRequest) -> str:
    """A short case reference that reveals nothing (the request id is random, or a hash of the
    form's id)."""
    return request.id[:6].upper()


def _request_fields(locale: str, request: SupportRequest) -> list[tuple[str, str]]:
    return [
        (t(locale, "field.urgency"), t(locale, f"urgency.{request.urgency}")),
        (t(locale, "field.category"), t(locale, f"category.{request.category}")),
        (t(locale, "field.contact"), t(locale, f"contact.{request.contact}")),
        (t(locale, "field.language"), t(locale, f"language.{request.language}")),
    ]


def crisis_lines(locale: str, resources: list[CrisisResource]) -> list[str]:
    """The organisation's crisis lines as a message shows them: a heading, then one per line."""
    return [t(locale, "crisis.heading")] + [
        t(locale, "crisis.entry", name=item.name, contact=item.contact) for item in resources
    ]


def withdraw_button(locale: str, request: SupportRequest, label: str = "button.withdraw") -> Button:
    return Button(action=WITHDRAW, label=t(locale, label), value=request.id)


def acknowledgement(
    locale: str, request: SupportRequest, resources: list[CrisisResource], minutes: int
) -> Message:
    """The confirmation of a stored request: what happens next (its status line, updated in
    place as things change), its crisis lines (first of all for a crisis request) and Withdraw."""
    within = duration(locale, minutes)
    common = {
        "kind": "intake.ack",
        "crisis": crisis_lines(locale, resources),
        "buttons": [withdraw_button(locale, request)],
        "footer": t(locale, "ack.reference", reference=reference(request)),
    }
    if request.crisis:
        return Message(
            crisis_first=True,
            lines=[t(locale, "ack.crisis"), t(locale, "ack.confidential")],
            status=t(locale, "ack.status.crisis", within=within),
            **common,
        )
    return Message(
        title=t(locale, "ack.title"),
        lines=[t(locale, "ack.confidential")],
        status=t(locale, f"ack.status.{request.urgency}", within=within),
        **common,
    )


def receipt(locale: str, crisis: bool, resources: list[CrisisResource]) -> Message:
    """What a valid form turns into at once, before it is stored: the confirmation with what
    happens next follows by message. A crisis answer puts the crisis lines first."""
    lines = [t(locale, "ack.crisis")] if crisis else []
    lines += [t(locale, "receipt.body"), t(locale, "ack.confidential")]
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
        footer=t(locale, "offer.footer", reference=reference(request)),
    )


def offer_closed(locale: str, request: SupportRequest, reason: str) -> Message:
    """Replaces an offer card once it can no longer be accepted (no dead buttons remain)."""
    return Message(
        kind="offer.update",
        title=t(locale, "offer.title"),
        lines=[t(locale, f"offer.{reason}")],
        fields=_request_fields(locale, request),
        footer=t(locale, "offer.footer", reference=reference(request)),
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
        footer=t(locale, "offer.footer", reference=reference(request)),
    )


def connected_for_requester(
    locale: str, request: SupportRequest, peer_name: str | None, peer: Address | None
) -> Message:
    if request.anonymous:
        lines = [t(locale, "connected.anonymous")]
    else:
        lines = [t(locale, f"connected.named.{request.contact}", name=peer_name or "?")]
    lines.append(t(locale, "connected.export_warning"))
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
        footer=t(locale, "offer.footer", reference=reference(request)),
    )


def ended_status(locale: str, request: SupportRequest) -> str:
    """The status line of a message whose case has ended (its buttons go with it)."""
    key = "ended.withdrawn" if request.status == RequestStatus.WITHDRAWN.value else "ended.closed"
    return t(locale, key, reference=reference(request))


def notice(locale: str, key: str, kind: str = "notice", **params: object) -> Message:
    return Message(kind=kind, lines=[t(locale, key, **params)])


def offer_support(locale: str, key: str, resources: list[CrisisResource]) -> Message:
    """A reply to a low score: the text, the crisis lines, and the button that starts the
    support flow."""
    return Message(
        kind="notice",
        lines=[t(locale, key)],
        crisis=crisis_lines(locale, resources),
        buttons=[Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="")],
    )


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
        footer=t(locale, "offer.footer", reference=reference(request)),
    )


def alert_answered(locale: str, request: SupportRequest) -> Message:
    """The answer to "I will make contact" on a request someone has already (or that ended)."""
    return Message(
        kind="coordinator.alert.update",
        title=t(locale, "coordinator.title"),
        fields=_request_fields(locale, request),
        status=t(locale, f"alert.status.{request.status}"),
        footer=t(locale, "offer.footer", reference=reference(request)),
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
        title=t(locale, key, reference=reference(request)),
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
        footer=t(locale, "offer.footer", reference=reference(request)),
    )


def debrief_request(locale: str, peer_name: str | None, peer: Address) -> Message:
    return Message(
        kind="coordinator.debrief",
        title=t(locale, "coordinator.title"),
        lines=[t(locale, "coordinator.debrief", name=peer_name or "?")],
        contact=peer,
    )


def pulse_switch(locale: str, opted_in: bool) -> Button:
    """One click to stop (or start) getting the weekly wellbeing pulse."""
    return Button(
        action=PULSE_OPT,
        label=t(locale, "button.pulse_off" if opted_in else "button.pulse_on"),
        value="off" if opted_in else "on",
    )


def home(locale: str, status: PeerStatus | None, pulse_opted_in: bool) -> Message:
    """A person's home view: how to ask for support, their weekly pulse switch and, for a peer,
    their availability switch and open cases."""
    lines = [t(locale, "start.prompt")]
    buttons = [start_button(locale)]
    if status is not None:
        tier = t(locale, f"tier.{status.tier}")
        state = "home.peer.available" if status.available else "home.peer.unavailable"
        lines += [t(locale, state, tier=tier), _time_on_call(locale, status)]
        lines.append(
            t(locale, "home.peer.cases", references=", ".join(status.open_cases))
            if status.open_cases
            else t(locale, "home.peer.no_cases")
        )
        buttons.append(
            Button(
                action=AVAILABILITY,
                label=t(
                    locale, "button.set_unavailable" if status.available else "button.set_available"
                ),
                value="off" if status.available else "on",
            )
        )
    lines.append(t(locale, "home.pulse.on" if pulse_opted_in else "home.pulse.off"))
    buttons.append(pulse_switch(locale, pulse_opted_in))
    return Message(
        kind="home",
        title=t(locale, "home.title"),
        lines=lines + [t(locale, "help.confidential")],
        buttons=buttons,
    )


def _time_on_call(locale: str, status: PeerStatus) -> str:
    """On call now (until when), their next time on call, or none in the coming two weeks."""
    if status.on_call_from is None:
        return t(locale, "home.peer.no_shift")
    zone = ZoneInfo(status.time_zone)

    def when(moment: datetime) -> str:
        return format_datetime(moment, "EEE d MMM, HH:mm", tzinfo=zone, locale=locale)

    until = status.on_call_until
    if status.on_call_now:
        if until is None:
            return t(locale, "home.peer.on_call_now_open")
        return t(locale, "home.peer.on_call_now", until=when(until))
    if until is None:
        return t(locale, "home.peer.next_shift_open", start=when(status.on_call_from))
    return t(locale, "home.peer.next_shift", start=when(status.on_call_from), end=when(until))


def start_button(locale: str) -> Button:
    """The button that opens the intake form, wherever the bot offers it."""
    return Button(action=ASK_AGAIN, label=t(locale, "button.start"), value="", style="primary")


def help_message(locale: str, commands: str, minutes: int) -> Message:
    """What the service is, its confidentiality and its limits; `commands` is the adapter's
    own line saying what can be typed there, `minutes` the organisation's first-contact
    timeout for urgent requests (what the acknowledgement promises too)."""
    return Message(
        kind="help",
        title=t(locale, "help.title"),
        lines=[
            t(locale, "help.what", within=duration(locale, minutes)),
            t(locale, "help.confidential"),
            t(locale, "help.limits"),
        ],
        buttons=[start_button(locale)],
        footer=commands,
    )


def no_relay(locale: str) -> Message:
    """The answer to a message written to the bot with no case to pass it on to."""
    return Message(
        kind="relay.none", lines=[t(locale, "relay.none")], buttons=[start_button(locale)]
    )
