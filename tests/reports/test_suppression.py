"""Small-cell suppression: the one pure function every report figure goes through."""

from __future__ import annotations

from itertools import product

import pytest

from handlers.reports.suppression import suppress

T = 5


def test_cells_at_the_threshold_are_shown() -> None:
    assert suppress({"now": 5, "today": 7, "week": 9}, T) == (21, {"now": 5, "today": 7, "week": 9})


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    total, cells = suppress({"now": 9, "today": 6, "week": 2}, T)
    assert total == 17
    assert cells == {"now": 9, "today": None, "week": None}


def test_the_total_does_not_reveal_the_suppressed_cell() -> None:
    total, cells = suppress({"now": 9, "today": 6, "week": 2}, T)
    assert total is not None
    shown = sum(value for value in cells.values() if value is not None)
    hidden = [key for key, value in cells.items() if value is None]
    # What the total leaves over is shared by two cells, so neither can be read off it.
    assert total - shown == 8 and len(hidden) == 2


def test_a_tie_for_next_smallest_takes_the_first_in_order() -> None:
    _total, cells = suppress({"a": 6, "b": 6, "c": 1}, T)
    assert cells == {"a": None, "b": 6, "c": None}


def test_two_small_cells_need_no_partner() -> None:
    assert suppress({"a": 9, "b": 1, "c": 3}, T) == (13, {"a": 9, "b": None, "c": None})


def test_zero_is_under_the_threshold_too() -> None:
    assert suppress({"a": 9, "b": 0}, T) == (9, {"a": None, "b": None})


def test_a_small_total_suppresses_everything() -> None:
    assert suppress({"a": 3, "b": 1}, T) == (None, {"a": None, "b": None})
    assert suppress({}, T) == (None, {})


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_every_small_breakdown_keeps_the_rule(size: int) -> None:
    """Every breakdown of `size` cells up to 9: shown cells are true and at the threshold or
    over; with the total shown, a suppressed cell always shares what the total leaves over."""
    for counts in product(range(10), repeat=size):
        total, cells = suppress(dict(enumerate(counts)), T)
        assert all(value is None or value == counts[key] >= T for key, value in cells.items())
        hidden = [key for key, value in cells.items() if value is None]
        if total is None:
            assert sum(counts) < T and len(hidden) == size
        else:
            assert total == sum(counts) and len(hidden) != 1
