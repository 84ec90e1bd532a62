"""`roster add-peer`'s options over what the roster holds: an update changes only what is
given, checked by the chat form's rules, and says what it changed."""

from __future__ import annotations

from datetime import date

from bot.cli import checks
from handlers.core.i18n import DEFAULT_LOCALE
from handlers.roster.admin import PeerFields
from handlers.roster.forms import FormInvalid, peer_fields

PEER_OPTIONS = {
    "tier": "--tier",
    "unit": "--unit",
    "languages": "--languages",
    "cap": "--cap",
    "trained_until": "--trained-until",
}


def merged_fields(
    given: dict[str, str | None], before: PeerFields | None, today: date
) -> PeerFields:
    """What is given, over what the peer has (or a new peer's defaults), checked as the chat
    form checks it."""
    base = before or PeerFields()
    try:
        return peer_fields(
            DEFAULT_LOCALE,
            today,
            tier=given["tier"].strip().lower() if given["tier"] is not None else base.tier.value,
            unit=given["unit"] if given["unit"] is not None else base.unit,
            languages=checks.languages(given["languages"])
            if given["languages"] is not None
            else list(base.languages),
            cap=given["cap"] if given["cap"] is not None else str(base.caseload_cap),
            trained_until=checks.day(given["trained_until"], "--trained-until").isoformat()
            if given["trained_until"] is not None
            else (base.training_valid_until.isoformat() if base.training_valid_until else None),
        )
    except FormInvalid as exc:
        checks.form_errors(exc, PEER_OPTIONS)


def changes(before: PeerFields, after: PeerFields) -> str:
    """ "cap 2 -> 3, unit ICU -> ED": what an update changed."""
    shown = {
        "tier": lambda fields: fields.tier.value,
        "unit": lambda fields: fields.unit or "(none)",
        "languages": lambda fields: ",".join(fields.languages),
        "cap": lambda fields: str(fields.caseload_cap),
        "trained until": lambda fields: (
            fields.training_valid_until.isoformat() if fields.training_valid_until else "(none)"
        ),
    }
    return ", ".join(
        f"{label} {show(before)} -> {show(after)}"
        for label, show in shown.items()
        if show(before) != show(after)
    )
