"""What every use case shares: the database, the settings a new organisation starts with, the
clock, what to do once a change is committed (run the due jobs it wrote at once), and each
organisation's crisis lines kept in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notices
from handlers.core.crisis_lines import KnownOrganisations
from handlers.core.i18n import pick_locale
from handlers.core.people import OrganisationDefaults, Person, find_identity, locale_of
from handlers.core.ports import Message
from models import Organisation, utcnow
from models.db import Database

Clock = Callable[[], datetime]


class Core:
    def __init__(
        self,
        database: Database,
        *,
        defaults: OrganisationDefaults | None = None,
        clock: Clock = utcnow,
        after_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.defaults = defaults or OrganisationDefaults()
        self.clock = clock
        self.after_commit = after_commit
        self.known = KnownOrganisations(database, self.defaults)

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[AsyncSession]:
        """A transaction; the due jobs it wrote run as soon as it has committed."""
        async with self.database.session() as session, session.begin():
            yield session
        self.after_commit()

    def unknown(self, person: Person) -> Message:
        """The answer to a click about a request (or offer) we do not know of, or from someone
        we do not know: an old or forged button."""
        return notices.notice(pick_locale(person.locale, self.defaults.locale), "request.unknown")

    async def locale_for(self, person: Person) -> str:
        """The person's language: their platform's, else their organisation's, else ours.

        The platform's language is stored on their identity, so what the bot sends them later,
        unasked (an offer, a check-in), is in it too."""
        async with self.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            if identity is not None:
                organisation = await session.get(Organisation, identity.organisation_id)
                assert organisation is not None
                return locale_of(identity, organisation)
        return pick_locale(person.locale, self.defaults.locale)
