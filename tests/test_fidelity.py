"""The refresh keeps everything a user made, on workbooks shaped the way Excel and
LibreOffice save them (tests/fixtures/excel_like.py builds them from the committed
templates): each case is refreshed twice — the same month, then the next — and then the
user's content is where it was, the file opens in openpyxl and LibreOffice, LibreOffice
recalculates it without an error cell, and the figures are the core's."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from kaishu.cli import main
from kaishu.ledger import LedgerError, read_ledger
from kaishu.monthly import compute_month
from kaishu.plan import TableState, plan_table
from kaishu.workbook import refresh_workbook
from kaishu.xlsxpatch import GrowthRefused, _cell

from fixtures.excel_like import (
    MEMO, TEMPLATE, Parts, excel_1904, excel_saved, libreoffice_saved,
)
from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS

# openpyxl (only the tests' reader here) does not read x14 extensions and says so
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
SHEET = "月次回収チェック"
# a new customer in the master: the table must grow by one row, into the user's total
NEW = CUSTOMERS + [("C6", "みらい", "高橋", "末", 1, "末", "")]
# exposure (与信残高) by hand, June and July alike (test_monthly's ledger): C1 100,000 open;
# C2 an advance of 250,000 beside a 500,000 note settling 22 Sep; C3 the balance paid by an
# 80,000 note maturing (and bounced) 31 Jul; C4 nothing; C5 40,000 open; C6 nothing
EXPOSURE = {"C1": 100_000, "C2": 250_000, "C3": 80_000, "C4": 0, "C5": 40_000, "C6": 0}


@pytest.fixture
def ledgers(tmp_path):
    return (write_ledger(tmp_path / "before", CUSTOMERS, INVOICES, RECEIPTS, BALANCES),
            write_ledger(tmp_path / "after", NEW, INVOICES, RECEIPTS, BALANCES))


@pytest.fixture
def excel_book(tmp_path, ledgers):
    """The committed template, refreshed for June, then worked on and saved in Excel."""
    base = tmp_path / "base.xlsx"
    shutil.copy(TEMPLATE, base)
    refresh_workbook(base, ledgers[0], "2025-06")
    book = tmp_path / "book.xlsx"
    layout = excel_saved(base, book)
    return book, layout


def xml(path, part):
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


def part_of(path, sheet):
    parts = Parts.load(path)
    return parts.sheet(sheet)


def no_error_cells(values) -> None:
    for sheet in values.worksheets:
        for cells in sheet.iter_rows():
            bad = [c.coordinate for c in cells if isinstance(c.value, str)
                   and re.fullmatch(r"#(NAME\?|VALUE!|REF!|DIV/0!|NUM!|N/A|NULL!)", c.value)]
            assert not bad, (sheet.title, bad)


def figures_are_the_core(path, values, ledger, month) -> None:
    """Every value column of Collection equals compute_month, customer by customer."""
    core = compute_month(read_ledger(ledger), month).customers.set_index("code")
    sheet = values[SHEET]
    layout = load_workbook(path)[SHEET]
    ref = layout.tables["Collection"].ref
    rows = list(sheet[ref])
    headers = [c.value for c in rows[0]]
    keys = {"前月残高": "opening", "当月売上": "billed", "当月回収予定額": "scheduled",
            "予定内回収額": "on_schedule", "振込": "transfer", "手形": "note",
            "手数料": "fee", "与信残高": "exposure", "前受金": "advance",
            "回収基準売上": "collection_sales"}
    seen = set()
    for row in rows[1:]:
        code = row[0].value
        if code not in core.index:
            continue
        seen.add(code)
        for label, key in keys.items():
            got = row[headers.index(label)].value
            want = core.at[code, key]
            assert (got or 0) == pytest.approx(want if want == want else 0), (code, label)
    assert seen == set(core.index)


def check_excel_book(path, layout, recalculate, ledger, month) -> None:
    """The user's content of :func:`excel_saved` after a refresh that added C6."""
    first = layout.first
    last = first + 5  # six customers now
    end = last + layout.totals  # the table's totals row stays under its data
    exposure, memo, name = (layout.columns[h] for h in ("与信残高", "対応メモ", "得意先名"))
    book = load_workbook(path)
    sheet = book[SHEET]
    assert sheet.tables["Collection"].ref.endswith(f"{end}")
    assert sheet.tables["Collection"].totalsRowCount == (layout.totals or None)
    assert [sheet[f"A{first + i}"].value for i in range(6)] == list(EXPOSURE)
    # rows stay with their customer: the note, the formula, the comment, the link
    assert sheet[f"{memo}{first + 2}"].value == MEMO  # no reading appended
    assert sheet[f"{memo}{first + 1}"].value == f"={exposure}{first + 1}*2"
    assert sheet[f"{name}{first + 2}"].comment.text == "与信見直し中"
    assert sheet[f"{name}{first + 1}"].hyperlink.target == "https://example.com/customers/2"
    assert sheet.row_dimensions[first + 2].height == 30
    def font(ref):
        return repr(sheet[ref].font)

    assert font(f"{exposure}{first + 2}") == font("A1")  # the format the user gave it
    assert font(f"{exposure}{first + 3}") != font("A1")
    beside = get_column_letter(  # the user's column next to the table
        max(column_index_from_string(c) for c in layout.columns.values()) + 1)
    assert [sheet[f"{beside}{r}"].value for r in range(first, first + 5)] == \
        [f"={exposure}{r}/1000" for r in range(first, first + 5)]  # shared, now each its own
    # what was below the table moved down one row, as an inserted row moves it
    assert sheet[f"A{end + 1}"].value == "合計"
    assert sheet[f"{exposure}{end + 1}"].value == f"=SUM({exposure}{first}:{exposure}{last})"
    assert sheet[f"A{end + 1}"].comment.text == "税込"
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A{end + 2}:C{end + 2}"]
    assert sheet[f"A{end + 2}"].value == "月末に残高を確認すること"
    assert sheet.row_dimensions[end + 3].hidden and \
        sheet.row_dimensions[end + 3].outlineLevel == 1
    assert sheet[f"A{end + 3}"].value == "非表示の控え"
    if layout.totals:  # the totals row moved down under the data, and what refers to it
        assert sheet[f"A{end}"].value == "合計" and sheet[f"A{end}"].font.b
        assert sheet[f"{exposure}{end}"].value == "=SUBTOTAL(109,Collection[与信残高])"
        assert sheet[f"{beside}{end + 1}"].value == f"={exposure}{end}"
    sheet_xml = xml(path, part_of(path, SHEET))
    assert f"<xm:sqref>{exposure}{first}:{exposure}{last}</xm:sqref>" in sheet_xml
    assert f"<xm:sqref>{memo}{first}:{memo}{last}</xm:sqref>" in sheet_xml
    assert 'x14ac:dyDescent="0.4"' in sheet_xml
    vml = xml(path, "xl/drawings/vmlDrawing1.vml")
    assert re.findall(r"<x:Row>(\d+)</x:Row>", vml) == [str(first + 1), str(end)]  # 0-based
    with zipfile.ZipFile(path) as archive:  # calcChain dropped with its references
        assert "xl/calcChain.xml" not in archive.namelist()
        assert b"calcChain" not in archive.read("[Content_Types].xml")
        assert b"calcChain" not in archive.read("xl/_rels/workbook.xml.rels")
    (values,) = recalculate(path)
    no_error_cells(values)
    figures_are_the_core(path, values, ledger, month)
    computed = values[SHEET]
    assert computed[f"{exposure}{end + 1}"].value == sum(EXPOSURE.values())  # 470,000
    if layout.totals:  # the table's own totals row sums the same column
        assert computed[f"{exposure}{end}"].value == sum(EXPOSURE.values())
        assert computed[f"{beside}{end + 1}"].value == sum(EXPOSURE.values())
    assert [computed[f"{beside}{first + i}"].value for i in range(5)] == \
        [EXPOSURE[c] / 1000 for c in ("C1", "C2", "C3", "C4", "C5")]
    assert computed[f"{memo}{first + 1}"].value == 2 * EXPOSURE["C2"]


def test_an_excel_saved_workbook_keeps_everything(excel_book, ledgers, recalculate):
    book, layout = excel_book
    refresh_workbook(book, ledgers[1], "2025-06")  # the same month, a new customer
    check_excel_book(book, layout, recalculate, ledgers[1], "2025-06")
    refresh_workbook(book, ledgers[1], "2025-07")  # the next month
    check_excel_book(book, layout, recalculate, ledgers[1], "2025-07")


def test_history_rows_that_move_keep_their_formulas(excel_book, ledgers, recalculate):
    book, layout = excel_book
    refresh_workbook(book, ledgers[0], "2025-05")  # an earlier month: June's rows move down
    sheet = load_workbook(book)["履歴"]
    extra, collected = layout.history_columns["_extra"], layout.history_columns["当月回収額"]
    june = [r for r in range(1, sheet.max_row + 1) if sheet[f"A{r}"].value == "2025-06"]
    assert len(june) == 5 and june[0] > layout.history_last  # they moved
    assert [sheet[f"{extra}{r}"].value for r in june] == [f"={collected}{r}/1000" for r in june]
    (values,) = recalculate(book)
    no_error_cells(values)
    computed = values["履歴"]
    for r in june:
        assert computed[f"{extra}{r}"].value == pytest.approx(computed[f"{collected}{r}"].value
                                                            / 1000)


def test_a_libreoffice_saved_template(tmp_path, ledgers, recalculate):
    book = libreoffice_saved(TEMPLATE, tmp_path / "saved")
    for month in ("2025-06", "2025-07"):
        refresh_workbook(book, ledgers[1], month)
        loaded = load_workbook(book)
        table = loaded[SHEET].tables["Collection"]
        codes = [r[0].value for r in loaded[SHEET][table.ref]]
        assert table.totalsRowCount == 1 and codes[-1] == "合計"  # the totals row kept
        assert codes[1:-1] == list(EXPOSURE)  # the sample's rows replaced, then kept
        (values,) = recalculate(book)
        no_error_cells(values)
        figures_are_the_core(book, values, ledgers[1], month)


def test_a_1904_workbook(tmp_path, ledgers, recalculate):
    base = tmp_path / "base.xlsx"
    shutil.copy(TEMPLATE, base)
    refresh_workbook(base, ledgers[0], "2025-06")
    book = tmp_path / "book1904.xlsx"
    excel_1904(base, book)
    assert str(refresh_workbook(book, ledgers[1]).month) == "2025-06"  # 対象月, 1904 serial
    for month in ("2025-06", "2025-07"):
        refresh_workbook(book, ledgers[1], month)
        loaded = load_workbook(book)
        assert loaded.epoch.year == 1904
        settings = loaded["設定"]
        assert settings["B3"].value == dt.datetime.fromisoformat(f"{month}-01")
        plan = compute_month(read_ledger(ledgers[1]), month).plan.set_index("code")
        sheet = next(s for s in loaded.worksheets if "Plan" in s.tables)
        rows = list(sheet[sheet.tables["Plan"].ref])
        at = [c.value for c in rows[0]].index("最初の期日")
        for row in rows[1:]:
            want = plan.at[row[0].value, "first_due"]
            assert (row[at].value is None) if want != want else \
                row[at].value == want.to_pydatetime(), row[0].value
        (values,) = recalculate(book)
        no_error_cells(values)
        figures_are_the_core(book, values, ledgers[1], month)
        assert values["設定"]["B3"].value == dt.datetime.fromisoformat(f"{month}-01")


PIVOT = {"xl/pivotCache/pivotCacheDefinition1.xml":
         '<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
         f'main"><cacheSource type="worksheet"><worksheetSource ref="A6:E11" sheet="{SHEET}"/>'
         '</cacheSource></pivotCacheDefinition>'}
SELF_LINK = {"xl/externalLinks/externalLink1.xml":
             '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships"/></externalLink>',
             "xl/externalLinks/_rels/externalLink1.xml.rels":
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/externalLinkPath" Target="file:///C:/%E5%96%B6'
             '%E6%A5%AD/book.xlsx" TargetMode="External"/></Relationships>'}


@pytest.mark.parametrize("extra, named", [(PIVOT, "pivotCacheDefinition1"),
                                          (SELF_LINK, "external link externalLink1")])
def test_growth_stops_when_something_else_reads_the_sheet(excel_book, ledgers, extra, named):
    book, layout = excel_book
    row = layout.below  # the user's total, in the row the growing table needs
    parts = Parts.load(book)
    for name, text in extra.items():
        parts.put(name, text)
    parts.save(book)
    before = book.read_bytes()
    with pytest.raises(GrowthRefused, match=rf"月次回収チェック!A{row}, E{row}: .*{named}"):
        refresh_workbook(book, ledgers[1], "2025-06")
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledgers[1]),
                                       "--month", "2025-06"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"move those cells below row {row}" in result.output
    assert book.read_bytes() == before


def test_shrinking_clears_cells_and_keeps_rows(tmp_path, ledgers):
    """The template's 60 sample rows give way to 5 customers: the rows stay, with the
    user's cells beside the table and their attributes."""
    book = tmp_path / "book.xlsx"
    parts = Parts.load(TEMPLATE)
    from fixtures.excel_like import excel_rows, put_cells
    name = parts.sheet(SHEET)
    parts.put(name, excel_rows(put_cells(parts.text(name), {"AK30": "私のメモ"}),
                               {30: {"ht": "40", "customHeight": "1"}}))
    parts.save(book)
    shipped = load_workbook(TEMPLATE)[SHEET].tables["Collection"]
    left, top, right, _ = range_boundaries(shipped.ref)
    refresh_workbook(book, ledgers[0], "2025-06")
    sheet = load_workbook(book)[SHEET]
    # the header, 5 customers and the totals row, over the template's columns
    assert sheet.tables["Collection"].ref == \
        f"{get_column_letter(left)}{top}:{get_column_letter(right)}" \
        f"{top + 5 + (shipped.totalsRowCount or 0)}"
    assert right < column_index_from_string("AK")  # the user's note is beside the table
    assert sheet["AK30"].value == "私のメモ" and sheet.row_dimensions[30].height == 40
    assert sheet["A30"].value is None and sheet["E30"].value is None


# -- rows stay where they are ---------------------------------------------------------------

def test_rows_stay_new_keys_fill_free_rows_and_gone_keys_are_marked():
    import pandas as pd

    from kaishu.plan import TABLES

    headers = [c.label.ja for c in TABLES["Plan"].columns]
    blank = [None] * len(headers)
    memo = headers.index("回収の段取り")
    rows = [["C3", "さくら", *blank[2:]], ["C1", "青葉", *blank[2:]], list(blank),
            ["C9", "閉店", *blank[2:]]]
    rows[3][memo] = "最終督促済み"
    state = TableState("翌月回収予定", "Plan", 3, 1, headers, rows)
    records = pd.DataFrame({"code": ["C1", "C2", "C3", "C4"],
                            "name": ["青葉", "みなと", "さくら", "東和"],
                            "salesperson": ["佐藤"] * 4, "due_next": [1.0, 2.0, 3.0, 4.0],
                            "overdue": [0.0] * 4, "first_due": [pd.NaT] * 4})
    write, resize = plan_table(state, records)
    got = [(r[0], r[3], r[memo]) for r in write.values]
    assert got == [("C3", 3.0, None), ("C1", 1.0, None), ("C2", 2.0, None),
                   ("C9", None, "最終督促済み"), ("C4", 4.0, None)]
    assert resize.rows == 5


def test_a_gone_customer_is_marked_in_warnings(excel_book, ledgers, tmp_path):
    book, layout = excel_book
    fewer = write_ledger(tmp_path / "fewer", CUSTOMERS[:4], INVOICES[:6], RECEIPTS[:6],
                         BALANCES)
    refresh_workbook(book, fewer, "2025-07")
    sheet = load_workbook(book)[SHEET]
    warnings = layout.columns["警告"]
    assert sheet[f"A{layout.first + 4}"].value == "C5"
    assert sheet[f"{warnings}{layout.first + 4}"].value == "マスタになし"
    assert sheet[f"{layout.columns['与信残高']}{layout.first + 4}"].value is None


# -- text as Excel means it -----------------------------------------------------------------

def test_a_ledger_value_no_cell_can_hold_is_reported(tmp_path, excel_book):
    book, _ = excel_book
    before = book.read_bytes()
    long = "長" * 32_768
    folder = write_ledger(tmp_path / "bad", [("C1", "青葉\x01商事", "佐\x1b藤", "末", 1, "末", ""),
                                             ("C2", long, "佐藤", "末", 1, "末", "")])
    with pytest.raises(LedgerError) as raised:
        read_ledger(folder)
    text = str(raised.value)
    assert "customers.csv row 2, column 得意先名: '青葉\\x01商事'" in text
    assert "customers.csv row 2, column 担当者: '佐\\x1b藤'" in text
    assert "customers.csv row 3, column 得意先名" in text and "32,768" in text
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(folder),
                                       "--month", "2025-06"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert book.read_bytes() == before


def test_text_is_written_as_xml_can_hold_it():
    assert _cell("A1", "a\x0bb_x0041_", None) == \
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve">a_x000B_b_x005F_x0041_</t></is></c>'


def test_salesperson_names_match_exactly_in_libreoffice(tmp_path, recalculate):
    people = ["高*", "高橋", "=佐藤", "<佐藤", "佐藤", "~佐藤", "?藤", ">0"]
    customers = [(f"C{i}", f"得意先{i}", f'"{p}"', "末", 1, "末", 1_000)
                 for i, p in enumerate(people, start=1)]
    invoices = [(f"I{i}", f"C{i}", "2025/06/05", 1_000 * 10 ** (i - 1), "")
                for i in range(1, len(people) + 1)]
    ledger = write_ledger(tmp_path / "ledger", customers, invoices)
    book = tmp_path / "book.xlsx"
    shutil.copy(TEMPLATE, book)
    refresh_workbook(book, ledger, "2025-06")
    layout = load_workbook(book)
    (values,) = recalculate(book)
    no_error_cells(values)
    sheet = next(s for s in layout.worksheets if "BySalesperson" in s.tables)
    rows = list(values[sheet.title][sheet.tables["BySalesperson"].ref])
    headers = [c.value for c in rows[0]]
    billed = {r[0].value: r[headers.index("当月売上")].value for r in rows[1:]}
    over = {r[0].value: r[headers.index("限度超過先数")].value for r in rows[1:]}
    # each name has one customer, who billed 1,000 x 10^(i-1) against a 1,000 limit
    assert billed == {p: 1_000 * 10 ** i for i, p in enumerate(people)}
    assert over == {p: (0 if i == 0 else 1) for i, p in enumerate(people)}


def test_only_a_key_gone_from_the_master_is_marked():
    import pandas as pd

    from kaishu.plan import TABLES

    spec = TABLES["Collection"]
    headers = [c.label.ja for c in spec.columns]
    at = {c.key: i for i, c in enumerate(spec.columns)}

    def row(code, memo=None):
        cells = [None] * len(headers)
        cells[at["code"]], cells[at["memo"]] = code, memo
        return cells

    state = TableState(SHEET, "Collection", 6, 1, headers,
                       [row("C1"), row("C1", "写し"), row(None, "空行のメモ"), row("C9")])
    records = pd.DataFrame({c.key: [1.0] for c in spec.columns if c.role == "value"})
    records["code"] = ["C1"]
    write, _ = plan_table(state, records)
    marks = [r[at["warnings"]] for r in write.values]
    assert [r[at["code"]] for r in write.values] == ["C1", "C1", None, "C9"]
    assert [r[at["memo"]] for r in write.values] == [None, "写し", "空行のメモ", None]
    assert marks[3] == "マスタになし"
    assert not any(m == "マスタになし" for m in marks[:3])


def test_replaced_illustrative_rows_pass_nothing_on():
    """The template's illustrative rows are other (made-up) customers: the first refresh
    replaces them, and a customer without a limit in the ledger gets none — not the
    illustrative row's 2,000,000 it happens to land on (警告 then says 限度未設定)."""
    import pandas as pd

    from kaishu.plan import TABLES
    from kaishu.templates.collection import EXAMPLE_MONTH

    spec = TABLES["Collection"]
    headers = [c.label.ja for c in spec.columns]
    rows = [[example.get(c.key) for c in spec.columns] for example in EXAMPLE_MONTH]
    assert rows[1][headers.index("信用限度額")] == 2_000_000  # the premise
    state = TableState(SHEET, "Collection", 6, 1, headers, rows)
    records = pd.DataFrame({c.key: [1.0, 2.0] for c in spec.columns if c.role == "value"})
    records["code"], records["credit_limit"] = ["C1", "(補助科目なし)"], [1_000_000.0, None]
    write = plan_table(state, records)[0]  # the data rows (then the rows cleared, the resize)
    limit = headers.index("信用限度額")
    assert [(r[0], r[limit]) for r in write.values] == \
        [("C1", 1_000_000.0), ("(補助科目なし)", None)]
