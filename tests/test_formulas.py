"""The formula core against the articles' examples and hand calculations."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from kaishu import formulas as f
from kaishu.errors import InputError, ShapeError


# --- the articles' worked examples -------------------------------------------------------

def test_article_collection_site_is_66_days():
    # 300,000 cash (0 days), 300,000 by 60-day note, 400,000 by 120-day note
    assert f.collection_site([300_000, 300_000, 400_000], [0, 60, 120]) == pytest.approx(66)


def test_article_collection_rate_is_88_9_percent():
    assert round(f.collection_rate(32_000_000, 36_000_000) * 100, 1) == 88.9


def test_article_collection_efficiency_is_93_3_percent():
    # 2,100 / 2,500 = 84.0%; 84.0% / 90 days x 100 = 93.3%
    assert round(f.collection_efficiency(2_100, 2_500, 90) * 100, 1) == 93.3


def test_article_method_3_table():
    assert f.credit_limit_target(36_500_000, 60) == pytest.approx(6_000_000)


# --- hand calculations ---------------------------------------------------------------------

@pytest.mark.parametrize(("function", "args", "expected"), [
    # 18,250,000 x 40 / 365 = 2,000,000
    (f.credit_limit_cashflow, (18_250_000, 40), 2_000_000),
    # 360 days a year: 3,600,000 x 30 / 360 = 300,000
    (f.credit_limit_cashflow, (3_600_000, 30, 360), 300_000),
    # (50,000,000 - 13,500,000) x 0.2 x 73 / 365 = 36,500,000 x 0.2 x 0.2 = 1,460,000
    (f.credit_limit_purchase, (50_000_000, 13_500_000, 0.2, 73), 1_460_000),
    # 73,000,000 x 45 / 365 = 9,000,000
    (f.credit_limit_target, (73_000_000, 45), 9_000_000),
    # 4,000,000 x 0.75 x 1.5 x 0.8 = 3,600,000
    (f.credit_limit_composite, (4_000_000, 0.75, 1.5, 0.8), 3_600_000),
    # (1.0 x 2 + 1.4 x 1 + 0.6 x 1) / 4 = 1.0
    (f.credit_index, ([1.0, 1.4, 0.6], [2, 1, 1]), 1.0),
    # weights in percent or fractions give the same index
    (f.credit_index, ([1.2, 0.8], [0.25, 0.75]), 0.9),
    (f.credit_index, ([1.2, 0.8], [25, 75]), 0.9),
    # scores min(3/1, 2) = 2 and 0.5/1 = 0.5, equal weights -> 1.25
    (f.ratio_index, ([3.0, 0.5], [1.0, 1.0], [1, 1]), 1.25),
    # cap 1.5: min(3, 1.5) = 1.5 and 0.5 -> 1.0
    (f.ratio_index, ([3.0, 0.5], [1.0, 1.0], [1, 1], True, 1.5), 1.0),
    # lower is better: 0.2 against 0.4 scores 2 (capped at 2), 0.8 against 0.4 scores 0.5
    (f.ratio_index, ([0.2, 0.8], [0.4, 0.4], [1, 1], [False, False]), 1.25),
    # a negative profit margin scores 0: (0 x 1 + 1 x 1) / 2
    (f.ratio_index, ([-0.02, 0.3], [0.05, 0.3], [1, 1]), 0.5),
    # 500,000 cash + 500,000 by 90-day note -> 45 days
    (f.collection_site, ([500_000, 500_000], [0, 90]), 45),
    (f.collection_rate, (1_200, 1_000), 1.2),
    # 0.9 / 60 x 100 = 1.5
    (f.collection_efficiency, (900, 1_000, 60), 1.5),
    (f.working_capital, (10, 5, 20), -5),
    (f.credit_headroom, ([1, 2, 3], 10), 4),
    (f.credit_headroom, ([6, 5], 10), -1),
    # 50 / 200 x 30 = 7.5
    (f.dso, (50, 200, 30), 7.5),
    (f.best_possible_dso, (40, 200, 30), 6),
    (f.average_days_delinquent, (50, 40, 200, 30), 1.5),
    # (100 + 300 - 150) / (100 + 300 - 120) = 250 / 280
    (f.cei, (100, 300, 150, 120), 250 / 280),
])
def test_hand_calculations(function, args, expected):
    assert function(*args) == pytest.approx(expected)


def test_element_wise_over_a_table():
    limits = f.credit_limit_target([36_500_000, 73_000_000, 0], [60, 30, 90])
    assert limits.tolist() == pytest.approx([6_000_000, 6_000_000, 0])


def test_credit_index_one_result_per_row():
    values = [[1.2, 0.8, 1.0], [1.4, 1.4, 1.4], [0.6, 1.0, 0.8]]
    # row 1: (0.6 + 0.24 + 0.2) = 1.04; row 2: 1.4; row 3: 0.3 + 0.3 + 0.16 = 0.76
    assert f.credit_index(values, [0.5, 0.3, 0.2]).tolist() == pytest.approx([1.04, 1.4, 0.76])


@pytest.mark.parametrize(("days", "label"), [
    (-3, "未到来"), (0, "未到来"), (0.5, "1-30"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
    (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "91-120"), (120, "91-120"),
    (121, "121-"), (1000, "121-"),
])
def test_aging_bucket_edges(days, label):
    assert f.aging_bucket(days) == label


def test_aging_bucket_custom_edges():
    assert f.aging_bucket([5, 10, 11], [10]).tolist() == ["1-10", "1-10", "11-"]


# --- bad input: each error names the argument, the rule and the value ---------------------

@pytest.mark.parametrize(("call", "message", "code"), [
    (lambda: f.collection_efficiency(1, 1, 0), "collection_days must be > 0 (got 0)", "#NUM!"),
    (lambda: f.collection_rate(1, 0), "due must be > 0 (got 0)", "#NUM!"),
    (lambda: f.collection_rate(-5, 10), "collected must be ≥ 0 (got -5)", "#NUM!"),
    (lambda: f.credit_limit_composite(1, 70, 1, 1),
     "cost_ratio must be a ratio between 0 and 1 (got 70)", "#NUM!"),
    (lambda: f.credit_limit_purchase(10, 2, 1.5, 30),
     "our_share must be a ratio between 0 and 1 (got 1.5)", "#NUM!"),
    (lambda: f.credit_limit_purchase(10, 20, 0.5, 30),
     "customer_gross_profit_estimate must be ≤ customer_sales_estimate (got 20)", "#NUM!"),
    (lambda: f.credit_limit_target("1,000", 30), "sales_target must be a number (got '1,000')",
     "#VALUE!"),
    (lambda: f.credit_limit_target(math.nan, 30), "sales_target must be a finite number (got nan)",
     "#NUM!"),
    (lambda: f.credit_limit_target(1, math.inf), "collection_days_target must be a finite number "
     "(got inf)", "#NUM!"),
    (lambda: f.credit_limit_target(-1, 30), "sales_target must be ≥ 0 (got -1)", "#NUM!"),
    (lambda: f.credit_limit_cashflow(1, 30, 0), "days_in_year must be > 0 (got 0)", "#NUM!"),
    (lambda: f.credit_index([1, 1], [0, 0]), "weights must have a positive sum (got 0)",
     "#DIV/0!"),
    (lambda: f.credit_index([1, 1], [-1, 2]), "weights must be ≥ 0 (got -1)", "#NUM!"),
    (lambda: f.collection_site([0, 0], [10, 20]), "amounts must have a positive sum (got 0)",
     "#DIV/0!"),
    (lambda: f.collection_site([100, -50], [10, 20]), "amounts must be ≥ 0 (got -50)", "#NUM!"),
    (lambda: f.ratio_index([1], [0], [1]), "standards must be > 0 (got 0)", "#NUM!"),
    (lambda: f.ratio_index([1, 1], [1, 1], [1, 1], ["yes", True]),
     "higher_is_better must be はい/いいえ, TRUE/FALSE or 1/0 (got 'yes')", "#VALUE!"),
    (lambda: f.ratio_index([-1], [1], [1], False),
     "actuals must be ≥ 0 where lower is better (got -1)", "#NUM!"),
    (lambda: f.average_days_delinquent(10, 20, 100, 30),
     "current_receivables must be ≤ receivables (got 20)", "#NUM!"),
    (lambda: f.cei(0, 0, 0, 0), "sales plus beginning_receivables must exceed "
     "ending_current_receivables (got 0)", "#DIV/0!"),
    (lambda: f.aging_bucket(5, [60, 30]), "edges must increase (got 30)", "#NUM!"),
    (lambda: f.aging_bucket(5, [30.5]), "edges must be whole days (got 30.5)", "#NUM!"),
    (lambda: f.aging_bucket(None), "days_past_due must be a number (got blank)", "#VALUE!"),
])
def test_errors_name_argument_rule_and_value(call, message, code):
    with pytest.raises(InputError) as caught:
        call()
    assert str(caught.value) == message
    assert caught.value.code == code


def test_error_marks_every_bad_element():
    with pytest.raises(InputError) as caught:
        f.collection_rate([1, 2, 3, 4], [5, 0, 6, 0])
    assert caught.value.bad.tolist() == [False, True, False, True]


def test_mismatched_shapes():
    with pytest.raises(ShapeError, match="amounts and days must have the same size: 3 and 2"):
        f.collection_site([1, 2, 3], [0, 60])
    with pytest.raises(ShapeError, match="one column per weight"):
        f.credit_index([[1, 1, 1]], [1, 1])


# --- invariants ----------------------------------------------------------------------------

# Money is yen: zero or at least a sen (subnormal floats are not amounts of money).
amounts = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e12))
days = st.floats(min_value=0, max_value=3650, allow_nan=False)


@given(st.lists(st.tuples(amounts, days), min_size=1, max_size=30).filter(
    lambda rows: sum(a for a, _ in rows) > 0))
def test_site_lies_between_smallest_and_largest_days(rows):
    a, d = np.array(rows).T
    site = f.collection_site(a, d)
    used = d[a > 0]
    assert used.min() - 1e-6 <= site <= used.max() + 1e-6


@given(st.floats(0, 1e12), st.floats(0, 1e12), st.floats(1, 3650))
def test_limits_grow_with_sales(low, high, collection_days):
    low, high = sorted((low, high))
    assert f.credit_limit_target(low, collection_days) <= f.credit_limit_target(high, collection_days)
    assert f.credit_limit_cashflow(low, collection_days) <= f.credit_limit_cashflow(high, collection_days)
    assert f.credit_limit_composite(low / 12, 0.7, 2, 1) <= f.credit_limit_composite(high / 12, 0.7, 2, 1)


@given(st.floats(0, 1e9), st.floats(1, 1e9), st.floats(1e-3, 1e3), st.floats(1, 365))
def test_scaling_amounts_does_not_change_a_rate(collected, due, scale, period):
    assert f.collection_rate(collected * scale, due * scale) == pytest.approx(
        f.collection_rate(collected, due), rel=1e-9)
    assert f.collection_efficiency(collected * scale, due * scale, period) == pytest.approx(
        f.collection_efficiency(collected, due, period), rel=1e-9)


@given(st.floats(0, 1e9), st.floats(1, 1e9))
def test_rate_is_a_fraction_when_collected_does_not_exceed_due(collected, due):
    collected = min(collected, due)
    assert 0 <= f.collection_rate(collected, due) <= 1


@given(st.lists(st.floats(0, 3), min_size=1, max_size=6).flatmap(
    lambda v: st.tuples(st.just(v), st.lists(st.floats(0.01, 100), min_size=len(v),
                                             max_size=len(v)))))
def test_credit_index_lies_between_its_values(case):
    values, weights = case
    index = f.credit_index(values, weights)
    assert min(values) - 1e-9 <= index <= max(values) + 1e-9


@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=20), st.floats(-1e9, 1e9))
def test_headroom_plus_limits_is_working_capital(limits, capital):
    assert f.credit_headroom(limits, capital) + sum(limits) == pytest.approx(capital, abs=1e-3)
