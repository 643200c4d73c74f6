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
from .plan import (SAMPLE_MARK, TABLES, Formula, Plan, TableState, Text, _add, plan_refresh,
                   table_ends)
from .workbook import (SETTING_NAMES, WorkbookError, check_tables, journal_settings_from,
                       settings_from)

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
            rows = [[Formula(f) if isinstance(f, str) and f.startswith("=") else v
                     for v, f in zip(value_row, formula_row)]
                    for value_row, formula_row in zip(values[1:], formulas[1:])]
            totals = rows.pop() if getattr(table, "show_totals", False) else None
            tables[table.name] = TableState(sheet.name, table.name, whole.row, whole.column,
                                            list(values[0]), rows, totals)
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


def _make_room(sheet, resize, old_last: int, new_last: int) -> None:
    """Insert sheet rows below a table that must grow into the user's cells: Excel then
    moves everything below, and every reference to it, as when a user inserts rows."""
    if new_last <= old_last:
        return
    region = sheet.range((old_last + 1, resize.first_column),
                         (new_last, resize.first_column + resize.columns - 1))
    found = region.formula
    rows = [[found]] if isinstance(found, str) else found
    if any(v not in (None, "") for row in rows for v in row):
        sheet.range(f"{old_last + 1}:{new_last}").insert(shift="down")


def apply_plan(book, plan: Plan, tables: dict[str, TableState] | None = None) -> None:
    """Perform ``plan`` in the open ``book``; ``tables`` (the state the plan was made from)
    tells how far each table reached, so rows are inserted where it grows into cells."""
    sheets = {w.sheet for w in plan.writes} | {r.sheet for r in plan.resizes}
    for name in sorted(sheets):
        sheet = book.sheets[name]
        with _unprotected(sheet):
            for resize in (r for r in plan.resizes if r.sheet == name and tables
                           and r.table in tables):  # first, so nothing is written over
                _make_room(sheet, resize, *table_ends(tables[resize.table], resize))
            for carry in (c for c in plan.carries if c.sheet == name):  # before any write
                right = carry.first_column + carry.columns - 1
                for first, last, target in carry.runs():
                    if first != target:
                        sheet.range((first, carry.first_column), (last, right)).copy(
                            sheet.range((target, carry.first_column)))
            for resize in (r for r in plan.resizes if r.sheet == name):
                table = sheet.tables[resize.table]
                if resize.totals:  # Excel moves its totals row itself: off, resize, on
                    table.show_totals = False
                table.resize(sheet.range(
                    (resize.header_row, resize.first_column),
                    (resize.last_row, resize.first_column + resize.columns - 1)))
            for write in (w for w in plan.writes if w.sheet == name):
                values = [[None if write.totals_row else _cell(v) for v in row]
                          for row in write.values]  # Excel writes its totals row itself
                sheet.range((write.row, write.column)).resize(
                    len(values), len(values[0])).value = values
            for resize in (r for r in plan.resizes if r.sheet == name and r.totals):
                sheet.tables[resize.table].show_totals = True  # its sums come back below


def _folder(book, setting: Any) -> Path:
    folder = Path(str(setting))
    return folder if folder.is_absolute() else Path(book.fullname).parent / folder


def refresh_open_book(book) -> Month:
    """Refresh the open collection-check ``book`` from the ledger and month in its settings.

    When the settings name a bank statement folder (入出金明細の場所), its statements are
    matched first (入金消込) and the month is computed with the receipts they make; nothing
    is written — receipts_bank.csv, the 入金消込 sheet, the month — unless both succeed."""
    tables, cells = read_state(book)
    folder = _setting(book, cells, contract.LEDGER_FOLDER)
    month = _setting(book, cells, contract.TARGET_MONTH)
    if not folder or not month:
        raise WorkbookError("設定シートの「台帳の場所」と「対象月」を入力してください "
                            "(fill the ledger location and the month in the settings sheet)")
    ledger = _folder(book, folder)
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

    settings = settings_from(value, where)
    accounts, terms = journal_settings_from(value)
    statements = _setting(book, cells, contract.BANK_FOLDER)
    prepared = None
    if statements:
        from .bank.run import matched_ledger, prepare, statement_files

        prepared = prepare(ledger, statement_files(_folder(book, statements)),
                           tables.get(contract.BANK_MATCH), settings=settings)
        books = matched_ledger(prepared)
    else:
        books = read_ledger(ledger, accounts, terms)
    preflight.check_month(books, str(month), ledger.name,
                          remedy="correct 対象月 in the settings sheet")
    result = compute_month(books, str(month), settings)
    result.warnings = preflight.warnings(books, str(month))
    sample = next((n for n in book.names if n.name == SAMPLE_MARK), None)
    plan = plan_refresh(result, tables, cells, sample is not None)
    if prepared is not None:  # both steps succeeded: write the match, then the month
        from .bank.run import plan_matches, write_files

        if contract.BANK_MATCH in tables:
            _add(plan, plan_matches(prepared, tables[contract.BANK_MATCH]))
        write_files(prepared)
    apply_plan(book, plan, tables)
    if sample is not None:  # the sample ledger's rows are gone: rows stay from now on
        sample.delete()
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
