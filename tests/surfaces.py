"""Every message the bot builds, at its worst-case size, in a given language: what the Slack and
Teams surface tests render and put through each platform's own checks (tests/slack and
tests/teams `test_every_surface`). Worst case: a 4,000-character relay and note, the longest
answer of every choice, forty long names on call, 150 people on the roster."""

from __future__ import annotations

from config.crisis import default_resources
from handlers.chat.home import help_message, home
from handlers.core.notices import notice, offer_support
from handlers.core.ports import Address, Message
from handlers.follow_up.check_ins import check_in_message
from handlers.pulse.messages import pulse_message
from handlers.roster.desk import RosterEntry, refusal
from handlers.roster.reachability import reachable_notice, unreachable_notice
from handlers.roster.status import PeerStatus
from handlers.support import messages as support
from models import SupportRequest, Tier

LOCALES = ("en", "es")
PLATFORMS = ("slack", "teams")
LONG_TEXT = " ".join(f"word{n}&<>" for n in range(400))[:4000]
LONG_NAME = "Dr " + "Longname-" * 8  # 75 characters, as a display name can be
FORTY_NAMES = ", ".join(f"{LONG_NAME}{n}" for n in range(40))
ROSTER = [RosterEntry(n + 1, f"{LONG_NAME}{n}", Tier.PEER.value) for n in range(150)]
SMALL_ROSTER = ROSTER[:2]


def request(crisis: bool = False, anonymous: bool = False) -> SupportRequest:
    return SupportRequest(
        id="3f2a9c1e-0000-4000-8000-000000000001",
        organisation_id=1,
        urgency="now",
        category="adverse_event",
        contact="in_person",
        language="es",
        anonymous=anonymous,
        requester_unit="Intensive care unit, north wing",
        note=LONG_TEXT[:500],
        contact_number="+44 20 7946 0000",
        crisis=crisis,
        status="open",
    )


def accepted(case: SupportRequest) -> SupportRequest:
    case.status = "accepted"
    return case


def address(platform: str) -> Address:
    data = {"user": {"id": "29:pia", "name": LONG_NAME}} if platform == "teams" else {}
    return Address(platform=platform, tenant_id="T1", user_id="U0PIA", data=data)


def messages(locale: str, platform: str) -> dict[str, Message]:
    """Every message, by name, for a person on `platform` reading `locale`."""
    lines = default_resources("GB")
    status = PeerStatus(
        tier=Tier.PEER.value,
        available=True,
        open_cases=["ABC123", "DEF456"],
        on_call_now=False,
        on_call_from=None,
        on_call_until=None,
        time_zone="Europe/London",
    )
    found: dict[str, Message] = {}
    for crisis in (False, True):
        for anonymous in (False, True):
            case = request(crisis, anonymous)
            name = f"{'crisis' if crisis else 'request'}.{'anon' if anonymous else 'named'}"
            found |= {
                f"ack.{name}": support.acknowledgement(locale, case, lines, 10, platform),
                f"offer.{name}": support.offer(locale, case, Tier.PEER.value, 7),
                f"accepted.{name}": support.accepted_for_peer(
                    locale, case, LONG_NAME, address(platform), LONG_TEXT[:500]
                ),
                f"connected.{name}": support.connected_for_requester(
                    locale, case, LONG_NAME, address(platform), platform
                ),
                f"relayed.{name}": support.relayed(locale, True, LONG_TEXT, case, lines),
                f"relayed_back.{name}": support.relayed(locale, False, LONG_TEXT, case),
                f"alert.{name}": support.coordinator_alert(locale, "coordinator.unanswered", case),
                f"alert_answered.{name}": support.alert_answered(locale, accepted(case)),
                f"ended.{name}": support.case_ended_for_peer(locale, case),
                f"wellbeing.{name}": support.peer_wellbeing(locale, case),
                f"closed.{name}": support.offer_closed(locale, case, "taken"),
            }
    found |= {
        "receipt": support.receipt(locale, False, lines, platform),
        "receipt.crisis": support.receipt(locale, True, lines, platform),
        "fallback": support.fallback_acknowledgement(locale, lines),
        "debrief": support.debrief_request(locale, LONG_NAME, address(platform)),
        "no_relay": support.no_relay(locale),
        "pulse": pulse_message(locale, 1, [1, 2], 5),
        "pulse.low": pulse_message(locale, 1, [2], 5, lead=[LONG_TEXT[:300]], crisis=lines),
        "check_in": check_in_message(locale, 9),
        "low_score": offer_support(locale, "checkin.low", lines),
        "help": help_message(locale, "help | pulse on | pulse off", 10, platform),
        "home.peer": home(locale, status, True),
        "home.staff": home(locale, None, False),
        "unreachable": unreachable_notice(locale, LONG_NAME),
        "reachable": reachable_notice(locale, LONG_NAME),
        "refusal": refusal(locale),
        "notice": notice(locale, "request.unknown"),
        "on_call": Message(kind="coordinator.on_call", fields=[("Peer supporter", FORTY_NAMES)]),
    }
    return found
