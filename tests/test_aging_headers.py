"""The overdue buckets' headers follow the aging edges of the settings (DOMAIN.md section 6):
a refresh rewrites them, the table's columns and the formulas that refer to them, and finds
the columns again by position on the next refresh."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from kaishu.contract import BUCKET_KEYS
from kaishu.plan import Rename
from kaishu.templates import write_templates
from kaishu.workbook import refresh_workbook
from kaishu.xlsxpatch import _rename_chart_caches, _rename_references, _rename_table_column

from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS
from test_templates_engine import Sheetbook

RENAME = Rename("月次回収チェック", "Collection", "延滞1-30", "延滞1-15")


def test_rename_references_in_cells_calculated_columns_and_names():
    xml = (b'<c r="X7"><f>IF(A7="","",SUM(Collection[[#This Row],[\xe5\xbb\xb6\xe6\xbb\x9e1-30]'
           b':[x]]))</f></c><c r="Y7"><f t="shared" si="0"/></c>'
           b'<calculatedColumnFormula>Other[[#This Row],[\xe5\xbb\xb6\xe6\xbb\x9e1-30]]'
           b'</calculatedColumnFormula><definedName name="N">Collection[\xe5\xbb\xb6\xe6'
           b'\xbb\x9e1-30]</definedName>')
    assert _rename_references(xml, [RENAME]).decode() == (
        '<c r="X7"><f>IF(A7="","",SUM(Collection[[#This Row],[延滞1-15]:[x]]))</f></c>'
        '<c r="Y7"><f t="shared" si="0"/></c>'
        '<calculatedColumnFormula>Other[[#This Row],[延滞1-30]]</calculatedColumnFormula>'
        '<definedName name="N">Collection[延滞1-15]</definedName>')


def test_rename_table_column():
    xml = ('<tableColumns count="2"><tableColumn id="1" name="延滞1-30"/>'
           '<tableColumn id="2" name="延滞1-300"/></tableColumns>').encode()
    assert _rename_table_column(xml, RENAME).decode() == (
        '<tableColumns count="2"><tableColumn id="1" name="延滞1-15"/>'
        '<tableColumn id="2" name="延滞1-300"/></tableColumns>')


def test_rename_chart_caches():
    xml = "<c:strCache><c:pt idx=\"0\"><c:v>延滞1-30</c:v></c:pt></c:strCache>".encode()
    assert _rename_chart_caches(xml, RENAME).decode() == \
        "<c:strCache><c:pt idx=\"0\"><c:v>延滞1-15</c:v></c:pt></c:strCache>"


def bucket_headers(path, table="Collection"):
    book = load_workbook(path)
    sheet = next(s for s in book.worksheets if table in s.tables)
    spec = sheet.tables[table]
    names = [c.name for c in spec.tableColumns]
    top = int(spec.ref.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    cells = [sheet.cell(top, i + 1).value for i in range(len(names))]
    assert cells == names          # the header cells are the table's column names
    return [n for n in names if n.startswith(("延滞", "Overdue ")) and n[-1:] in "-0123456789"
            and any(ch.isdigit() for ch in n)]


def set_edges(path, edges):
    book = load_workbook(path)
    (title, ref), = book.defined_names["AgingEdges"].destinations
    first = book[title][ref.replace("$", "").split(":")[0]]
    for i, edge in enumerate(edges):
        book[title].cell(first.row, first.column + i).value = edge
    book.save(path)


@pytest.mark.parametrize("lang, prefix", [("ja", "延滞"), ("en", "Overdue ")])
def test_headers_follow_the_edges_and_libreoffice_agrees(tmp_path, recalculate, lang, prefix):
    (book,) = [p for p in write_templates(tmp_path / "t", lang)
               if p.suffix == ".xlsx" and p.name.startswith("collection_check")]
    ledger = write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)
    assert bucket_headers(book) == [prefix + x for x in ("1-30", "31-60", "61-90", "91-120",
                                                         "121-")]
    set_edges(book, (15, 30, 45, 60))
    refresh_workbook(book, ledger, "2025-07")
    assert bucket_headers(book) == [prefix + x for x in ("1-15", "16-30", "31-45", "46-60",
                                                         "61-")]
    (values,) = recalculate(book)
    rows = {r["code"]: r for r in Sheetbook(load_workbook(book), values).rows("Collection")}
    c3 = rows["C3"]
    assert c3[prefix + "61-"] == 80_000            # the bounced note: 92 days past due
    assert c3["overdue"] == 80_000                 # 延滞合計 sums the renamed columns
    for sheet in values.worksheets:                # no formula evaluates to an error
        for cells in sheet.iter_rows():
            assert not any(isinstance(c.value, str) and c.value.startswith("#")
                           for c in cells), sheet.title
    set_edges(book, (30, 60, 90, 120))             # found again by position, and renamed back
    refresh_workbook(book, ledger, "2025-07")
    assert bucket_headers(book) == [prefix + x for x in ("1-30", "31-60", "61-90", "91-120",
                                                         "121-")]
    (values,) = recalculate(book)
    rows = {r["code"]: r for r in Sheetbook(load_workbook(book), values).rows("Collection")}
    assert rows["C3"]["overdue_4"] == 80_000 and rows["C3"]["overdue"] == 80_000
    assert len(BUCKET_KEYS) == 5


@pytest.mark.parametrize("edges", [(30, 60, 90, None), (30, 20, 90, 120), (30, 60, 90, 12.5),
                                   ("30日", 60, 90, 120)])
def test_edges_that_cannot_be_used_are_named(tmp_path, edges):
    from kaishu.workbook import WorkbookError

    (book,) = [p for p in write_templates(tmp_path / "t") if p.name == "collection_check.xlsx"]
    ledger = write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)
    set_edges(book, edges)
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match=r"延滞区分の境界"):
        refresh_workbook(book, ledger, "2025-07")
    assert book.read_bytes() == before
