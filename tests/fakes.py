"""Test doubles for the platform-neutral core: a recording messenger and a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from handlers.core.ports import Address, Message
from models import Override, Peer
from models.db import Database

# An override window wide enough to cover any test's clock.
ALWAYS_FROM = datetime(2020, 1, 1, tzinfo=UTC)
ALWAYS_TO = datetime(2040, 1, 1, tzinfo=UTC)


def put_on_call(session: AsyncSession, peer: Peer) -> None:
    """On call in their own tier for as long as any test runs (an override)."""
    session.add(
        Override(
            organisation_id=peer.organisation_id,
            peer_id=peer.id,
            tier=peer.tier,
            starts_at=ALWAYS_FROM,
            ends_at=ALWAYS_TO,
        )
    )


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class PlatformDown(Exception):
    status = 503


@dataclass
class Sent:
    to: str  # the recipient's platform user id
    message: Message
    ref: dict[str, Any]
    updated: list[Message] = field(default_factory=list)


class FakeMessenger:
    """Records what the bot sends and updates, per recipient; can be told to fail."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[Sent] = []
        self.failures_to_inject = 0

    def _maybe_fail(self) -> None:
        if self.failures_to_inject:
            self.failures_to_inject -= 1
            raise PlatformDown()

    async def send(self, to: Address, message: Message) -> dict[str, Any]:
        self._maybe_fail()
        ref = {"id": f"{self.platform}-{len(self.sent) + 1}"}
        self.sent.append(Sent(to=to.user_id, message=message, ref=ref))
        return ref

    async def update(self, to: Address, ref: dict[str, Any], message: Message) -> dict[str, Any]:
        self._maybe_fail()
        original = next(item for item in self.sent if item.ref == ref)
        assert original.to == to.user_id, "an update went to someone other than the recipient"
        original.updated.append(message)
        return ref

    def to(self, user_id: str) -> list[Sent]:
        return [item for item in self.sent if item.to == user_id]

    def kinds_to(self, user_id: str) -> list[str]:
        return [item.message.kind for item in self.to(user_id)]


@contextmanager
def database_down(database: Database) -> Iterator[None]:
    """Every session and connection of `database` fails as an unreachable server does, until
    the block ends (nothing is patched in the code under test: its engine is swapped)."""
    dead_url = (
        "postgresql+asyncpg://postgres@127.0.0.1:9/unreachable"
        if database.is_postgres
        else "sqlite+aiosqlite:////nonexistent/peer-support/down.db"
    )
    dead = create_async_engine(
        dead_url, connect_args={"timeout": 1} if database.is_postgres else {}
    )
    saved = database.engine, database.sessions, database.readers
    database.engine = dead
    database.sessions = async_sessionmaker(dead, expire_on_commit=False)
    database.readers = async_sessionmaker(dead, expire_on_commit=False)
    try:
        yield
    finally:
        database.engine, database.sessions, database.readers = saved
