"""Payment terms (締め日・支払日) and the Japanese bank calendar."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any

import holidays
import numpy as np

from ..errors import InputError, TermsError
from ._checks import elementwise, number, out, require

MONTH_END = 31
DAY_WORDS = {"末": MONTH_END, "月末": MONTH_END, "末日": MONTH_END, "末締": MONTH_END,
             "末払": MONTH_END, "end": MONTH_END}
MONTH_WORDS = {"当月": 0, "翌月": 1, "翌々月": 2, "翌翌月": 2, "翌々々月": 3, "翌翌翌月": 3}
RULE_WORDS = {"next": False, "following": False, "翌営業日": False, "翌": False, "後": False,
              "previous": True, "preceding": True, "前営業日": True, "前": True}
#: Japanese banks close on weekends, national holidays and 12/31 - 1/3.
BANK_YEAR_END = ((12, 31), (1, 1), (1, 2), (1, 3))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _words(name: str, value: Any, words: dict[str, Any], expected: str) -> np.ndarray:
    """Replace the known words in ``value`` by their meaning, elementwise."""
    numeric = np.asarray(value)
    if numeric.dtype.kind in "iuf":  # numbers only: nothing to look up
        return numeric
    values = np.asarray(value, dtype=object)
    is_text = elementwise(lambda v: isinstance(v, str), values)
    if not is_text.any():
        return values
    table = {_normal(k): v for k, v in words.items()}
    texts, inverse = np.unique(values[is_text].astype(str), return_inverse=True)
    meanings = np.empty(texts.size, dtype=object)
    for i, text in enumerate(texts):  # one pass per distinct word, not per row
        word = _normal(text)
        meanings[i] = table.get(word, int(word) if word.isdecimal() else None)
    mapped = values.copy()
    mapped[is_text] = meanings[inverse]
    unknown = np.zeros(values.shape, bool)
    unknown[is_text] = meanings[inverse] == None  # noqa: E711 - elementwise
    require(name, values, ~unknown, f"must be {expected}", code="#VALUE!")
    return mapped


def _whole(name: str, value: Any, low: int, high: int, expected: str) -> np.ndarray:
    array = number(name, value)
    require(name, array, (array == np.round(array)) & (array >= low) & (array <= high),
            f"must be {expected}")
    return array.astype(int)


def closing_day_number(value: Any, name: str = "closing_day") -> np.ndarray:
    """Day of month 1-31 from a number, ``末`` or 0 (both mean month end, i.e. 31).

    >>> closing_day_number(["末", 20, "２５", 0]).tolist()
    [31, 20, 25, 31]
    """
    expected = "a day 1-31, 0 or 末 (month end)"
    days = _whole(name, _words(name, value, DAY_WORDS, expected), 0, 31, expected)
    return np.where(days == 0, MONTH_END, days)


def payment_months_number(value: Any, name: str = "payment_months") -> np.ndarray:
    """Months from closing to payment: 0/1/2/... or 当月/翌月/翌々月.

    >>> payment_months_number(["翌月", 2, "当月"]).tolist()
    [1, 2, 0]
    """
    expected = "0-12 months or 当月/翌月/翌々月"
    return _whole(name, _words(name, value, MONTH_WORDS, expected), 0, 12, expected)


def holiday_rule_previous(value: Any, name: str = "holiday_rule") -> np.ndarray:
    """True where payment moves to the previous business day (前営業日).

    Blank means the default, the next business day (翌営業日).

    >>> holiday_rule_previous(["前営業日", None, "next"]).tolist()
    [True, False, False]
    """
    flags = np.asarray(value)
    if flags.dtype.kind == "b":  # already decided, e.g. by the ledger reader
        return flags
    values = np.asarray(value, dtype=object)
    blank = elementwise(lambda v: v is None or v == "", values)
    values = np.where(blank, "next", values)
    expected = "next/previous (翌営業日/前営業日)"
    mapped = _words(name, values, RULE_WORDS, expected)
    require(name, values, elementwise(lambda v: isinstance(v, bool), mapped),
            f"must be {expected}", code="#VALUE!")
    return mapped.astype(bool)


def dates(name: str, value: Any) -> np.ndarray:
    """``value`` (dates, datetimes, ISO strings, datetime64) as ``datetime64[D]``."""
    try:
        array = np.asarray(value, dtype="datetime64[D]")
    except (TypeError, ValueError):
        values = np.asarray(value, dtype=object)

        def ok(v: Any) -> bool:
            try:
                return not np.isnat(np.datetime64(v, "D"))
            except (TypeError, ValueError):
                return False

        bad = ~elementwise(ok, values)
        raise InputError(name, "must be a date", values, bad, code="#VALUE!") from None
    require(name, array, ~np.isnat(array), "must be a date", code="#VALUE!")
    return array


@lru_cache(maxsize=32)
def bank_calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    """Business days of Japanese banks from ``first_year`` to ``last_year``.

    Closed on Saturdays, Sundays, national holidays (the ``holidays`` library's Japan
    calendar, substitute holidays included) and from 12/31 to 1/3.
    """
    years = range(first_year, last_year + 1)
    closed = set(holidays.country_holidays("JP", years=years))
    closed.update(date(y, m, d) for y in years for m, d in BANK_YEAR_END)
    return np.busdaycalendar(weekmask="1111100", holidays=sorted(closed))


def _calendar_for(days: np.ndarray) -> np.busdaycalendar:
    years = days.astype("datetime64[Y]").astype(int) + 1970
    if years.size == 0:
        return bank_calendar(2000, 2000)
    return bank_calendar(int(years.min()) - 1, int(years.max()) + 1)


def business_day(day: Any, previous: Any = False) -> Any:
    """Move ``day`` to a bank business day: the next one, or the previous one where
    ``previous`` is true. Notes and でんさい always settle on the next one.

    >>> business_day(date(2025, 5, 3))  # Golden Week: Sat 3, Sun 4, Mon 5, Tue 6 (振替)
    datetime.date(2025, 5, 7)
    >>> business_day(date(2025, 5, 3), previous=True)
    datetime.date(2025, 5, 2)
    """
    days = dates("date", day)
    calendar = _calendar_for(days)
    moved = np.busday_offset(days, 0, roll="forward", busdaycal=calendar)
    previous = np.broadcast_to(np.asarray(previous, dtype=bool), moved.shape)
    if previous.any():
        moved = np.where(previous, np.busday_offset(days, 0, roll="backward",
                                                    busdaycal=calendar), moved)
    return out(moved)


def _day_in_month(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """``day`` of ``month`` (datetime64[M]), clamped to the month's last day."""
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(int)
    return first + (np.minimum(day, length) - 1)


def due_date(sale_date: Any, closing_day: Any, payment_months: Any, payment_day: Any,
             holiday_rule: Any = "next") -> Any:
    """支払期日: the date a sale is to be paid under 締め日・支払日 terms.

    Parameters
    ----------
    sale_date : date
    closing_day : day 1-31, 0 or 末
        締め日; 31, 0 and 末 all mean the month's last day.
    payment_months : 0, 1, 2, ... or 当月/翌月/翌々月
        支払月, counted from the closing month.
    payment_day : day 1-31, 0 or 末
        支払日, clamped to the month's last day.
    holiday_rule : next/previous (翌営業日/前営業日), default next
        Where a payment date that is no bank business day moves.

    Notes
    -----
    The sale closes on the closing day of its month if its day is on or before it, else
    on that of the next month; payment falls on ``payment_day`` of the month
    ``payment_months`` after the closing month, then moves off weekends, national
    holidays and 12/31-1/3. A payment date on or before the closing date is a terms
    error.

    Examples
    --------
    月末締め翌月末払い, sold 10 April 2025: 31 May is a Saturday, so 2 June.

    >>> due_date(date(2025, 4, 10), "末", "翌月", "末")
    datetime.date(2025, 6, 2)

    20日締め翌月10日払い, sold 21 April 2025: closes 20 May, paid 10 June.

    >>> due_date(date(2025, 4, 21), 20, 1, 10)
    datetime.date(2025, 6, 10)
    """
    sale = dates("sale_date", sale_date)
    close = closing_day_number(closing_day)
    months = payment_months_number(payment_months)
    pay_day = closing_day_number(payment_day, name="payment_day")
    previous = holiday_rule_previous(holiday_rule)
    sale, close, months, pay_day, previous = np.broadcast_arrays(
        sale, close, months, pay_day, previous)
    month = sale.astype("datetime64[M]")
    closing_month = np.where(sale <= _day_in_month(month, close), month, month + 1)
    closing = _day_in_month(closing_month, close)
    payment = _day_in_month(closing_month + months, pay_day)
    if not (payment > closing).all():
        raise TermsError("payment_day", "must give a payment date after the closing date",
                         pay_day, payment <= closing)
    return business_day(payment, previous)
