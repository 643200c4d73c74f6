"""Collection figures of the articles: 回収サイト, 回収率, 回収基準比率."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ._checks import nonnegative, out, positive, require


def collection_site(amounts: Any, days: Any) -> float:
    """回収サイト: the amount-weighted mean days until receipts become cash.

    Parameters
    ----------
    amounts : yen, ≥ 0 (reducing)
        The receipts of the period.
    days : days, ≥ 0 (reducing, same shape as amounts)
        0 for cash and transfers; days from receipt to maturity for 手形 and でんさい.

    Notes
    -----
    site = Σ amountᵢ × daysᵢ / Σ amountᵢ

    Examples
    --------
    The article: 1,000,000 collected as 300,000 cash, 300,000 by a 60-day note and
    400,000 by a 120-day note.

    >>> collection_site([300_000, 300_000, 400_000], [0, 60, 120])
    66.0
    """
    a = nonnegative("amounts", amounts)
    d = nonnegative("days", days)
    if a.shape != d.shape:
        raise ShapeError(f"amounts and days must have the same size: {a.size} and {d.size}")
    total = a.sum()
    require("amounts", a, np.full(a.shape, total > 0), "must have a positive sum",
            code="#DIV/0!")
    return float(a.ravel() @ d.ravel() / total)


def collection_rate(collected: Any, due: Any) -> Any:
    """回収率: what was collected out of what was to be collected.

    Parameters
    ----------
    collected : yen, ≥ 0
    due : yen, > 0
        What was to be collected (the article's 請求額).

    Notes
    -----
    rate = collected / due, a fraction (0.889 is shown as 88.9%).

    Examples
    --------
    The article: billed 36,000,000, collected 32,000,000.

    >>> round(collection_rate(32_000_000, 36_000_000), 3)
    0.889
    """
    c = nonnegative("collected", collected)
    d = positive("due", due)
    return out(c / d)


def collection_efficiency(collected: Any, due: Any, collection_days: Any) -> Any:
    """回収基準比率: the collection rate per day of collection period, × 100.

    Parameters
    ----------
    collected : yen, ≥ 0
    due : yen, > 0
    collection_days : days, > 0

    Notes
    -----
    efficiency = (collected / due) / collection_days × 100, an index (above 1.0 is
    possible), shown as a percentage.

    Examples
    --------
    The article: billed 2,500, collected 2,100 over 90 days: 84.0% / 90 × 100 = 93.3%.

    >>> round(collection_efficiency(2_100, 2_500, 90), 3)
    0.933
    """
    rate = collection_rate(collected, due)
    days = positive("collection_days", collection_days)
    return out(np.asarray(rate) / days * 100)
