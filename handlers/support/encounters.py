"""What kind of support a case was, asked of its peer once it ends: one optional question,
four answers, no free text. The answer is kept as a count apart from the case (organisation,
kind and the Monday of the week it was given: `encounter_answers`), so the reports can say how
support happened without any answer being traced back to a case or a person."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.core import notices
from handlers.core.i18n import t
from handlers.core.people import Person
from handlers.core.ports import Button, Message
from handlers.core.unit import Core
from handlers.support.lookups import peer_case
from models import EncounterAnswer, RequestStatus, SupportRequest

ENCOUNTER = "encounter.kind"
KINDS = ("listened", "practical", "referred", "group")


def encounter_question(locale: str, request: SupportRequest) -> Message:
    """The question to the peer, sent when the case ends; the button value names the case and
    the answer, checked against the case when clicked."""
    return Message(
        kind="peer.encounter",
        lines=[t(locale, "encounter.question"), t(locale, "encounter.why")],
        buttons=[
            Button(
                action=ENCOUNTER,
                label=t(locale, f"encounter.kind.{kind}"),
                value=f"{request.id}:{kind}",
                answers_line=0,
            )
            for kind in KINDS
        ],
        footer=t(locale, "offer.footer", reference=request.reference),
    )


class Encounters:
    """A peer's answer to "what kind of support was it?"."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def note(self, person: Person, request_id: str, kind: str) -> Message | None:
        """Count the answer once per case; None for a kind this bot never offered."""
        if kind not in KINDS:
            return None
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            case = await peer_case(session, self.core, person, request_id, lock=True)
            if isinstance(case, Message):
                return case
            request, organisation, locale = case.request, case.organisation, case.locale
            if request.status != RequestStatus.CLOSED.value:
                return notices.notice(locale, "encounter.not_ended")
            if request.encounter_noted:
                return notices.notice(locale, "encounter.already", kind="peer.encounter")
            request.encounter_noted = True
            local_day = now.astimezone(ZoneInfo(organisation.time_zone)).date()
            session.add(
                EncounterAnswer(
                    organisation_id=organisation.id,
                    kind=kind,
                    week_of=local_day - timedelta(days=local_day.weekday()),
                )
            )
            answer = notices.notice(
                locale,
                "encounter.thanks",
                kind="peer.encounter",
                answer=t(locale, f"encounter.kind.{kind}"),
            )
        self.core.after_commit()
        return answer
