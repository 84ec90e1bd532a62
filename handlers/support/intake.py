"""The intake form: what a person asking for support tells us, checked before anything is stored."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.core.i18n import t
from handlers.core.languages import Language
from handlers.safety.risk import suggests_risk

NOTE_MAX_LENGTH = 500
UNIT_MAX_LENGTH = 100
NUMBER_MAX_LENGTH = 40
# A phone number as people type one: digits, spaces, + - . ( ) and an extension ("ext. 4455").
NUMBER = re.compile(r"^\+?[\d\s().-]{3,}((ext\.?|x|extension)\s*\d+)?$", re.IGNORECASE)


class Urgency(enum.StrEnum):
    NOW = "now"
    TODAY = "today"
    WEEK = "week"


class Category(enum.StrEnum):
    ADVERSE_EVENT = "adverse_event"
    PATIENT_DEATH = "patient_death"
    VIOLENCE = "violence"
    COMPLAINT = "complaint"
    BURNOUT = "burnout"
    OTHER = "other"


class Contact(enum.StrEnum):
    CHAT = "chat"
    PHONE = "phone"
    IN_PERSON = "in_person"


class IntakeForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    urgency: Urgency
    category: Category
    contact: Contact
    language: Language = Language.EN
    anonymous: bool = False
    exclude_own_unit: bool = False
    unit: str | None = Field(default=None, max_length=UNIT_MAX_LENGTH)
    note: str | None = Field(default=None, max_length=NOTE_MAX_LENGTH)
    # For a phone call: the number to ring (optional; kept only for a named phone request).
    phone: str | None = Field(default=None, max_length=NUMBER_MAX_LENGTH)
    crisis: bool = False

    @field_validator("note", "unit", "phone", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("phone")
    @classmethod
    def _a_number(cls, value: str | None) -> str | None:
        if value is not None and not NUMBER.match(value):
            raise ValueError("not a phone number")
        return value

    def contact_to_keep(self) -> Contact:
        """How to reach them: in anonymous mode always here, through the bot (a call or a
        meeting needs a name; `parse_intake` tells a person so before it comes to this)."""
        return Contact.CHAT if self.anonymous else self.contact

    def number_to_keep(self) -> str | None:
        """The phone number, only when a named requester asked to be phoned (nothing else
        needs it, so nothing else keeps it)."""
        if self.contact is Contact.PHONE and not self.anonymous:
            return self.phone
        return None


class IntakeInvalid(Exception):
    """The form has errors; `errors` maps each field to a message in the person's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


# What a form from someone at risk is given for a choice they left out or that cannot be read:
# they are never sent back to the form (a crisis request is "now" whatever was picked).
AT_RISK_DEFAULTS: dict[str, object] = {
    "urgency": Urgency.NOW.value,
    "category": Category.OTHER.value,
    "contact": Contact.CHAT.value,
    "language": Language.EN.value,
    "phone": None,
    "exclude_own_unit": False,
}


def _ticked(value: object) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _field_errors(exc: ValidationError, locale: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        if field not in IntakeForm.model_fields:
            field = "form"
        errors.setdefault(
            field,
            t(
                locale,
                f"intake.error.{field}",
                note_max=NOTE_MAX_LENGTH,
                unit_max=UNIT_MAX_LENGTH,
            ),
        )
    return errors


def parse_intake(
    data: dict[str, object], locale: str, risk_phrases: Iterable[str] = ()
) -> IntakeForm:
    """Validate raw form values; on error nothing is stored and each field says what is wrong.

    A form that signals risk (the box, or risk words in the note; `risk_phrases` are the
    organisation's own) goes through with what could be read: a choice left out or unreadable
    takes its safe default (`AT_RISK_DEFAULTS`), and anonymity means a chat here. Only a note
    or unit too long to keep sends it back.
    """
    at_risk = _ticked(data.get("crisis")) or suggests_risk(
        str(data.get("note") or ""), risk_phrases
    )
    try:
        form = IntakeForm.model_validate(data)
    except ValidationError as exc:
        errors = _field_errors(exc, locale)
        if not at_risk or not set(errors) <= set(AT_RISK_DEFAULTS):
            raise IntakeInvalid(errors) from None
        form = IntakeForm.model_validate(
            {**data, **{field: AT_RISK_DEFAULTS[field] for field in errors}, "crisis": True}
        )
    if form.exclude_own_unit and not form.unit and not at_risk:
        raise IntakeInvalid({"unit": t(locale, "intake.error.unit_needed")})
    if form.anonymous and form.contact is not Contact.CHAT:
        # A call or a meeting needs a name: in anonymous mode the peer writes here.
        if not at_risk:
            raise IntakeInvalid({"contact": t(locale, "intake.error.anonymous_contact")})
        form = form.model_copy(update={"contact": Contact.CHAT})
    return form
