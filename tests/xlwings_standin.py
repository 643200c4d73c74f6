"""A small recording stand-in for the part of xlwings' Book/Sheet/Range/Table API that
kaishu.excel uses. It stands for xlwings' API (not for a spreadsheet engine): it holds
the cell values and formulas read from a real file, and records what is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries


class Grid(dict):
    """(row, column) -> value of one sheet."""


@dataclass
class Range:
    sheet: "Sheet"
    row: int
    column: int
    rows: int = 1
    columns: int = 1

    def options(self, ndim: int = 1) -> "Range":
        return self

    def resize(self, rows: int, columns: int) -> "Range":
        return Range(self.sheet, self.row, self.column, rows, columns)

    def _cells(self):
        return [[(self.row + i, self.column + j) for j in range(self.columns)]
                for i in range(self.rows)]

    @property
    def value(self) -> Any:
        values = [[self.sheet.values.get(c) for c in row] for row in self._cells()]
        return values[0][0] if (self.rows, self.columns) == (1, 1) else values

    @value.setter
    def value(self, values: Any) -> None:
        if self.sheet.protected:
            raise RuntimeError(f"sheet {self.sheet.name} is protected")
        if not isinstance(values, list):
            values = [[values]]
        assert (len(values), len(values[0])) == (self.rows, self.columns), "shape"
        self.sheet.book.log.append(("write", self.sheet.name, self.row, self.column,
                                    len(values), len(values[0])))
        for cells, row in zip(self._cells(), values):
            for cell, value in zip(cells, row):
                self.sheet.values[cell] = value

    def copy(self, destination: "Range") -> None:
        """Copy values and formulas (Excel copies formats too) onto ``destination``."""
        if self.sheet.protected:
            raise RuntimeError("protected")
        self.sheet.book.log.append(("copy", self.sheet.name, self.row, destination.row,
                                    self.rows))
        for grid in (self.sheet.values, self.sheet.formulas):
            snapshot = [[grid.get(c) for c in row] for row in self._cells()]
            for i, row in enumerate(snapshot):
                for j, value in enumerate(row):
                    cell = (destination.row + i, destination.column + j)
                    if value is None:
                        grid.pop(cell, None)
                    else:
                        grid[cell] = value

    def insert(self, shift: str | None = None) -> None:
        """Insert cells (here: whole rows) and move the cells below down; the engine would
        also move every reference, which a stand-in does not compute."""
        assert shift == "down" and self.column == 1, "whole rows only"
        self.sheet.book.log.append(("insert", self.sheet.name, self.row, self.rows))
        for grid in (self.sheet.values, self.sheet.formulas):
            moved = {(r + self.rows if r >= self.row else r, c): v for (r, c), v in grid.items()}
            grid.clear()
            grid.update(moved)
        for table in self.sheet.tables.values():
            if table.range.row >= self.row:
                table.range = Range(self.sheet, table.range.row + self.rows, table.range.column,
                                    table.range.rows, table.range.columns)

    @property
    def formula(self) -> list[list[Any]]:
        return [[self.sheet.formulas.get(c, self.sheet.values.get(c) or "") for c in row]
                for row in self._cells()]


@dataclass
class Table:
    sheet: "Sheet"
    name: str
    range: Range  # header, data and (when shown) the totals row, as ListObject.Range
    totals: list | None = None  # what the totals row holds while it is shown

    @property
    def show_totals(self) -> bool:
        return self.totals is not None

    @show_totals.setter
    def show_totals(self, show: bool) -> None:
        """As Excel: off clears the totals row and shrinks the range; on writes it again
        under the data (Excel remembers each column's total)."""
        if self.sheet.protected:
            raise RuntimeError("protected")
        self.sheet.book.log.append(("show_totals", self.name, show))
        r = self.range
        if not show and self.totals is not None:
            self.remembered = self.Range(self.sheet, r.row + r.rows - 1, r.column, 1,
                                         r.columns).formula[0]
            for j in range(r.columns):
                for grid in (self.sheet.values, self.sheet.formulas):
                    grid.pop((r.row + r.rows - 1, r.column + j), None)
            self.range, self.totals = Range(self.sheet, r.row, r.column, r.rows - 1,
                                            r.columns), None
        elif show and self.totals is None:
            below = r.row + r.rows
            for j, content in enumerate(self.remembered):
                if isinstance(content, str) and content.startswith("="):
                    self.sheet.formulas[(below, r.column + j)] = content
                    self.sheet.values[(below, r.column + j)] = None
                elif content not in ("", None):
                    self.sheet.values[(below, r.column + j)] = content
            self.totals = list(self.remembered)
            self.range = Range(self.sheet, r.row, r.column, r.rows + 1, r.columns)

    Range = Range

    def resize(self, target: Range) -> None:
        if self.sheet.protected:
            raise RuntimeError("protected")
        assert self.totals is None, "resize a table with its totals row hidden"
        self.sheet.book.log.append(("resize", self.name, target.row, target.column,
                                    target.rows, target.columns))
        self.range = target


class Api:
    def __init__(self, sheet: "Sheet") -> None:
        self.sheet = sheet

    def Unprotect(self) -> None:  # noqa: N802 - Excel's COM name
        self.sheet.protected = False
        self.sheet.book.log.append(("unprotect", self.sheet.name))

    def Protect(self) -> None:  # noqa: N802
        self.sheet.protected = True
        self.sheet.book.log.append(("protect", self.sheet.name))


class Tables(dict):
    def __iter__(self):
        return iter(self.values())


@dataclass
class Sheet:
    book: "Book"
    name: str
    protected: bool = True
    values: Grid = field(default_factory=Grid)
    formulas: Grid = field(default_factory=Grid)
    tables: Tables = field(default_factory=Tables)

    def __post_init__(self) -> None:
        self.api = Api(self)

    def range(self, first, last=None) -> Range:
        if isinstance(first, str):  # whole rows, "12:13"
            top, bottom = (int(n) for n in first.split(":"))
            return Range(self, top, 1, bottom - top + 1, 16_384)
        if last is None:
            return Range(self, *first)
        return Range(self, first[0], first[1], last[0] - first[0] + 1, last[1] - first[1] + 1)


@dataclass
class Name:
    name: str
    refers_to_range: Range | None
    book: "Book | None" = None

    def delete(self) -> None:
        self.book.log.append(("delete name", self.name))
        self.book.names.remove(self)


class Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)


class App:
    def __init__(self, book: "Book") -> None:
        self.book = book
        self.status_bar = None

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self.book.log.append(("alert", title, prompt))


class Book:
    """An open workbook as xlwings shows it, loaded from a real file (values and formulas)."""

    def __init__(self, path) -> None:
        self.fullname = str(path)
        self.log: list[tuple] = []
        self.app = App(self)
        self.sheets = Sheets()
        formulas = load_workbook(path)
        for source in formulas.worksheets:
            sheet = Sheet(self, source.title)
            for row in source.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    if cell.data_type == "f":
                        sheet.formulas[(cell.row, cell.column)] = cell.value
                        sheet.values[(cell.row, cell.column)] = None  # Excel would compute
                    else:
                        sheet.values[(cell.row, cell.column)] = cell.value
            for table in source.tables.values():
                left, top, right, bottom = range_boundaries(table.ref)
                sheet.tables[table.displayName] = Table(
                    sheet, table.displayName, Range(sheet, top, left, bottom - top + 1,
                                                    right - left + 1),
                    [] if table.totalsRowCount else None)
            self.sheets.append(sheet)
        self.names = [Name(name, self.sheets[title].range(
            tuple(reversed(range_boundaries(ref.replace("$", ""))[:2]))))
            for name, defined in formulas.defined_names.items()
            for title, ref in defined.destinations]
        self.names += [Name(name, None, self)  # names of constants
                       for name, defined in formulas.defined_names.items()
                       if not list(defined.destinations)]
