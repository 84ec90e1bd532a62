"""The `deliver` job: hand a queued message to the recipient's platform adapter."""

from __future__ import annotations

from typing import Any

from handlers.core.jobs import RetryLater
from handlers.core.people import address_of
from handlers.core.ports import Message, Messengers
from models import ChatIdentity, DueJob, JobStatus
from models.db import Database

SHOWN_UPDATE = "shown_update"  # in a sent message's job result: the update now on screen


class Delivery:
    def __init__(self, database: Database, messengers: Messengers) -> None:
        self.database = database
        self.messengers = messengers

    async def __call__(self, job: DueJob) -> dict[str, Any]:
        payload = job.payload
        async with self.database.session() as session:
            identity = await session.get(ChatIdentity, payload["to"])
            original = (
                await session.get(DueJob, payload["update_of"]) if payload["update_of"] else None
            )
        if identity is None:
            return {"skipped": "recipient erased"}
        address = address_of(identity)
        message = Message.model_validate(payload["message"])
        messenger = self.messengers.for_platform(address.platform)
        if payload["update_of"] is None:
            return {"ref": await messenger.send(address, message)}
        if original is None:
            return {"skipped": "original message gone"}
        if original.status in (JobStatus.PENDING.value, JobStatus.RUNNING.value):
            raise RetryLater("the message to update has not been sent yet")
        if original.status != JobStatus.DONE.value or not (original.result or {}).get("ref"):
            return {"skipped": "original message was never sent"}
        if (original.result or {}).get(SHOWN_UPDATE, 0) > job.id:
            return {"skipped": "a later update is shown"}  # a retried one, overtaken
        message = keep_crisis_lines(Message.model_validate(original.payload["message"]), message)
        ref = await messenger.update(address, original.result["ref"], message)
        await self._shown(original.id, job.id)
        return {"ref": ref}

    async def _shown(self, original_id: int, update_id: int) -> None:
        """Remember which update of a message is on screen, so an older one retried later does
        not bring back what it said (updates are written in order: later ids say what is true
        now)."""
        async with self.database.session() as session, session.begin():
            original = await session.get(DueJob, original_id, with_for_update=True)
            if original is None:
                return
            result = dict(original.result or {})
            if result.get(SHOWN_UPDATE, 0) < update_id:
                original.result = {**result, SHOWN_UPDATE: update_id}


def keep_crisis_lines(original: Message, update: Message) -> Message:
    """An update never takes away the crisis lines a message showed (DESIGN.md's invariant)."""
    if update.crisis or not original.crisis:
        return update
    return update.model_copy(
        update={"crisis": original.crisis, "crisis_first": original.crisis_first}
    )
