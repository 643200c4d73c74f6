"""Excel's date serial numbers (the 1900 date system)."""

from __future__ import annotations

import datetime as dt

#: Day 0 of the serials from 61 (1900-03-01) on, past Excel's 1900 leap-year bug.
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_SERIAL = 61


def to_serial(value: dt.date) -> float:
    """The serial Excel stores for a date or datetime.

    >>> to_serial(dt.date(2025, 4, 10)), to_serial(dt.datetime(2025, 4, 10, 12))
    (45757.0, 45757.5)
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return (value - EXCEL_EPOCH).total_seconds() / 86400


def from_serial(number: float) -> dt.datetime:
    """The datetime of an Excel serial.

    >>> from_serial(45757)
    datetime.datetime(2025, 4, 10, 0, 0)
    """
    return EXCEL_EPOCH + dt.timedelta(days=number)
