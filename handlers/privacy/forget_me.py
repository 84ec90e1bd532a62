"""Forget-me asks once: "forget me" answers with what erasure will do and two buttons, and only
*Erase my data* erases (`erasure.Erasure.forget`); *Keep my data* changes nothing. A click on an
old confirmation after the data is gone says there is nothing left, so a double click is safe."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.core import notices
from handlers.core.i18n import pick_locale, t
from handlers.core.people import Person, find_identity, locale_of
from handlers.core.ports import Button, Message
from handlers.core.unit import Core
from handlers.privacy.erasure import Erasure
from models import Organisation, RequestStatus, SupportRequest

CONFIRM = "forget.confirm"
CANCEL = "forget.cancel"


class ForgetMe:
    def __init__(self, core: Core, erasure: Erasure) -> None:
        self.core = core
        self.erasure = erasure

    async def ask(self, person: Person) -> Message:
        """The question: what goes, whether an open request will be withdrawn, two buttons.
        Nothing is changed; someone we hold nothing about is told so at once."""
        async with self.core.database.session() as session:
            identity = await find_identity(session, person)
            if identity is None:
                locale = pick_locale(person.locale, self.core.defaults.locale)
                return notices.notice(locale, "forget.nothing")
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            # the language they use now, else the one we kept, else the organisation's
            locale = pick_locale(person.locale, locale_of(identity, organisation))
            open_requests = await session.scalar(
                select(func.count())
                .select_from(SupportRequest)
                .where(
                    SupportRequest.requester_id == identity.id,
                    SupportRequest.status.in_(
                        [RequestStatus.OPEN.value, RequestStatus.ACCEPTED.value]
                    ),
                )
            )
        lines = [t(locale, "forget.confirm.body")]
        if open_requests:
            lines.append(t(locale, "forget.confirm.open_request"))
        # erasure here cannot reach the chat history the platform itself keeps: say so
        if person.platform == "teams":
            lines.append(t(locale, "forget.confirm.history.teams"))
        else:
            lines.append(t(locale, "forget.confirm.history.slack"))
        return Message(
            kind="forget.confirm",
            title=t(locale, "forget.confirm.title"),
            lines=lines,
            buttons=[
                Button(
                    action=CONFIRM, label=t(locale, "forget.confirm.yes"), value="", style="danger"
                ),
                Button(action=CANCEL, label=t(locale, "forget.confirm.no"), value=""),
            ],
        )

    async def confirm(self, person: Person) -> Message:
        return await self.erasure.forget(person)

    async def cancel(self, person: Person) -> Message:
        return notices.notice(await self.core.locale_for(person), "forget.cancelled")
