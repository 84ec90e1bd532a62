"""What an answer to someone at risk needs, kept in memory: each organisation's crisis lines,
language, risk phrases and first-contact timeout, by workspace.

Read on start for every workspace, kept fresh as use cases read their organisation, and read
again when older than FRESH_SECONDS. When the database does not answer, the last copy is used,
however old: a GB hospital's staff see 999 and Samaritans during an outage, not the
`DEFAULT_COUNTRY` lines. Only a workspace this process has never seen gets the defaults.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from time import monotonic

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config.crisis import CrisisResource, default_resources
from handlers.core.people import OrganisationDefaults
from models import Organisation, Workspace
from models.db import Database
from models.organisation import DEFAULT_TIMEOUT_NOW_MINUTES

log = logging.getLogger(__name__)

FRESH_SECONDS = 60.0
# How long an answer waits for the database before using what is kept (or the defaults).
REFRESH_SECONDS = 1.0
FIRST_READ_SECONDS = 2.0


def crisis_resources(organisation: Organisation) -> list[CrisisResource]:
    """The organisation's own crisis lines, else its country's shipped ones."""
    if organisation.crisis_resources:
        return [CrisisResource.model_validate(item) for item in organisation.crisis_resources]
    return default_resources(organisation.country)


@dataclass(frozen=True)
class OrganisationCard:
    organisation_id: int | None  # None: the defaults, for a workspace never seen
    locale: str
    crisis: tuple[CrisisResource, ...]
    risk_phrases: tuple[str, ...]
    timeout_now_minutes: int


def card_of(organisation: Organisation) -> OrganisationCard:
    return OrganisationCard(
        organisation_id=organisation.id,
        locale=organisation.locale,
        crisis=tuple(crisis_resources(organisation)),
        risk_phrases=tuple(organisation.risk_phrases or ()),
        timeout_now_minutes=organisation.timeout_now_minutes,
    )


class KnownOrganisations:
    def __init__(self, database: Database, defaults: OrganisationDefaults) -> None:
        self.database = database
        self.defaults = defaults
        self._cards: dict[tuple[str, str], tuple[float, OrganisationCard]] = {}

    def default_card(self) -> OrganisationCard:
        return OrganisationCard(
            organisation_id=None,
            locale=self.defaults.locale,
            crisis=tuple(default_resources(self.defaults.country)),
            risk_phrases=(),
            timeout_now_minutes=DEFAULT_TIMEOUT_NOW_MINUTES,
        )

    def remember(self, platform: str, tenant_id: str, organisation: Organisation) -> None:
        self._cards[(platform, tenant_id)] = (monotonic(), card_of(organisation))

    async def load(self) -> int:
        """Read every workspace's organisation (on start); returns how many were read."""
        async with self.database.reader() as session:
            rows = (
                await session.execute(
                    select(Workspace.platform, Workspace.tenant_id, Organisation).join(
                        Organisation, Organisation.id == Workspace.organisation_id
                    )
                )
            ).all()
        for platform, tenant_id, organisation in rows:
            self.remember(platform, tenant_id, organisation)
        return len(rows)

    async def card(self, platform: str, tenant_id: str) -> OrganisationCard:
        """The workspace's card: fresh if the database answers, else the last one kept, else
        the defaults. Never raises."""
        kept = self._cards.get((platform, tenant_id))
        if kept is not None and monotonic() - kept[0] < FRESH_SECONDS:
            return kept[1]
        try:
            async with asyncio.timeout(REFRESH_SECONDS if kept else FIRST_READ_SECONDS):
                organisation = await self._read(platform, tenant_id)
        except (SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
            log.warning("crisis lines from memory: database unavailable (%s)", type(exc).__name__)
            return kept[1] if kept is not None else self.default_card()
        if organisation is None:
            return self.default_card()
        self.remember(platform, tenant_id, organisation)
        return self._cards[(platform, tenant_id)][1]

    async def _read(self, platform: str, tenant_id: str) -> Organisation | None:
        async with self.database.reader() as session:
            workspace = await session.get(Workspace, (platform, tenant_id))
            if workspace is None:
                return None
            return await session.get(Organisation, workspace.organisation_id)
