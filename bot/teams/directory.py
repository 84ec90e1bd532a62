"""Keep a Teams person's identity and conversation reference current.

This is the one write the adapter makes itself: the support flow only creates or refreshes an
identity when someone asks for help, but a peer must be reachable from the moment they install
the app, and a reference can change (a reinstall opens a new conversation).
"""

from __future__ import annotations

import logging

from handlers.people import Person, identity_for, organisation_for
from handlers.support import SupportService

log = logging.getLogger(__name__)


async def remember(support: SupportService, person: Person) -> None:
    """Create or refresh the person's identity; a failure is logged, never shown to them."""
    try:
        async with support.database.session() as session, session.begin():
            organisation = await organisation_for(
                session, person.platform, person.tenant_id, support.defaults
            )
            await identity_for(session, organisation, person)
    except Exception as exc:  # the answer to the person matters more than the refresh
        log.warning("teams: could not store a conversation reference (%s)", type(exc).__name__)
