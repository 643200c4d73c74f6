"""Checks a refresh makes before it writes: does the month lie within the ledger, do the
given credit limits belong to its customers; and the warnings its summary gives (a ledger
without receipts, a month without a single receipt).

Each check raises one :class:`InputMismatch` whose message is one line naming the file and
what was found, so nothing is written from a mistaken command.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .errors import KaishuError
from .ledger import Ledger

#: How many codes a message names on each side.
SHOWN = 5


class InputMismatch(KaishuError):
    """The inputs of a refresh do not fit together (a month outside the ledger, limits of
    other customers)."""


def ledger_dates(ledger: Ledger) -> tuple[dt.date, dt.date] | None:
    """The first and last date of the ledger's invoices, balances and receipts (None when it
    holds none)."""
    dates = pd.concat([ledger.invoices.get("invoice_date", pd.Series(dtype="datetime64[ns]")),
                       ledger.balances.get("as_of", pd.Series(dtype="datetime64[ns]")),
                       ledger.receipts.get("receipt_date", pd.Series(dtype="datetime64[ns]"))])
    dates = pd.to_datetime(dates).dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


def check_month(ledger: Ledger, month: str | pd.Period, source: str = "the ledger",
                remedy: str = "use --force to write it anyway") -> None:
    """Raise :class:`InputMismatch` when no day of ``month`` lies within the ledger's dates.

    >>> from kaishu.ledger import Ledger
    >>> frame = pd.DataFrame({"invoice_date": pd.to_datetime(["2024-04-01", "2025-09-30"])})
    >>> empty = pd.DataFrame()
    >>> check_month(Ledger(empty, frame, empty, empty), "2025-09")
    >>> check_month(Ledger(empty, frame, empty, empty), "2019-01")
    Traceback (most recent call last):
    ...
    kaishu.preflight.InputMismatch: 対象月 2019-01 is outside the dates of the ledger (2024/04/01 – 2025/09/30): check the month, or use --force to write it anyway
    """
    period = pd.Period(month, freq="M")
    span = ledger_dates(ledger)
    if span is None:
        return
    first, last = span
    if period.end_time.date() < first or period.start_time.date() > last:
        raise InputMismatch(
            f"対象月 {period} is outside the dates of {source} ({first:%Y/%m/%d} – "
            f"{last:%Y/%m/%d}): check the month, or {remedy}")


def _some(codes) -> str:
    codes = sorted(map(str, codes))
    return ", ".join(codes[:SHOWN]) + (f", … ({len(codes)} in all)" if len(codes) > SHOWN else "")


def check_limits(limits: dict[str, float], ledger: Ledger, source: str) -> None:
    """Raise :class:`InputMismatch` when not one code of the credit-limit workbook
    ``source`` is a customer of the ledger (e.g. the workbook of another company, or codes
    written differently), naming a few codes on each side.

    >>> from kaishu.ledger import Ledger
    >>> customers = pd.DataFrame({"customer_id": ["C0001", "C0002"]})
    >>> check_limits({"C0002": 1e6, "X": 1.0}, Ledger(customers, *[pd.DataFrame()] * 3), "a.xlsx")
    >>> check_limits({"A-1": 1e6}, Ledger(customers, *[pd.DataFrame()] * 3), "a.xlsx")
    Traceback (most recent call last):
    ...
    kaishu.preflight.InputMismatch: a.xlsx: none of its 得意先コード (A-1) is a customer of the ledger (C0001, C0002)
    """
    known = set(ledger.customers["customer_id"].astype(str))
    if limits and not known & set(limits):
        raise InputMismatch(f"{source}: none of its 得意先コード ({_some(limits)}) is a customer "
                            f"of the ledger ({_some(known)})")


def warnings(ledger: Ledger, month: str | pd.Period) -> list[str]:
    """What the summary warns about although the month is written: no receipts at all, or
    none in the month while there were receipts before it."""
    period = pd.Period(month, freq="M")
    receipts = ledger.receipts
    source = ledger.sources.get("receipts", "receipts")
    if receipts.empty:
        return [f"警告: {source} has no receipts: every amount due counts as unpaid — is the "
                "receipts export missing?"]
    dates = pd.to_datetime(receipts["receipt_date"])
    in_month = (dates >= period.start_time) & (dates <= period.end_time)
    before = dates < period.start_time
    if not in_month.any() and before.any():
        payers = receipts.loc[before, "customer_id"].nunique()
        return [f"警告: not a single receipt is dated in {period} ({payers} customers paid "
                f"before it; the last receipt is dated {dates.max():%Y/%m/%d}) — is the "
                "receipts export complete?"]
    return []
