"""Refresh a collection-check workbook file (the ``kaishu refresh`` path).

It reads the file's tables, computes everything, and only then writes. The writes of the
plan are applied at the XML level (:mod:`kaishu.xlsxpatch`): every other part of the file
is copied byte for byte, and the file is replaced atomically, so a failure at any point
leaves it as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from . import contract
from . import xlsxpatch
from .errors import InputError, KaishuError
from .formulas.terms import closing_day_number, payment_months_number
from .ledger import read_ledger
from .contract import Settings
from .ledger.journal import Accounts, Terms
from .monthly import Month, compute_month
from .plan import TABLES, TableState, plan_refresh
from .serials import from_serial
from .xlsxfiles import save_atomically

#: Journal settings (DOMAIN.md section 10): defined name -> the Accounts field it sets.
ACCOUNT_SETTINGS = {"ReceivableAccount": "receivable", "BankAccounts": "banks",
                    "NoteAccounts": "notes", "DensaiAccounts": "densai", "FeeAccounts": "fees",
                    "DiscountAccounts": "discounts", "OffsetAccounts": "offsets"}
TERMS_SETTINGS = ("DefaultClosingDay", "DefaultPaymentMonths", "DefaultPaymentDay")
SETTING_NAMES = (*contract.REFRESH_SETTINGS, *ACCOUNT_SETTINGS, *TERMS_SETTINGS)


class WorkbookError(KaishuError):
    """The workbook is not a kaishu collection-check workbook, or cannot be used."""


def check_tables(tables: dict[str, TableState]) -> None:
    missing = set(contract.REQUIRED_TABLES) - set(tables)
    if missing:
        raise WorkbookError("not a kaishu collection-check workbook: no table "
                            + ", ".join(sorted(missing)) + " (use xlsx_templates/"
                            "collection_check.xlsx)")


def settings_from(value: Callable[[str, int], Any]) -> Settings:
    """The computation's settings, ``value(name, offset)`` reading the cell ``offset``
    columns right of the defined name (None when the name or the cell is missing)."""
    defaults = Settings()
    edges = tuple(int(e) for e in (value(contract.AGING_EDGES, i) for i in
                                   range(len(defaults.aging_edges))) if e not in (None, ""))
    tolerance, lookback = value(contract.FEE_TOLERANCE, 0), value(contract.NOTE_LOOKBACK, 0)
    return Settings(
        fee_tolerance=defaults.fee_tolerance if tolerance in (None, "") else float(tolerance),
        note_lookback=defaults.note_lookback if lookback in (None, "") else int(lookback),
        aging_edges=edges or defaults.aging_edges)


def journal_settings_from(value: Callable[[str, int], Any],
                          overrides: dict[str, Any] | None = None) -> tuple[Accounts, Terms]:
    """The account names and default terms a journal is read with: the settings sheet's,
    replaced by ``overrides`` (Accounts field or Terms field -> value) where given."""
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "", ())}
    names = {field: value(name, 0) for name, field in ACCOUNT_SETTINGS.items()}
    names.update({k: v for k, v in overrides.items() if k in ACCOUNT_SETTINGS.values()})
    accounts = Accounts.of(**{k: v for k, v in names.items() if v not in (None, "")})
    given = dict(zip(("closing_day", "payment_months", "payment_day"),
                     (value(name, 0) for name in TERMS_SETTINGS)))
    given.update({k: v for k, v in overrides.items() if k in given})
    return accounts, default_terms(**given)


def default_terms(closing_day: Any = None, payment_months: Any = None,
                  payment_day: Any = None) -> Terms:
    """Terms from settings words (末 / 翌月 / 10 ...); blanks keep 末締め翌月末払い."""
    defaults = Terms()
    parsed = {}
    for name, word, parse in (("closing_day", closing_day, closing_day_number),
                              ("payment_months", payment_months, payment_months_number),
                              ("payment_day", payment_day, closing_day_number)):
        if word in (None, ""):
            parsed[name] = getattr(defaults, name)
            continue
        try:
            parsed[name] = int(parse(float(word) if isinstance(word, (int, float)) else
                                     str(word).strip()))
        except (InputError, ValueError):
            raise WorkbookError(f"default terms: {name} {word!r} is not a day 1-31 / 末 "
                                "(締め日, 支払日) or 0/1/2 / 当月/翌月/翌々月 (支払月)") from None
    return Terms(**parsed)


def read_limits(path: str | os.PathLike[str]) -> dict[str, float]:
    """The adopted limits (採用限度額) of a credit-limit workbook, by customer code.

    They are formulas: their values exist once Excel (or LibreOffice) has saved the file."""
    book = load_workbook(path, data_only=True, read_only=False)
    for sheet in book.worksheets:
        if "CL_Summary" in sheet.tables:
            left, top, right, bottom = range_boundaries(sheet.tables["CL_Summary"].ref)
            headers = [sheet.cell(top, col).value for col in range(left, right + 1)]
            code = headers.index(next(h for h in headers if h in ("得意先コード", "Customer code")))
            adopted = headers.index(next(h for h in headers if h in ("採用限度額", "Adopted limit")))
            rows = [[sheet.cell(r, col).value for col in range(left, right + 1)]
                    for r in range(top + 1, bottom + 1)]
            limits = {str(r[code]): float(r[adopted]) for r in rows
                      if r[code] not in (None, "") and isinstance(r[adopted], (int, float))}
            if not limits and any(r[code] not in (None, "") for r in rows):
                raise WorkbookError(f"{Path(path).name}: the adopted limits have no values "
                                    "yet — open it in Excel (or LibreOffice) and save it")
            return limits
    raise WorkbookError(f"{Path(path).name}: not a kaishu credit-limit workbook "
                        "(no CL_Summary table)")


def refresh_workbook(path: str | os.PathLike[str], ledger: str | os.PathLike[str] | None = None,
                     month: str | None = None,
                     limits: str | os.PathLike[str] | None = None,
                     journal: dict[str, Any] | None = None) -> Month:
    """Refresh the collection-check workbook ``path`` for ``month`` from ``ledger``.

    Without ``ledger`` or ``month``, the workbook's own settings (台帳の場所, 対象月) are used.
    ``journal`` replaces the settings' account names and default terms (for a journal
    ledger). Returns the computed month."""
    path = Path(path)
    package = xlsxpatch.Package(path)
    tables = xlsxpatch.read_state(package, tuple(TABLES), narrow={contract.HISTORY: 1})
    check_tables(tables)
    cells = {name: package.names[name] for name in SETTING_NAMES if name in package.names}

    def value(name: str, offset: int = 0) -> Any:
        if name not in cells:
            return None
        sheet, row, column = cells[name]
        found = package.rows(package.sheets[sheet], row, row, column + offset, column + offset)
        return found.get(row, [None])[0]

    if ledger is None or month is None:
        folder, target = value(contract.LEDGER_FOLDER), value(contract.TARGET_MONTH)
        if isinstance(target, (int, float)):  # a date cell holds an Excel serial
            target = from_serial(target).strftime("%Y-%m")
        ledger = ledger or (path.parent / str(folder) if folder else None)
        month = month or target
        if not ledger or not month:
            raise WorkbookError("give the ledger and the month, or fill 台帳の場所 and 対象月 "
                                "in the settings sheet")
    try:
        month = str(pd.Period(str(month), freq="M"))
    except ValueError:
        raise WorkbookError(f"対象月 {month!r} is not a month (write it as a date or "
                            "YYYY-MM)") from None
    accounts, terms = journal_settings_from(value, journal)
    result = compute_month(read_ledger(ledger, accounts, terms), month, settings_from(value),
                           read_limits(limits) if limits else None)
    changed = xlsxpatch.apply_plan(package, plan_refresh(result, tables, cells), tables)
    save_atomically(path, lambda target: xlsxpatch.save(package, changed, target))
    return result
