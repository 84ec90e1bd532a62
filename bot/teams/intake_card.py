"""The intake form as an Adaptive Card, localised, re-shown with its errors when invalid.

Submitted with `Action.Execute` (verb `intake.submit`), like every other button of this bot: the
invoke's response replaces the form in place, so an invalid form comes back with its errors
next to the fields and the person's answers kept, and a sent form cannot be sent twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from bot.teams.cards import adaptive_card, text_block
from handlers.core.i18n import t
from handlers.core.languages import Language
from handlers.core.notices import platform_caveat
from handlers.support.intake import (
    NOTE_MAX_LENGTH,
    NUMBER_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    Category,
    Contact,
    IntakeForm,
    Urgency,
)

SUBMIT = "intake.submit"
FORM_ID = "form_id"  # in the submit action's data: which copy of the form was sent
FIELDS = tuple(IntakeForm.model_fields)


def _choices(locale: str, prefix: str, values: list[str]) -> list[dict[str, str]]:
    return [{"title": t(locale, f"{prefix}.{value}"), "value": value} for value in values]


def _choice_set(
    locale: str,
    field: str,
    prefix: str,
    values: list[str],
    answers: Mapping[str, Any],
    *,
    expanded: bool,
    default: str | None = None,
) -> dict[str, Any]:
    value = str(answers.get(field) or default or "")
    element: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": t(locale, f"form.{field}"),
        "style": "expanded" if expanded else "compact",
        "isRequired": True,
        "errorMessage": t(locale, f"intake.error.{field}"),
        "choices": _choices(locale, prefix, values),
    }
    if value:
        element["value"] = value
    return element


def _toggle(field: str, title: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    on = str(answers.get(field, "false")).lower() == "true"
    return {
        "type": "Input.Toggle",
        "id": field,
        "title": title,
        "valueOn": "true",
        "valueOff": "false",
        "value": "true" if on else "false",
    }


def _text(
    field: str, label: str, answers: Mapping[str, Any], *, max_length: int, multiline: bool
) -> dict[str, Any]:
    return {
        "type": "Input.Text",
        "id": field,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
        "value": str(answers.get(field) or ""),
    }


def _error(text: str) -> dict[str, Any]:
    return text_block(text, color="Attention", spacing="None")


def intake_card(
    locale: str,
    answers: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    form_id: str | None = None,
) -> dict[str, Any]:
    """The form; `answers` and `errors` come from a submission that did not validate.

    `form_id` names this copy of the form (new unless it is shown again with errors): sent back
    with the submission, it keeps a double click or a replay from making two requests.
    """
    answers = answers or {}
    errors = errors or {}
    default_language = locale if locale in {item.value for item in Language} else None
    inputs: list[tuple[str, dict[str, Any]]] = [
        (
            "urgency",
            _choice_set(locale, "urgency", "urgency", list(Urgency), answers, expanded=True),
        ),
        (
            "category",
            _choice_set(locale, "category", "category", list(Category), answers, expanded=False),
        ),
        (
            "contact",
            _choice_set(locale, "contact", "contact", list(Contact), answers, expanded=True),
        ),
        (
            "language",
            _choice_set(
                locale,
                "language",
                "language",
                list(Language),
                answers,
                expanded=False,
                default=default_language,
            ),
        ),
        ("anonymous", _toggle("anonymous", t(locale, "form.anonymous"), answers)),
        ("exclude_own_unit", _toggle("exclude_own_unit", t(locale, "form.exclude_unit"), answers)),
        (
            "unit",
            _text(
                "unit",
                t(locale, "form.unit"),
                answers,
                max_length=UNIT_MAX_LENGTH,
                multiline=False,
            ),
        ),
        (
            "phone",
            _text(
                "phone",
                t(locale, "form.phone"),
                answers,
                max_length=NUMBER_MAX_LENGTH,
                multiline=False,
            ),
        ),
        (
            "note",
            _text(
                "note",
                t(locale, "form.note"),
                answers,
                max_length=NOTE_MAX_LENGTH,
                multiline=True,
            ),
        ),
        ("crisis", _toggle("crisis", t(locale, "form.crisis"), answers)),
    ]
    body = [text_block(t(locale, "form.title"), weight="Bolder", size="Medium")]
    body.append(text_block(t(locale, "form.intro")))
    body.append(text_block(platform_caveat(locale, "teams"), isSubtle=True, size="Small"))
    if "form" in errors:
        body.append(_error(errors["form"]))
    for field, element in inputs:
        if field == "anonymous":
            body.append(text_block(t(locale, "form.options"), weight="Bolder"))
            body.append(text_block(t(locale, "form.options_hint"), isSubtle=True, size="Small"))
        if field == "crisis":
            body.append(text_block(t(locale, "form.crisis_label"), weight="Bolder"))
        body.append(element)
        if field == "phone":
            body.append(text_block(t(locale, "form.phone_hint"), isSubtle=True, size="Small"))
        if field == "note":
            body.append(
                text_block(
                    t(locale, "form.note_hint", note_max=NOTE_MAX_LENGTH),
                    isSubtle=True,
                    size="Small",
                )
            )
        if field in errors:
            body.append(_error(errors[field]))
    submit = {
        "type": "Action.Execute",
        "title": t(locale, "form.submit"),
        "verb": SUBMIT,
        "data": {FORM_ID: form_id or uuid.uuid4().hex},
    }
    return adaptive_card(body, [{**submit, "style": "positive"}])


def answers_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's own fields from an invoke's data (Teams merges the inputs into it)."""
    return {field: data[field] for field in FIELDS if field in data}
