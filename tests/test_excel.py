"""The 今月を更新 button: the macro workbook's wiring, proven on Linux, and the xlwings
applier checked against a recording stand-in of xlwings' Range API."""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime
import shutil
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser
from openpyxl import load_workbook

from kaishu import excel
from kaishu.templates.macro import xlwings_vba_project
from kaishu.workbook import refresh_workbook

from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS
from xlwings_standin import Book

ROOT = Path(__file__).resolve().parents[1]
MACRO = ROOT / "xlsx_templates" / "collection_check.xlsm"


def set_setting(book, name: str, value) -> None:
    (title, ref), = book.defined_names[name].destinations
    book[title][ref.replace("$", "")] = value


def vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_the_vba_project_is_xlwings_own_and_intact():
    with zipfile.ZipFile(MACRO) as book:
        assert book.read("xl/vbaProject.bin") == xlwings_vba_project()
        types = book.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_the_button_runs_a_macro_that_exists_as_a_sub():
    with zipfile.ZipFile(MACRO) as book:
        vml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".vml"))
    assert re.search(r"<x:FmlaMacro>\[0\]!SampleCall</x:FmlaMacro>", vml)
    assert "今月を更新" in vml and 'ObjectType="Button"' in vml
    modules = vba_modules(MACRO)
    sample = next(code for code in modules.values() if "Sub SampleCall()" in code)
    # SampleCall imports the module named like the workbook and calls its main()
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in sample
    assert "Left(ThisWorkbook.Name" in sample
    assert any("Function RunPython(" in code or "Sub RunPython(" in code
               for code in modules.values())  # standalone: no add-in needed


def test_the_imported_module_calls_the_refresh(tmp_path, monkeypatch):
    module_path = MACRO.with_suffix(".py")
    assert module_path.stem == MACRO.stem  # what SampleCall will import
    workbook = tmp_path / MACRO.name
    shutil.copy(MACRO, workbook)
    ledger = write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)
    loaded = load_workbook(workbook, keep_vba=True)
    set_setting(loaded, "LedgerFolder", "ledger")  # relative to the workbook
    set_setting(loaded, "TargetMonth", datetime(2025, 6, 1))
    loaded.save(workbook)

    book = Book(workbook)
    import xlwings

    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    spec = importlib.util.spec_from_file_location(MACRO.stem, module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()

    assert book.app.status_bar.startswith("kaishu: 2025-06")
    sheet = book.sheets["月次回収チェック"]
    # the macro workbook comes refreshed from the sample ledger: the first real refresh
    # replaces the sample's rows (and its mark)
    assert ("delete name", "KaishuSampleRows") in book.log
    codes = [sheet.values.get((7 + i, 1)) for i in range(7)]
    # the table's totals row follows its data (Excel moves it: shown again after a resize
    # with it hidden); the rows the table no longer has are cleared
    assert codes == ["C1", "C2", "C3", "C4", "C5", "合計", None]
    table = sheet.tables["Collection"]
    assert table.show_totals and table.range.row + table.range.rows - 1 == 12
    assert sheet.formulas[(12, 5)] == "=SUBTOTAL(109,Collection[与信残高])"
    assert not any(sheet.values.get((r, 1)) for r in range(13, 70))
    writes = [entry for entry in book.log if entry[0] == "write"]
    assert writes and all(s.protected for s in book.sheets)  # protection restored
    assert ledger.exists()


@pytest.fixture
def pair(tmp_path):
    """The same workbook twice: a file for openpyxl, and its stand-in for xlwings."""
    path = tmp_path / "collection_check.xlsx"
    shutil.copy(ROOT / "xlsx_templates" / "collection_check.xlsx", path)
    ledger = write_ledger(tmp_path / "ledger",
                          CUSTOMERS + [("C6", '"=SUM(1,2)"', "+田中", "末", 1, "末", "")],
                          INVOICES, RECEIPTS, BALANCES)
    loaded = load_workbook(path)
    set_setting(loaded, "LedgerFolder", str(ledger))
    set_setting(loaded, "TargetMonth", datetime(2025, 6, 1))
    loaded.save(path)
    return path, ledger


def test_both_appliers_write_the_same_cells(pair):
    path, ledger = pair
    book = Book(path)
    excel.refresh_open_book(book)
    refresh_workbook(path, ledger, "2025-06")
    written = load_workbook(path)
    for sheet in book.sheets:
        target = written[sheet.name]
        for (row, column), value in sheet.values.items():
            expected = target.cell(row, column).value
            if isinstance(value, str) and value.startswith("'"):
                value = value[1:]  # the xlwings applier keeps text as text with a '
            if value is None and (row, column) in sheet.formulas:
                continue  # a formula Excel computes
            assert value == expected, (sheet.name, row, column, value, expected)
    resized = {entry[1]: entry[2:] for entry in book.log if entry[0] == "resize"}
    for name, (row, column, rows, columns) in resized.items():
        table = next(s for s in written.worksheets if name in s.tables).tables[name]
        # (xlwings resizes with the totals row hidden; the file's ref includes it)
        assert table.ref.endswith(str(row + rows - 1 + (table.totalsRowCount or 0))), name


def test_ledger_text_is_written_as_text_in_excel(pair):
    book = Book(pair[0])
    excel.refresh_open_book(book)
    values = set(book.sheets["月次回収チェック"].values.values())
    assert "'=SUM(1,2)" in values and "'+田中" in values
    assert "=SUM(1,2)" not in values


def test_a_bad_ledger_writes_nothing_and_says_why(pair, monkeypatch):
    path, ledger = pair
    (ledger / "invoices.csv").write_text("請求番号,得意先コード,売上日,金額\nI1,C1,2025/02/30,100\n")
    book = Book(path)
    before = {s.name: dict(s.values) for s in book.sheets}
    import xlwings

    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    excel.refresh_caller()
    assert [e[0] for e in book.log] == ["alert"]
    assert "invoices.csv row 2, column 売上日: '2025/02/30'" in book.log[0][2]
    assert {s.name: dict(s.values) for s in book.sheets} == before


def test_a_ledger_the_engine_cannot_compute_says_why(pair, monkeypatch):
    """Read, but not computable (an amount beyond the engine's range): the same alert."""
    path, ledger = pair
    with open(ledger / "receipts.csv", "a", encoding="utf-8") as receipts:
        receipts.write("2025/06/10,C1,100000000000000,振込,,\n")
    book = Book(path)
    before = {s.name: dict(s.values) for s in book.sheets}
    import xlwings

    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    excel.refresh_caller()
    assert [e[0] for e in book.log] == ["alert"]
    assert "receipts.csv row 10, column 金額: 100000000000000" in book.log[0][2]
    assert {s.name: dict(s.values) for s in book.sheets} == before


def test_a_file_refresh_keeps_the_macro_and_the_button(tmp_path):
    workbook = tmp_path / MACRO.name
    shutil.copy(MACRO, workbook)
    ledger = write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)
    refresh_workbook(workbook, ledger, "2025-06")
    with zipfile.ZipFile(workbook) as book:
        assert book.read("xl/vbaProject.bin") == xlwings_vba_project()
        vml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".vml"))
    assert "[0]!SampleCall" in vml and "今月を更新" in vml


def test_nothing_under_xlwings_pro_is_used():
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
               *(ROOT / "xlsx_templates").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]
    pattern = re.compile(r"xlwings\.(pro|server)\b|from xlwings import .*\b(server|pro)\b")
    used = [str(p) for p in sources if pattern.search(p.read_text(encoding="utf-8"))
            and p.name != "test_excel.py"]
    assert used == []


def test_both_appliers_insert_rows_where_a_table_grows_into_the_users_cells(tmp_path):
    path = tmp_path / "collection_check.xlsx"
    shutil.copy(ROOT / "xlsx_templates" / "collection_check.xlsx", path)
    refresh_workbook(path, write_ledger(tmp_path / "five", CUSTOMERS, INVOICES, RECEIPTS,
                                        BALANCES), "2025-06")  # C1..C5 on rows 7-11
    six = write_ledger(tmp_path / "six", CUSTOMERS + [("C6", "みらい", "高橋", "末", 1, "末", "")],
                       INVOICES, RECEIPTS, BALANCES)
    loaded = load_workbook(path)
    # C1..C5 on rows 7-11, the table's totals row on 12; the user's note right below it
    loaded["月次回収チェック"]["A13"] = "社長に報告"
    set_setting(loaded, "LedgerFolder", str(six))
    set_setting(loaded, "TargetMonth", datetime(2025, 6, 1))
    loaded.save(path)
    book = Book(path)
    excel.refresh_open_book(book)
    assert ("insert", "月次回収チェック", 13, 1) in book.log
    assert book.log.index(("insert", "月次回収チェック", 13, 1)) < next(
        i for i, e in enumerate(book.log) if e[0] == "resize" and e[1] == "Collection")
    sheet = book.sheets["月次回収チェック"]
    refresh_workbook(path, six, "2025-06")
    written = load_workbook(path)["月次回収チェック"]
    assert sheet.values[(12, 1)] == written["A12"].value == "C6"
    assert written["A13"].value == "合計"  # the totals row follows the data
    assert sheet.values[(14, 1)] == written["A14"].value == "社長に報告"


# -- 今月を更新 with 入出金明細の場所: match first, then refresh --------------------------------

def bank_pair(tmp_path, statement: str):
    from test_bank_match import CUSTOMERS as BANK_CUSTOMERS, INVOICES as BANK_INVOICES

    path = tmp_path / "collection_check.xlsx"
    shutil.copy(ROOT / "xlsx_templates" / "collection_check.xlsx", path)
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    (ledger / "customers.csv").write_text(BANK_CUSTOMERS, encoding="utf-8")
    (ledger / "invoices.csv").write_text(BANK_INVOICES, encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "statement.csv").write_text(statement, encoding="cp932")
    loaded = load_workbook(path)
    set_setting(loaded, "LedgerFolder", "ledger")
    set_setting(loaded, "BankFolder", "bank")
    set_setting(loaded, "TargetMonth", datetime(2025, 9, 1))
    loaded.save(path)
    return path, ledger


def test_the_button_matches_then_refreshes(tmp_path):
    from test_bank_match import STATEMENT

    path, ledger = bank_pair(tmp_path, STATEMENT)
    book = Book(path)
    excel.refresh_open_book(book)
    assert (ledger / "receipts_bank.csv").exists()
    matching = book.sheets["入金消込"].values
    assert "'自動消込" in matching.values() or "自動消込" in matching.values()
    # the month is computed with the matched receipts: C1 received 1,000,000 + 499,340 by
    # transfer and 660 as a fee in September (hand-worked in test_bank_match)
    monthly = book.sheets["月次回収チェック"]
    header = next(r for (r, c), v in monthly.values.items() if v in ("得意先コード", "'得意先コード"))
    columns = {v.lstrip("'"): c for (r, c), v in monthly.values.items()
               if r == header and isinstance(v, str)}
    row = next(r for (r, c), v in monthly.values.items()
               if c == columns["得意先コード"] and str(v).lstrip("'") == "C1")
    assert monthly.values[(row, columns["振込"])] == 1_499_340
    assert monthly.values[(row, columns["手数料"])] == 660


def test_a_bad_statement_writes_nothing(tmp_path, monkeypatch):
    path, ledger = bank_pair(tmp_path, "日付,入金額,振込依頼人名\n2025/09/31,\"1,000\",ｱｵﾊﾞ\n")
    book = Book(path)
    before = {s.name: dict(s.values) for s in book.sheets}
    import xlwings

    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    excel.refresh_caller()
    assert [e[0] for e in book.log] == ["alert"]
    assert "statement.csv row 2, 日付: '2025/09/31'" in book.log[0][2]
    assert {s.name: dict(s.values) for s in book.sheets} == before
    assert not (ledger / "receipts_bank.csv").exists()
