"""Write a :class:`WorkbookSpec` with openpyxl. Holds layout only, no business rule."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.axis import ChartLines
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableFormula, TableStyleInfo

from .spec import (
    Chart, Field, FieldRow, L, Ranking, Sheet, Table, Validation, WorkbookSpec, text,
)

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # 入力欄 yellow
COMPUTED_FILL = PatternFill("solid", fgColor="EDF3FA")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
COMPUTED_HEADER_FILL = PatternFill("solid", fgColor="2F6F4F")  # columns the sheet computes
THIN = Side(style="thin", color="B4C6E7")
BAR = "4472C4"      # bars
WARNING = "C00000"  # bars above a ranking's split (e.g. over the credit limit)
FONT = "Meiryo UI"
#: Narrowest column for a format, in character units: "999,999,999" and "100.0%" fit.
MIN_WIDTHS = {"#,##0": 13, "0.0%": 9, "0%": 7, "0.00": 7, '0.0"日"': 8.5, "yyyy/mm/dd": 13}
#: Print margins in inches: narrow left and right, so more columns fit at a readable size.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.5, "header": 0.3, "footer": 0.3}
PLACEHOLDER = re.compile(r"\{(@\w+(?:\.\.\w+)?|\$\w+|\w+:\w+)\}")


def display_width(value: Any) -> float:
    """Width in Excel character units, counting East Asian characters as two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def header_width(header: str) -> float:
    """Width a table header needs on its two lines (headers wrap): Japanese breaks anywhere,
    English between words."""
    words = str(header).split()
    if len(words) < 2 and display_width(header) == len(str(header)):
        return len(str(header)) + 1.5  # one English word: never broken
    if len(words) >= 2:
        splits = (max(len(" ".join(words[:i])), len(" ".join(words[i:])))
                  for i in range(1, len(words)))
        return min(splits) + 1.5
    return display_width(header) / 1.6 + 2


def escape_header(header: str) -> str:
    """A column header as it stands inside a structured reference."""
    return re.sub(r"(['\[\]#])", r"'\1", header)


@dataclass
class Placed:
    """Where a table landed: its sheet, header row, first column and column headers."""

    table: Table
    sheet: str
    header_row: int
    first_column: int
    headers: dict[str, str]

    @property
    def last_row(self) -> int:
        return self.header_row + max(self.table.size, len(self.table.rows), 1)

    def letter(self, key: str) -> str:
        index = [c.key for c in self.table.columns].index(key)
        return get_column_letter(self.first_column + index)


class Builder:
    def __init__(self, spec: WorkbookSpec, lang: str, book: Workbook | None = None) -> None:
        """Build ``spec`` into a new workbook, or after the sheets ``book`` already has."""
        self.spec, self.lang = spec, lang
        if book is None:
            book = Workbook()
            book.remove(book.active)
        self.book = book
        self.placed: dict[str, Placed] = {}
        self.rankings: dict[str, tuple[Ranking, str, int]] = {}  # sheet, header row

    # -- formulas -------------------------------------------------------------------------

    def formula(self, template: str, current: str | None = None, row: int | None = None) -> str:
        """Resolve the placeholders of ``template`` (see :mod:`.spec`)."""

        def resolve(match: re.Match[str]) -> str:
            token = match.group(1)
            if token.startswith("@"):
                placed = self.placed[current]
                keys = token[1:].split("..")
                cells = ":".join(f"[{escape_header(placed.headers[k])}]" for k in keys)
                return f"{placed.table.name}[[#This Row],{cells}]"
            if token.startswith("$"):
                return f"${self.placed[current].letter(token[1:])}{row}"
            table, key = token.split(":")
            return f"{table}[{escape_header(self.placed[table].headers[key])}]"

        return PLACEHOLDER.sub(resolve, template)

    # -- cells ----------------------------------------------------------------------------

    def style_cell(self, cell, fmt: Any, computed: bool, fill: bool = True) -> None:
        cell.number_format = text(fmt, self.lang)
        cell.font = Font(name=FONT)
        cell.protection = Protection(locked=computed)
        if fill:
            cell.fill = COMPUTED_FILL if computed else INPUT_FILL

    def validate(self, sheet, validation: Validation | None, ref: str) -> None:
        if validation is None:
            return
        message = text(validation.message, self.lang) if validation.message else None
        if validation.kind == "list":
            choices = ",".join(str(text(c, self.lang)) for c in validation.choices)
            rule = DataValidation(type="list", formula1=f'"{choices}"')
        else:
            rule = DataValidation(type=validation.kind, operator="between",
                                  formula1=str(validation.low), formula2=str(validation.high))
        rule.allow_blank = True
        rule.showErrorMessage = rule.showInputMessage = True
        rule.error = rule.prompt = message
        rule.errorTitle = rule.promptTitle = "kaishu"
        rule.add(ref)
        sheet.add_data_validation(rule)

    def name(self, name: str, sheet, ref: str) -> None:
        self.book.defined_names[name] = DefinedName(name, attr_text=f"'{sheet.title}'!{ref}")

    # -- blocks ---------------------------------------------------------------------------

    def field(self, sheet, row: int, field: Field) -> None:
        label = sheet.cell(row, 1, text(field.label, self.lang))
        label.font = Font(name=FONT, bold=True)
        label.alignment = Alignment(vertical="top")  # level with a value or note that wraps
        value = text(field.value, self.lang)
        cell = sheet.cell(row, 2, self.formula(value) if field.computed else value)
        self.style_cell(cell, field.format, field.computed)
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        # a typed text (a folder, a list of accounts) wraps within its box: the row grows
        cell.alignment = Alignment(vertical="top", wrap_text=field.format == "@")
        if field.span > 1:  # a text result gets the room it needs, within its box
            sheet.merge_cells(start_row=row, start_column=2, end_row=row,
                              end_column=1 + field.span)
        if field.note:  # wraps within its column: a long note never widens the printout
            note = sheet.cell(row, 3, text(field.note, self.lang))
            note.font = Font(name=FONT, color="595959")
            note.alignment = Alignment(vertical="top", wrap_text=True)
        self.validate(sheet, field.validation, f"B{row}")
        self.name(field.name, sheet, f"$B${row}")

    def field_row(self, sheet, row: int, spec: FieldRow) -> None:
        for offset, header in enumerate(spec.headers):
            head = sheet.cell(row, 2 + offset, text(header, self.lang))
            head.font = Font(name=FONT, bold=True)
            head.alignment = Alignment(horizontal="center", wrap_text=True)
        row += 1 if spec.headers else 0
        sheet.cell(row, 1, text(spec.label, self.lang)).font = Font(name=FONT, bold=True)
        for offset, value in enumerate(spec.values):
            self.style_cell(sheet.cell(row, 2 + offset, text(value, self.lang)), spec.format,
                            False)
        last = get_column_letter(1 + len(spec.values))
        self.validate(sheet, spec.validation, f"B{row}:{last}{row}")
        self.name(spec.name, sheet, f"$B${row}:${last}${row}")

    def table(self, sheet, placed: Placed) -> None:
        table, row = placed.table, placed.header_row
        columns, wraps = [], any(column.wrap for column in table.columns)
        for index, column in enumerate(table.columns, start=1):
            header = sheet.cell(row, index, placed.headers[column.key])
            header.font = Font(name=FONT, bold=True, color="FFFFFF")
            header.fill = COMPUTED_HEADER_FILL if column.computed else HEADER_FILL
            header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            formula = self.formula(text(column.formula, self.lang), table.name) \
                if column.computed else None
            total = dict(table.totals).get(column.key)
            columns.append(TableColumn(
                id=index, name=placed.headers[column.key],
                calculatedColumnFormula=TableFormula(attr_text=formula[1:]) if formula else None,
                totalsRowFunction="sum" if total == "sum" else None,
                totalsRowLabel=text(total, self.lang) if isinstance(total, L) else None))
            width = max(column.width, MIN_WIDTHS.get(text(column.format, "ja"), 0),
                        header_width(placed.headers[column.key]),
                        *(display_width(text(r.get(column.key, ""), self.lang)) + 2
                          for r in table.rows))
            letter = get_column_letter(index)
            # (openpyxl gives a column it has not seen the width 13: not a minimum here)
            earlier = sheet.column_dimensions[letter].width \
                if letter in sheet.column_dimensions else 0
            sheet.column_dimensions[letter].width = max(earlier or 0, width)
            first, last = row + 1, placed.last_row
            for r in range(first, last + 1):
                values = table.rows[r - first] if r - first < len(table.rows) else {}
                cell = sheet.cell(r, index, formula if formula else
                                  text(values.get(column.key), self.lang))
                self.style_cell(cell, column.format, column.computed, fill=False)
                if wraps:  # long texts (warnings, notes) wrap within their column; a row
                    # that grows reads across: every cell at its top
                    cell.alignment = Alignment(wrap_text=column.wrap, vertical="top")
            self.validate(sheet, column.validation, f"{letter}{first}:{letter}{last}")
        sheet.row_dimensions[row].height = 32
        if table.details_from:  # detail columns: grouped and collapsed, [+] shows them
            start = placed.letter(table.details_from)
            sheet.column_dimensions.group(start, get_column_letter(len(table.columns)),
                                          outline_level=1, hidden=True)
        right = get_column_letter(len(table.columns))
        ref = f"A{row}:{right}{placed.last_row + bool(table.totals)}"
        excel_table = ExcelTable(displayName=table.name, ref=ref, tableColumns=columns)
        if table.totals:  # the totals row: below the data, kept there as the table grows
            excel_table.totalsRowCount = 1
            excel_table.autoFilter = AutoFilter(ref=f"A{row}:{right}{placed.last_row}")
            self.totals_row(sheet, placed)
        excel_table.tableStyleInfo = TableStyleInfo(name=table.style, showRowStripes=True)
        sheet.add_table(excel_table)
        for highlight in table.highlights:
            letters = [placed.letter(k) for k in highlight.keys]
            ranges = " ".join(f"{c}{row + 1}:{c}{placed.last_row}" for c in letters)
            sheet.conditional_formatting.add(ranges, FormulaRule(
                formula=[self.formula(highlight.formula, table.name, row + 1)],
                fill=PatternFill("solid", fgColor=highlight.fill, bgColor=highlight.fill),
                font=Font(color=highlight.font, bold=True)))

    def totals_row(self, sheet, placed: Placed) -> None:
        """The cells of a table's totals row: labels, and SUBTOTAL(109, column) as Excel
        writes a totals row's sum (it leaves out rows a filter hides)."""
        row, totals = placed.last_row + 1, dict(placed.table.totals)
        for index, column in enumerate(placed.table.columns, start=1):
            total = totals.get(column.key)
            value = None
            if total == "sum":
                value = f"=SUBTOTAL(109,{placed.table.name}" \
                        f"[{escape_header(placed.headers[column.key])}])"
            elif isinstance(total, L):
                value = text(total, self.lang)
            cell = sheet.cell(row, index, value)
            cell.font = Font(name=FONT, bold=isinstance(total, L))  # sums: as wide as data
            cell.number_format = text(column.format, self.lang)
            cell.border = Border(top=Side(style="thin", color="1F4E78"),
                                 bottom=Side(style="double", color="1F4E78"))

    def ranking(self, sheet, row: int, spec: Ranking) -> None:
        """Write the helper range of ``spec`` from ``row`` (header) on: native formulas."""
        values = self.formula(f"{{{spec.table}:{spec.value}}}")
        labels = self.formula(f"{{{spec.table}:{spec.label}}}")
        for column, header in enumerate(spec.headers, start=1):
            cell = sheet.cell(row, column, text(header, self.lang))
            cell.font = Font(name=FONT, bold=True)
        first, last = row + 1, row + spec.size
        for r in range(first, last + 1):
            k = r - first + 1
            large = f"LARGE({values},{k})"
            value = f'IF({large}>0,{large},"")' if spec.positive_only else large
            here = f"C{r}"
            # the row of the n-th cell holding this value, n counting equal values ranked
            # above (ties keep the table's order)
            position = (f"SUMPRODUCT(SMALL(({values}={here})*(ROW({values})-MIN(ROW({values}))"
                        f"+1)+({values}<>{here})*1E9,SUMPRODUCT(--(C${first}:{here}={here}))))")
            cells = [k, f'=IF({here}="","",INDEX({labels},{position}))',
                     f'=IFERROR({value},"")']
            if spec.split:
                cells += [f'=IF({here}="","",IF({here}>{spec.split},"",{here}))',
                          f'=IF({here}="","",IF({here}>{spec.split},{here},""))']
            for column, content in enumerate(cells, start=1):
                cell = sheet.cell(r, column, content)
                cell.font = Font(name=FONT)
                if column > 2:
                    cell.number_format = text(spec.format, self.lang)
        if spec.rest:
            r = last + 1
            rest = f"SUMPRODUCT(ISNUMBER({values})*({values}>0),{values})-SUM(C{first}:C{last})"
            sheet.cell(r, 2, f'=IF(C{r}="","","{text(spec.rest, self.lang)}")').font = \
                Font(name=FONT)
            cell = sheet.cell(r, 3, f'=IF({rest}>0.5,{rest},"")')
            cell.font, cell.number_format = Font(name=FONT), text(spec.format, self.lang)
            if spec.split:
                sheet.cell(r, 4, f"=C{r}")
        sheet.column_dimensions["B"].width = 28
        for letter in "CDE":
            sheet.column_dimensions[letter].width = 14

    def ranking_chart(self, sheet, row: int, chart: Chart) -> None:
        spec, title, header = self.rankings[chart.ranking]
        source = self.book[title]
        first, last = header + 1, header + spec.rows
        bar = BarChart()
        bar.type, bar.style = "bar", 10
        bar.title = text(chart.title, self.lang)
        columns = ((4, BAR), (5, WARNING)) if spec.split else ((3, BAR),)
        for column, colour in columns:
            bar.add_data(Reference(source, min_col=column, min_row=header, max_row=last),
                         titles_from_data=True)
            bar.series[-1].graphicalProperties.solidFill = colour
            bar.series[-1].graphicalProperties.line.solidFill = colour
        bar.set_categories(Reference(source, min_col=2, min_row=first, max_row=last))
        if spec.split:
            bar.grouping, bar.overlap = "clustered", 100
        else:
            bar.legend = None
        bar.x_axis.scaling.orientation = "maxMin"  # the largest at the top
        bar.x_axis.tickLblSkip = bar.x_axis.tickMarkSkip = 1  # every bar named
        bar.y_axis.crosses = "max"  # values along the bottom
        bar.y_axis.numFmt = chart.y_format
        bar.y_axis.majorGridlines = None
        if chart.gridline:
            bar.y_axis.majorUnit = chart.gridline
            bar.y_axis.majorGridlines = ChartLines()
        bar.y_axis.scaling.min = 0
        bar.x_axis.delete = bar.y_axis.delete = False
        bar.height, bar.width = 12, 24
        bar.gapWidth = 40
        sheet.add_chart(bar, f"A{row}")

    def chart(self, sheet, row: int, chart: Chart) -> None:
        if chart.ranking:
            self.ranking_chart(sheet, row, chart)
            return
        placed = self.placed[chart.table]
        target = self.book[placed.sheet]
        bar = BarChart()
        bar.type = "bar" if chart.horizontal else "col"
        bar.title = text(chart.title, self.lang)
        bar.style = 10
        if chart.stacked:
            bar.grouping, bar.overlap = "stacked", 100
        for key in chart.series:
            column = placed.first_column + [c.key for c in placed.table.columns].index(key)
            bar.add_data(Reference(target, min_col=column, min_row=placed.header_row,
                                   max_row=placed.last_row), titles_from_data=True)
        category = placed.first_column + [c.key for c in placed.table.columns].index(
            chart.category)
        bar.set_categories(Reference(target, min_col=category, min_row=placed.header_row + 1,
                                     max_row=placed.last_row))
        bar.y_axis.numFmt = chart.y_format
        bar.y_axis.majorGridlines = None
        bar.x_axis.delete = bar.y_axis.delete = False
        bar.height, bar.width = 12, 24
        bar.gapWidth = 40
        bar.visible_cells_only = False  # detail columns may be collapsed
        sheet.add_chart(bar, f"A{row}")

    @staticmethod
    def height(block: Any) -> int:
        if isinstance(block, Table):
            return 1 + max(block.size, len(block.rows), 1) + bool(block.totals)
        if isinstance(block, L):
            return len(block.ja.split("\n"))
        if isinstance(block, FieldRow):
            return 2 if block.headers else 1
        if isinstance(block, Ranking):
            return 1 + block.rows
        return {Field: 1, Chart: 26}[type(block)]

    def layout(self, spec: Sheet) -> list[tuple[Any, int]]:
        """Each block of ``spec`` with its first row: a blank row between blocks, except
        between consecutive fields."""
        rows, row, previous = [], 3, None
        for block in spec.blocks:
            continues = (isinstance(block, Field) and isinstance(previous, (Field, FieldRow))) or (
                isinstance(block, FieldRow) and not block.headers
                and isinstance(previous, FieldRow))
            if previous is not None and not continues:
                row += 1
            rows.append((block, row))
            row += self.height(block)
            previous = block
        return rows

    def sheet(self, spec: Sheet) -> None:
        sheet = self.book[text(spec.name, self.lang)]
        sheet.sheet_view.showGridLines = False
        title = sheet.cell(1, 1, text(spec.title, self.lang))
        title.font = Font(name=FONT, bold=True, size=14, color="1F4E78")
        first_table, charts = None, 0
        for block, row in self.layout(spec):
            if isinstance(block, Field):
                self.field(sheet, row, block)
            elif isinstance(block, FieldRow):
                self.field_row(sheet, row, block)
            elif isinstance(block, Table):
                first_table = first_table or self.placed[block.name]
                self.table(sheet, self.placed[block.name])
            elif isinstance(block, Ranking):
                self.ranking(sheet, row, block)
            elif isinstance(block, Chart):
                if charts:  # one chart a printed page
                    sheet.row_breaks.append(Break(id=row - 1))
                charts += 1
                self.chart(sheet, row + 1, block)  # a row below the break: the frame
                # never starts on the page before (LibreOffice rounds row heights)
            else:
                for offset, line in enumerate(text(block, self.lang).split("\n")):
                    sheet.cell(row + offset, 1, line).font = Font(name=FONT, color="404040")
        labels = [display_width(text(b.label, self.lang)) * 1.1 + 2 for b, _ in self.layout(spec)
                  if isinstance(b, (Field, FieldRow))]  # bold labels in column A
        earlier = sheet.column_dimensions["A"].width if "A" in sheet.column_dimensions else 0
        sheet.column_dimensions["A"].width = max(earlier or 0, 8, *labels)
        for letter, width in spec.widths.items():
            sheet.column_dimensions[letter].width = width
        if first_table:
            sheet.freeze_panes = f"C{first_table.header_row + 1}"
            sheet.print_title_rows = f"{first_table.header_row}:{first_table.header_row}"
        self.page_setup(sheet, spec, first_table)
        if spec.hidden:
            sheet.sheet_state = "hidden"
        if spec.protect:
            sheet.protection.sheet = True
            sheet.protection.formatColumns = sheet.protection.formatRows = False
            sheet.protection.autoFilter = sheet.protection.sort = False

    @staticmethod
    def page_setup(sheet, spec: Sheet, first_table: Placed | None) -> None:
        """A4 landscape. A sheet with a ``scale`` prints at that scale (text stays readable)
        with its table's key columns on the first page and the details after, the code and
        name columns repeated; any other sheet is fitted to the page width."""
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        for side, inches in MARGINS.items():
            setattr(sheet.page_margins, side, inches)
        if spec.scale:
            sheet.page_setup.scale = spec.scale
            sheet.sheet_properties.pageSetUpPr.fitToPage = False
            if first_table is not None:
                sheet.print_title_cols = "A:B"
                if first_table.table.details_from:
                    last_key = first_table.first_column - 1 + [
                        c.key for c in first_table.table.columns].index(
                        first_table.table.details_from)
                    sheet.col_breaks.append(Break(id=last_key))
        else:
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, spec.pages_tall
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = not spec.scale

    def build(self) -> Workbook:
        # Sheets and tables are placed first so any formula can refer to any table.
        for spec in self.spec.sheets:
            sheet = self.book.create_sheet(text(spec.name, self.lang))
            for block, row in self.layout(spec):
                if isinstance(block, Table):
                    headers = {c.key: text(c.label, self.lang) for c in block.columns}
                    self.placed[block.name] = Placed(block, sheet.title, row, 1, headers)
                elif isinstance(block, Ranking):
                    self.rankings[block.name] = (block, sheet.title, row)
        for spec in self.spec.sheets:
            self.sheet(spec)
        self.book.properties.creator = "kaishu"
        self.book.properties.title = self.spec.file
        return self.book


def build(spec: WorkbookSpec, lang: str, path: Path) -> None:
    Builder(spec, lang).build().save(path)
