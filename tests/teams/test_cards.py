"""Several messages as one card: each section in its own container, nothing of any lost."""

from __future__ import annotations

from bot.teams.cards import message_card, sections_card
from handlers.core.ports import Address, Button, Message


def test_sections_keep_every_message_its_text_buttons_and_mentions() -> None:
    contact = Address(
        platform="teams",
        tenant_id="tenant",
        user_id="aad-pia",
        data={"user": {"id": "29:pia", "name": "Pia"}},
    )
    first = Message(kind="a", title="First", lines=["one"], contact=contact)
    second = Message(
        kind="b",
        lines=["two"],
        fields=[("Label", "value")],
        buttons=[Button(action="x.do", label="Do", value="7", style="primary")],
    )

    card = sections_card([first, second])

    one, two = card["body"]
    assert one == {"type": "Container", "items": message_card(first)["body"]}
    assert two["items"] == [
        *message_card(second)["body"],
        {"type": "ActionSet", "actions": message_card(second)["actions"]},
    ]
    assert two["separator"] is True and two["spacing"] == "Large"
    assert "actions" not in card  # each section's buttons under it
    assert card["msteams"] == message_card(first)["msteams"]
    assert card["version"] == "1.4"
