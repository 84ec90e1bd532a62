"""The audit log for an organisation's reviewers: every event since a date, as stored (actors
are pseudonyms: `peer:<id>`, `requester`, `system`, `admin:cli`; never a name, never words),
as CSV or JSON Lines. Each export is itself audited (`audit_exported`)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from handlers.core.audit import record
from handlers.core.unit import Core
from models import AuditEvent, Organisation

AUDIT_EXPORTED = "audit_exported"
COLUMNS = ("id", "organisation_id", "at", "actor", "action", "request_id", "detail")
FORMATS = ("csv", "jsonl")


async def audit_events(
    core: Core, since: datetime, by: str, organisation_id: int | None = None
) -> list[dict[str, Any]]:
    """The events at or after `since` (of one organisation, or all), oldest first; the export
    is audited in each organisation it covers, after the rows are read."""
    async with core.database.session() as session, session.begin():
        query = select(AuditEvent).where(AuditEvent.at >= since)
        organisations = select(Organisation.id)
        if organisation_id is not None:
            if await session.get(Organisation, organisation_id) is None:
                raise LookupError(f"no organisation {organisation_id}")
            query = query.where(AuditEvent.organisation_id == organisation_id)
            organisations = organisations.where(Organisation.id == organisation_id)
        events = await session.scalars(query.order_by(AuditEvent.at, AuditEvent.id))
        rows = [
            {
                "id": event.id,
                "organisation_id": event.organisation_id,
                "at": event.at.isoformat(),
                "actor": event.actor,
                "action": event.action,
                "request_id": event.request_id,
                "detail": event.detail,
            }
            for event in events
        ]
        now = core.clock()
        for organisation in list(await session.scalars(organisations)):
            record(
                session,
                organisation_id=organisation,
                request_id=None,
                actor=by,
                action=AUDIT_EXPORTED,
                detail=f"since {since.date().isoformat()}",
                at=now,
            )
    return rows


def render(rows: list[dict[str, Any]], output_format: str) -> str:
    """The rows as CSV (with a header) or JSON Lines (one object a line)."""
    if output_format == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
