"""Who an incoming Teams activity comes from, and how to reach them again later.

A Teams user is `Person(platform="teams", tenant_id=<Entra tenant>, user_id=<aadObjectId>)`.
The Entra object id is used rather than the `29:...` channel id because the channel id is
pairwise (it changes with the bot's app registration: a re-registered bot would lose every
peer on the roster), whereas the object id is the person's stable directory identity, the one a
coordinator can look up. Activities without one (the Bot Framework Emulator, other bots) fall
back to the channel id, which is stable for that channel; Teams always sends the object id.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from handlers.core.people import Person

PLATFORM = "teams"
PERSONAL = "personal"


def tenant_of(activity: Activity) -> str | None:
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    return tenant.get("id") if isinstance(tenant, dict) else None


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return conversation is not None and conversation.conversation_type == PERSONAL


def reference_of(activity: Activity) -> dict[str, Any]:
    """The serialized conversation reference, stored (encrypted) as the person's address.

    The activity id is left out: proactive messages start a new message rather than reply to an
    old one, and without it the stored address changes only when the conversation does.
    """
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    return reference.serialize()


def person_of(activity: Activity) -> Person | None:
    """The sender of a personal-chat activity, with their address; None outside personal chat."""
    sender = activity.from_property
    tenant = tenant_of(activity)
    if not is_personal(activity) or sender is None or not tenant:
        return None
    user_id = sender.aad_object_id or sender.id
    if not user_id:
        return None
    return Person(
        platform=PLATFORM,
        tenant_id=tenant,
        user_id=user_id,
        display_name=sender.name or None,
        locale=activity.locale or None,
        address=reference_of(activity),
        time_zone=time_zone_of(activity),
    )


def time_zone_of(activity: Activity) -> str | None:
    """The IANA time zone Teams clients send in their `clientInfo` entity, if any."""
    for entity in activity.entities or []:
        if entity.type == "clientInfo":
            zone = (getattr(entity, "additional_properties", None) or {}).get("timezone")
            if isinstance(zone, str) and zone:
                return zone
    return None
