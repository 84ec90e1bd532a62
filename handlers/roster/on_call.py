"""Who is on call: rotations in the organisation's wall-clock time, overrides, eligibility.

Shift boundaries are computed in local wall-clock time, so a 24-hour rotation handing off at
08:00 hands off at 08:00 every day; the shift that spans a daylight-saving change simply lasts
23 or 25 real hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    TIER_ORDER,
    ChatIdentity,
    Offer,
    Organisation,
    Override,
    Peer,
    RequestStatus,
    Rotation,
    SupportRequest,
    Tier,
)

FAIRNESS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Shift:
    rotation_id: int
    peer_id: int
    tier: str
    starts_at: datetime
    ends_at: datetime


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as UTC. An ambiguous time (the repeated hour in
    autumn) is its first occurrence; a time that does not exist (the hour skipped in spring) is
    read with the offset before the change, i.e. as the same moment an hour later in wall time."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _anchor(rotation: Rotation) -> datetime:
    return datetime.combine(rotation.starts_on, rotation.handoff_time)


def _shift(rotation: Rotation, zone: ZoneInfo, index: int) -> Shift:
    length = timedelta(hours=rotation.shift_hours)
    start_local = _anchor(rotation) + index * length
    member = rotation.members[index % len(rotation.members)]
    return Shift(
        rotation_id=rotation.id,
        peer_id=member.peer_id,
        tier=rotation.tier,
        starts_at=to_utc(start_local, zone),
        ends_at=to_utc(start_local + length, zone),
    )


def _index_at(rotation: Rotation, zone: ZoneInfo, at: datetime) -> int:
    """The shift number whose wall-clock span contains `at` (may be one off near a DST change;
    callers check the neighbours)."""
    local = at.astimezone(zone).replace(tzinfo=None)
    return (local - _anchor(rotation)) // timedelta(hours=rotation.shift_hours)


def shift_covering(rotation: Rotation, zone: ZoneInfo, at: datetime) -> Shift | None:
    if not rotation.members or rotation.shift_hours <= 0:
        return None
    guess = _index_at(rotation, zone, at)
    for index in (guess - 1, guess, guess + 1):
        if index < 0:
            continue
        shift = _shift(rotation, zone, index)
        if shift.starts_at <= at < shift.ends_at:
            return shift
    return None


def shifts_between(
    rotation: Rotation, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Shift]:
    """Every shift of the rotation overlapping [start, end)."""
    if not rotation.members or rotation.shift_hours <= 0 or end <= start:
        return []
    index = max(_index_at(rotation, zone, start) - 1, 0)
    shifts = []
    while True:
        shift = _shift(rotation, zone, index)
        if shift.starts_at >= end:
            return shifts
        if shift.ends_at > start:
            shifts.append(shift)
        index += 1


async def _rotations(
    session: AsyncSession, organisation: Organisation, tier: str | None = None
) -> list[Rotation]:
    query = select(Rotation).where(Rotation.organisation_id == organisation.id)
    if tier is not None:
        query = query.where(Rotation.tier == tier)
    return list(await session.scalars(query.order_by(Rotation.id)))


async def on_call(
    session: AsyncSession, organisation: Organisation, tier: Tier | str, at: datetime
) -> list[Peer]:
    """Peers on call for `tier` at `at`: rotation shifts and overrides, minus anyone replaced by
    an override, inactive, or switched to unavailable."""
    tier_value = Tier(tier).value
    zone = ZoneInfo(organisation.time_zone)
    on_duty: set[int] = set()
    for rotation in await _rotations(session, organisation, tier_value):
        shift = shift_covering(rotation, zone, at)
        if shift is not None:
            on_duty.add(shift.peer_id)
    overrides = await session.scalars(
        select(Override).where(
            Override.organisation_id == organisation.id,
            Override.tier == tier_value,
            Override.starts_at <= at,
            Override.ends_at > at,
        )
    )
    replaced: set[int] = set()
    for override in overrides:
        on_duty.add(override.peer_id)
        if override.replaces_peer_id is not None:
            replaced.add(override.replaces_peer_id)
    on_duty -= replaced
    if not on_duty:
        return []
    peers = await session.scalars(
        select(Peer)
        .join(ChatIdentity, ChatIdentity.id == Peer.identity_id)
        .where(
            Peer.id.in_(on_duty),
            Peer.active.is_(True),
            Peer.available.is_(True),
            ChatIdentity.unreachable_since.is_(None),  # removed the app: nothing reaches them
        )
        .order_by(Peer.id)
    )
    return list(peers)


def same_unit(first: str | None, second: str | None) -> bool:
    if not first or not second:
        return False
    return first.strip().casefold() == second.strip().casefold()


async def eligible_peers(
    session: AsyncSession,
    organisation: Organisation,
    request: SupportRequest,
    tier: Tier | str,
    at: datetime,
) -> list[Peer]:
    """On-call peers who may take `request`, best first: the peer who helped this requester
    before, then speakers of the requested language, then whoever was offered least lately."""
    peers = await on_call(session, organisation, tier, at)
    if not peers:
        return []
    ids = [peer.id for peer in peers]
    caseloads = await open_caseloads(session, ids)
    recent_offers = dict(
        (
            await session.execute(
                select(Offer.peer_id, func.count())
                .where(
                    Offer.peer_id.in_(ids),
                    Offer.created_at >= at - FAIRNESS_WINDOW,
                    # shown to them: a one-at-a-time offer never reached is no burden
                    Offer.delivery_job_id.is_not(None),
                )
                .group_by(Offer.peer_id)
            )
        ).all()
    )
    helped_before: set[int] = set()
    if request.requester_id is not None:
        helped_before = set(
            await session.scalars(
                select(SupportRequest.accepted_peer_id).where(
                    SupportRequest.requester_id == request.requester_id,
                    SupportRequest.id != request.id,
                    SupportRequest.accepted_peer_id.in_(ids),
                )
            )
        )
    today = at.astimezone(ZoneInfo(organisation.time_zone)).date()

    def allowed(peer: Peer) -> bool:
        return (
            peer.identity_id != request.requester_id
            and caseloads.get(peer.id, 0) < peer.caseload_cap
            and not _lapsed(peer.training_valid_until, today)
            and not (request.exclude_own_unit and same_unit(peer.unit, request.requester_unit))
        )

    def preference(peer: Peer) -> tuple[bool, bool, int, int]:
        return (
            peer.id not in helped_before,
            request.language not in (peer.languages or []),
            recent_offers.get(peer.id, 0),
            peer.id,
        )

    return sorted(filter(allowed, peers), key=preference)


async def open_caseloads(session: AsyncSession, peer_ids: list[int]) -> dict[int, int]:
    """How many accepted, still open cases each of `peer_ids` carries (absent: none)."""
    rows = await session.execute(
        select(SupportRequest.accepted_peer_id, func.count())
        .where(
            SupportRequest.accepted_peer_id.in_(peer_ids),
            SupportRequest.status == RequestStatus.ACCEPTED.value,
        )
        .group_by(SupportRequest.accepted_peer_id)
    )
    return {peer_id: count for peer_id, count in rows.all()}


def _lapsed(valid_until: date | None, today: date) -> bool:
    return valid_until is not None and valid_until < today


async def coming_shifts(
    session: AsyncSession, organisation: Organisation, start: datetime, end: datetime
) -> list[Shift]:
    """Every rotation shift overlapping [start, end), by start time then tier order."""
    zone = ZoneInfo(organisation.time_zone)
    order = {tier.value: position for position, tier in enumerate(TIER_ORDER)}
    shifts = [
        shift
        for rotation in await _rotations(session, organisation)
        for shift in shifts_between(rotation, zone, start, end)
    ]
    return sorted(shifts, key=lambda shift: (shift.starts_at, order.get(shift.tier, 99)))
