"""Intake validation: bad input is a clear, localised error and stores nothing."""

from __future__ import annotations

import pytest

from handlers.support.intake import NOTE_MAX_LENGTH, IntakeInvalid, parse_intake

VALID = {"urgency": "today", "category": "patient_death", "contact": "chat"}


def test_a_valid_form_parses_and_blank_notes_are_dropped() -> None:
    form = parse_intake({**VALID, "note": "   ", "language": "es"}, "en")
    assert form.note is None and form.language == "es"


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        ({"urgency": "yesterday"}, "urgency", "how soon"),
        ({"category": "gossip"}, "category", "what happened"),
        ({"contact": None}, "contact", "how you would like"),
        ({"note": "x" * (NOTE_MAX_LENGTH + 1)}, "note", f"under {NOTE_MAX_LENGTH} characters"),
        ({"language": "klingon"}, "language", "language from the list"),
        ({"exclude_own_unit": True}, "unit", "Tell me your unit"),
    ],
)
def test_bad_fields_get_a_message_for_that_field(
    changes: dict[str, object], field: str, english: str
) -> None:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake({**VALID, **changes}, "en")
    assert english in caught.value.errors[field]


def test_errors_come_in_the_persons_language() -> None:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake({**VALID, "note": "x" * 600}, "es-MX")
    assert "paciente" in caught.value.errors["note"]
