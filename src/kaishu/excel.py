"""Apply a refresh plan to the open workbook through xlwings (the 今月を更新 button).

Uses only xlwings' BSD Book/Sheet/Range/Table API. The ledger is read and the month is
computed completely before the first cell is written: a bad ledger changes nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from openpyxl.utils import get_column_letter

from . import contract, preflight
from .errors import KaishuError
from .ledger import read_ledger
from .monthly import Month, compute_month
from .plan import TABLES, Plan, TableState, Text, plan_refresh
from .workbook import SETTING_NAMES, WorkbookError, check_tables, settings_from

#: A value Excel would read as a formula or a number is kept as text with a leading '.
FORMULA_STARTS = ("=", "+", "-", "@")


def _cell(value: Any) -> Any:
    if isinstance(value, Text) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def read_state(book) -> tuple[dict[str, TableState], dict[str, tuple[str, int, int]]]:
    """The kaishu tables of the open ``book`` and the cells of its settings names."""
    tables = {}
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name not in TABLES:
                continue
            whole = table.range
            values = whole.options(ndim=2).value
            formulas = whole.formula
            rows = [[f if isinstance(f, str) and f.startswith("=") else v
                     for v, f in zip(value_row, formula_row)]
                    for value_row, formula_row in zip(values[1:], formulas[1:])]
            tables[table.name] = TableState(sheet.name, table.name, whole.row, whole.column,
                                            list(values[0]), rows)
    check_tables(tables)
    cells = {}
    names = {n.name: n for n in book.names}
    for name in SETTING_NAMES:
        if name in names:
            target = names[name].refers_to_range
            cells[name] = (target.sheet.name, target.row, target.column)
    return tables, cells


def _setting(book, cells, name: str, default: Any = None) -> Any:
    if name not in cells:
        return default
    sheet, row, column = cells[name]
    value = book.sheets[sheet].range((row, column)).value
    return default if value in (None, "") else value


@contextmanager
def _unprotected(sheet) -> Iterator[None]:
    """Formula cells are protected (no password); lift it while writing."""
    api = sheet.api
    unprotect = getattr(api, "Unprotect", None) or getattr(api, "unprotect", None)
    protect = getattr(api, "Protect", None) or getattr(api, "protect", None)
    if unprotect:
        unprotect()
    try:
        yield
    finally:
        if protect:
            protect()


def apply_plan(book, plan: Plan) -> None:
    sheets = {w.sheet for w in plan.writes} | {r.sheet for r in plan.resizes}
    for name in sorted(sheets):
        sheet = book.sheets[name]
        with _unprotected(sheet):
            for carry in (c for c in plan.carries if c.sheet == name):  # before any write
                right = carry.first_column + carry.columns - 1
                for first, last, target in carry.runs():
                    if first != target:
                        sheet.range((first, carry.first_column), (last, right)).copy(
                            sheet.range((target, carry.first_column)))
            for resize in (r for r in plan.resizes if r.sheet == name):
                sheet.tables[resize.table].resize(sheet.range(
                    (resize.header_row, resize.first_column),
                    (resize.last_row, resize.first_column + resize.columns - 1)))
            for write in (w for w in plan.writes if w.sheet == name):
                values = [[_cell(v) for v in row] for row in write.values]
                sheet.range((write.row, write.column)).resize(
                    len(values), len(values[0])).value = values


def refresh_open_book(book) -> Month:
    """Refresh the open collection-check ``book`` from the ledger and month in its settings."""
    tables, cells = read_state(book)
    folder = _setting(book, cells, contract.LEDGER_FOLDER)
    month = _setting(book, cells, contract.TARGET_MONTH)
    if not folder or not month:
        raise WorkbookError("設定シートの「台帳の場所」と「対象月」を入力してください "
                            "(fill the ledger location and the month in the settings sheet)")
    ledger = Path(str(folder))
    if not ledger.is_absolute():
        ledger = Path(book.fullname).parent / ledger
    if isinstance(month, (dt.date, dt.datetime)):
        month = f"{month:%Y-%m}"
    def value(name: str, offset: int) -> Any:
        if name not in cells:
            return None
        sheet, row, column = cells[name]
        return book.sheets[sheet].range((row, column + offset)).value

    def where(name: str, offset: int) -> str:  # the cell, for a message
        sheet, row, column = cells[name]
        return f"{sheet}!{get_column_letter(column + offset)}{row}"

    books = read_ledger(ledger)
    preflight.check_month(books, str(month), ledger.name,
                          remedy="correct 対象月 in the settings sheet")
    result = compute_month(books, str(month), settings_from(value, where))
    result.warnings = preflight.warnings(books, str(month))
    apply_plan(book, plan_refresh(result, tables, cells))
    return result


def refresh_caller() -> None:
    """Entry point of the button: refresh the workbook that called, or say what is wrong."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        result = refresh_open_book(book)
    except KaishuError as error:
        book.app.alert(str(error)[:1500], title="kaishu: 更新できませんでした")
        return
    book.app.status_bar = f"kaishu: {result.month} を更新しました ({len(result.customers)} 社)"
    if result.warnings:
        book.app.alert("\n".join(result.warnings), title="kaishu: 更新しました (警告あり)")
