"""Apply a refresh plan to a workbook file with openpyxl (the ``kaishu refresh`` path).

It reads the file, computes everything, and only then writes; the file is replaced
atomically, so a failure at any point leaves it as it was.
"""

from __future__ import annotations

import os
import re
from copy import copy
from pathlib import Path
from typing import Any, Callable

from openpyxl import load_workbook
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import MultiCellRange

from .errors import KaishuError
from .ledger import read_ledger
from .monthly import Month, Settings, compute_month
from .plan import TABLES, Plan, Resize, TableState, Text, plan_refresh
from .xlsxfiles import save_atomically

SETTING_NAMES = ("TargetMonth", "BaseDate", "LedgerFolder", "FeeTolerance", "NoteLookback",
                 "AgingEdges")


class WorkbookError(KaishuError):
    """The workbook is not a kaishu collection-check workbook, or cannot be used."""


def read_state(book) -> tuple[dict[str, TableState], dict[str, tuple[str, int, int]]]:
    """The kaishu tables of ``book`` and the cells of its settings names."""
    tables = {}
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            if table.displayName not in TABLES:
                continue
            left, top, right, bottom = range_boundaries(table.ref)
            headers = [sheet.cell(top, c).value for c in range(left, right + 1)]
            rows = [[sheet.cell(r, c).value for c in range(left, right + 1)]
                    for r in range(top + 1, bottom + 1)]
            tables[table.displayName] = TableState(sheet.title, table.displayName, top, left,
                                                   headers, rows)
    missing = {"Collection", "BySalesperson", "Plan"} - set(tables)
    if missing:
        raise WorkbookError("not a kaishu collection-check workbook: no table "
                            + ", ".join(sorted(missing)) + " (use xlsx_templates/"
                            "collection_check.xlsx)")
    cells = {}
    for name in SETTING_NAMES:
        if name in book.defined_names:
            for title, ref in book.defined_names[name].destinations:
                left, top, _, _ = range_boundaries(ref.replace("$", ""))
                cells[name] = (title, top, left)
    return tables, cells


def settings_from(value: Callable[[str, int], Any]) -> Settings:
    """The computation's settings, ``value(name, offset)`` reading the cell ``offset``
    columns right of the defined name (None when the name or the cell is missing)."""
    defaults = Settings()
    edges = tuple(int(e) for e in (value("AgingEdges", i) for i in
                                   range(len(defaults.aging_edges))) if e not in (None, ""))
    tolerance, lookback = value("FeeTolerance", 0), value("NoteLookback", 0)
    return Settings(
        fee_tolerance=defaults.fee_tolerance if tolerance in (None, "") else float(tolerance),
        note_lookback=defaults.note_lookback if lookback in (None, "") else int(lookback),
        aging_edges=edges or defaults.aging_edges)


def read_settings(book, cells: dict[str, tuple[str, int, int]]) -> Settings:
    def value(name: str, offset: int) -> Any:
        if name not in cells:
            return None
        title, row, column = cells[name]
        return book[title].cell(row, column + offset).value

    return settings_from(value)


def _stretch(ref: str, resize: Resize, old_last: int) -> str:
    """A range over the table's data rows, stretched to its new last row."""
    left, top, right, bottom = range_boundaries(ref)
    inside = resize.first_column <= left and right < resize.first_column + resize.columns
    if inside and top == resize.header_row + 1 and bottom in (old_last, top):
        return f"{get_column_letter(left)}{top}:{get_column_letter(right)}{resize.last_row}"
    return ref


def _fit(sheet, resize: Resize, old_last: int) -> None:
    """Table extent, formats of new rows, conditional formats and validations."""
    table = sheet.tables[resize.table]
    last_column = get_column_letter(resize.first_column + resize.columns - 1)
    table.ref = f"{get_column_letter(resize.first_column)}{resize.header_row}:" \
                f"{last_column}{resize.last_row}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    model = resize.header_row + 1
    for row in range(model + 1, resize.last_row + 1):
        for column in range(resize.first_column, resize.first_column + resize.columns):
            source, target = sheet.cell(model, column), sheet.cell(row, column)
            if source.has_style:
                target._style = copy(source._style)
    rules = ConditionalFormattingList()
    for formatting in sheet.conditional_formatting:
        ranges = " ".join(_stretch(str(r), resize, old_last) for r in formatting.sqref.ranges)
        for rule in formatting.rules:
            rules.add(ranges, rule)
    sheet.conditional_formatting = rules
    for validation in sheet.data_validations.dataValidation:
        validation.sqref = MultiCellRange(" ".join(
            _stretch(str(r), resize, old_last) for r in validation.sqref.ranges))


def _charts(book, resize: Resize, old_last: int) -> None:
    """Chart series over the table's rows follow its new size."""
    quoted = re.escape(f"'{resize.sheet}'")
    pattern = re.compile(rf"((?:{quoted}|{re.escape(resize.sheet)})!\$[A-Z]+\$)"
                         rf"{resize.header_row + 1}(:\$[A-Z]+\$){old_last}\b")
    for sheet in book.worksheets:
        for chart in sheet._charts:
            for series in chart.series:
                for ref in (series.val and series.val.numRef, series.cat and (
                        series.cat.numRef or series.cat.strRef)):
                    if ref is not None and ref.f:
                        ref.f = pattern.sub(rf"\g<1>{resize.header_row + 1}\g<2>"
                                            rf"{resize.last_row}", ref.f)


def apply_plan(book, plan: Plan, tables: dict[str, TableState]) -> None:
    for write in plan.writes:
        sheet = book[write.sheet]
        for i, values in enumerate(write.values):
            for j, value in enumerate(values):
                cell = sheet.cell(write.row + i, write.column + j)
                cell.value = value
                if isinstance(value, Text) and value.startswith("="):
                    cell.data_type = "s"  # ledger text is never a formula
    for resize in plan.resizes:
        old_last = tables[resize.table].header_row + max(len(tables[resize.table].rows), 1)
        _fit(book[resize.sheet], resize, old_last)
        _charts(book, resize, old_last)


def read_limits(path: str | os.PathLike[str]) -> dict[str, float]:
    """The adopted limits (採用限度額) of a credit-limit workbook, by customer code.

    They are formulas: their values exist once Excel (or LibreOffice) has saved the file."""
    book = load_workbook(path, data_only=True, read_only=False)
    for sheet in book.worksheets:
        if "CL_Summary" in sheet.tables:
            left, top, right, bottom = range_boundaries(sheet.tables["CL_Summary"].ref)
            headers = [sheet.cell(top, c).value for c in range(left, right + 1)]
            code = headers.index(next(h for h in headers if h in ("得意先コード", "Customer code")))
            adopted = headers.index(next(h for h in headers if h in ("採用限度額", "Adopted limit")))
            rows = [[sheet.cell(r, c).value for c in range(left, right + 1)]
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
                     limits: str | os.PathLike[str] | None = None) -> Month:
    """Refresh the collection-check workbook ``path`` for ``month`` from ``ledger``.

    Without ``ledger`` or ``month``, the workbook's own settings (台帳の場所, 対象月) are used.
    Returns the computed month."""
    path = Path(path)
    book = load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    tables, cells = read_state(book)
    if ledger is None or month is None:
        title, row, column = cells.get("LedgerFolder", (None, 0, 0))
        folder = book[title].cell(row, column).value if title else None
        title, row, column = cells.get("TargetMonth", (None, 0, 0))
        target = book[title].cell(row, column).value if title else None
        ledger = ledger or (path.parent / str(folder) if folder else None)
        month = month or (f"{target:%Y-%m}" if hasattr(target, "year") else target)
        if not ledger or not month:
            raise WorkbookError("give the ledger and the month, or fill 台帳の場所 and 対象月 "
                                "in the settings sheet")
    result = compute_month(read_ledger(ledger), month, read_settings(book, cells),
                           read_limits(limits) if limits else None)
    apply_plan(book, plan_refresh(result, tables, cells), tables)
    save_atomically(path, book.save)
    return result
