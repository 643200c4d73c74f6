"""入金消込 by DOMAIN.md section 9, on a small ledger whose every figure is worked by hand."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from kaishu.bank.files import PAYERS_FILE, RECEIPTS_FILE
from kaishu.bank.names import normalise, split_code
from kaishu.bank.run import MatchError, run_match
from kaishu.cli import main
from kaishu.ledger import read_ledger
from kaishu.monthly import open_invoices

CUSTOMERS = """得意先コード,得意先名,担当者,締め日,支払月,支払日,得意先名カナ,振込依頼人コード
C1,株式会社青葉商事,佐藤,末,翌月,末,アオバショウジ,
C2,有限会社みなと工業,佐藤,末,翌月,末,ﾐﾅﾄｺｳｷﾞﾖｳ,4711
C3,さくら食品,鈴木,末,翌月,末,サクラショクヒン,
C4,東和建材,鈴木,末,翌月,末,トウワケンザイ,
C5,ひかり電機,高橋,末,翌月,末,ヒカリデンキ,
C6,アオバ物流,高橋,末,翌月,末,アオバブツリュウ,
"""
INVOICES = """請求番号,得意先コード,売上日,金額,支払期日
I1,C1,2025/08/05,"1,000,000",2025/09/30
I2,C1,2025/08/20,"500,000",2025/09/30
I3,C2,2025/08/10,"300,000",2025/09/30
I4,C2,2025/08/25,"200,000",2025/09/30
I5,C2,2025/09/05,"100,000",2025/10/31
I6,C3,2025/07/10,"400,000",2025/08/31
I7,C3,2025/08/10,"300,000",2025/09/30
I8,C4,2025/08/15,"800,000",2025/09/30
I9,C5,2025/09/01,"50,000",2025/10/31
"""
STATEMENT = """普通預金 1234567
日付,お引出金額,お預り金額,振込依頼人名,振込依頼人コード
2025/09/10,,"1,000,000",ｶ)ｱｵﾊﾞｼﾖｳｼﾞ,
2025/09/12,"55,000",,ﾃﾞﾝｷﾀﾞｲ,
2025/09/25,,"50,000",ﾋｶﾘﾎｰﾙﾃﾞｨﾝｸﾞｽ,
2025/09/26,,"80,000",ｱｵﾊﾞﾌﾞﾂﾘﾕ,
2025/09/26,,"12,345",ﾔﾏﾀﾞﾀﾛｳ,
2025/09/30,,"499,340",ｱｵﾊﾞｼﾖｳｼﾞ(ｶ,
2025/09/30,,"500,000",ﾐﾅﾄ ｺｳｷﾞﾖｳ,0000004711
2025/09/30,,"699,670",ｻｸﾗｼﾖｸﾋﾝ,
2025/09/30,,"300,000",ﾄｳﾜｹﾝｻﾞｲ,
"""
# Worked by hand from the rules (section 9):
#  1,000,000 ｶ)ｱｵﾊﾞｼﾖｳｼﾞ: kana アオバシヨウジ = C1's; equals I1 alone (rule 1)
#  499,340 ｱｵﾊﾞｼﾖｳｼﾞ(ｶ: C1; I2 500,000 less a fee of 660 (rule 3)
#  500,000 code 4711: C2 by 振込依頼人コード; I3 + I4 are due 2025/09/30 (rule 2)
#  699,670 ｻｸﾗｼﾖｸﾋﾝ: C3; I6 + I7 (all due by 09/30) = 700,000 less 330 (rule 3); the fee
#           closes I7, the last in due order
#  300,000 ﾄｳﾜｹﾝｻﾞｲ: C4; fits nothing: I8 paid in part (rule 4, 要確認)
#  50,000 ﾋｶﾘﾎｰﾙﾃﾞｨﾝｸﾞｽ (the parent of C5): nothing similar -> 未消込
#  80,000 ｱｵﾊﾞﾌﾞﾂﾘﾕ: cut short, the start of C6's アオバブツリユウ (ratio 14/15) -> 候補あり
#  12,345 ﾔﾏﾀﾞﾀﾛｳ: nothing -> 未消込
EXPECTED_RECEIPTS = [
    ["2025/09/10", "C1", "1000000", "振込", "", "I1"],
    ["2025/09/30", "C1", "660", "手数料", "", "I2"],
    ["2025/09/30", "C1", "499340", "振込", "", "I2"],
    ["2025/09/30", "C2", "300000", "振込", "", "I3"],
    ["2025/09/30", "C2", "200000", "振込", "", "I4"],
    ["2025/09/30", "C3", "330", "手数料", "", "I7"],
    ["2025/09/30", "C3", "400000", "振込", "", "I6"],
    ["2025/09/30", "C3", "299670", "振込", "", "I7"],
    ["2025/09/30", "C4", "300000", "振込", "", "I8"],
]


@pytest.fixture
def ledger(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "invoices.csv").write_text(INVOICES, encoding="utf-8")
    statement = tmp_path / "statement.csv"
    statement.write_text(STATEMENT, encoding="cp932")
    return folder, statement


def receipts(folder):
    with open(folder / RECEIPTS_FILE, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [r[:6] for r in rows[1:]]


def test_each_rule_and_status(ledger):
    folder, statement = ledger
    run = run_match(folder, [statement])
    lines = run.matched.lines.set_index("amount")
    assert lines.loc[1_000_000, ["customer_id", "invoices", "status"]].tolist() == \
        ["C1", "I1", "自動消込"]
    assert lines.loc[499_340, ["customer_id", "invoices", "fee", "status"]].tolist() == \
        ["C1", "I2", 660, "手数料差引"]
    assert lines.loc[500_000, ["customer_id", "invoices", "status"]].tolist() == \
        ["C2", "I3, I4", "自動消込"]
    assert "振込依頼人コード" in lines.loc[500_000, "reason"]
    assert lines.loc[699_670, ["customer_id", "invoices", "fee", "status"]].tolist() == \
        ["C3", "I6, I7", 330, "手数料差引"]
    assert lines.loc[300_000, ["customer_id", "invoices", "status"]].tolist() == \
        ["C4", "I8", "要確認"]
    assert lines.loc[50_000, "status"] == "未消込"
    assert lines.loc[80_000, ["status", "candidates"]].tolist() == ["候補あり", "C6 アオバ物流"]
    assert lines.loc[12_345, ["status", "candidates"]].tolist() == ["未消込", ""]
    assert 55_000 not in lines.index  # a withdrawal
    header, rows = receipts(folder)
    assert header == ["入金日", "得意先コード", "金額", "入金方法", "期日", "請求番号", "明細ID"]
    assert rows == EXPECTED_RECEIPTS


def test_the_ledger_reads_them_and_the_invoices_close(ledger):
    folder, statement = ledger
    run_match(folder, [statement])
    opened = open_invoices(read_ledger(folder), "2025-09-30").set_index("invoice_id")["open"]
    # I8 800,000 less 300,000; I5 and I9 are untouched; the rest are paid or fee-closed
    assert opened.to_dict() == {"I1": 0, "I2": 0, "I3": 0, "I4": 0, "I5": 100_000, "I6": 0,
                                "I7": 0, "I8": 500_000, "I9": 50_000}


def test_matching_twice_gives_the_same_receipts(ledger):
    folder, statement = ledger
    run_match(folder, [statement])
    first = (folder / RECEIPTS_FILE).read_bytes()
    run_match(folder, [statement])
    assert (folder / RECEIPTS_FILE).read_bytes() == first


def test_a_run_replaces_only_the_lines_it_reads(ledger, tmp_path):
    folder, statement = ledger
    run_match(folder, [statement])
    later = tmp_path / "october.csv"
    later.write_text("日付,入金額,摘要\n2025/10/31,\"100,000\",振込 ﾐﾅﾄｺｳｷﾞﾖｳ(ﾕ\n",
                     encoding="utf-8")
    run = run_match(folder, [later])
    assert run.matched.lines[["customer_id", "invoices", "status"]].values.tolist() == \
        [["C2", "I5", "自動消込"]]
    assert receipts(folder)[1] == EXPECTED_RECEIPTS + [
        ["2025/10/31", "C2", "100000", "振込", "", "I5"]]


def test_customer_rule_order_and_the_bank_narrowing(ledger):
    folder, statement = ledger
    (folder / PAYERS_FILE).write_text(
        "振込依頼人名,得意先コード,仕向銀行名\nﾋｶﾘﾎｰﾙﾃﾞｨﾝｸﾞｽ,C5,\nｶ)ｱｵﾊﾞｼﾖｳｼﾞ,C6,ｷﾗﾎﾞｼ\n",
        encoding="utf-8")
    lines = run_match(folder, [statement]).matched.lines.set_index("amount")
    # the learned parent company decides C5; the learned アオバシヨウジ applies only to
    # deposits sent through ｷﾗﾎﾞｼ, so the kana rule still decides C1 here
    assert lines.loc[50_000, ["customer_id", "invoices", "status"]].tolist() == \
        ["C5", "I9", "自動消込"]
    assert lines.loc[1_000_000, "customer_id"] == "C1"
    through = folder.parent / "kiraboshi.csv"
    through.write_text("日付,入金額,振込依頼人名,仕向銀行名\n2025/09/10,\"1,000\",ｶ)ｱｵﾊﾞｼﾖｳｼﾞ,ｷﾗﾎﾞｼ\n",
                       encoding="cp932")
    lines = run_match(folder, [through]).matched.lines
    assert lines[["customer_id", "reason"]].values.tolist() == [
        ["C6", "学習済みの依頼人 / 期日順に充当"]]


def test_unknown_customer_in_payers_is_reported(ledger):
    folder, statement = ledger
    (folder / PAYERS_FILE).write_text("振込依頼人名,得意先コード\nｶ)ﾅｿﾞ,C99\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["match", "--ledger", str(folder), "--bank",
                                       str(statement)])
    assert result.exit_code == 1
    assert "payers.csv row 2, column 得意先コード: 'C99' — expected a customer" in result.output
    assert not (folder / RECEIPTS_FILE).exists()


def test_cli_summary(ledger):
    folder, statement = ledger
    result = CliRunner().invoke(main, ["match", "--ledger", str(folder), "--bank",
                                       str(statement)])
    assert result.exit_code == 0, result.output
    assert "8 statement lines, 3,141,355 yen" in result.output
    assert "自動消込: 2 (1,500,000 yen)" in result.output
    assert "手数料差引: 2 (1,199,010 yen)" in result.output
    assert "要確認: 1 (300,000 yen)" in result.output
    assert "候補あり: 1 (80,000 yen)" in result.output
    assert "未消込: 2 (62,345 yen)" in result.output
    assert "仮受金 (未消込 + 候補あり): 142,345 yen" in result.output


def test_a_journal_ledger_is_refused_with_one_line(tmp_path, ledger):
    _, statement = ledger
    journal = tmp_path / "journal"
    journal.mkdir()
    line = ",".join(["2111", "1", "", "2025/09/30", "普通預金", "", "", "対象外", "1000", "0",
                     "売掛金", "青葉", "", "対象外", "1000", "0", "入金", "", "", "0", "",
                     "", "", "", "no"])
    (journal / "shiwake.csv").write_text(line + "\n", encoding="cp932")
    result = CliRunner().invoke(main, ["match", "--ledger", str(journal), "--bank",
                                       str(statement)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "journal" in result.output and "仕訳帳" in result.output
    with pytest.raises(MatchError):
        run_match(journal, [statement])


@pytest.mark.parametrize("sent, name, code", [
    ("ｶ)ｱｵﾊﾞｼﾖｳｼﾞ", "アオバシヨウジ", ""),             # ｶ) before, NFKC joins ﾊﾞ
    ("ｱｵﾊﾞｼﾖｳｼﾞ(ｶ", "アオバシヨウジ", ""),             # (ｶ after
    ("ｱｵﾊﾞ (ｶ) ｼﾖｳｼﾞ", "アオバシヨウジ", ""),          # (ｶ) in the middle, spaces gone
    ("アオバショウジ", "アオバシヨウジ", ""),             # small kana made large
    ("ｶﾌﾞｼｷｶﾞｲｼﾔ ｱｵﾊﾞｼﾖｳｼﾞ", "アオバシヨウジ", ""),     # spelled out
    ("ﾕ)ﾐﾅﾄｺｳｷﾞﾖｳ", "ミナトコウギヨウ", ""),
    ("ﾐﾅﾄｺｳｷﾞﾖｳ ﾕｳｹﾞﾝｶﾞｲｼﾔ", "ミナトコウギヨウ", ""),
    ("ﾄﾞ)ｽﾀ-ﾗｲﾄ", "スターライト", ""),                 # 合同会社; - as a long vowel
    ("ｲ)ｹﾝｺｳｶｲ", "ケンコウカイ", ""),                  # 医療法人
    ("ｼﾔ)ﾆﾎﾝｷﾖｳｶｲ", "ニホンキヨウカイ", ""),            # 社団法人
    ("ﾌｸ)ﾋﾏﾜﾘｴﾝ", "ヒマワリエン", ""),                 # 社会福祉法人
    ("ｽｰﾊﾟｰ‐ﾏﾙｲﾁ", "スーパーマルイチ", ""),            # ｰ and ‐ one mark
    ("12345 ｶ)ｱｵﾊﾞｼﾖｳｼﾞ", "アオバシヨウジ", "12345"),   # a customer number typed first
    ("株式会社 青葉商事", "青葉商事", ""),
])
def test_normalisation_rules(sent, name, code):
    found_code, rest = split_code(sent)
    assert (normalise(rest), found_code) == (name, code)


def test_dates_in_the_statement(ledger):
    folder, statement = ledger
    lines = run_match(folder, [statement]).matched.lines
    assert lines["date"].min() == pd.Timestamp(dt.date(2025, 9, 10))


def test_a_cancelled_notice_makes_no_receipt(ledger, tmp_path):
    from test_bank_zengin import NOTICE_DATA, notice, record

    folder, _ = ledger
    fields = dict(データ区分=2, 照会番号=9, 勘定日="070910", 起算日="070910", 金額=1000000,
                  振込依頼人名="ｶ)ｱｵﾊﾞｼﾖｳｼﾞ")
    path = tmp_path / "notice.txt"
    path.write_bytes(notice(record(NOTICE_DATA, **fields), record(NOTICE_DATA, **fields, 取消区分=1)))
    run = run_match(folder, [path])
    assert run.matched.lines[["status", "customer_id", "invoices"]].values.tolist() == \
        [["取消", None, None]]
    assert receipts(folder)[1] == []


def test_the_reader_puts_receipts_csv_first_on_one_day(ledger):
    folder, _ = ledger
    (folder / "receipts.csv").write_text(
        "入金日,得意先コード,金額,入金方法\n2025/09/30,C1,\"1,000\",現金\n2025/10/01,C1,500,現金\n",
        encoding="utf-8")
    (folder / RECEIPTS_FILE).write_text(
        "入金日,得意先コード,金額,入金方法,期日,請求番号,明細ID\n"
        "2025/09/30,C1,660,手数料,,I2,x/1\n2025/09/30,C1,499340,振込,,I2,x/1\n",
        encoding="utf-8-sig")
    receipts = read_ledger(folder).receipts.sort_values(["receipt_date", "row"])
    assert receipts[["amount", "method", "line_id"]].astype(object).where(
        receipts[["amount", "method", "line_id"]].notna(), None).values.tolist() == [
        [1000, "cash", None], [660, "fee", "x/1"], [499340, "transfer", "x/1"],
        [500, "cash", None]]
