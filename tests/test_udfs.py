"""The worksheet functions as Excel calls them: ranges in, one result per row out."""

import datetime as dt

import pytest

from kaishu import udfs


def column(*values):
    """A range as xlwings hands it over with ndim=2: a list of rows."""
    return [[v] for v in values]


def test_a_whole_column_in_one_call():
    result = udfs.CREDIT_LIMIT_TARGET(column(36_500_000.0, 73_000_000.0, 18_250_000.0),
                                      column(60.0, 45.0, 20.0), None)
    # 36.5M x 60 / 365, 73M x 45 / 365, 18.25M x 20 / 365
    assert result == [[6_000_000.0], [9_000_000.0], [1_000_000.0]]


def test_single_cells_give_a_single_value():
    assert udfs.COLLECTION_RATE(32_000_000.0, 36_000_000.0) == pytest.approx(0.8889, abs=1e-4)
    assert udfs.COLLECTION_SITE(column(300_000.0, 300_000.0, 400_000.0),
                                column(0.0, 60.0, 120.0)) == pytest.approx(66)


def test_blank_rows_come_back_blank():
    # B2:B6 selected with rows 3 and 5 empty, and a constant collection period
    result = udfs.COLLECTION_EFFICIENCY(column(2_100.0, None, 900.0, None, ""),
                                        column(2_500.0, None, 1_000.0, None, "  "), 90.0)
    assert result[1] == [None] and result[3] == [None] and result[4] == [None]
    assert result[0][0] == pytest.approx(0.84 / 90 * 100)
    assert result[2][0] == pytest.approx(0.9 / 90 * 100)


def test_all_blank_single_cells_are_blank():
    assert udfs.CREDIT_LIMIT_TARGET(None, None, None) is None


def test_bad_elements_are_texts_in_their_own_cells():
    result = udfs.COLLECTION_EFFICIENCY(
        column(2_100.0, "2,100", 2_100.0, None, 2_100.0, 2_100.0),
        column(2_500.0, 2_500.0, 0.0, 2_500.0, 2_500.0, -1.0),
        column(90.0, 90.0, 90.0, 90.0, 0.0, 90.0))
    assert result == [
        [pytest.approx(0.84 / 90 * 100)],
        ["#VALUE! collected must be a number (got '2,100')"],
        ["#NUM! due must be > 0 (got 0)"],
        ["#VALUE! collected is required (got blank)"],
        ["#NUM! collection_days must be > 0 (got 0)"],
        ["#NUM! due must be > 0 (got -1)"],
    ]


def test_a_ratio_typed_as_a_percentage_is_refused_not_used():
    assert udfs.CREDIT_LIMIT_COMPOSITE(5e6, 70.0, 2.0, 1.0) == \
        "#NUM! cost_ratio must be a ratio between 0 and 1 (got 70)"


def test_never_a_silent_zero_and_never_a_traceback():
    result = udfs.DSO(column(1.0, True), column(10.0, 10.0), 30.0)
    assert result == [[3.0], ["#VALUE! receivables must be a number (got TRUE)"]]


def test_mismatched_ranges_fail_the_call_with_one_text():
    assert udfs.COLLECTION_RATE(column(1.0, 2.0, 3.0), column(1.0, 2.0)) == \
        "#VALUE! ranges must have the same size: collected 3x1, due 2x1"
    assert udfs.COLLECTION_SITE(column(1.0, 2.0), column(1.0)) == \
        "#VALUE! ranges must have the same size: amounts 2x1, days 1x1"


def test_reducing_arguments_skip_blank_pairs_and_fail_as_a_whole():
    assert udfs.COLLECTION_SITE(column(500_000.0, None, 500_000.0),
                                column(0.0, None, 90.0)) == pytest.approx(45)
    assert udfs.COLLECTION_SITE(column(500_000.0, -1.0), column(0.0, 90.0)) == \
        "#NUM! amounts must be ≥ 0 (got -1)"
    assert udfs.COLLECTION_SITE(column(500_000.0, 1.0), column(0.0, None)) == \
        "#VALUE! days is required (got blank)"


def test_row_broadcasting_like_excel():
    # a row of targets against a column of collection periods gives a table
    result = udfs.CREDIT_LIMIT_TARGET([[36_500_000.0, 73_000_000.0]], column(30.0, 60.0), 365.0)
    assert result == [[3_000_000.0, 6_000_000.0], [6_000_000.0, 12_000_000.0]]


def test_dates_as_excel_dates_or_serials():
    # 45757 is 2025-04-10; 月末締め翌月末払い -> 31 May is a Saturday -> 2 June 2025
    result = udfs.DUE_DATE(column(45757.0, dt.datetime(2025, 4, 10), None, "4/10", 12.0),
                           "末", "翌月", "末", None)
    assert result == [[dt.datetime(2025, 6, 2)], [dt.datetime(2025, 6, 2)], [None],
                      ["#VALUE! sale_date must be a date or a date serial number (got '4/10')"],
                      ["#NUM! sale_date must be a date serial ≥ 61 (1900-03-01) (got 12)"]]


def test_due_date_terms_per_customer_and_holiday_rule():
    result = udfs.DUE_DATE(column(45757.0, 45757.0, 45757.0), column("末", 20.0, "末"),
                           column(1.0, "翌月", 0.0), column("末", 10.0, "末"),
                           column("前営業日", None, None))
    # 10 Apr 2025: (末,1,末, previous) -> Fri 30 May; (20,1,10) -> closes 20 Apr, Sat 10 May
    # -> Mon 12 May; (末,0,末) pays on the closing date: a terms error
    assert result == [[dt.datetime(2025, 5, 30)], [dt.datetime(2025, 5, 12)],
                      ["#NUM! payment_day must give a payment date after the closing date "
                       "(got 31)"]]


def test_credit_index_per_row_with_one_set_of_weights():
    values = [[1.2, 0.8, 1.0], [None, None, None], [0.6, 0.6, 1.4], [1.0, "良", 1.0]]
    assert udfs.CREDIT_INDEX(values, [[50.0, 30.0, 20.0]]) == [
        [pytest.approx(1.04)], [None], [pytest.approx(0.76)],
        ["#VALUE! values must be a number (got '良')"]]
    # one customer's values typed down a column, weights beside them
    assert udfs.CREDIT_INDEX(column(1.2, 0.8, 1.0), column(50.0, 30.0, 20.0)) == \
        pytest.approx(1.04)
    assert udfs.CREDIT_INDEX(values, [[0.0, 0.0, 0.0]]) == \
        "#DIV/0! weights must have a positive sum (got 0)"


def test_ratio_index_rows():
    result = udfs.RATIO_INDEX([[0.30, 1.8, 0.40], [0.25, 1.5, 0.0]], [[0.25, 1.5, 0.30]],
                              [[40.0, 30.0, 30.0]], [[True, True, False]], None)
    # row 1: 1.2, 1.2, 0.75 -> 1.065; row 2: 1, 1, and no debt scores the cap 2 -> 1.3
    assert result == [[pytest.approx(1.065)], [pytest.approx(1.3)]]


def test_aging_bucket_texts():
    assert udfs.AGING_BUCKET(column(-1.0, 15.0, None, 200.0), None) == \
        [["未到来"], ["1-30"], [None], ["121-"]]
    assert udfs.AGING_BUCKET(45.0, [[60.0, 30.0]]) == "#NUM! edges must increase (got 30)"


def test_headroom_reduces_limits_then_applies_to_working_capital():
    assert udfs.CREDIT_HEADROOM(column(6e6, 2.4e6, None, 9e6), 2e7) == pytest.approx(2.6e6)
