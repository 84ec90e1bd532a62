"""Subject access (GDPR Art. 15): everything the product holds about one person, decrypted and
readable, and a statement of what it holds without a link to them (so cannot give).

What is linked to a person: their chat identity (how to reach them, their language, time zone
and pulse opt-in), their place on the roster (tier, unit, languages, training, rotations and
overrides), the requests they made (with unit, note and phone number until the retention purge
or erasure takes them), the cases they took as a peer (the reference and dates, never who
asked), the messages queued or kept for them, and the audit events about their requests or
their actions as a peer. Each export is itself audited (`subject_access`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.audit import peer_actor, record
from handlers.core.outbox import DELIVER
from handlers.core.people import Person, find_identity
from handlers.core.ports import Message
from handlers.core.unit import Core
from handlers.support.ending import FOLLOW_UP
from models import (
    AuditEvent,
    ChatIdentity,
    DueJob,
    Organisation,
    Override,
    Peer,
    Rotation,
    RotationMember,
    SupportRequest,
)

SUBJECT_ACCESS = "subject_access"

NOT_LINKED = [
    "Follow-up check-in answers are stored with the organisation, the day offset and the week "
    "only, never with a person or a case, so they cannot be found for anyone and are not here.",
    "Weekly pulse answers are stored with the round, the question and the score; the keyed hash "
    "that refuses a second answer has its key deleted when the round closes, so they are not "
    "here either.",
    "Requests made before a retention purge or an erasure no longer carry any link to the person "
    "who made them (identity, unit, note, phone number), so they are not here.",
    "Programme reports hold aggregates only (counts below the anonymity threshold suppressed).",
]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _identity(identity: ChatIdentity, organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation": organisation.name,
        "platform": identity.platform,
        "tenant": identity.tenant_id,
        "user_id": identity.user_id,
        "display_name": identity.display_name,
        "language": identity.locale,
        "time_zone": identity.time_zone,
        "weekly_pulse": "on" if identity.pulse_opt_in else "off",
        "first_seen": _when(identity.created_at),
        "how_the_bot_reaches_them": identity.address,
    }


def _request(request: SupportRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "made": _when(request.created_at),
        "urgency": request.urgency,
        "what_happened": request.category,
        "contact": request.contact,
        "language": request.language,
        "anonymous": request.anonymous,
        "not_my_unit": request.exclude_own_unit,
        "unit": request.requester_unit,
        "note": request.note,
        "phone_number": request.contact_number,
        "crisis": request.crisis,
        "status": request.status,
        "escalations": request.escalations,
        "accepted": _when(request.accepted_at),
        "closed": _when(request.closed_at),
        "closed_by": request.closed_by,
    }


def _message(job: DueJob) -> dict[str, Any]:
    payload = job.payload
    entry: dict[str, Any] = {"kind": job.kind, "due": _when(job.run_at), "status": job.status}
    if job.kind == DELIVER and payload.get("message"):
        entry["text"] = Message.model_validate(payload["message"]).plain_text()
    else:  # a check-in still to come: what it is, not the case it follows
        entry["text"] = f"follow-up check-in after {payload.get('offset_days', '?')} days"
    return entry


class SubjectAccess:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def export(self, person: Person, by: str) -> dict[str, Any]:
        """Everything held about `person`; `by` is who asked (audited with the export)."""
        now = self.core.clock()
        async with self.core.database.session() as session, session.begin():
            identity = await find_identity(session, person)
            held: dict[str, Any] = {
                "exported_at": now.isoformat(),
                "person": {
                    "platform": person.platform,
                    "tenant": person.tenant_id,
                    "user_id": person.user_id,
                },
                "found": identity is not None,
                "not_linked_to_a_person": NOT_LINKED,
            }
            if identity is None:
                return held
            organisation = await session.get(Organisation, identity.organisation_id)
            assert organisation is not None
            held["identity"] = _identity(identity, organisation)
            peers = list(await session.scalars(select(Peer).where(Peer.identity_id == identity.id)))
            held["roster"] = [await self._peer(session, peer) for peer in peers]
            requests = list(
                await session.scalars(
                    select(SupportRequest)
                    .where(SupportRequest.requester_id == identity.id)
                    .order_by(SupportRequest.created_at)
                )
            )
            held["requests"] = [_request(request) for request in requests]
            held["cases_taken_as_peer"] = await self._cases_taken(session, peers)
            held["messages_queued_or_kept"] = await self._messages(session, identity)
            held["audit_events"] = await self._audit(session, requests, peers)
            record(
                session,
                organisation_id=organisation.id,
                request_id=None,
                actor=by,
                action=SUBJECT_ACCESS,
                at=now,
            )
        return held

    @staticmethod
    async def _peer(session: AsyncSession, peer: Peer) -> dict[str, Any]:
        rotations = await session.scalars(
            select(Rotation.name)
            .join(RotationMember, RotationMember.rotation_id == Rotation.id)
            .where(RotationMember.peer_id == peer.id)
        )
        overrides = await session.scalars(select(Override).where(Override.peer_id == peer.id))
        return {
            "roster_id": peer.id,
            "tier": peer.tier,
            "unit": peer.unit,
            "languages": peer.languages,
            "trained_until": peer.training_valid_until.isoformat()
            if peer.training_valid_until
            else None,
            "available": peer.available,
            "caseload_cap": peer.caseload_cap,
            "active": peer.active,
            "rotations": sorted(set(rotations)),
            "overrides": [
                {"from": _when(item.starts_at), "to": _when(item.ends_at)} for item in overrides
            ],
        }

    @staticmethod
    async def _cases_taken(session: AsyncSession, peers: list[Peer]) -> list[dict[str, Any]]:
        if not peers:
            return []
        cases = await session.scalars(
            select(SupportRequest)
            .where(SupportRequest.accepted_peer_id.in_([peer.id for peer in peers]))
            .order_by(SupportRequest.accepted_at)
        )
        return [  # never who asked, nor their words: those are the requester's
            {
                "reference": case.reference,
                "accepted": _when(case.accepted_at),
                "closed": _when(case.closed_at),
                "status": case.status,
            }
            for case in cases
        ]

    @staticmethod
    async def _messages(session: AsyncSession, identity: ChatIdentity) -> list[dict[str, Any]]:
        jobs = await session.scalars(
            select(DueJob)
            .where(
                DueJob.organisation_id == identity.organisation_id,
                DueJob.kind.in_([DELIVER, FOLLOW_UP]),
            )
            .order_by(DueJob.run_at, DueJob.id)
        )
        return [_message(job) for job in jobs if job.payload.get("to") == identity.id]

    @staticmethod
    async def _audit(
        session: AsyncSession, requests: list[SupportRequest], peers: list[Peer]
    ) -> list[dict[str, Any]]:
        conditions = []
        if requests:
            conditions.append(AuditEvent.request_id.in_([request.id for request in requests]))
        if peers:
            conditions.append(AuditEvent.actor.in_([peer_actor(peer) for peer in peers]))
        if not conditions:
            return []
        references = {request.id: request.reference for request in requests}
        events = await session.scalars(
            select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.at, AuditEvent.id)
        )
        return [
            {
                "at": _when(event.at),
                "actor": event.actor,
                "action": event.action,
                "detail": event.detail,
                "request": references.get(event.request_id or ""),
            }
            for event in events
        ]


def summary(held: dict[str, Any]) -> str:
    """A short text a person can read: what was found, in counts, and what cannot be."""
    who = held["person"]
    lines = [
        f"Subject access export for {who['platform']} {who['tenant']} {who['user_id']}",
        f"Exported at {held['exported_at']}",
        "",
    ]
    if not held["found"]:
        lines.append("Nothing is held about this person: no identity, requests or roster entry.")
    else:
        identity = held["identity"]
        lines += [
            f"Organisation: {identity['organisation']}",
            f"Name as the platform gave it: {identity['display_name'] or '(none)'}",
            f"Language: {identity['language'] or '(organisation default)'}; "
            f"time zone: {identity['time_zone'] or '(organisation default)'}; "
            f"weekly pulse: {identity['weekly_pulse']}",
            f"On the roster: {'yes' if held['roster'] else 'no'}",
            f"Requests for support: {len(held['requests'])}",
            f"Cases taken as a peer supporter: {len(held['cases_taken_as_peer'])}",
            f"Messages queued or kept for them: {len(held['messages_queued_or_kept'])}",
            f"Audit events: {len(held['audit_events'])}",
        ]
    lines += ["", "Not in this export, by design:"]
    lines += [f"- {item}" for item in held["not_linked_to_a_person"]]
    return "\n".join(lines) + "\n"
