"""DUE_DATE on real calendar cases. Weekdays and holidays are those of the Japanese calendar
(内閣府「国民の祝日」), worked out by hand for each case."""

from datetime import date

import pytest

from kaishu.errors import InputError, TermsError
from kaishu.formulas import business_day, due_date


@pytest.mark.parametrize(("sale", "terms", "expected"), [
    # 月末締め翌月末払い: closes 30 Apr, 31 May is a Saturday -> Mon 2 June
    (date(2025, 4, 1), ("末", 1, "末"), date(2025, 6, 2)),
    (date(2025, 4, 1), ("末", 1, "末", "前営業日"), date(2025, 5, 30)),
    # ... sold in May: closes 31 May, paid Mon 30 June
    (date(2025, 5, 31), ("末", "翌月", "末"), date(2025, 6, 30)),
    # year end: closes 30 Nov, 31 Dec is a bank holiday (12/31-1/3), Sat 3 and Sun 4 Jan too
    (date(2025, 11, 15), (31, 1, 31), date(2026, 1, 5)),
    (date(2025, 11, 15), (31, 1, 31, "前営業日"), date(2025, 12, 30)),
    # leap year: closes 31 Jan 2024, paid Thu 29 Feb
    (date(2024, 1, 20), (0, 1, 0), date(2024, 2, 29)),
    # closing day 30 in a February of 28 days: 28 Feb is on or before it, closes 28 Feb
    (date(2023, 2, 28), (30, 1, 15), date(2023, 3, 15)),
    # day 31 is past closing day 30: closes 30 April, paid Mon 15 May
    (date(2023, 3, 31), (30, 1, 15), date(2023, 5, 15)),
    # Golden Week: 20日締め翌月5日払い, closes 20 Apr, Mon 5 May 2025 Children's Day,
    # Tue 6 May substitute holiday -> Wed 7 May; previous business day -> Fri 2 May
    (date(2025, 3, 25), (20, 1, 5), date(2025, 5, 7)),
    (date(2025, 3, 25), (20, 1, 5, "previous"), date(2025, 5, 2)),
    # 末締め翌月10日: Sat 10 Jan 2026, Sun 11, Mon 12 Coming of Age Day -> Tue 13 Jan
    (date(2025, 12, 5), ("末", 1, 10), date(2026, 1, 13)),
    (date(2025, 12, 5), ("末", 1, 10, "前営業日"), date(2026, 1, 9)),
    # 翌々月 across the year end: closes 31 Dec 2024, paid Mon 10 Feb 2025
    (date(2024, 12, 31), ("末", "翌々月", 10), date(2025, 2, 10)),
    # 15日締め当月末払い: closes 15 June, paid Mon 30 June
    (date(2025, 6, 10), (15, "当月", "末"), date(2025, 6, 30)),
    # 20日締め翌月10日払い, sold after closing: closes 20 May, paid Tue 10 June
    (date(2025, 4, 21), (20, 1, 10), date(2025, 6, 10)),
    # full-width digits as exported by Japanese systems
    (date(2025, 4, 21), ("２０", "１", "１０"), date(2025, 6, 10)),
    # payment day 31 in a 30-day month is clamped: closes 20 Aug, 30 Sep is a Tuesday
    (date(2025, 8, 1), (20, 1, 31), date(2025, 9, 30)),
])
def test_due_dates(sale, terms, expected):
    assert due_date(sale, *terms) == expected


def test_due_dates_vectorised():
    sales = [date(2025, 4, 1), date(2025, 5, 31), date(2025, 11, 15)]
    result = due_date(sales, "末", 1, "末")
    assert [str(d) for d in result] == ["2025-06-02", "2025-06-30", "2026-01-05"]


def test_notes_settle_on_the_next_business_day():
    # Sun 23 Nov 2025 勤労感謝の日, Mon 24 Nov substitute holiday -> Tue 25 Nov
    assert business_day(date(2025, 11, 23)) == date(2025, 11, 25)
    # 2 January is a bank holiday, 3 and 4 January 2026 a weekend
    assert business_day(date(2026, 1, 2)) == date(2026, 1, 5)
    assert business_day(date(2025, 7, 1)) == date(2025, 7, 1)


def test_paid_before_the_books_close_is_a_terms_error():
    with pytest.raises(TermsError, match=r"payment_day must give a payment date after the "
                       r"closing date \(got 31\)"):
        due_date(date(2025, 4, 10), "末", "当月", "末")


@pytest.mark.parametrize(("terms", "message"), [
    (("32", 1, 10), "closing_day must be a day 1-31, 0 or 末 (month end) (got 32)"),
    (("月中", 1, 10), "closing_day must be a day 1-31, 0 or 末 (month end) (got '月中')"),
    ((20, "来月", 10), "payment_months must be 0-12 months or 当月/翌月/翌々月 (got '来月')"),
    ((20, 1.5, 10), "payment_months must be 0-12 months or 当月/翌月/翌々月 (got 1.5)"),
    ((20, 1, 10, "土曜"), "holiday_rule must be next/previous (翌営業日/前営業日) (got '土曜')"),
])
def test_bad_terms(terms, message):
    with pytest.raises(InputError) as caught:
        due_date(date(2025, 4, 10), *terms)
    assert str(caught.value) == message


def test_bad_sale_date():
    with pytest.raises(InputError, match="sale_date must be a date"):
        due_date("someday", 20, 1, 10)
