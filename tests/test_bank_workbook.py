"""The 入金消込 sheet: written by kaishu match, learned from, kept by refreshes; 仮受金
proven in LibreOffice."""

from __future__ import annotations

from openpyxl import load_workbook

from kaishu.bank.files import PAYERS_FILE
from kaishu.bank.run import run_match
from kaishu.templates import write_templates
from kaishu.workbook import refresh_workbook

from test_bank_match import ledger  # noqa: F401  (the fixture)

SHEET = "入金消込"


def template(tmp_path):
    (path,) = [p for p in write_templates(tmp_path / "templates")
               if p.name == "collection_check.xlsx"]
    return path


def table_rows(path):
    book = load_workbook(path)
    sheet = book[SHEET]
    table = sheet.tables["BankMatch"]
    rows = [[c.value for c in row] for row in sheet[table.ref]]
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def test_sheet_written_and_a_typed_code_learned(ledger, tmp_path, recalculate):  # noqa: F811
    folder, statement = ledger
    book = template(tmp_path)
    run_match(folder, [statement], workbook=book)
    headers, rows = table_rows(book)
    # what a reviewer reads first (it prints on one page across), the details after
    assert headers == ["日付", "振込依頼人名", "金額", "得意先コード", "得意先名", "請求番号",
                       "手数料", "状態", "根拠", "候補", "得意先コード(手入力)", "メモ",
                       "明細ID", "正規化名", "依頼人コード", "仕向銀行", "明細ファイル"]
    assert [(r["金額"], r["状態"]) for r in rows] == [
        (1_000_000, "自動消込"), (50_000, "未消込"), (80_000, "候補あり"), (12_345, "未消込"),
        (499_340, "手数料差引"), (500_000, "自動消込"), (699_670, "手数料差引"),
        (300_000, "要確認")]
    parent = next(r for r in rows if r["金額"] == 50_000)
    assert parent["振込依頼人名"] == "ﾋｶﾘﾎｰﾙﾃﾞｨﾝｸﾞｽ" and parent["正規化名"] == "ヒカリホールデイングス"
    assert parent["得意先コード"] is None and parent["請求番号"] is None and parent["手数料"] is None
    (done,) = recalculate(book)
    # 仮受金 = 未消込 + 候補あり: 50,000 + 80,000 + 12,345
    assert done[SHEET]["B3"].value == 142_345

    # the user types C5 against the parent company's deposit and a note on another line
    wb = load_workbook(book)
    sheet = wb[SHEET]
    header_row = int(sheet.tables["BankMatch"].ref.split(":")[0][1:])
    column = {c.value: c.column for c in sheet[header_row] if c.value}
    amount, typed, memo = column["金額"], column["得意先コード(手入力)"], column["メモ"]
    for r in range(header_row + 1, sheet.max_row + 1):
        if sheet.cell(r, amount).value == 50_000:
            sheet.cell(r, typed).value = "C5"
        if sheet.cell(r, amount).value == 300_000:
            sheet.cell(r, memo).value = "残りは10月末と電話で確認"
        if sheet.cell(r, amount).value == 1_000_000:
            sheet.cell(r, memo).value = "青葉商事 9月分"
    wb.save(book)

    # the next run reads no statement of September again: the pending line comes from the sheet
    october = tmp_path / "october.csv"
    october.write_text("日付,入金額,振込依頼人名\n2025/10/31,\"100,000\",ﾐﾅﾄｺｳｷﾞﾖｳ\n",
                       encoding="utf-8")
    run = run_match(folder, [october], workbook=book)
    assert run.learned == 1
    assert (folder / PAYERS_FILE).read_text(encoding="utf-8-sig").splitlines() == [
        "振込依頼人名,得意先コード,仕向銀行名", "ﾋｶﾘﾎｰﾙﾃﾞｨﾝｸﾞｽ,C5,"]
    _, rows = table_rows(book)
    parent = next(r for r in rows if r["金額"] == 50_000)
    assert (parent["得意先コード"], parent["請求番号"], parent["状態"], parent["得意先コード(手入力)"]) \
        == ("C5", "I9", "自動消込", "C5")
    assert "学習済みの依頼人" in parent["根拠"]
    # still pending lines stay; a typed note stays with its line, as it was; matched
    # earlier lines without notes go: their rows are cleared (no line moves under a note or
    # comment of the user's) and the next new lines fill them
    freed = [r for r in rows if r["明細ID"] is None]
    assert all(v is None for r in freed for v in r.values())
    rows = [r for r in rows if r["明細ID"] is not None]
    assert sorted(r["金額"] for r in rows) == [12_345, 50_000, 80_000, 100_000, 300_000,
                                              1_000_000]
    assert next(r for r in rows if r["金額"] == 300_000)["メモ"] == "残りは10月末と電話で確認"
    settled = next(r for r in rows if r["金額"] == 1_000_000)
    assert (settled["メモ"], settled["状態"], settled["請求番号"]) == ("青葉商事 9月分", "自動消込", "I1")

    # a refresh keeps the sheet as it is
    before = table_rows(book)
    refresh_workbook(book, folder, "2025-09")
    assert table_rows(book) == before


def test_nothing_learned_from_a_guess(ledger, tmp_path):  # noqa: F811
    folder, statement = ledger
    book = template(tmp_path)
    run_match(folder, [statement], workbook=book)
    run = run_match(folder, [statement], workbook=book)
    assert run.learned == 0
    assert not (folder / PAYERS_FILE).exists()
