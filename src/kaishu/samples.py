"""The sample workbook that uses every worksheet function on the articles' examples, and
the sample files shipped in the package (the ledger the demo refreshes from)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .examples import EXAMPLES
from .xlsxfiles import save_atomically

FUNCTIONS_WORKBOOK = "kaishu_functions.xlsx"
HEADERS = ("関数", "意味", "式", "結果 (kaishu)", "期待値", "出典")
WIDTHS = (28, 22, 70, 16, 16, 14)
FORMATS = {"number": "#,##0.00", "date": "yyyy/mm/dd", "text": "@"}


def build_functions_workbook(path: Path) -> None:
    """Write the examples sheet: each row calls one worksheet function and shows the value
    the article or a hand calculation expects beside it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "関数の例"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for row, example in enumerate(EXAMPLES, start=2):
        fmt = FORMATS[example.fn.returns]
        sheet.cell(row, 1, example.function)
        sheet.cell(row, 2, example.fn.ja)
        sheet.cell(row, 3, f"=_xlfn.FORMULATEXT(D{row})")
        sheet.cell(row, 4, example.formula()).number_format = fmt
        sheet.cell(row, 5, example.expected).number_format = fmt
        sheet.cell(row, 6, example.source)
    for column, width in zip("ABCDEF", WIDTHS):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"
    note = len(EXAMPLES) + 3
    sheet.cell(note, 1, "D列は kaishu のアドインで関数をインポートすると計算されます"
                        " (README「ワークシート関数の使い方」)。")
    book.properties.creator = "kaishu"
    book.save(path)


def write_samples(directory: Path) -> list[Path]:
    """Generate the sample workbooks into ``directory``."""
    path = directory / FUNCTIONS_WORKBOOK
    save_atomically(path, build_functions_workbook)
    return [path]


#: The sample files shipped in the package, one folder copied whole by the demo: the ledger
#: (``ledger/``, written by ``samples/generate_ledger.py``) and any further sample beside it.
SAMPLE_DATA = "data/samples"
SAMPLE_LEDGER = "ledger"


def copy_sample_data(directory: Path) -> Path:
    """Copy the package's sample files into ``directory`` (replacing an earlier copy there)
    and return it; the sample ledger is ``directory / SAMPLE_LEDGER``."""
    _copy_tree(resources.files("kaishu").joinpath(*SAMPLE_DATA.split("/")), directory)
    return directory


def _copy_tree(source, target: Path) -> None:
    """Copy a package resource folder (files on disk or in a zip alike)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        elif entry.is_file() and entry.name != "__init__.py":
            (target / entry.name).write_bytes(entry.read_bytes())
