"""Excel's date serial numbers (the 1900 date system, and the 1904 one a workbook may use)."""

from __future__ import annotations

import datetime as dt

#: Day 0 of the serials from 61 (1900-03-01) on, past Excel's 1900 leap-year bug.
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_SERIAL = 61
#: Days between the two systems' day zeros: a 1904-system serial is this much smaller.
DAYS_1904 = 1462


def to_serial(value: dt.date, date1904: bool = False) -> float:
    """The serial Excel stores for a date or datetime (in a 1904-system workbook with
    ``date1904``).

    >>> to_serial(dt.date(2025, 4, 10)), to_serial(dt.datetime(2025, 4, 10, 12))
    (45757.0, 45757.5)
    >>> to_serial(dt.date(2025, 4, 10), date1904=True)
    44295.0
    """
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return (value - EXCEL_EPOCH).total_seconds() / 86400 - (DAYS_1904 if date1904 else 0)


def from_serial(number: float, date1904: bool = False) -> dt.datetime:
    """The datetime of an Excel serial.

    >>> from_serial(45757), from_serial(44295, date1904=True)
    (datetime.datetime(2025, 4, 10, 0, 0), datetime.datetime(2025, 4, 10, 0, 0))
    """
    return EXCEL_EPOCH + dt.timedelta(days=number + (DAYS_1904 if date1904 else 0))
