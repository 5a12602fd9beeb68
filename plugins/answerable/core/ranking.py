"""Fair rankings: by the 95% Wilson lower bound, with a minimum sample.

A department with one answer out of one has a rate of 100% and tells us almost
nothing; the lower bound of its Wilson interval is low, so it cannot top the table.
Below the board's minimum of decided tickets a department is listed but not ranked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

Z95 = 1.959963984540054  # two-sided 95% normal quantile


class Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=Keyed)


def wilson_lower(successes: int, total: int, z: float = Z95) -> float | None:
    """Lower bound of the Wilson score interval; None for an empty sample."""
    if total <= 0:
        return None
    p = successes / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z2 / total))


def rank(samples: Sequence[tuple[str, int, int]], minimum: int) -> dict[str, int | None]:
    """Competition ranks (1, 2, 2, 4) of ``(key, successes, total)`` by Wilson lower bound.

    Keys with fewer than ``minimum`` in total get None: listed, not ranked.
    Ties on the bound are broken by the larger sample, then stay tied.
    """
    eligible = [(key, s, n) for key, s, n in samples if n >= minimum and n > 0]
    scored = sorted(
        ((round(wilson_lower(s, n) or 0.0, 12), n, key) for key, s, n in eligible),
        key=lambda item: (-item[0], -item[1], item[2]),
    )
    ranks: dict[str, int | None] = {key: None for key, _, _ in samples}
    previous: tuple[float, int] | None = None
    current = 0
    for position, (bound, n, key) in enumerate(scored, start=1):
        if (bound, n) != previous:
            current = position
            previous = (bound, n)
        ranks[key] = current
    return ranks


def most(
    items: Iterable[K], count: Callable[[K], int], tie: Callable[[K], Any] | None = None
) -> list[K]:
    """The items with a count above zero, the largest count first: "most messages",
    "most unsatisfied ratings". Equal counts go by ``tie`` (smallest first), then by key.

    A plain count, not a fair rank: these lists say how much happened, not how well.
    """
    counted = [(count(item), item) for item in items]
    chosen = sorted(
        ((n, item) for n, item in counted if n),
        key=lambda pair: (-pair[0], tie(pair[1]) if tie else 0, pair[1].key),
    )
    return [item for _, item in chosen]
