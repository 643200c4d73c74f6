"""The macro-enabled collection check: the template plus a 今月を更新 button.

No hand-written VBA: the VBA project is xlwings' own standalone quickstart project, whose
``SampleCall`` macro runs ``import <workbook name>; <workbook name>.main()`` through
RunPython. XlsxWriter creates the form button (openpyxl cannot) on a first sheet; the
template's sheets are then added by the usual builder, and openpyxl keeps the VBA project
byte for byte.
"""

from __future__ import annotations

import importlib.util
import io
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from openpyxl import load_workbook

from .builder import Builder
from .collection import COLLECTION_CHECK
from .spec import L

MACRO = "SampleCall"
QUICKSTART = "quickstart_standalone.xlsm"
BUTTON = L("今月を更新", "Refresh this month")
SHEET = L("更新", "Refresh")
INSTRUCTIONS = (
    L("「今月を更新」を押すと、設定シートの「台帳の場所」にある会計データから「対象月」の月次回収チェックを作り直します。",
      "The button rebuilds the monthly check for 対象月 (Settings) from the ledger export in "
      "the ledger location (Settings)."),
    L("台帳が読めない・計算できないときは何も書き換えず、問題のある行と列を表示します。",
      "If the ledger cannot be read or computed, nothing is changed and the rows and "
      "columns at fault are listed."),
    L("必要なもの: Python と kaishu (pip install kaishu で xlwings も入ります)。",
      "Needs Python with kaishu installed (pip install kaishu brings xlwings)."),
    L("ボタンはブック名と同じ名前の Python ファイル (collection_check.py) を読み込みます。ブック名を変えたら、そのファイルを「新しいブック名.py」としてコピーしてください。",
      "The button imports the Python file named like this workbook (collection_check_en.py). "
      "If you rename the workbook, copy that file to '<new name>.py'."),
)


def xlwings_vba_project() -> bytes:
    """The VBA project of xlwings' standalone quickstart workbook (SampleCall + RunPython)."""
    spec = importlib.util.find_spec("xlwings")
    folder = Path(spec.origin).parent
    with zipfile.ZipFile(folder / QUICKSTART) as quickstart:
        return quickstart.read("xl/vbaProject.bin")


def _skeleton(path: Path, lang: str) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.set_vba_name("ThisWorkbook")
    sheet = book.add_worksheet(SHEET(lang))
    sheet.set_vba_name("Sheet1")
    book.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
    title = book.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E78",
                             "font_name": "Meiryo UI"})
    body = book.add_format({"font_name": "Meiryo UI", "text_wrap": True, "valign": "top"})
    sheet.write("B2", COLLECTION_CHECK.sheets[0].title(lang), title)
    sheet.insert_button("B4", {"macro": MACRO, "caption": BUTTON(lang), "width": 220,
                               "height": 48})
    sheet.set_column("B:B", 100)
    for row, text in enumerate(INSTRUCTIONS, start=8):
        sheet.write(row, 1, text(lang), body)
        sheet.set_row(row, 36)
    book.close()


def write_macro_workbook(path: Path, lang: str = "ja") -> None:
    """Write the macro-enabled collection check to ``path`` (.xlsm)."""
    with tempfile.TemporaryDirectory() as work:
        skeleton = Path(work) / "skeleton.xlsm"
        _skeleton(skeleton, lang)
        book = load_workbook(skeleton, keep_vba=True)
    Builder(COLLECTION_CHECK, lang, book=book).build().save(path)
