"""Numbers from outside are read as the database and the clock can hold them, or not at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.core.ids import as_number, epoch_moment


@pytest.mark.parametrize("text", ["", " ", "-1", "1.5", "²", "٣", "1" * 19, "12a", None])
def test_what_is_not_a_database_number_is_none(text: object) -> None:
    assert as_number(text) is None


def test_a_number_is_read_with_its_spaces_trimmed() -> None:
    assert as_number(" 42 ") == 42
    assert as_number("9" * 18) == 10**18 - 1


def test_an_epoch_the_clock_cannot_show_is_none() -> None:
    assert epoch_moment("1796281256") == datetime.fromtimestamp(1796281256, UTC)
    assert epoch_moment("9" * 18) is None  # past year 9999
