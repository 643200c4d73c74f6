"""Accounting journals as the ledger (DOMAIN.md section 10), on small journals written here.

Every expectation is worked by hand in the comment beside it. Unless a test says otherwise,
customers have no customers.csv, so they take the default terms 末締め翌月末払い: a sale of
2025/05/15 closes 5/31 and is due 6/30 (a Monday).
"""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from kaishu import contract
from kaishu.cli import main
from kaishu.ledger import LedgerError, read_ledger
from kaishu.ledger.journal import Accounts, Terms, find_journal
from kaishu.monthly import compute_month

from journals import mf, write_mf, write_yayoi, yayoi

SALE = yayoi(2111, 1, "2025/05/15", "売掛金", "青葉商事", 110000, "売上高", "", 110000,
             cr_class="課税売上込10%", cr_tax=10000, number="INV-1")


def month(ledger, period: str) -> dict:
    """The month's figures of the only (or first) customer."""
    return compute_month(ledger, period).customers.iloc[0].to_dict()


def collected(row: dict) -> float:
    return sum(row[k] for k in contract.METHODS)


def test_a_sale_and_its_transfer(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        SALE,
        yayoi(2111, 2, "2025/06/30", "普通預金", "", 110000, "売掛金", "青葉商事", 110000),
    ]))
    invoice = ledger.invoices.iloc[0]
    assert (invoice["invoice_id"], invoice["customer_id"], invoice["amount"]) == \
        ("INV-1", "青葉商事", 110000)
    assert invoice["invoice_date"] == pd.Timestamp("2025-05-15")
    receipt = ledger.receipts.iloc[0]
    assert (receipt["method"], receipt["amount"]) == ("transfer", 110000)
    may, june = month(ledger, "2025-05"), month(ledger, "2025-06")
    # May: billed 110,000, nothing due yet (due 6/30); June: due and paid on the day
    assert (may["billed"], may["scheduled"], collected(may)) == (110000, 0, 0)
    assert (june["opening"], june["scheduled"], june["transfer"], june["on_schedule"]) == \
        (110000, 110000, 110000, 110000)
    assert june["opening"] + june["billed"] - collected(june) == 0


def test_a_transfer_net_of_a_660_yen_fee_in_a_two_line_voucher(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "青葉商事", 100000, "売上高", "", 100000),
        yayoi(2110, 2, "2025/06/30", "普通預金", "", 99340, "売掛金", "青葉商事", 100000),
        yayoi(2101, 2, "2025/06/30", "支払手数料", "", 660, "", "", 0),
    ]))
    # one receipt split across its 借方 lines, the fee part first
    assert ledger.receipts[["method", "amount"]].values.tolist() == \
        [["fee", 660], ["transfer", 99340]]
    june = month(ledger, "2025-06")
    # 660 + 99,340 = 100,000 collected, all of it scheduled; the fee is not counted twice
    assert (june["transfer"], june["fee"], june["on_schedule"]) == (99340, 660, 100000)
    assert collected(june) == 100000
    assert june["opening"] + june["billed"] - collected(june) == 0


def test_a_note_maturing_next_month_stays_in_exposure(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "東和建材", 300000, "売上高", "", 300000),
        yayoi(2111, 2, "2025/06/30", "受取手形", "", 300000, "売掛金", "東和建材", 300000,
              due="2025/07/31"),
    ]))
    assert ledger.receipts.iloc[0]["maturity_date"] == pd.Timestamp("2025-07-31")
    june, july = month(ledger, "2025-06"), month(ledger, "2025-07")
    # June: paid by a note settling 7/31 (a Thursday): balance 0, exposure 300,000
    assert (june["note"], june["exposure"]) == (300000, 300000)
    assert june["opening"] + june["billed"] - collected(june) == 0
    # July: the note settles on 7/31 = E, so nothing is exposed after E
    assert july["exposure"] == 0
    # collection site of June: 31 days from 6/30 to 7/31
    assert june["site"] == 31


def test_densai(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "東和建材", 200000, "売上高", "", 200000),
        yayoi(2111, 2, "2025/06/30", "電子記録債権", "", 200000, "売掛金", "東和建材", 200000,
              due="2025/08/29"),
    ]))
    assert ledger.receipts.iloc[0]["method"] == "densai"
    june, july, august = (month(ledger, m) for m in ("2025-06", "2025-07", "2025-08"))
    # received 6/30, settles 8/29 (a Friday): exposed at the end of June and July only
    assert (june["densai"], june["exposure"], july["exposure"], august["exposure"]) == \
        (200000, 200000, 200000, 0)
    # 手形化: a でんさい in June from a customer with none in the 6 months before
    assert june["new_notes"]


def test_a_sales_discount_is_a_credit_note(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "青葉商事", 110000, "売上高", "", 110000),
        yayoi(2111, 2, "2025/06/10", "売上値引高", "", 10000, "売掛金", "青葉商事", 10000),
        yayoi(2111, 3, "2025/06/30", "普通預金", "", 100000, "売掛金", "青葉商事", 100000),
    ]))
    assert ledger.invoices["amount"].tolist() == [110000, -10000]
    assert ledger.receipts["amount"].tolist() == [100000]
    june = month(ledger, "2025-06")
    # the credit note reduces what is owed (billed −10,000), it is not collected:
    # scheduled = 110,000 − 10,000 credited on or before E = 100,000, all collected
    assert (june["billed"], june["scheduled"], june["transfer"], june["on_schedule"]) == \
        (-10000, 100000, 100000, 100000)
    assert collected(june) == 100000
    assert june["opening"] + june["billed"] - collected(june) == 0


def test_an_offset_against_payables(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "丸山物産", 80000, "売上高", "", 80000),
        yayoi(2111, 2, "2025/06/30", "買掛金", "丸山物産", 50000, "売掛金", "丸山物産", 50000),
        yayoi(2111, 3, "2025/06/30", "現金", "", 30000, "売掛金", "丸山物産", 30000),
    ]))
    june = month(ledger, "2025-06")
    # 50,000 offset against what we owe them + 30,000 cash = 80,000
    assert (june["offset"], june["cash"], june["on_schedule"]) == (50000, 30000, 80000)
    # collection-based sales count offsets and cash
    assert june["collection_sales"] == 80000


@pytest.mark.parametrize("lines, amount", [
    # 外税: 金額 excludes the tax, 税金額 holds it and no line books it -> 100,000 + 10,000
    ([yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 100000, "売上高", "", 100000,
            cr_class="課税売上外10%", cr_tax=10000)], 110000),
    # 別記: the tax has its own 売掛金 / 仮受消費税等 line -> 100,000 + 10,000, added once
    ([yayoi(2110, 1, "2025/05/15", "売掛金", "A社", 100000, "売上高", "", 100000,
            cr_class="課税売上別記10%", cr_tax=10000),
      yayoi(2101, 1, "2025/05/15", "売掛金", "A社", 10000, "仮受消費税等", "", 10000)], 110000),
    # 内税: 金額 includes the tax -> 110,000, nothing added
    ([yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 110000, "売上高", "", 110000,
            cr_class="課税売上込10%", cr_tax=10000)], 110000),
    # 内税 written 内 -> nothing added
    ([yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 110000, "売上高", "", 110000,
            cr_class="課税売上内10%", cr_tax=10000)], 110000),
])
def test_tax_is_added_only_where_not_booked(tmp_path, lines, amount):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", lines))
    assert ledger.invoices["amount"].tolist() == [amount]
    assert month(ledger, "2025-05")["billed"] == amount


def test_a_returned_transfer_is_a_negative_receipt(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        SALE,
        yayoi(2111, 2, "2025/06/30", "普通預金", "", 110000, "売掛金", "青葉商事", 110000),
        yayoi(2111, 3, "2025/07/03", "売掛金", "青葉商事", 110000, "普通預金", "", 110000,
              memo="組戻し"),
    ]))
    # 借方 売掛金 against a bank account is not a sale
    assert ledger.invoices["amount"].tolist() == [110000]
    assert ledger.receipts[["method", "amount"]].values.tolist() == \
        [["transfer", 110000], ["transfer", -110000]]
    july = month(ledger, "2025-07")
    # July: opening 0, the reversal reopens the invoice due 6/30: 110,000 open, overdue
    # 31 days at 7/31 (counted to the day after E) -> the 31-60 bucket
    assert (july["opening"], july["billed"], july["transfer"]) == (0, 0, -110000)
    assert july["opening"] + july["billed"] - collected(july) == 110000
    assert july[contract.BUCKET_KEYS[1]] == 110000  # 31-60


def test_a_moneyforward_note_with_its_maturity_in_the_memo(tmp_path):
    ledger = read_ledger(write_mf(tmp_path / "仕訳帳.csv", [
        mf(1, "2025/05/15", "売掛金", "東和建材", "330,000", "売上高", "", "330,000",
           cr_class="課税売上 10%", cr_tax="30,000"),
        mf(2, "2025/06/30", "受取手形", "", "330,000", "売掛金", "東和建材", "330,000",
           memo="手形受取 満期:R7.12.26"),
    ]))
    receipt = ledger.receipts.iloc[0]
    assert (receipt["method"], receipt["maturity_date"]) == ("note", pd.Timestamp("2025-12-26"))
    june = month(ledger, "2025-06")
    # 330,000 by a note settling 2025/12/26 (a Friday): 179 days from 6/30
    assert (june["note"], june["exposure"], june["site"]) == (330000, 330000, 179)


def test_moneyforward_counterparty_when_no_sub_account(tmp_path):
    ledger = read_ledger(write_mf(tmp_path / "仕訳帳.csv", [
        mf(1, "2025/05/15", "売掛金", "", "55,000", "売上高", "", "55,000",
           dr_partner="株式会社さくら食品"),
    ], encoding="cp932"))
    assert ledger.invoices["customer_id"].tolist() == ["株式会社さくら食品"]


def test_renamed_receivables_account(tmp_path):
    path = write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金(国内)", "青葉商事", 110000, "売上高", "", 110000),
        yayoi(2111, 2, "2025/05/20", "売掛金", "他社", 5000, "売上高", "", 5000),
        yayoi(2110, 3, "2025/06/30", "普通預金", "", 109340, "売掛金(国内)", "青葉商事", 110000),
        yayoi(2101, 3, "2025/06/30", "振込手数料", "", 660, "", "", 0),
    ])
    ledger = read_ledger(path, Accounts.of(receivable="売掛金(国内)", fees="振込手数料"))
    # only 売掛金(国内) is read; 売掛金 is now just another account
    assert ledger.customers["customer_id"].tolist() == ["青葉商事"]
    assert ledger.receipts[["method", "amount"]].values.tolist() == \
        [["fee", 660], ["transfer", 109340]]
    # with the defaults, 売掛金(国内) is not the receivables account
    assert read_ledger(path).customers["customer_id"].tolist() == ["他社"]


def test_renamed_accounts_from_the_refresh_options(tmp_path):
    from kaishu.templates import write_templates

    book = next(p for p in write_templates(tmp_path / "book", "ja")
                if p.name == "collection_check.xlsx")
    journal = write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金(国内)", "青葉商事", 110000, "売上高", "", 110000),
        yayoi(2111, 2, "2025/06/30", "普通預金", "", 110000, "売掛金(国内)", "青葉商事", 110000),
    ])
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(journal),
                                       "--month", "2025-06", "--receivable-account",
                                       "売掛金(国内)", "--default-terms", "末,翌月,末"])
    assert result.exit_code == 0, result.output
    # the one customer, without terms listed: named once as 条件未設定
    assert "条件未設定: 1 customers (青葉商事)" in result.output
    assert "billed 0, collected 110,000, scheduled 110,000" in result.output


def test_customers_joined_by_name_cut_at_24_bytes(tmp_path):
    long_name = "株式会社みなと工業サービスセンター"  # 34 bytes in CP932; 弥生 keeps 24
    cut = long_name.encode("cp932")[:24].decode("cp932")
    assert cut == "株式会社みなと工業サービ"  # 12 full-width characters, 2 bytes each
    write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", cut, 110000, "売上高", "", 110000),
        yayoi(2111, 2, "2025/05/16", "売掛金", "新規商店", 22000, "売上高", "", 22000),
    ])
    (tmp_path / "customers.csv").write_text(
        "得意先コード,得意先名,担当者,締め日,支払月,支払日,信用限度額\n"
        f"C002,{long_name},佐藤,20,翌月,10,\"1,000,000\"\n", encoding="utf-8")
    ledger = read_ledger(tmp_path)
    customers = ledger.customers.set_index("customer_id")
    assert list(customers.index) == ["C002", "新規商店"]
    assert customers.at["C002", "customer_name"] == long_name
    assert customers.at["C002", "salesperson"] == "佐藤"
    assert (customers.at["C002", "closing_day"], customers.at["C002", "payment_months"],
            customers.at["C002", "payment_day"]) == (20, 1, 10)
    assert customers.at["C002", "credit_limit"] == 1_000_000
    assert customers.at["新規商店", "notice"] == "条件未設定"
    assert customers.at["C002", "notice"] == ""
    assert ledger.invoices["customer_id"].tolist() == ["C002", "新規商店"]
    # 20日締め翌月10日払い: a sale of 5/15 closes 5/20 and is due 6/10 (a Tuesday)
    june = compute_month(ledger, "2025-06").customers.set_index("code")
    assert june.at["C002", "scheduled"] == 110000


def test_customers_joined_by_sub_account_column(tmp_path):
    write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "アオバ", 110000, "売上高", "", 110000)])
    (tmp_path / "customers.csv").write_text(
        "補助科目,得意先コード,得意先名,カナ,担当者,締め日,支払月,支払日\n"
        "アオバ,C001,株式会社青葉商事,アオバショウジ,鈴木,末,翌月,末\n", encoding="utf-8")
    ledger = read_ledger(tmp_path)
    row = ledger.customers.iloc[0]
    assert (row["customer_id"], row["customer_name"], row["kana"], row["salesperson"]) == \
        ("C001", "株式会社青葉商事", "アオバショウジ", "鈴木")
    assert ledger.invoices["customer_id"].tolist() == ["C001"]


def test_default_terms_from_settings(tmp_path):
    path = write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 110000, "売上高", "", 110000)])
    ledger = read_ledger(path, terms=Terms(20, 1, 10))
    # 20日締め翌月10日払い: 5/15 closes 5/20, due 6/10
    assert compute_month(ledger, "2025-06").customers.iloc[0]["scheduled"] == 110000
    assert compute_month(read_ledger(path), "2025-06").customers.iloc[0]["scheduled"] == \
        110000  # 末締め翌月末払い: due 6/30, also in June
    assert compute_month(read_ledger(path, terms=Terms(31, 2, 31)), "2025-06") \
        .customers.iloc[0]["scheduled"] == 0  # 翌々月末: due 7/31


def test_lines_without_sub_account(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "", 5500, "売上高", "", 5500)]))
    assert ledger.customers["customer_id"].tolist() == ["(補助科目なし)"]
    assert ledger.customers["notice"].tolist() == ["(補助科目なし) 条件未設定"]


def test_compound_placeholder_resolved_within_the_voucher(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 100000, "売上高", "", 100000),
        yayoi(2110, 2, "2025/06/30", "諸口", "", 100000, "売掛金", "A社", 100000),
        yayoi(2100, 2, "2025/06/30", "普通預金", "", 99340, "諸口", "", 99340),
        yayoi(2101, 2, "2025/06/30", "支払手数料", "", 660, "諸口", "", 660),
    ]))
    assert ledger.receipts[["method", "amount"]].values.tolist() == \
        [["fee", 660], ["transfer", 99340]]


def test_a_voucher_crediting_two_customers_split_by_runs(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2110, 1, "2025/06/30", "普通預金", "", 99340, "売掛金", "A社", 100000),
        yayoi(2100, 1, "2025/06/30", "支払手数料", "", 660, "売掛金", "B社", 50000),
        yayoi(2101, 1, "2025/06/30", "普通預金", "", 50000, "", "", 0),
    ]))
    # A社 100,000 = 99,340 + 660 (lines 1-2); B社 50,000 = line 3
    got = ledger.receipts[["customer_id", "method", "amount"]].values.tolist()
    assert sorted(got) == sorted([["A社", "fee", 660], ["A社", "transfer", 99340],
                                  ["B社", "transfer", 50000]])


def test_one_customer_receivable_moved_to_another(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/06/30", "売掛金", "B社", 30000, "売掛金", "A社", 30000)]))
    # a credit note for A社 and a sale for B社
    got = ledger.invoices[["customer_id", "amount"]].values.tolist()
    assert sorted(got) == [["A社", -30000], ["B社", 30000]]


def test_opening_entry_is_a_carried_in_balance(tmp_path):
    ledger = read_ledger(write_mf(tmp_path / "仕訳帳.csv", [
        mf(1, "2025/04/01", "売掛金", "青葉商事", "500,000", "繰越利益剰余金", "", "500,000",
           kind="開始仕訳"),
        mf(2, "2025/04/30", "普通預金", "", "500,000", "売掛金", "青葉商事", "500,000"),
    ]))
    assert ledger.invoices.empty
    assert ledger.balances[["customer_id", "amount"]].values.tolist() == [["青葉商事", 500000]]
    april = month(ledger, "2025-04")
    # the 開始仕訳 of 4/01 is carried in as of 3/31: it opens April, it is no sale of April
    assert ledger.balances.iloc[0]["as_of"] == pd.Timestamp("2025-03-31")
    assert (april["opening"], april["billed"], april["transfer"]) == (500000, 0, 500000)
    assert april["opening"] + april["billed"] - collected(april) == 0


def test_notes_csv_gives_the_maturity(tmp_path):
    write_mf(tmp_path / "仕訳帳.csv", [
        mf(1, "2025/06/30", "受取手形", "", "300,000", "売掛金", "東和建材", "300,000")])
    (tmp_path / "notes.csv").write_text("得意先,受取日,金額,期日\n東和建材,2025/06/30,"
                                       "\"300,000\",2025/10/31\n", encoding="utf-8")
    ledger = read_ledger(tmp_path)
    assert ledger.receipts.iloc[0]["maturity_date"] == pd.Timestamp("2025-10-31")
    # the 得意先 of notes.csv may be the 得意先コード of customers.csv
    (tmp_path / "customers.csv").write_text("得意先コード,得意先名\nC7,東和建材\n",
                                           encoding="utf-8")
    (tmp_path / "notes.csv").write_text("得意先,受取日,金額,期日\nC7,2025/06/30,"
                                       "\"300,000\",2025/11/28\n", encoding="utf-8")
    ledger = read_ledger(tmp_path)
    assert ledger.receipts[["customer_id", "maturity_date"]].values.tolist() == \
        [["C7", pd.Timestamp("2025-11-28")]]


def test_balances_csv_beside_the_journal(tmp_path):
    write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/04/30", "普通預金", "", 70000, "売掛金", "A社", 70000)])
    (tmp_path / "balances.csv").write_text("得意先コード,基準日,金額\nA社,2025/03/31,\"70,000\"\n",
                                          encoding="utf-8")
    ledger = read_ledger(tmp_path)
    assert ledger.balances[["customer_id", "amount"]].values.tolist() == [["A社", 70000]]
    april = month(ledger, "2025-04")
    assert (april["opening"], april["transfer"]) == (70000, 70000)


def test_every_unreadable_line_is_reported_at_once(tmp_path):
    path = write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/13/01", "売掛金", "A社", 1000, "売上高", "", 1000),       # date
        yayoi(2111, 2, "2025/05/01", "売掛金", "A社", "1,0x0", "売上高", "", 1000),    # amount
        yayoi(2111, 3, "2025/05/01", "売掛金", "A社", 1000, "売上高", "", 900),        # unbalanced
        yayoi(2112, 4, "2025/05/01", "売掛金", "A社", 1000, "売上高", "", 1000),       # flag
        yayoi(2111, 5, "2025/05/01", "受取手形", "", 1000, "売掛金", "A社", 1000),     # no 期日
        yayoi(2110, 6, "2025/05/01", "普通預金", "", 700, "売掛金", "A社", 500),       # split
        yayoi(2101, 6, "2025/05/01", "普通預金", "", 300, "売掛金", "B社", 500),
    ])
    with pytest.raises(LedgerError) as error:
        read_ledger(path)
    found = {(p.row, p.column, p.value) for p in error.value.problems}
    assert found == {
        (1, "取引日付", "2025/13/01"),
        (2, "借方金額", "1,0x0"),
        (3, "借方金額/貸方金額", "1,000 / 900"),
        (4, "識別フラグ", "2112"),
        (5, "期日", None),
        (6, "貸方補助科目", "A社, B社"),
    }
    assert all(p.file == "仕訳.txt" for p in error.value.problems)
    assert "仕訳.txt row 1, column 取引日付: '2025/13/01'" in str(error.value)


def test_a_broken_multi_line_voucher_is_reported(tmp_path):
    with pytest.raises(LedgerError) as error:
        read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
            yayoi(2100, 1, "2025/05/01", "普通預金", "", 100, "売掛金", "A社", 100),
            yayoi(2110, 2, "2025/05/01", "普通預金", "", 100, "売掛金", "A社", 100),
        ]))
    assert {(p.row, p.column) for p in error.value.problems} == {(1, "識別フラグ"),
                                                                 (2, "識別フラグ")}


def test_dates_in_every_form_of_the_format(tmp_path):
    dates = ["20250401", "2025/04/01", "2025/4/1", "R.07/04/01", "R07/4/1"]
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, i, d, "売掛金", "A社", 1000, "売上高", "", 1000)
        for i, d in enumerate(dates, 1)]))
    assert ledger.invoices["invoice_date"].tolist() == [pd.Timestamp("2025-04-01")] * 5


def test_format_is_detected_from_the_content(tmp_path):
    yayoi_path = write_yayoi(tmp_path / "a" / "export.csv", [SALE])
    mf_path = write_mf(tmp_path / "b" / "export.csv", [
        mf(1, "2025/05/15", "売掛金", "A社", "1,000", "売上高", "", "1,000")])
    assert find_journal(yayoi_path) == (yayoi_path, "yayoi")
    assert find_journal(mf_path.parent) == (mf_path, "mf")
    assert find_journal(tmp_path / "a") == (yayoi_path, "yayoi")


def test_a_bad_journal_writes_nothing(tmp_path):
    from kaishu.templates import write_templates

    book = next(p for p in write_templates(tmp_path / "book", "ja")
                if p.name == "collection_check.xlsx")
    before = book.read_bytes()
    journal = write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "A社", 1000, "売上高", "", 999)])
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(journal),
                                       "--month", "2025-06"])
    assert result.exit_code == 1
    assert "仕訳.txt row 1" in result.output and "Traceback" not in result.output
    assert book.read_bytes() == before


# -- the sample ledger as journals ----------------------------------------------------------

SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "samples"
FIGURES = [*contract.CUSTOMER_KEYS, *contract.FIGURE_KEYS]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The three files a journal of the sample company is booked from: the sample ledger's
    files, with September 2025's bank deposits booked as the company books them (each to the
    customer who truly paid, the fee they kept back as 手数料 first). A journal is the
    company's books, so it holds every receipt — also those the bank statements bring, which
    the three-file sample leaves to `kaishu match`."""
    import sys
    from collections import Counter

    sys.path.insert(0, str(SAMPLES))
    try:
        from generate_ledger import booked, export, generate, with_bank
    finally:
        sys.path.remove(str(SAMPLES))
    ledger = with_bank(generate())
    folder = tmp_path_factory.mktemp("books")
    export(booked(ledger), folder, "utf-8")
    # the books are the sample ledger plus September's deposits: nothing else differs
    for name in ("customers", "invoices", "balances"):
        assert (folder / f"{name}.csv").read_bytes() == \
            (SAMPLES / "ledger_utf8" / f"{name}.csv").read_bytes()
    files = Counter((SAMPLES / "ledger_utf8" / "receipts.csv").read_text("utf-8").splitlines())
    every = Counter((folder / "receipts.csv").read_text("utf-8").splitlines())
    assert not files - every  # every row of receipts.csv is booked
    added = list((every - files).elements())
    assert len(added) > 40 and {line[:8] for line in added} == {"2025/09/"}
    assert {line.split(",")[-2] for line in added} == {"振込", "手数料"}
    return folder


@pytest.mark.parametrize("folder", ["journal_yayoi", "journal_mf", "journal_mf_cp932"])
def test_the_sample_journals_give_the_figures_of_the_three_files(folder, books):
    files = read_ledger(books)
    journal = read_ledger(SAMPLES / folder)
    assert journal.customers["customer_id"].tolist() == files.customers["customer_id"].tolist()
    assert (journal.customers["notice"] == "").all()  # every customer joined to its terms
    for period in pd.period_range("2024-04", "2025-09", freq="M"):
        expected = compute_month(files, period).customers[FIGURES]
        got = compute_month(journal, period).customers[FIGURES]
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=str(period))


def test_the_sample_journals_hold_the_deposits_kaishu_match_finds_in_the_statements(tmp_path):
    """September's 振込 in the journal are the bank's deposits: per customer, what the
    sample ledger with the statements matched (`kaishu match`, after the user has told it the
    two payers it could not place) collects by transfer. The fees differ only where a
    partial payment kept one back, which no matching can tell; which invoices a deposit
    paid is the journal's own (due order), so only the amounts are compared."""
    import shutil

    ledger = shutil.copytree(SAMPLES / "ledger_utf8", tmp_path / "ledger")
    (ledger / "payers.csv").write_text(
        "振込依頼人名,得意先コード\nｶ)ｺｳﾖﾎｰﾙﾃﾞｲﾝｸﾞｽ,C0004\nｺｳﾖｳｹﾝｻﾞｲﾄ,C0023\n",
        encoding="utf-8")  # the parent company of C0004; a name the bank cut short
    statements = sorted(str(p) for p in (SAMPLES / "bank").iterdir())
    result = CliRunner().invoke(main, ["match", "--ledger", str(ledger), "--bank", *statements])
    assert result.exit_code == 0, result.output
    # only the unknown payer (33,000, no customer's) and the cancelled notice stay unbooked
    assert "未消込: 1 (33,000 yen)" in result.output and "候補あり:" not in result.output
    matched = compute_month(read_ledger(ledger), "2025-09").customers.set_index("code")
    journal = compute_month(read_ledger(SAMPLES / "journal_yayoi"),
                            "2025-09").customers.set_index("code")
    pd.testing.assert_series_equal(journal["transfer"], matched["transfer"], check_dtype=False)
    assert journal["transfer"].sum() > 100_000_000


def test_refreshing_from_a_journal_writes_the_figures_of_the_three_files(tmp_path, books):
    from kaishu.templates import write_templates
    from kaishu.workbook import refresh_workbook

    workbooks = [next(p for p in write_templates(tmp_path / name, "ja")
                      if p.name == "collection_check.xlsx") for name in ("files", "yayoi", "mf")]
    results = [refresh_workbook(book, ledger, "2025-09")
               for book, ledger in zip(workbooks, (books, SAMPLES / "journal_yayoi",
                                                   SAMPLES / "journal_mf"))]
    for result in results[1:]:
        pd.testing.assert_frame_equal(result.customers[FIGURES], results[0].customers[FIGURES],
                                      check_dtype=False)
        pd.testing.assert_frame_equal(result.plan, results[0].plan, check_dtype=False)


def test_two_names_cut_to_the_same_sub_account_are_reported(tmp_path):
    write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "株式会社みなと工業サービ", 1000, "売上高", "", 1000)])
    (tmp_path / "customers.csv").write_text(
        "得意先コード,得意先名,担当者,締め日,支払月,支払日\n"
        "C1,株式会社みなと工業サービス東,佐藤,末,翌月,末\n"
        "C2,株式会社みなと工業サービス西,佐藤,末,翌月,末\n", encoding="utf-8")
    with pytest.raises(LedgerError) as error:
        read_ledger(tmp_path)
    [problem] = error.value.problems
    assert (problem.file, problem.column) == ("customers.csv", "得意先名")
    assert problem.value == "株式会社みなと工業サービス東, 株式会社みなと工業サービス西"


def test_the_sample_journals_are_what_the_generator_makes(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(SAMPLES / "generate_ledger.py"), "--out",
                    str(tmp_path), "--package-out", str(tmp_path / "package")], check=True,
                   capture_output=True)
    shipped = SAMPLES.parent / "src" / "kaishu" / "data" / "samples"
    for folder, committed in (*((f, SAMPLES / f) for f in
                                ("journal_yayoi", "journal_mf", "journal_mf_cp932")),
                              # the package ships one journal of each format (kaishu demo)
                              *((f"package/{f}", shipped / f)
                                for f in ("journal_yayoi", "journal_mf"))):
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        assert made == sorted(p.name for p in committed.iterdir())
        for name in made:
            assert (tmp_path / folder / name).read_bytes() == \
                (committed / name).read_bytes(), f"{folder}/{name}"
    assert sorted(p.name for p in (tmp_path / "package").iterdir()) == \
        sorted(p.name for p in shipped.iterdir())
    assert (SAMPLES / "journal_yayoi" / "仕訳日記帳.txt").read_bytes()[:4] == b"2111"
    assert (SAMPLES / "journal_mf" / "仕訳帳.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    (SAMPLES / "journal_mf_cp932" / "仕訳帳.csv").read_bytes().decode("cp932")


def _readme_block(after: str, fence: str) -> str:
    import re

    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    rest = readme[readme.index(after):]
    return re.search(rf"```{fence}\n(.*?)```", rest, flags=re.DOTALL).group(1)


def test_the_readme_examples_read_as_the_readme_says(tmp_path):
    yayoi_text = _readme_block("**Exporting from 弥生会計**", "text")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "仕訳日記帳.txt").write_bytes(yayoi_text.encode("cp932"))
    ledger = read_ledger(tmp_path / "y")
    assert ledger.invoices[["invoice_id", "amount"]].values.tolist() == [["INV-0905", 110000]]
    assert ledger.receipts[["customer_id", "method", "amount"]].values.tolist() == [
        ["青葉商事", "fee", 660], ["青葉商事", "transfer", 109340], ["東和建材", "note", 500000]]
    assert ledger.receipts.iloc[2]["maturity_date"] == pd.Timestamp("2026-01-30")

    mf_text = _readme_block("**Exporting from マネーフォワード クラウド会計**", "csv")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "仕訳帳.csv").write_bytes(mf_text.encode("utf-8-sig"))
    customers = _readme_block("**Customers**", "csv")
    (tmp_path / "m" / "customers.csv").write_text(customers, encoding="utf-8")
    ledger = read_ledger(tmp_path / "m")
    assert ledger.invoices[["customer_id", "amount"]].values.tolist() == [["C0001", 110000]]
    assert ledger.receipts[["customer_id", "method", "amount"]].values.tolist() == [
        ["東和建材", "note", 500000]]
    assert ledger.receipts.iloc[0]["maturity_date"] == pd.Timestamp("2026-01-30")
    assert ledger.customers.set_index("customer_id").at["東和建材", "notice"] == "条件未設定"


def test_customers_without_terms_are_warned_in_the_sheet(tmp_path, recalculate):
    from openpyxl import load_workbook

    from kaishu.templates import write_templates
    from kaishu.workbook import refresh_workbook

    book = next(p for p in write_templates(tmp_path / "book", "ja")
                if p.name == "collection_check.xlsx")
    write_yayoi(tmp_path / "j" / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "青葉商事", 110000, "売上高", "", 110000),
        yayoi(2111, 2, "2025/05/16", "売掛金", "", 22000, "売上高", "", 22000),
        yayoi(2111, 3, "2025/06/30", "普通預金", "", 110000, "売掛金", "青葉商事", 110000),
        yayoi(2111, 4, "2025/06/30", "普通預金", "", 22000, "売掛金", "", 22000)])
    (tmp_path / "j" / "customers.csv").write_text(
        "得意先コード,得意先名,担当者,締め日,支払月,支払日,信用限度額\n"
        "C1,青葉商事,佐藤,末,翌月,末,\"1,000,000\"\n", encoding="utf-8")
    refresh_workbook(book, tmp_path / "j", "2025-06")
    (values,) = recalculate(book)
    sheet = next(s for s in values.worksheets if "Collection" in s.tables)
    table = load_workbook(book)[sheet.title].tables["Collection"]
    rows = list(sheet[table.ref])
    headers = [c.value for c in rows[0]]
    data = rows[1:len(rows) - (table.totalsRowCount or 0)]  # not the totals row (合計)
    warned = {r[headers.index("得意先コード")].value: r[headers.index("警告")].value or ""
              for r in data}
    # C1 has terms and a limit, paid on time: no warning; the lines without 補助科目 have
    # neither terms nor a limit
    assert warned == {"C1": "", "(補助科目なし)": "限度未設定 (補助科目なし) 条件未設定"}


@pytest.mark.parametrize("debit", ["売上高", "貸倒損失", "貸倒引当金", "売上戻り高"])
def test_reversals_and_bad_debts_are_credit_notes(tmp_path, debit):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        SALE,
        # 赤黒: the sale reversed (売上高 / 売掛金), or written off (貸倒損失 / 売掛金)
        yayoi(2111, 2, "2025/06/10", debit, "", 110000, "売掛金", "青葉商事", 110000)]))
    assert ledger.invoices["amount"].tolist() == [110000, -110000]
    assert ledger.receipts.empty
    june = month(ledger, "2025-06")
    # nothing is collected; the credit note takes the open 110,000 away (billed −110,000)
    assert (collected(june), june["billed"], june["scheduled"]) == (0, -110000, 0)
    assert june["opening"] + june["billed"] - collected(june) == 0


def test_a_discount_with_its_tax_line_is_one_credit_note(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        SALE,
        yayoi(2110, 2, "2025/06/10", "売上値引高", "", 10000, "売掛金", "青葉商事", 11000),
        yayoi(2101, 2, "2025/06/10", "仮受消費税等", "", 1000, "", "", 0)]))
    # 10,000 + its 1,000 tax reduce what is owed: 11,000 in credit notes, nothing collected
    assert ledger.invoices["amount"].tolist() == [110000, -10000, -1000]
    assert ledger.receipts.empty


def test_sub_accounts_written_as_codes_keep_their_zeros(tmp_path):
    ledger = read_ledger(write_yayoi(tmp_path / "仕訳.txt", [
        yayoi(2111, 1, "2025/05/15", "売掛金", "0012", 1000, "売上高", "0012", 1000,
              number="00077")]))
    assert ledger.customers["customer_id"].tolist() == ["0012"]
    assert ledger.invoices["invoice_id"].tolist() == ["00077"]
