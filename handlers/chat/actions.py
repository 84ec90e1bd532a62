"""Button clicks, for every platform: an action id and its value in, the reply `Message` out.

Adapters render buttons from `Button(action, value)` and hand the click back here unchanged, so
adding a button to the core never needs adapter code. `support.start` is the one action an
adapter answers itself (it opens the intake form, a platform-specific view); `dispatch` returns
None for it.
"""

from __future__ import annotations

from handlers.core import notices
from handlers.core.i18n import pick_locale
from handlers.core.ids import as_number
from handlers.core.people import Person
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.follow_up.check_ins import SCORE, STOP, TALK_AGAIN, FollowUps
from handlers.follow_up.pause import Pauses
from handlers.privacy.forget_me import CANCEL, CONFIRM, ForgetMe
from handlers.pulse.messages import ANSWER, PULSE_OPT
from handlers.pulse.rounds import Pulses
from handlers.reach_in import messages as reach_in_messages
from handlers.reach_in.awareness import Awareness
from handlers.reach_in.awareness_messages import AWARENESS_STOP
from handlers.reach_in.desk import ReachIn
from handlers.roster.return_time import RETURN, PeerReturns
from handlers.roster.status import AVAILABILITY, PeerStatuses
from handlers.support import messages
from handlers.support.answering import Offers
from handlers.support.encounters import ENCOUNTER, Encounters
from handlers.support.ending import Cases


def _is_id(part: str) -> bool:
    """A button's id as the database holds them: anything else is an old or forged button."""
    return as_number(part) is not None


def _ints(value: str, count: int) -> list[int] | None:
    parts = value.split(":")
    if len(parts) != count or not all(_is_id(part) for part in parts):
        return None
    return [int(part) for part in parts]


class Actions:
    def __init__(
        self,
        core: Core,
        offers: Offers,
        cases: Cases,
        statuses: PeerStatuses,
        follow_ups: FollowUps,
        pulses: Pulses,
        forget_me: ForgetMe,
        reach_in: ReachIn,
        awareness: Awareness,
    ) -> None:
        self.core = core
        self.offers = offers
        self.cases = cases
        self.statuses = statuses
        self.follow_ups = follow_ups
        self.pulses = pulses
        self.forget_me = forget_me
        self.reach_in = reach_in
        self.awareness = awareness
        self.pauses = Pauses(core)
        self.returns = PeerReturns(core)
        self.encounters = Encounters(core)

    async def dispatch(self, person: Person, action: str, value: str) -> Message | None:
        """The answer to a click; None means "open the intake form" (`support.start`)."""
        if action == notices.ASK_AGAIN:
            return None
        reply = await self._answer(person, action, value)
        if reply is None:  # an unknown action or a malformed value: an old or forged button
            return notices.notice(
                pick_locale(person.locale, self.core.defaults.locale), "action.unknown"
            )
        return reply

    async def _answer(self, person: Person, action: str, value: str) -> Message | None:
        if action in (messages.ACCEPT, messages.DECLINE) and _is_id(value):
            answer = self.offers.accept if action == messages.ACCEPT else self.offers.decline
            return await answer(person, int(value))
        if action in (messages.WITHDRAW, messages.CLOSE) and value:
            end = self.cases.withdraw if action == messages.WITHDRAW else self.cases.close
            return await end(person, value)
        if action == messages.TAKE and value:
            return await self.offers.take(person, value)
        if action in (messages.PEER_OK, messages.PEER_DEBRIEF) and value:
            debrief = action == messages.PEER_DEBRIEF
            return await self.cases.peer_wellbeing(person, value, debrief)
        if action == ENCOUNTER and ":" in value:
            request_id, _, kind = value.rpartition(":")
            return await self.encounters.note(person, request_id, kind)
        if action == SCORE and (numbers := _ints(value, 2)):
            return await self.follow_ups.answer(person, numbers[0], SCORE, numbers[1])
        if action in (TALK_AGAIN, STOP) and _is_id(value):
            return await self.follow_ups.answer(person, int(value), action)
        if action == AVAILABILITY and value in ("on", "off"):
            return await self.statuses.set_available(person, value == "on")
        if action == PULSE_OPT and value in ("on", "off"):
            return await self.pulses.set_opt_in(person, value == "on")
        if action == CONFIRM:
            return await self.forget_me.confirm(person)
        if action == CANCEL:
            return await self.forget_me.cancel(person)
        if action == ANSWER and (numbers := _ints(value, 3)):
            round_id, question, score = numbers
            return await self.pulses.answer(person, round_id, question, score)
        if action in reach_in_messages.ANSWERS and _is_id(value):
            return await self.reach_in.answer(person, action, int(value))
        if action == RETURN and _is_id(value):
            return await self.returns.away_for(person, int(value))
        if action == notices.PAUSE_ASK:
            return await self.pauses.offer(person, value)
        if action == notices.PAUSE_SET:
            return await self.pauses.set(person, value)
        if action == AWARENESS_STOP and value == "off":
            return await self.awareness.stop(person)
        return None
