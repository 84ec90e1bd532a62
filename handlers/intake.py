"""The intake form: what a person asking for support tells us, checked before anything is stored."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.i18n import t

NOTE_MAX_LENGTH = 500
UNIT_MAX_LENGTH = 100


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


class Language(enum.StrEnum):
    """Languages a requester can ask their peer to speak (peers list theirs in the roster)."""

    EN = "en"
    ES = "es"
    FR = "fr"
    PT = "pt"
    DE = "de"
    IT = "it"
    PL = "pl"
    AR = "ar"
    ZH = "zh"


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
    crisis: bool = False

    @field_validator("note", "unit", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


class IntakeInvalid(Exception):
    """The form has errors; `errors` maps each field to a message in the person's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def parse_intake(data: dict[str, object], locale: str) -> IntakeForm:
    """Validate raw form values; on error nothing is stored and each field says what is wrong."""
    try:
        form = IntakeForm.model_validate(data)
    except ValidationError as exc:
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
        raise IntakeInvalid(errors) from None
    if form.exclude_own_unit and not form.unit:
        raise IntakeInvalid({"unit": t(locale, "intake.error.unit_needed")})
    return form
