"""The data model: SQLAlchemy 2 typed declarative tables, the same on SQLite and PostgreSQL."""

from models.audit import AuditEvent
from models.base import Base, utcnow
from models.events import KeyringEntry, ProcessedEvent, SeenSignature
from models.feedback import EncounterAnswer, FollowUpAnswer, PulseAnswer, PulseRound
from models.identity import ChatIdentity
from models.jobs import DueJob, JobStatus
from models.organisation import Organisation, Workspace
from models.reach_in import GroupSession, ReachInEvent, ReachInInvite
from models.roster import TIER_ORDER, Override, Peer, Rotation, RotationMember, Tier
from models.slack_install import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from models.support import Offer, OfferStatus, RequestStatus, SupportRequest

__all__ = [
    "SLACK_BOTS",
    "SLACK_INSTALLATIONS",
    "SLACK_OAUTH_STATES",
    "TIER_ORDER",
    "AuditEvent",
    "Base",
    "ChatIdentity",
    "DueJob",
    "EncounterAnswer",
    "FollowUpAnswer",
    "GroupSession",
    "JobStatus",
    "KeyringEntry",
    "Offer",
    "OfferStatus",
    "Organisation",
    "Override",
    "Peer",
    "ProcessedEvent",
    "PulseAnswer",
    "PulseRound",
    "ReachInEvent",
    "ReachInInvite",
    "RequestStatus",
    "Rotation",
    "RotationMember",
    "SeenSignature",
    "SupportRequest",
    "Tier",
    "Workspace",
    "utcnow",
]
