"""kaishu refresh on the collection-check workbook: what it writes (proven in LibreOffice),
what it keeps, and how it fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from kaishu import workbook as applier
from kaishu.cli import main
from kaishu.ledger import read_ledger
from kaishu.monthly import compute_month
from kaishu.templates import write_templates
from kaishu.workbook import refresh_workbook
from kaishu.xlsxfiles import differences

from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS
from test_templates_engine import Sheetbook, collection_expected, same

ROOT = Path(__file__).resolve().parents[1]

# a CSV field, quoted as exports quote it: =HYPERLINK("http://x","y")
NAMED = CUSTOMERS + [("C6", '"=HYPERLINK(""http://x"",""y"")"', "-佐藤", "末", 1, "末", "")]


@pytest.fixture
def ledger(tmp_path):
    return write_ledger(tmp_path / "ledger", NAMED, INVOICES, RECEIPTS, BALANCES)


@pytest.fixture
def book(tmp_path):
    (path,) = [p for p in write_templates(tmp_path / "templates")
               if p.name == "collection_check.xlsx"]
    return path


def table(path, name, data_only=False):
    loaded = load_workbook(path, data_only=data_only)
    sheet = next(s for s in loaded.worksheets if name in s.tables)
    rows = list(sheet[sheet.tables[name].ref])
    headers = [c.value for c in rows[0]]
    return [dict(zip(headers, (c for c in r))) for r in rows[1:]]


def test_refresh_writes_the_month_and_libreoffice_computes_it(book, ledger, recalculate):
    refresh_workbook(book, ledger, "2025-06")
    (values,) = recalculate(book)
    layout = load_workbook(book)
    sheets = Sheetbook(layout, values)
    expected = compute_month(read_ledger(ledger), "2025-06").customers.set_index("code")
    rows = sheets.rows("Collection")
    assert [r["code"] for r in rows] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    for row in rows:
        for key in ("opening", "billed", "scheduled", "on_schedule", "transfer", "note",
                    "fee", "exposure", "advance", "overdue_1", "collection_sales"):
            assert same(row[key], expected.at[row["code"], key]), (row["code"], key)
    # every formula computed by LibreOffice equals the oracle on the refreshed inputs
    tables, fields = collection_expected(sheets, "ja")
    for name in ("Collection", "BySalesperson", "Plan", "History"):
        for key, wanted in tables[name].items():
            got = [r[key] for r in sheets.rows(name)]
            assert all(same(g, w) for g, w in zip(got, wanted)), (name, key, got, wanted)
    by_code = {r["code"]: r for r in rows}
    assert by_code["C1"]["rate"] == pytest.approx(250_000 / 300_000)
    assert by_code["C5"]["warnings"] == "限度未設定 延滞 回収率低下"  # 160,000 / 200,000 < 90%
    assert [r["salesperson"] for r in sheets.rows("BySalesperson")] == \
        ["-佐藤", "佐藤", "鈴木", "高橋"]
    assert sheets.name("TargetMonth").date().isoformat() == "2025-06-01"
    assert sheets.name("BaseDate").date().isoformat() == "2025-06-30"
    for sheet in values.worksheets:  # no formula anywhere evaluates to an error
        for cells in sheet.iter_rows():
            assert not any(isinstance(c.value, str) and c.value.startswith("#")
                           for c in cells), sheet.title


def test_ledger_text_is_never_a_formula(book, ledger, recalculate):
    refresh_workbook(book, ledger, "2025-06")
    loaded = load_workbook(book)
    cell = next(c for row in loaded["月次回収チェック"].iter_rows() for c in row
                if c.value == '=HYPERLINK("http://x","y")')
    assert cell.data_type == "s"
    (values,) = recalculate(book)
    names = [r[1].value for r in values["月次回収チェック"].iter_rows(min_row=1)]
    assert '=HYPERLINK("http://x","y")' in names


def test_user_input_and_columns_stay_with_their_customer(book, ledger, tmp_path):
    refresh_workbook(book, ledger, "2025-06")
    loaded = load_workbook(book)
    sheet = loaded["月次回収チェック"]
    collection = sheet.tables["Collection"]
    rows = list(sheet[collection.ref])
    headers = [c.value for c in rows[0]]
    memo = headers.index("対応メモ")
    by_code = {r[0].value: r for r in rows[1:]}
    by_code["C3"][memo].value = "7/31 不渡り: 社長と面談予定"
    by_code["C6"][memo].value = "取引停止を検討"
    # a column the user added at the right end of the table
    last = rows[0][-1]
    extra = sheet.cell(last.row, last.column + 1, "重点先")
    for r in rows[1:]:
        sheet.cell(r[0].row, extra.column, "◎" if r[0].value == "C2" else None)
    collection.ref = collection.ref.replace(last.column_letter, extra.column_letter)
    collection.tableColumns = []  # let openpyxl name the columns from the headers
    loaded.create_sheet("自分のメモ")["A1"] = "来月は C2 を訪問"
    loaded["設定"]["E2"].fill = PatternFill("solid", fgColor="FF0000")
    loaded.save(book)

    # the next month, from a ledger where C6 is gone from the master
    write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)
    refresh_workbook(book, tmp_path / "ledger", "2025-07")
    after = {r["得意先コード"].value: r for r in table(book, "Collection")}
    assert after["C3"]["対応メモ"].value == "7/31 不渡り: 社長と面談予定"
    assert after["C2"]["重点先"].value == "◎"
    assert after["C1"]["重点先"].value is None
    assert after["C6"]["対応メモ"].value == "取引停止を検討"   # kept while it holds a note
    assert after["C6"]["与信残高"].value is None
    assert after["C1"]["前月残高"].value == 100_000            # July's figures
    reloaded = load_workbook(book)
    assert reloaded["自分のメモ"]["A1"].value == "来月は C2 を訪問"
    assert reloaded["設定"]["E2"].fill.fgColor.rgb == "00FF0000"


def test_refreshing_twice_gives_the_same_workbook(book, ledger, tmp_path):
    refresh_workbook(book, ledger, "2025-06")
    once = tmp_path / "once.xlsx"
    shutil.copy(book, once)
    refresh_workbook(book, ledger, "2025-06")
    assert differences(once, book) == []


def test_a_failed_save_leaves_the_workbook_intact(book, ledger, monkeypatch):
    before = book.read_bytes()
    files = sorted(p.name for p in book.parent.iterdir())

    def broken(path, write):
        def half(target):
            target.write_bytes(b"PK partial")
            raise OSError("disk full")
        return original(path, half)

    original = applier.save_atomically
    monkeypatch.setattr(applier, "save_atomically", broken)
    with pytest.raises(OSError, match="disk full"):
        refresh_workbook(book, ledger, "2025-06")
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == files  # no temporary left


def test_a_bad_ledger_writes_nothing(book, tmp_path):
    before = book.read_bytes()
    folder = write_ledger(tmp_path / "bad", CUSTOMERS, [("I1", "C1", "2025/13/01", "x", "")])
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(folder),
                                       "--month", "2025-06"])
    assert result.exit_code == 1
    assert "invoices.csv row 2, column 売上日: '2025/13/01'" in result.output
    assert "invoices.csv row 2, column 金額: 'x'" in result.output
    assert "Traceback" not in result.output
    assert book.read_bytes() == before


def test_history_is_bounded_and_replaces_a_refreshed_month(book, ledger):
    def months():
        return [r["対象月"].value for r in table(book, "History")]

    assert set(months()) == {"2025-09"}  # the template's illustrative month
    # (months before this ledger's dates are forced: the history's bounds are under test)
    for month in pd.period_range("2022-09", "2025-07", freq="M"):  # 35 more: 36 in all
        refresh_workbook(book, ledger, str(month), force=True)
    assert sorted(set(months())) == [str(m) for m in pd.period_range("2022-09", "2025-07",
                                                                     freq="M")] + ["2025-09"]
    refresh_workbook(book, ledger, "2025-08", force=True)  # a 37th month: back to 24
    assert sorted(set(months())) == [str(m) for m in pd.period_range("2023-09", "2025-09",
                                                                     freq="M")]
    refresh_workbook(book, ledger, "2025-06")  # a month again: its rows are replaced
    assert months().count("2025-06") == len(NAMED)
    assert len(set(months())) == 25


def test_month_and_ledger_from_the_settings_sheet(book, ledger):
    loaded = load_workbook(book)
    loaded["設定"]["B5"] = str(ledger)  # 台帳の場所
    loaded.save(book)
    result = refresh_workbook(book, force=True)  # 対象月 of the template: September 2025
    assert str(result.month) == "2025-09"


def test_cli_refresh_prints_a_summary(book, ledger):
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledger),
                                       "--month", "2025-06"])
    assert result.exit_code == 0, result.output
    assert "2025-06: 6 customers" in result.output
    assert "C5 ひかり: 40,000" in result.output


def test_cli_usage_errors_exit_2(book, ledger):
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", "/nonexistent"])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledger),
                                       "--month", "2025/13"])
    assert result.exit_code == 2 and "not a month written as YYYY-MM" in result.output


def test_not_a_collection_workbook(tmp_path, ledger):
    (credit,) = [p for p in write_templates(tmp_path / "t") if p.name == "credit_limits.xlsx"]
    result = CliRunner().invoke(main, ["refresh", str(credit), "--ledger", str(ledger),
                                       "--month", "2025-06"])
    assert result.exit_code == 1 and "not a kaishu collection-check workbook" in result.output


def test_limits_from_a_credit_limit_workbook_saved_by_an_engine(tmp_path, recalculate, ledger,
                                                                 book):
    from kaishu.workbook import WorkbookError, read_limits

    (credit,) = [p for p in write_templates(tmp_path / "c") if p.name == "credit_limits.xlsx"]
    with pytest.raises(WorkbookError, match="open it in Excel"):
        read_limits(credit)  # written by openpyxl: formulas without values yet
    recalculate(credit)
    saved = tmp_path / "recalculated" / "credit_limits.xlsx"
    limits = read_limits(saved)
    # C0001: smallest of 5,000,000 / 4,602,740 / 6,000,000 / 4,655,000, x 1.1 tax,
    # rounded down to 10,000 -> 5,060,000; C0005 is overridden with 1,500,000
    assert limits["C0001"] == 5_060_000 and limits["C0005"] == 1_500_000
    # its customers are the sample ledger's first five; limits of other customers (this
    # test's own ledger) are refused, never silently ignored
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledger),
                                       "--month", "2025-06", "--limits", str(saved)])
    assert result.exit_code == 1 and "C0001" in result.output
    sample = ROOT / "samples" / "ledger_utf8"
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(sample),
                                       "--month", "2025-09", "--limits", str(saved)])
    assert result.exit_code == 0, result.output
    month = refresh_workbook(book, sample, "2025-09", saved)
    adopted = month.customers.set_index("code")["credit_limit"]
    assert adopted["C0001"] == 5_060_000 and adopted["C0005"] == 1_500_000
