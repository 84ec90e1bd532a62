"""Every catalogue string fits the platform field it goes in, in every language: Slack cuts or
refuses what is longer (a modal title, submit or close button holds 24 characters, a button or
an option 75, a header 150, a section 3,000), and the code must never have to cut it."""

from __future__ import annotations

import re

import pytest
from slack_sdk.models.views import View

from bot.slack.admin_modal import FORMS, done_view, form_view, menu_view
from bot.slack.modal import intake_view, result_view
from handlers.core.i18n import SUPPORTED_LOCALES, t
from handlers.core.ports import Message
from handlers.roster.desk import RosterEntry
from tests.foundation.test_catalog import _messages

MODAL_TEXT = 24  # a modal's title, submit and close
BUTTON_TEXT = 75  # a button's label, a select option's text
HEADER_TEXT = 150
SECTION_TEXT = 3000

# Which keys go in which kind of field (the rest go in sections).
LIMITS: list[tuple[re.Pattern[str], int]] = [
    (
        re.compile(
            r"^(form\.(title|submit|cancel)|slack\.modal\.close|admin\.(title|back|close)"
            r"|admin\.submit\..+)$"
        ),
        MODAL_TEXT,
    ),
    (
        re.compile(
            r"^(button\..+|admin\.action\..+|(urgency|category|contact|language|tier)\..+"
            r"|form\.(anonymous|exclude_unit|crisis)|checkin\.(stop|talk_again)"
            r"|peer\.wellbeing\.(ok|debrief))$"
        ),
        BUTTON_TEXT,
    ),
    (re.compile(r"\.title$"), HEADER_TEXT),
]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def limit_of(key: str) -> int:
    return next((limit for pattern, limit in LIMITS if pattern.search(key)), SECTION_TEXT)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_catalogue_string_fits_its_field(locale: str):
    too_long = {
        key: text
        for key, text in _messages(locale).items()
        # a placeholder counts as ten characters (a name, a date, a reference)
        if len(PLACEHOLDER.sub("x" * 10, text)) > limit_of(key)
    }
    assert too_long == {}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_slack_modal_is_valid_and_shows_its_title_whole(locale: str):
    roster = [RosterEntry(peer_id=1, name="Pia", tier="peer")]
    schedule = Message(kind="admin.schedule", title=t(locale, "admin.schedule.title"))
    answer = Message(kind="notice", lines=["done"])
    views = [
        intake_view(locale),
        result_view(locale, answer),
        menu_view(locale, schedule),
        done_view(locale, answer),
        *(form_view(locale, form, roster) for form in FORMS),
    ]
    for view in views:
        View(**view).validate_json()  # slack_sdk checks Slack's documented limits
    assert intake_view(locale)["title"]["text"] == t(locale, "form.title")
    assert menu_view(locale, schedule)["title"]["text"] == t(locale, "admin.title")
