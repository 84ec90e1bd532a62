"""Small cells suppressed: a count under the organisation's anonymity threshold is not shown,
and neither is the next-smallest cell of a breakdown whose total would reveal it; averages and
times to accept are shown only over groups at least that large."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from handlers.pulse.rounds import MIN_THRESHOLD
from models import Organisation

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Breakdown:
    total: int | None
    cells: dict[str, int | None]


def suppress(cells: Mapping[K, int], threshold: int) -> tuple[int | None, dict[K, int | None]]:
    """A breakdown's total and cells as they may be shown; None means suppressed.

    Any count under `threshold` is suppressed. When the total is shown and exactly one cell is
    suppressed, the total minus the other cells would reveal it, so the smallest shown cell is
    suppressed too (the first in order on a tie).
    """
    total = sum(cells.values())
    shown: dict[K, int | None] = {
        key: count if count >= threshold else None for key, count in cells.items()
    }
    hidden = [key for key, count in shown.items() if count is None]
    if total >= threshold and len(hidden) == 1:
        partner = min((key for key in cells if key not in hidden), key=lambda key: cells[key])
        shown[partner] = None
    return (total if total >= threshold else None), shown


def threshold_of(organisation: Organisation) -> int:
    return max(organisation.anonymity_threshold, MIN_THRESHOLD)


def breakdown(keys: Iterable[str], values: Iterable[str], threshold: int) -> Breakdown:
    counts = Counter(dict.fromkeys(keys, 0))
    counts.update(values)
    total, cells = suppress(counts, threshold)
    return Breakdown(total, cells)


def count_shown(count: int, threshold: int) -> int | None:
    return count if count >= threshold else None


def average_shown(values: list[int], threshold: int) -> float | None:
    return round(statistics.fmean(values), 2) if len(values) >= threshold else None


def minutes_to_accept(waits: list[float], threshold: int) -> tuple[float | None, float | None]:
    """Median and 90th percentile (linear interpolation between the closest ranks)."""
    if len(waits) < threshold:
        return None, None
    p90 = statistics.quantiles(waits, n=10, method="inclusive")[-1]
    return round(statistics.median(waits), 1), round(p90, 1)
