"""Platform deliveries already handled: a retried or replayed delivery is handled once.

The id is written before the work is done, in its own transaction, so two deliveries racing on
two web processes cannot both pass: the database's primary key decides.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import ProcessedEvent, utcnow
from models.db import Database


async def first_time(database: Database, platform: str, event_id: str) -> bool:
    """Record `event_id` for `platform`; False if it was recorded before."""
    insert = postgresql_insert if database.is_postgres else sqlite_insert
    statement = (
        insert(ProcessedEvent)
        .values(platform=platform, event_id=event_id, received_at=utcnow())
        .on_conflict_do_nothing()
    )
    async with database.session() as session, session.begin():
        result = await session.execute(statement)
    return result.rowcount == 1
