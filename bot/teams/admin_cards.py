"""The coordinator's roster cards on Teams: the buttons under the admin card, the forms they open
(the fields of Slack's `/support admin` forms), and reading what a form held.

Every button is an `Action.Execute`, so each answer replaces the clicked card in place: the
admin card becomes a form, a form that does not validate comes back with each error under its
field and the answers kept, and a form that does becomes what changed, with a way back.

Teams has no Slack `users_select` over a bot's own list, but it has its people picker: an
`Input.ChoiceSet` whose choices Teams fetches from the organisation's directory, answering with
the person's Entra object id, the id a Teams person has here. It shows nobody the bot knows
(who wrote to a peer-support bot is itself confidential), and an object id typed in is the way
for clients without the picker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.teams.cards import adaptive_card, message_card, text_block
from handlers.core.i18n import t
from handlers.core.ids import as_number
from handlers.core.languages import Language
from handlers.core.ports import Button, Message
from handlers.reach_in.form import NOTE_MAX_LENGTH, RECORD_EVENT, UNITS_MAX_LENGTH
from handlers.reach_in.group import (
    GROUP_SESSION,
    MAX_MINUTES,
    PLACE_MAX_LENGTH,
    EventChoice,
    FacilitatorChoice,
)
from handlers.roster.desk import RosterEntry
from handlers.roster.forms import (
    MAX_CASELOAD_CAP,
    MAX_SHIFT_HOURS,
    ROTATION_NAME_MAX_LENGTH,
    UNIT_MAX_LENGTH,
)
from handlers.support.intake import Category
from models import TIER_ORDER, Tier

OPEN = "admin:open"  # data: {"value": form}
SUBMIT = "admin:submit"  # data: {"form": form} and the inputs, merged in by Teams
MENU = "admin:menu"  # back to the admin card
VERBS = frozenset({OPEN, SUBMIT, MENU})
FORMS = ("add_peer", "remove_peer", "add_rotation", "add_override", RECORD_EVENT, GROUP_SESSION)
PEOPLE_DATASET = "graph.microsoft.com/users"
MAX_CHOICES = 100  # as on Slack: a card's size is limited too
# A roster longer than that is searched as the coordinator types: Teams asks the bot for the
# people of this dataset (an `application/search` invoke, answered by `TeamsAdmin.search`).
ROSTER_DATASET = "roster"
INPUTS = {
    "add_peer": ("user", "user_id", "tier", "unit", "languages", "cap", "trained_until"),
    "remove_peer": ("peer",),
    "add_rotation": ("name", "rotation_tier", "peers", "starts_on", "handoff", "hours"),
    "add_override": ("peer", "starts_at_date", "starts_at_time", "ends_at_date", "ends_at_time"),
    RECORD_EVENT: ("occurred_on", "category", "units", "note", "people"),
    GROUP_SESSION: ("event", "starts_at_date", "starts_at_time", "minutes", "place", "facilitator"),
}
# The field whose error is shown under an input, when it is not the input's own: a field made
# of two inputs (the person; a date and a time) has its error under the second.
ERROR_UNDER: dict[str, str | None] = {
    "rotation_tier": "tier",
    "user": None,
    "user_id": "user",
    "starts_at_date": None,
    "starts_at_time": "starts_at",
    "ends_at_date": None,
    "ends_at_time": "ends_at",
}

Card = dict[str, Any]


def menu(locale: str) -> Message:
    """The last section of a coordinator's admin card: what they can change, as buttons."""
    return Message(
        kind="admin.menu",
        lines=[t(locale, "admin.intro")],
        buttons=[
            Button(action=OPEN, label=t(locale, f"admin.action.{form}"), value=form)
            for form in FORMS
        ],
    )


def done_card(locale: str, answer: Message) -> Card:
    """What a sent form turns into: what changed, and the way back to the roster."""
    back = Button(action=MENU, label=t(locale, "admin.back"), value="")
    return message_card(answer.model_copy(update={"buttons": [back]}))


def form_card(
    locale: str,
    form: str,
    roster: Sequence[RosterEntry],
    *,
    zone: str | None = None,
    answers: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    group: tuple[list[EventChoice], list[FacilitatorChoice]] | None = None,
) -> Card:
    """One form; `answers` and `errors` come from a submission that did not validate, and
    `zone` is the organisation's time zone, in which an override's times are meant."""
    answers, errors = answers or {}, errors or {}
    events, facilitators = group or ([], [])
    if form == GROUP_SESSION and (not events or not facilitators):
        return done_card(locale, Message(kind="group.none", lines=[t(locale, "group.none")]))
    inputs = {
        **_inputs(locale, roster, answers),
        **_group_inputs(locale, events, facilitators, answers),
    }
    body = [text_block(t(locale, f"admin.action.{form}"), weight="Bolder", size="Medium")]
    for field in INPUTS[form]:
        body.append(inputs[field])
        shown = ERROR_UNDER.get(field, field)
        if shown is not None and shown in errors:
            body.append(text_block(errors[shown], color="Attention", spacing="None"))
    if form != "add_peer":
        body.append(text_block(t(locale, f"admin.hint.{form}"), isSubtle=True, size="Small"))
    if zone is not None:
        body.append(text_block(t(locale, "teams.admin.time_zone", zone=zone), isSubtle=True))
    submit = {
        "type": "Action.Execute",
        "title": t(locale, f"admin.submit.{form}"),
        "verb": SUBMIT,
        "data": {"form": form},
        "style": "destructive" if form == "remove_peer" else "positive",
    }
    back = {
        "type": "Action.Execute",
        "title": t(locale, "admin.back"),
        "verb": MENU,
        "associatedInputs": "none",
    }
    return adaptive_card(body, [submit, back])


def answers_of(form: str, data: Mapping[str, Any]) -> dict[str, str]:
    """The form's own inputs from an invoke's data, as strings (Teams merges them into it)."""
    return {
        field: str(data[field]).strip()
        for field in INPUTS.get(form, ())
        if data.get(field) is not None
    }


def _inputs(
    locale: str, roster: Sequence[RosterEntry], answers: Mapping[str, str]
) -> dict[str, Card]:
    def label(field: str) -> str:
        return t(locale, f"admin.field.{field}")

    def value(field: str, default: str = "") -> dict[str, str]:
        given = answers.get(field) or default
        return {"value": given} if given else {}

    tiers = [(tier.value, t(locale, f"tier.{tier.value}").capitalize()) for tier in TIER_ORDER]
    languages = [(lang.value, t(locale, f"language.{lang.value}")) for lang in Language]
    own = locale if locale in {lang.value for lang in Language} else Language.EN.value
    time_label = t(locale, "teams.admin.field.time")
    categories = [(item.value, t(locale, f"category.{item.value}")) for item in Category]
    return {
        "occurred_on": _typed("Input.Date", "occurred_on", label("occurred_on"), answers),
        "category": {**_choices("category", label("category"), categories), **value("category")},
        "units": {
            "type": "Input.Text",
            "id": "units",
            "label": label("units"),
            "maxLength": UNITS_MAX_LENGTH,
            **value("units"),
        },
        "note": {
            "type": "Input.Text",
            "id": "note",
            "label": label("note"),
            "isMultiline": True,
            "maxLength": NOTE_MAX_LENGTH,
            **value("note"),
        },
        # the colleagues involved, from the organisation's directory (Entra object ids)
        "people": {
            **_choices("people", label("people"), []),
            "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
            "isMultiSelect": True,
            "placeholder": t(locale, "teams.admin.user.placeholder"),
            **value("people"),
        },
        "user": {
            **_choices("user", label("user"), []),
            "choices.data": {"type": "Data.Query", "dataset": PEOPLE_DATASET},
            "placeholder": t(locale, "teams.admin.user.placeholder"),
            **value("user"),
        },
        "user_id": {
            "type": "Input.Text",
            "id": "user_id",
            "label": t(locale, "teams.admin.field.user_id"),
            "placeholder": "00000000-0000-0000-0000-000000000000",
            "maxLength": 36,
            **value("user_id"),
        },
        "tier": {**_choices("tier", label("tier"), tiers), **value("tier", Tier.PEER.value)},
        "unit": {
            "type": "Input.Text",
            "id": "unit",
            "label": label("unit"),
            "maxLength": UNIT_MAX_LENGTH,
            **value("unit"),
        },
        "languages": {
            **_choices("languages", label("languages"), languages),
            "isMultiSelect": True,
            **value("languages", own),
        },
        "cap": {
            "type": "Input.Number",
            "id": "cap",
            "label": label("cap"),
            "min": 1,
            "max": MAX_CASELOAD_CAP,
            **_number(answers.get("cap", "2")),
        },
        "trained_until": _typed("Input.Date", "trained_until", label("trained_until"), answers),
        "peer": {**_peer_picker(locale, "peer", label("peer"), roster), **value("peer")},
        "starts_at_date": _typed("Input.Date", "starts_at_date", label("starts_at"), answers),
        "starts_at_time": _typed("Input.Time", "starts_at_time", time_label, answers),
        "ends_at_date": _typed("Input.Date", "ends_at_date", label("ends_at"), answers),
        "ends_at_time": _typed("Input.Time", "ends_at_time", time_label, answers),
        "name": {
            "type": "Input.Text",
            "id": "name",
            "label": label("name"),
            "maxLength": ROTATION_NAME_MAX_LENGTH,
            **value("name"),
        },
        # "tier" is add_peer's; a rotation's is its own input (each card holds one form)
        "rotation_tier": {
            **_choices("rotation_tier", label("tier"), tiers),
            **value("rotation_tier", Tier.PEER.value),
        },
        "peers": {
            **_peer_picker(locale, "peers", label("peers"), roster),
            "isMultiSelect": True,
            **value("peers"),
        },
        "starts_on": _typed("Input.Date", "starts_on", label("starts_on"), answers),
        "handoff": {
            **_typed("Input.Time", "handoff", label("handoff"), answers),
            **({} if answers.get("handoff") else {"value": "08:00"}),
        },
        "hours": {
            "type": "Input.Number",
            "id": "hours",
            "label": label("hours"),
            "min": 1,
            "max": MAX_SHIFT_HOURS,
            **_number(answers.get("hours", "24")),
        },
    }


def _group_inputs(
    locale: str,
    events: Sequence[EventChoice],
    facilitators: Sequence[FacilitatorChoice],
    answers: Mapping[str, str],
) -> dict[str, Card]:
    """The group session's own inputs (its date and time are the override's)."""
    event_choices = [(str(item.event_id), item.label) for item in events[:MAX_CHOICES]]
    people = [(str(item.peer_id), item.label) for item in facilitators[:MAX_CHOICES]]
    first_event = event_choices[0][0] if event_choices else ""
    return {
        "event": {
            **_choices("event", t(locale, "admin.field.event"), event_choices),
            "value": answers.get("event") or first_event,
        },
        "minutes": {
            "type": "Input.Number",
            "id": "minutes",
            "label": t(locale, "admin.field.minutes"),
            "min": 15,
            "max": MAX_MINUTES,
            **_number(answers.get("minutes", "60")),
        },
        "place": {
            "type": "Input.Text",
            "id": "place",
            "label": t(locale, "admin.field.place"),
            "maxLength": PLACE_MAX_LENGTH,
            **({"value": answers["place"]} if answers.get("place") else {}),
        },
        "facilitator": {
            **_choices("facilitator", t(locale, "admin.field.facilitator"), people),
            **({"value": answers["facilitator"]} if answers.get("facilitator") else {}),
        },
    }


def peer_title(locale: str, entry: RosterEntry) -> str:
    return f"{entry.name} ({t(locale, f'tier.{entry.tier}')})"


def _peer_picker(locale: str, field: str, label: str, roster: Sequence[RosterEntry]) -> Card:
    """Everyone on the roster to choose from; past `MAX_CHOICES`, a search by name that Teams
    runs against the bot as the coordinator types (typeahead)."""
    if len(roster) <= MAX_CHOICES:
        return _choices(field, label, [(str(e.peer_id), peer_title(locale, e)) for e in roster])
    return {
        **_choices(field, label, []),
        "style": "filtered",
        "choices.data": {"type": "Data.Query", "dataset": ROSTER_DATASET},
        "placeholder": t(locale, "admin.search_peer", count=len(roster)),
    }


def _choices(field: str, label: str, choices: Sequence[tuple[str, str]]) -> Card:
    return {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": label,
        "style": "compact",
        "choices": [{"title": title, "value": value} for value, title in choices],
    }


def _typed(kind: str, field: str, label: str, answers: Mapping[str, str]) -> Card:
    element: Card = {"type": kind, "id": field, "label": label}
    if answers.get(field):
        element["value"] = answers[field]
    return element


def _number(given: str) -> dict[str, int]:
    """Input.Number's value is a number: an answer that was not one is left out."""
    number = as_number(given)
    return {"value": number} if number is not None else {}
