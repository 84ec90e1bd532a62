"""Small cells suppressed: a count under the organisation's anonymity threshold is not shown,
and neither is the next-smallest cell of a breakdown whose total would reveal it; averages and
times to accept are shown only over groups at least that large.

An organisation may follow the NHS rule instead (`small_numbers = "nhs"`, NHS England's
statistical disclosure control for published counts): counts of 1 to 7 are suppressed, zeros are
shown, every other count is rounded to the nearest 5, and averages and times need a group of at
least 8 (or the threshold, if larger)."""

from __future__ import annotations

import enum
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from handlers.pulse.rounds import MIN_THRESHOLD
from models import Organisation

K = TypeVar("K", bound=Hashable)


class SmallNumbers(enum.StrEnum):
    THRESHOLD = "threshold"  # counts under the threshold suppressed, the others exact
    NHS = "nhs"  # 1-7 suppressed, the others rounded to the nearest 5


NHS_SMALLEST = 8
NHS_ROUNDING = 5


@dataclass(frozen=True)
class Rule:
    """How small numbers are handled: the organisation's threshold, and the NHS rule or not."""

    threshold: int
    nhs: bool = False

    @property
    def least(self) -> int:
        """The smallest group whose count, average or times are shown."""
        return max(self.threshold, NHS_SMALLEST) if self.nhs else self.threshold

    def count(self, count: int) -> int | None:
        """A count as it may be shown; None means suppressed."""
        if not self.nhs:
            return count if count >= self.threshold else None
        if count == 0:
            return 0
        if count < self.least:
            return None
        return NHS_ROUNDING * round(count / NHS_ROUNDING)  # n/5 is never halfway: no tie


def _rule(rule: Rule | int) -> Rule:
    return rule if isinstance(rule, Rule) else Rule(rule)


@dataclass(frozen=True)
class Breakdown:
    total: int | None
    cells: dict[str, int | None]


def suppress(
    cells: Mapping[K, int], threshold: Rule | int
) -> tuple[int | None, dict[K, int | None]]:
    """A breakdown's total and cells as they may be shown; None means suppressed.

    Any count the rule hides is suppressed (under the NHS rule the others are rounded). When
    the total is shown and exactly one cell is suppressed, the total minus the other cells would
    reveal it, so the smallest shown cell is suppressed too (the first in order on a tie).
    """
    rule = _rule(threshold)
    total = sum(cells.values())
    shown: dict[K, int | None] = {key: rule.count(count) for key, count in cells.items()}
    hidden = [key for key, count in shown.items() if count is None]
    total_shown = rule.count(total)
    if total_shown is not None and len(hidden) == 1:
        # a zero (shown under the NHS rule) would hide nothing: the smallest count above it
        partner = min(
            (key for key in cells if key not in hidden),
            key=lambda key: (cells[key] == 0, cells[key]),
        )
        shown[partner] = None
    return total_shown, shown


def threshold_of(organisation: Organisation) -> int:
    return max(organisation.anonymity_threshold, MIN_THRESHOLD)


def rule_of(organisation: Organisation) -> Rule:
    return Rule(threshold_of(organisation), organisation.small_numbers == SmallNumbers.NHS)


def breakdown(keys: Iterable[str], values: Iterable[str], threshold: Rule | int) -> Breakdown:
    counts = Counter(dict.fromkeys(keys, 0))
    counts.update(values)
    total, cells = suppress(counts, threshold)
    return Breakdown(total, cells)


def count_shown(count: int, threshold: Rule | int) -> int | None:
    return _rule(threshold).count(count)


def average_shown(values: list[int], threshold: Rule | int) -> float | None:
    enough = len(values) >= _rule(threshold).least
    return round(statistics.fmean(values), 2) if enough else None


def minutes_to_accept(
    waits: list[float], threshold: Rule | int
) -> tuple[float | None, float | None]:
    """Median and 90th percentile (linear interpolation between the closest ranks)."""
    if len(waits) < _rule(threshold).least:
        return None, None
    p90 = statistics.quantiles(waits, n=10, method="inclusive")[-1]
    return round(statistics.median(waits), 1), round(p90, 1)
