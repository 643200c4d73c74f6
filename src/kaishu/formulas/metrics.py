"""Working capital against credit limits, and standard receivables metrics."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import nonnegative, number, out, positive, require

NOT_DUE = "未到来"
DEFAULT_AGING_EDGES = (30, 60, 90, 120)


def working_capital(trade_receivables: Any, inventory: Any, trade_payables: Any) -> Any:
    """正味運転資金 as Japanese banks compute it from a balance sheet.

    Parameters
    ----------
    trade_receivables : yen, ≥ 0
        売上債権: 売掛金 + 受取手形 + 電子記録債権.
    inventory : yen, ≥ 0
        棚卸資産.
    trade_payables : yen, ≥ 0
        仕入債務: 買掛金 + 支払手形 + 電子記録債務.

    Notes
    -----
    working capital = trade_receivables + inventory − trade_payables

    Examples
    --------
    >>> working_capital(80_000_000, 30_000_000, 50_000_000)
    60000000.0
    """
    r = nonnegative("trade_receivables", trade_receivables)
    i = nonnegative("inventory", inventory)
    p = nonnegative("trade_payables", trade_payables)
    return out(r + i - p)


def credit_headroom(credit_limits: Any, working_capital: Any) -> Any:
    """How much of the working capital is left after all credit limits.

    Parameters
    ----------
    credit_limits : yen, ≥ 0 (reducing)
        Every customer's credit limit.
    working_capital : yen
        The 運転資金 the company can devote to customer credit (運転資金枠).

    Notes
    -----
    headroom = working_capital − Σ credit_limits; negative means the limits exceed it.

    Examples
    --------
    >>> credit_headroom([6_000_000, 2_400_000, 9_000_000], 20_000_000)
    2600000.0
    """
    total = nonnegative("credit_limits", credit_limits).sum()
    return out(number("working_capital", working_capital) - total)


def dso(receivables: Any, sales: Any, days: Any) -> Any:
    """売上債権回転日数 (days sales outstanding).

    Parameters
    ----------
    receivables : yen, ≥ 0
        Receivables at the end of the period.
    sales : yen, > 0
        Credit sales of the period.
    days : days, > 0
        Length of the period.

    Notes
    -----
    DSO = receivables / sales × days

    Examples
    --------
    >>> dso(12_000_000, 18_000_000, 90)
    60.0
    """
    r = nonnegative("receivables", receivables)
    s = positive("sales", sales)
    d = positive("days", days)
    return out(r / s * d)


def best_possible_dso(current_receivables: Any, sales: Any, days: Any) -> Any:
    """DSO counting only receivables that are not yet due.

    Parameters
    ----------
    current_receivables : yen, ≥ 0
        Not-yet-due receivables at the end of the period.
    sales : yen, > 0
    days : days, > 0

    Notes
    -----
    best possible DSO = current_receivables / sales × days

    Examples
    --------
    >>> best_possible_dso(9_000_000, 18_000_000, 90)
    45.0
    """
    c = nonnegative("current_receivables", current_receivables)
    s = positive("sales", sales)
    d = positive("days", days)
    return out(c / s * d)


def average_days_delinquent(receivables: Any, current_receivables: Any, sales: Any,
                            days: Any) -> Any:
    """How many days customers pay late on average (DSO − best possible DSO).

    Parameters
    ----------
    receivables : yen, ≥ 0
    current_receivables : yen, ≥ 0 and ≤ receivables
    sales : yen, > 0
    days : days, > 0

    Notes
    -----
    ADD = (receivables − current_receivables) / sales × days

    Examples
    --------
    >>> average_days_delinquent(12_000_000, 9_000_000, 18_000_000, 90)
    15.0
    """
    r = nonnegative("receivables", receivables)
    c = nonnegative("current_receivables", current_receivables)
    require("current_receivables", c, c <= r, "must be ≤ receivables")
    return out(np.asarray(dso(r, sales, days)) - best_possible_dso(c, sales, days))


def cei(beginning_receivables: Any, sales: Any, ending_receivables: Any,
        ending_current_receivables: Any) -> Any:
    """Collection effectiveness index: what was collected out of what could have been.

    Parameters
    ----------
    beginning_receivables : yen, ≥ 0
    sales : yen, ≥ 0
        Credit sales of the period.
    ending_receivables : yen, ≥ 0
    ending_current_receivables : yen, ≥ 0 and ≤ ending_receivables
        The part of ending receivables that is not yet due.

    Notes
    -----
    CEI = (beginning + sales − ending) / (beginning + sales − ending_current)

    Examples
    --------
    >>> round(cei(10_000_000, 18_000_000, 12_000_000, 9_000_000), 4)
    0.8421
    """
    b = nonnegative("beginning_receivables", beginning_receivables)
    s = nonnegative("sales", sales)
    e = nonnegative("ending_receivables", ending_receivables)
    c = nonnegative("ending_current_receivables", ending_current_receivables)
    require("ending_current_receivables", c, c <= e, "must be ≤ ending_receivables")
    collectible = b + s - c
    require("sales", collectible, collectible > 0,
            "plus beginning_receivables must exceed ending_current_receivables",
            code="#DIV/0!")
    return out((b + s - e) / collectible)


def aging_labels(edges: Any = DEFAULT_AGING_EDGES) -> list[str]:
    """The bucket labels for ``edges``.

    >>> aging_labels()
    ['未到来', '1-30', '31-60', '61-90', '91-120', '121-']
    """
    e = _edges(edges)
    lows = np.concatenate([[0], e]).astype(int) + 1
    return [NOT_DUE] + [f"{lo}-{hi}" for lo, hi in zip(lows, e.astype(int))] + [f"{lows[-1]}-"]


def _edges(edges: Any) -> np.ndarray:
    e = positive("edges", edges).ravel()
    require("edges", e, np.isclose(e, np.round(e)), "must be whole days")
    require("edges", e, np.concatenate([[True], np.diff(e) > 0]), "must increase")
    return e


def aging_bucket(days_past_due: Any, edges: Any = DEFAULT_AGING_EDGES) -> Any:
    """The aging bucket (延滞区分) of an amount that is ``days_past_due`` days late.

    Parameters
    ----------
    days_past_due : days
        0 or less means not yet due.
    edges : increasing whole days, default 30, 60, 90, 120

    Notes
    -----
    Buckets: 未到来 (≤ 0), 1-30, 31-60, 61-90, 91-120, 121- for the default edges.

    Examples
    --------
    >>> aging_bucket([-5, 0, 1, 30, 31, 120, 400]).tolist()
    ['未到来', '未到来', '1-30', '1-30', '31-60', '91-120', '121-']
    """
    d = number("days_past_due", days_past_due)
    e = _edges(edges)
    labels = np.array(aging_labels(e), dtype=object)
    index = np.where(d <= 0, 0, np.searchsorted(e, d, side="left") + 1)
    return out(labels[index])

