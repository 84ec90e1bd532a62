"""The NHS small-numbers rule, beside the plain threshold: counts of 1 to 7 suppressed, zeros
shown, every other count rounded to the nearest 5; averages and times only over 8 or more."""

from __future__ import annotations

from itertools import product

import pytest

from handlers.reports.suppression import Rule, average_shown, minutes_to_accept, suppress

NHS = Rule(threshold=5, nhs=True)


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, None), (7, None), (8, 10), (12, 10), (13, 15), (22, 20), (23, 25), (100, 100)],
)
def test_nhs_counts(count: int, shown: int | None) -> None:
    assert NHS.count(count) == shown


def test_the_threshold_rule_is_unchanged() -> None:
    assert Rule(5).count(4) is None and Rule(5).count(5) == 5 and Rule(5).count(0) is None


def test_a_higher_threshold_still_holds_under_the_nhs_rule() -> None:
    assert Rule(threshold=10, nhs=True).count(9) is None
    assert Rule(threshold=10, nhs=True).least == 10 and NHS.least == 8


def test_averages_and_times_need_eight() -> None:
    assert average_shown([4] * 7, NHS) is None and average_shown([4] * 8, NHS) == 4
    assert minutes_to_accept([5.0] * 7, NHS) == (None, None)
    assert minutes_to_accept([5.0] * 8, NHS) == (5.0, 5.0)


def test_a_lone_small_cell_takes_a_non_zero_partner_with_it() -> None:
    total, cells = suppress({"now": 12, "today": 3, "week": 0, "later": 20}, NHS)
    assert total == 35
    assert cells == {"now": None, "today": None, "week": 0, "later": 20}


@pytest.mark.parametrize("size", [1, 2, 3])
def test_every_small_breakdown_keeps_the_nhs_rule(size: int) -> None:
    """Every breakdown of `size` cells with counts up to 14: a shown cell is 0 for a true 0, or
    a multiple of 5 within 2 of the truth and at least 8 before rounding; a cell hidden alone
    with the total shown never happens."""
    for counts in product(range(15), repeat=size):
        total, cells = suppress(dict(enumerate(counts)), NHS)
        for key, value in cells.items():
            if value is None:
                continue
            truth = counts[key]
            assert (value == 0 == truth) or (value % 5 == 0 and abs(value - truth) <= 2 <= truth)
        hidden = [key for key, value in cells.items() if value is None]
        if total is not None:
            assert len(hidden) != 1 or all(counts[k] == 0 for k in cells if k not in hidden)
