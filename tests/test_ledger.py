"""Reading ledger exports as accounting systems write them (DOMAIN.md section 8)."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from kaishu.ledger import LedgerError, read_ledger

from ledgers import write_ledger

CUSTOMERS = [("C1", "青葉商事", "佐藤", "末", "翌月", "末", '"1,000,000"'),
             ("C2", "=HYPERLINK(\"x\")", "鈴木", "２０", "1", "10", "")]


def read(tmp_path, invoices=(), receipts=(), customers=CUSTOMERS, encoding="utf-8"):
    return read_ledger(write_ledger(tmp_path / "l", customers, invoices, receipts,
                                    encoding=encoding))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_are_detected(tmp_path, encoding):
    ledger = read(tmp_path, [("I1", "C1", "2025/04/10", "1000", "")], encoding=encoding)
    assert ledger.customers["customer_name"].tolist() == ["青葉商事", '=HYPERLINK("x")']


@pytest.mark.parametrize(("text", "value"), [
    ('"1,234,567"', 1_234_567), ('"¥1,234,567"', 1_234_567), ('"￥1,234,567"', 1_234_567),
    ('"\\1,234,567"', 1_234_567), ('"1,234,567円"', 1_234_567), ("-1234", -1234),
    ('"△1,234"', -1234), ('"▲1,234"', -1234), ('"(1,234)"', -1234), ("１２３４", 1234),
    ("1234.5", 1234.5),
])
def test_amounts_as_exports_write_them(tmp_path, text, value):
    ledger = read(tmp_path, [("I1", "C1", "2025/04/10", text, "")])
    assert ledger.invoices["amount"].tolist() == [value]


@pytest.mark.parametrize(("text", "day"), [
    ("2025/04/01", "2025-04-01"), ("2025-04-01", "2025-04-01"), ("2025/4/1", "2025-04-01"),
    ("20250401", "2025-04-01"), ("45748", "2025-04-01"), ("R7.4.1", "2025-04-01"),
    ("令和7年4月1日", "2025-04-01"), ("令和元年5月1日", "2019-05-01"), ("H31.4.30", "2019-04-30"),
    ("２０２５／０４／０１", "2025-04-01"), ("2025-04-01 00:00:00", "2025-04-01"),
])
def test_dates_as_exports_write_them(tmp_path, text, day):
    ledger = read(tmp_path, [("I1", "C1", text, "1000", "")])
    assert ledger.invoices["invoice_date"].tolist() == [pd.Timestamp(day)]


def test_terms_words(tmp_path):
    customers = read(tmp_path).customers.set_index("customer_id")
    assert customers.loc["C1", ["closing_day", "payment_months", "payment_day"]].tolist() == \
        [31, 1, 31]
    assert customers.loc["C2", ["closing_day", "payment_months", "payment_day"]].tolist() == \
        [20, 1, 10]
    assert customers.loc["C1", "credit_limit"] == 1_000_000


def test_english_headers_and_blank_rows_and_zero_amounts(tmp_path):
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "customer_id,customer_name,salesperson,closing_day,payment_months,payment_day,extra\n"
        "C1,Aoba,Sato,0,1,31,ignored\n,,,,,,\n")
    (folder / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount\nI1,C1,2025-04-10,1000\nI2,C1,2025-04-11,0\n")
    (folder / "receipts.csv").write_text(
        "receipt_date,customer_id,amount,method,maturity_date,invoice_id\n\n"
        "2025-05-31,C1,1000,transfer,,I1\n")
    ledger = read_ledger(folder)
    assert ledger.invoices["invoice_id"].tolist() == ["I1"]       # a zero amount is dropped
    assert ledger.receipts["row"].tolist() == [3]                 # row numbers of the file
    assert ledger.receipts["method"].tolist() == ["transfer"]


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(LedgerError) as caught:
        read(tmp_path, [("I1", "C1", "2025/02/30", "1000", ""),
                        ("I2", "C9", "2025/04/01", "abc", ""),
                        ("I2", "C1", "2025/04/01", "", "")],
             [("2025/05/31", "C1", "500", "小切手", "", ""),
              ("2025/05/31", "C1", "500", "手形", "", ""),
              ("2025/05/31", "C2", "500", "振込", "", "I1")])
    lines = str(caught.value).splitlines()
    assert lines[0] == "8 problem(s) in the ledger:"
    assert set(lines[1:]) == {
        "  invoices.csv row 2, column 売上日: '2025/02/30' — expected a date such as "
        "2025/04/01, R7.4.1 or an Excel serial",
        "  invoices.csv row 3, column 金額: 'abc' — expected an amount such as 1,234,567 or "
        "△1,234",
        "  invoices.csv row 4, column 金額 — expected an amount such as 1,234,567 or △1,234 "
        "(required)",
        "  receipts.csv row 2, column 入金方法: '小切手' — expected 現金/振込/手形/でんさい/相殺/"
        "手数料/その他",
        "  invoices.csv row 4, column 請求番号: 'I2' — expected a 請求番号 not used by an "
        "earlier row",
        "  invoices.csv row 3, column 得意先コード: 'C9' — expected a customer of the customers "
        "file",
        "  receipts.csv row 4, column 請求番号: 'I1' — expected an invoice of the same customer",
        "  receipts.csv row 3, column 期日 — expected the maturity date of the note / でんさい",
    }


def test_missing_columns_and_files(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "得意先.csv").write_text("得意先コード,得意先名\nC1,青葉\n")
    with pytest.raises(LedgerError) as caught:
        read_ledger(folder)
    text = str(caught.value)
    assert "得意先.csv row 1, column 担当者 — expected a column 担当者 (salesperson)" in text
    assert "a file or sheet named invoices or 請求" in text
    # receipts are optional (DOMAIN section 8): a ledger without them is read and warned about
    assert "receipts" not in text


def test_a_row_with_too_many_fields(tmp_path):
    with pytest.raises(LedgerError, match="invoices.csv row 3 — expected as many fields as "
                       "the header"):
        read(tmp_path, [("I1", "C1", "2025/04/10", "1000", ""),
                        ("I2", "C1", "2025/04/10", "1,000", "")])


def test_undecodable_file(tmp_path):
    folder = write_ledger(tmp_path / "l", CUSTOMERS)
    (folder / "invoices.csv").write_bytes(b"\x81\x00\xff\xfe")
    with pytest.raises(LedgerError, match="invoices.csv — expected text in UTF-8 or CP932"):
        read_ledger(folder)


def test_one_xlsx_with_japanese_sheet_names(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "得意先"
    sheet.append(["得意先コード", "得意先名", "担当者", "締め日", "支払月", "支払日"])
    sheet.append(["C1", "青葉", "佐藤", "末", 1, "末"])
    invoices = book.create_sheet("請求")
    invoices.append(["請求番号", "得意先コード", "売上日", "金額"])
    invoices.append(["I1", "C1", pd.Timestamp("2025-04-10").to_pydatetime(), 1234])
    invoices.append(["I2", "C1", 45757, "1,000円"])
    receipts = book.create_sheet("入金")
    receipts.append(["入金日", "得意先コード", "金額", "入金方法"])
    book.save(tmp_path / "ledger.xlsx")
    ledger = read_ledger(tmp_path / "ledger.xlsx")
    assert ledger.invoices["amount"].tolist() == [1234, 1000]
    assert ledger.invoices["invoice_date"].tolist() == [pd.Timestamp("2025-04-10")] * 2
    assert ledger.sources["invoices"] == "ledger.xlsx[請求]"
