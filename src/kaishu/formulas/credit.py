"""Credit limits (信用限度額): the four methods and the indices method 4 uses.

All functions broadcast like Excel array formulas: pass scalars for one customer or arrays
for a whole table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ._checks import elementwise, flag, fraction, nonnegative, number, out, positive, require


def credit_limit_cashflow(annual_sales: Any, fixed_days: Any, days_in_year: Any = 365) -> Any:
    """Method 1 (自社の資金繰りに基づく設定法): the credit our own cash flow can carry.

    Parameters
    ----------
    annual_sales : yen
        Annual sales to the customer (年間売上高).
    fixed_days : days
        Days our funds stay tied up from purchase to collection (資金固定期間).
    days_in_year : days, default 365

    Notes
    -----
    limit = annual_sales × fixed_days / days_in_year

    Examples
    --------
    >>> credit_limit_cashflow(12_000_000, 73)
    2400000.0
    """
    sales = nonnegative("annual_sales", annual_sales)
    days = positive("fixed_days", fixed_days)
    year = positive("days_in_year", days_in_year)
    return out(sales * days / year)


def credit_limit_purchase(customer_sales_estimate: Any, customer_gross_profit_estimate: Any,
                          our_share: Any, collection_days: Any, days_in_year: Any = 365) -> Any:
    """Method 2 (得意先売上見積りに基づく設定法): our share of what the customer buys.

    Parameters
    ----------
    customer_sales_estimate : yen
        The customer's estimated annual sales (得意先売上見積高).
    customer_gross_profit_estimate : yen
        The customer's estimated gross profit (得意先売上総利益見積高), at most its sales.
    our_share : ratio 0-1
        Share of the customer's purchases bought from us (自社仕入れ比率).
    collection_days : days
        Collection period (回収期間).
    days_in_year : days, default 365

    Notes
    -----
    limit = (customer_sales_estimate − customer_gross_profit_estimate) × our_share
    × collection_days / days_in_year; the difference is the customer's purchases
    (得意先仕入見積高).

    Examples
    --------
    >>> credit_limit_purchase(100_000_000, 27_000_000, 0.5, 90)
    9000000.0
    """
    sales = nonnegative("customer_sales_estimate", customer_sales_estimate)
    profit = nonnegative("customer_gross_profit_estimate", customer_gross_profit_estimate)
    require("customer_gross_profit_estimate", profit, profit <= sales,
            "must be ≤ customer_sales_estimate")
    share = fraction("our_share", our_share)
    days = positive("collection_days", collection_days)
    year = positive("days_in_year", days_in_year)
    return out((sales - profit) * share * days / year)


def credit_limit_target(sales_target: Any, collection_days_target: Any,
                        days_in_year: Any = 365) -> Any:
    """Method 3 (得意先売上目標と回収期間による設定法): the per-customer table.

    Parameters
    ----------
    sales_target : yen
        Annual sales target for the customer (年間売上目標).
    collection_days_target : days
        Target collection period (回収期間目標).
    days_in_year : days, default 365

    Notes
    -----
    limit = sales_target × collection_days_target / days_in_year

    Examples
    --------
    The article's table: a target of 36,500,000 yen collected in 60 days.

    >>> credit_limit_target(36_500_000, 60)
    6000000.0
    """
    sales = nonnegative("sales_target", sales_target)
    days = positive("collection_days_target", collection_days_target)
    year = positive("days_in_year", days_in_year)
    return out(sales * days / year)


def credit_limit_composite(monthly_sales: Any, cost_ratio: Any, credit_months: Any,
                           credit_index: Any) -> Any:
    """Method 4 (総合指定法): one month's sales at cost, for the standard credit period,
    scaled by the customer's credit index.

    Parameters
    ----------
    monthly_sales : yen
        Monthly sales to the customer (月間売上高).
    cost_ratio : ratio 0-1
        Cost of sales ratio (原価率); monthly_sales × cost_ratio is 1ヶ月販売基準.
    credit_months : months
        Standard credit period (標準信用期間), months from invoice to cash.
    credit_index : index
        The customer's credit index (信用指数, 1.0 = standard customer).

    Notes
    -----
    limit = monthly_sales × cost_ratio × credit_months × credit_index

    Examples
    --------
    1ヶ月販売基準 3,500,000 yen, two months, a customer 10% better than standard:

    >>> round(credit_limit_composite(5_000_000, 0.7, 2, 1.1))
    7700000
    """
    sales = nonnegative("monthly_sales", monthly_sales)
    ratio = fraction("cost_ratio", cost_ratio)
    months = positive("credit_months", credit_months)
    index = nonnegative("credit_index", credit_index)
    return out(sales * ratio * months * index)


def _weights(name: str, value: Any) -> np.ndarray:
    weights = nonnegative(name, value).ravel()
    require(name, weights, np.full(weights.shape, weights.sum() > 0),
            "must have a positive sum", code="#DIV/0!")
    return weights


def _rows(name: str, values: np.ndarray, k: int, weights_name: str) -> np.ndarray:
    """Arrange ``values`` as rows of ``k`` criteria (one vector if it has k elements)."""
    if values.size == k and (values.ndim < 2 or 1 in values.shape):
        return values.reshape(k)
    if values.ndim >= 1 and values.shape[-1] == k:
        return values
    raise ShapeError(f"{name} must have one column per weight: {weights_name} has {k}, "
                     f"{name} is {'x'.join(map(str, values.shape)) or 'one value'}")


def credit_index(values: Any, weights: Any) -> Any:
    """信用指数: the weighted mean of the customer's index values.

    Parameters
    ----------
    values : index, n rows × k criteria (or one vector of k)
        比率指数値, 経営者評価値, その他の評価値, ... where 1.0 = the standard customer.
    weights : k weights, ≥ 0 with a positive sum
        Fractions or percentages; only their proportions count.

    Notes
    -----
    index = Σ valueᵢ × weightᵢ / Σ weightᵢ, one result per row.

    Examples
    --------
    >>> credit_index([1.2, 0.8, 1.0], [50, 30, 20])
    1.04
    >>> credit_index([[1.2, 0.8, 1.0], [0.6, 0.6, 1.4]], [0.5, 0.3, 0.2]).round(4).tolist()
    [1.04, 0.76]
    """
    w = _weights("weights", weights)
    v = _rows("values", nonnegative("values", values), w.size, "weights")
    return out(v @ w / w.sum())


def ratio_index(actuals: Any, standards: Any, weights: Any, higher_is_better: Any = True,
                cap: Any = 2.0) -> Any:
    """比率指数値: financial ratios scored against standards, weighted.

    Parameters
    ----------
    actuals : ratios, n rows × k criteria (or one vector of k)
        The customer's ratios (e.g. 自己資本比率, 流動比率, 売上高経常利益率).
    standards : ratios, k (or n × k), > 0
        The standard value of each ratio (industry average or own benchmark).
    weights : k weights, ≥ 0 with a positive sum
    higher_is_better : k yes/no, default all TRUE
        FALSE (いいえ, 0) for ratios where lower is better (e.g. 借入金依存度); those score
        standard / actual. はい/いいえ, TRUE/FALSE and 1/0 are read.
    cap : default 2.0
        Upper bound of each score, so one strong ratio cannot dominate.

    Notes
    -----
    index = Σ scoreᵢ × weightᵢ / Σ weightᵢ, scoreᵢ = min(actualᵢ / standardᵢ, cap), or
    standardᵢ / actualᵢ where lower is better. A negative actual scores 0 where higher is
    better; an actual of 0 scores ``cap`` where lower is better.

    Examples
    --------
    Equity ratio 30% against 25%, current ratio 180% against 150%, debt dependence 40%
    against 30% (lower is better), weighted 40/30/30:

    >>> round(ratio_index([0.30, 1.8, 0.40], [0.25, 1.5, 0.30], [40, 30, 30],
    ...                   [True, True, False]), 4)
    1.065
    """
    w = _weights("weights", weights)
    k = w.size
    a = _rows("actuals", number("actuals", actuals), k, "weights")
    s = _rows("standards", positive("standards", standards), k, "weights")
    hib = flag("higher_is_better", higher_is_better)
    if hib.size not in (1, k):
        raise ShapeError(f"higher_is_better must have one flag per weight ({k}), got {hib.size}")
    hib = np.broadcast_to(hib.ravel(), (k,))
    c = positive("cap", cap)
    lower = np.broadcast_to(~hib, a.shape)
    require("actuals", a, ~lower | (a >= 0), "must be ≥ 0 where lower is better")
    a, s = np.broadcast_arrays(a, s)
    with np.errstate(divide="ignore"):
        score = np.where(lower, np.divide(s, a, out=np.full(a.shape, np.inf), where=a > 0),
                         a / s)
    score = np.minimum(np.clip(score, 0, None), np.expand_dims(c, -1) if c.ndim else c)
    return out(score @ w / w.sum())
