"""Each rule of DOMAIN.md section 6 on a small ledger worked out by hand.

One customer "A" (月末締め翌月末払い) unless said otherwise; most invoices carry their
支払期日 so that the arithmetic is visible. Calendar facts used: 2025-04-25 is a Friday,
2025-04-30 a Wednesday (29 April is a holiday, 30 April is not), 2025-07-31 a Thursday,
2025-08-04 a Monday, 2025-09-15 a holiday (敬老の日, a Monday).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from kaishu.cli import main
from kaishu.contract import BUCKET_KEYS, Settings, bucket_labels
from kaishu.ledger import LedgerError, read_ledger
from kaishu.monthly import compute_month, open_invoices

from ledgers import write_ledger

A = [("A", "青葉", "佐藤", "末", 1, "末", "")]
OVERDUE = list(BUCKET_KEYS)


def ledger(tmp_path, invoices=(), receipts=(), balances=(), customers=A):
    return read_ledger(write_ledger(tmp_path / "ledger", customers, invoices, receipts,
                                    balances))


def month(led, when, settings=Settings()):
    return compute_month(led, when, settings).customers.set_index("code").loc["A"]


def open_at(led, day):
    return open_invoices(led, day).set_index("invoice_id")["open"].to_dict()


def collected(row):
    return sum(row[k] for k in ("cash", "transfer", "note", "densai", "offset", "fee", "other"))


# -- reproducers of the issue ---------------------------------------------------------------

def test_prepayment_with_no_invoice_yet(tmp_path):
    """A receipt and a credit note before any invoice: an advance, not a crash."""
    led = ledger(tmp_path, invoices=[("CN1", "A", "2025/04/05", -10_000, "")],
                 receipts=[("2025/04/10", "A", 50_000, "振込", "", "")])
    april = month(led, "2025-04")
    assert (april["opening"], april["billed"], april["transfer"]) == (0, -10_000, 50_000)
    assert april["advance"] == 60_000                       # 10,000 credit + 50,000 received
    assert april["exposure"] == -60_000                     # closing: -10,000 - 50,000
    assert april["scheduled"] == 0 and april["on_schedule"] == 0
    assert math.isnan(april["collection_days"])             # the receipt paid nothing


def test_balances_without_due_dates_are_due_by_the_terms(tmp_path):
    folder = tmp_path / "ledger"
    write_ledger(folder, A)
    (folder / "invoices.csv").write_text("請求番号,得意先コード,売上日,金額\n", encoding="utf-8")
    (folder / "balances.csv").write_text("得意先コード,基準日,金額\nA,2025/03/31,80000\n",
                                         encoding="utf-8")
    led = read_ledger(folder)
    april = month(led, "2025-04")
    # closes 31 Mar, due 30 Apr (月末締め翌月末払い): due on E, 1 day past due on 1 May
    assert april["opening"] == 80_000 and april["scheduled"] == 80_000
    assert april["overdue_1"] == 80_000
    assert open_invoices(led, "2025-04-30")["due_date"].tolist() == [pd.Timestamp("2025-04-30")]


def test_a_negative_receipt_does_not_reopen_what_a_credit_note_closed(tmp_path):
    rows = dict(invoices=[("I1", "A", "2025/04/01", 100_000, "2025/04/30"),
                          ("CN1", "A", "2025/04/12", -40_000, "")],
                receipts=[("2025/04/10", "A", 60_000, "振込", "", ""),
                          ("2025/04/20", "A", -60_000, "振込", "", "")])
    led = ledger(tmp_path, **rows)
    april = month(led, "2025-04")
    assert open_at(led, "2025-04-30") == {"I1": 60_000}     # the receipt's 60,000 only
    assert april["billed"] == 60_000 and april["transfer"] == 0
    assert april["scheduled"] == 60_000                     # 100,000 less the credit note
    assert april["on_schedule"] == 0                        # paid, then reversed
    assert april["overdue_1"] == 60_000


def test_a_negative_receipt_beyond_what_was_received_leaves_a_debit(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 100_000, "2025/04/30"),
                                     ("CN1", "A", "2025/04/12", -40_000, "")],
                 receipts=[("2025/04/10", "A", 60_000, "振込", "", ""),
                           ("2025/04/20", "A", -70_000, "振込", "", "")])
    april = month(led, "2025-04")
    # no receipt of 70,000: the latest payments are reopened (60,000), 10,000 is a debit
    # dated and due 20 Apr; the credit note stays applied
    assert open_at(led, "2025-04-30") == {"I1": 60_000}
    assert april["transfer"] == -10_000
    assert april["overdue_1"] == 70_000                     # I1 (1 day) + debit (11 days)
    assert april["scheduled"] == 70_000
    assert april["opening"] + april["billed"] - collected(april) == 70_000


def test_a_negative_receipt_after_a_debit_reopens_its_own_amount(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 50_000, "2025/04/30")],
                 receipts=[("2025/04/05", "A", 50_000, "振込", "", ""),
                           ("2025/04/10", "A", -80_000, "その他", "", ""),   # 50,000 + debit 30,000
                           ("2025/04/12", "A", 30_000, "振込", "", ""),      # pays the debit
                           ("2025/04/15", "A", -30_000, "その他", "", "")])  # reverses that one
    april = month(led, "2025-04")
    assert open_at(led, "2025-04-30") == {"I1": 50_000}
    assert april["overdue_1"] == 80_000                     # I1 50,000 + the debit 30,000
    assert april["opening"] + april["billed"] - collected(april) == 80_000


def test_an_advance_received_in_the_month_is_collected_on_schedule(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/10", 100_000, "2025/04/25")],
                 receipts=[("2025/04/03", "A", 100_000, "振込", "", "")])
    april = month(led, "2025-04")
    assert april["scheduled"] == 100_000 and april["on_schedule"] == 100_000
    assert april["collection_days"] == 0                    # an advance counts 0 days
    assert april["advance"] == 0


def test_a_note_received_and_bounced_in_the_month_is_not_collected(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/03/10", 100_000, "2025/04/30")],
                 receipts=[("2025/04/05", "A", 100_000, "手形", "2025/04/25", ""),
                           ("2025/04/25", "A", -100_000, "手形", "2025/04/25", "")])
    april = month(led, "2025-04")
    assert april["scheduled"] == 100_000 and april["note"] == 0
    assert april["on_schedule"] == 0
    assert april["overdue_1"] == 100_000
    assert april["site"] == 20                              # 5 Apr -> 25 Apr
    assert math.isnan(april["collection_days"])             # all of it reversed
    assert april["collection_sales"] == 0                   # settled and bounced in April


def test_an_amount_due_on_the_last_day_is_overdue(tmp_path):
    """月末払い: a month-end payment missed is 延滞 at once, and the same on the plan."""
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/03/15", 70_000, "")])
    result = compute_month(led, "2025-04")
    april = result.customers.set_index("code").loc["A"]
    assert april["overdue_1"] == 70_000                     # due 30 Apr, 1 day on 1 May
    plan = result.plan.set_index("code").loc["A"]
    assert plan["overdue"] == 70_000 and plan["due_next"] == 0
    march = month(led, "2025-03")
    assert march[OVERDUE].sum() == 0


@pytest.mark.parametrize("edges, bucket", [((30, 60, 90, 120), "overdue_4"),
                                           ((15, 30, 45, 60), "overdue_5")])
def test_aging_edges_move_the_buckets(tmp_path, edges, bucket):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/01/10", 5_000, "2025/01/29")])
    april = month(led, "2025-04", Settings(aging_edges=edges))
    assert april[bucket] == 5_000                           # 29 Jan -> 1 May: 92 days
    assert april[OVERDUE].sum() == 5_000
    labels = dict(zip(BUCKET_KEYS, bucket_labels(edges)))
    assert labels[bucket] == {"overdue_4": "91-120", "overdue_5": "61-"}[bucket]


@pytest.mark.parametrize("rows", [
    [("2025/04/30", "A", 660, "手数料", "", ""), ("2025/04/30", "A", 99_340, "振込", "", "")],
    [("2025/04/30", "A", 99_340, "振込", "", ""), ("2025/04/30", "A", 660, "手数料", "", "")],
    [("2025/04/30", "A", 99_340, "振込", "", "")],
], ids=["fee row first", "fee row after", "short transfer"])
def test_a_fee_is_counted_once(tmp_path, rows):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/03/01", 100_000, "2025/04/30")],
                 receipts=rows)
    april = month(led, "2025-04")
    assert (april["transfer"], april["fee"], april["advance"]) == (99_340, 660, 0)
    assert april["on_schedule"] == 100_000
    assert april["collection_sales"] == 99_340              # a fee is not cash
    assert april["site"] == 0                               # the 手数料 row is no receipt here
    assert open_at(led, "2025-04-30") == {"I1": 0}


# -- rule by rule ------------------------------------------------------------------------------

def test_rule_1_a_named_invoice_already_paid_or_not_dated_is_ignored(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30"),
                                     ("I2", "A", "2025/04/02", 20_000, "2025/05/31"),
                                     ("I3", "A", "2025/04/20", 30_000, "2025/05/31")],
                 receipts=[("2025/04/03", "A", 10_000, "振込", "", "I1"),
                           ("2025/04/04", "A", 5_000, "振込", "", "I1"),   # paid: to I2
                           ("2025/04/10", "A", 3_000, "振込", "", "I3")])  # not dated: to I2
    assert open_at(led, "2025-04-30") == {"I1": 0, "I2": 12_000, "I3": 30_000}


def test_rule_2_due_order_then_date_then_id_as_text_then_balances(tmp_path):
    led = ledger(tmp_path,
                 invoices=[("B9", "A", "2025/03/01", 10_000, "2025/04/30"),
                           ("A1", "A", "2025/03/05", 10_000, "2025/04/30"),
                           ("B10", "A", "2025/03/01", 10_000, "2025/04/30"),
                           ("Z", "A", "2025/03/20", 10_000, "2025/04/15")],
                 balances=[("A", "2025/03/01", 10_000, "2025/04/30")],
                 receipts=[("2025/04/10", "A", 25_000, "振込", "", "")])
    # Z (due 15 Apr) 10,000; then due 30 Apr, dated 1 Mar: "B10" < "B9" as text, then the
    # balance; A1 is dated later
    assert open_at(led, "2025-04-10") == {"Z": 0, "B10": 0, "B9": 5_000,
                                          "繰越残高:A:2": 10_000, "A1": 10_000}


def test_rule_3_advances_pay_later_invoices_oldest_first(tmp_path):
    led = ledger(tmp_path, invoices=[("X", "A", "2025/04/10", 8_000, "2025/05/31"),
                                     ("Y", "A", "2025/04/10", 3_000, "2025/04/30")],
                 receipts=[("2025/04/01", "A", 5_000, "振込", "", ""),
                           ("2025/04/02", "A", 7_000, "現金", "", "")])
    # on 10 Apr, in due order: Y 3,000 from the 5,000; X 2,000 from it and 6,000 from the 7,000
    assert open_at(led, "2025-04-10") == {"X": 0, "Y": 0}
    assert month(led, "2025-04")["advance"] == 1_000
    # reversing the 5,000 undoes what its advance paid, latest first: X 2,000, then Y 3,000;
    # the 7,000's advance left (1,000) stays
    led = ledger(tmp_path / "b", invoices=[("X", "A", "2025/04/10", 8_000, "2025/05/31"),
                                           ("Y", "A", "2025/04/10", 3_000, "2025/04/30")],
                 receipts=[("2025/04/01", "A", 5_000, "振込", "", ""),
                           ("2025/04/02", "A", 7_000, "現金", "", ""),
                           ("2025/04/20", "A", -5_000, "振込", "", "")])
    assert open_at(led, "2025-04-30") == {"X": 2_000, "Y": 3_000}
    april = month(led, "2025-04")
    assert april["advance"] == 1_000
    assert april["scheduled"] == 3_000 and april["on_schedule"] == 0   # Y was paid, undone
    assert april["collection_days"] == 0                    # 6,000 through an advance
    assert april["overdue_1"] == 3_000


def test_rule_4_credit_notes_and_scheduled(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/03/01", 100_000, "2025/04/30"),
                                     ("CN1", "A", "2025/04/15", -10_000, ""),
                                     ("I2", "A", "2025/04/16", 4_000, "2025/04/30"),
                                     ("CN2", "A", "2025/04/16", -65_000, "")],
                 receipts=[("2025/03/20", "A", 30_000, "振込", "", "")])
    april = month(led, "2025-04")
    # I1: 100,000 - 30,000 (March) - 10,000 (CN1) - 60,000 (CN2); I2 4,000 by CN2;
    # CN2's excess 1,000 is an advance
    assert april["scheduled"] == 0
    assert open_at(led, "2025-04-30") == {"I1": 0, "I2": 0}
    assert april["advance"] == 1_000
    assert april["billed"] == -71_000
    assert month(led, "2025-04")["opening"] == 70_000


def test_rule_4_scheduled_less_money_before_the_month_and_credits(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/03/01", 100_000, "2025/04/30"),
                                     ("CN1", "A", "2025/04/15", -10_000, "")],
                 receipts=[("2025/03/20", "A", 30_000, "振込", "", "")])
    assert month(led, "2025-04")["scheduled"] == 60_000


def test_rule_5_the_receipt_reversed(tmp_path):
    invoices = [("I1", "A", "2025/04/01", 10_000, "2025/04/30"),
                ("I2", "A", "2025/04/01", 10_000, "2025/04/30")]
    named = [("2025/04/05", "A", 10_000, "振込", "", "I1"),
             ("2025/04/06", "A", 10_000, "振込", "", "I2")]
    # naming I1: the receipt naming I1, though the later one has the same amount
    led = ledger(tmp_path / "a", invoices=invoices,
                 receipts=named + [("2025/04/07", "A", -10_000, "振込", "", "I1")])
    assert open_at(led, "2025-04-30") == {"I1": 10_000, "I2": 0}
    # naming nothing: the latest of the same amount and method
    led = ledger(tmp_path / "b", invoices=invoices,
                 receipts=named + [("2025/04/07", "A", -10_000, "振込", "", "")])
    assert open_at(led, "2025-04-30") == {"I1": 0, "I2": 10_000}
    # the same method first: the note (which paid I1), not the later transfer
    led = ledger(tmp_path / "c", invoices=invoices,
                 receipts=[("2025/04/05", "A", 10_000, "手形", "2025/06/30", ""),
                           ("2025/04/06", "A", 10_000, "振込", "", ""),
                           ("2025/04/07", "A", -10_000, "手形", "2025/06/30", "")])
    assert open_at(led, "2025-04-30") == {"I1": 10_000, "I2": 0}


def test_rule_5_what_the_receipt_did_is_undone_latest_first(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30"),
                                     ("I3", "A", "2025/04/08", 3_000, "2025/05/31")],
                 receipts=[("2025/04/05", "A", 15_000, "振込", "", ""),    # I1 + 5,000 advance
                           ("2025/04/20", "A", -15_000, "振込", "", "")])
    # unspent 2,000 taken back, then I3's 3,000 (paid by its advance), then I1's 10,000
    assert open_at(led, "2025-04-30") == {"I1": 10_000, "I3": 3_000}
    april = month(led, "2025-04")
    assert april["advance"] == 0 and april["transfer"] == 0


def test_rule_5_a_fee_closure_that_followed_stays(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30")],
                 receipts=[("2025/04/05", "A", 9_500, "振込", "", ""),     # 500 closed as fee
                           ("2025/04/20", "A", -9_500, "振込", "", "")])
    april = month(led, "2025-04")
    assert open_at(led, "2025-04-30") == {"I1": 9_500}
    assert april["fee"] == 500 and april["transfer"] == 0
    assert april["opening"] + april["billed"] - collected(april) == 9_500


def test_rule_5_without_such_a_receipt_the_latest_payments_then_a_debit(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30"),
                                     ("I2", "A", "2025/04/01", 5_000, "2025/05/31")],
                 receipts=[("2025/04/02", "A", 4_000, "振込", "", ""),
                           ("2025/04/03", "A", 6_000, "振込", "", ""),
                           ("2025/04/10", "A", -7_000, "現金", "", ""),   # 6,000 + 1,000 of I1
                           ("2025/04/11", "A", -5_000, "現金", "", ""),   # 3,000 + debit 2,000
                           ("2025/04/12", "A", 2_500, "振込", "", "")])   # debit, then I1 500
    assert open_at(led, "2025-04-30") == {"I1": 9_500, "I2": 5_000}
    result = compute_month(led, "2025-04")
    april = result.customers.set_index("code").loc["A"]
    assert april["overdue_1"] == 9_500 and april[OVERDUE].sum() == 9_500
    assert result.plan.set_index("code").loc["A", "due_next"] == 5_000
    assert april["advance"] == 0


def test_rule_6_fee_closure_once_after_the_days_last_receipt(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30"),
                                     ("I2", "A", "2025/04/02", 10_000, "2025/04/30")],
                 receipts=[("2025/04/10", "A", 9_500, "振込", "", ""),
                           ("2025/04/10", "A", 10_000, "振込", "", "")])
    # 9,500 to I1; 500 to I1 and 9,500 to I2; after the day's last receipt I2's 500 is a fee
    april = month(led, "2025-04")
    assert (april["fee"], april["advance"]) == (500, 0)
    assert april["on_schedule"] == 20_000


def test_fee_receipts_count_as_fee_closures(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30")],
                 receipts=[("2025/04/10", "A", 660, "手数料", "", "")])
    april = month(led, "2025-04")
    assert april["fee"] == 660 and april["on_schedule"] == 660
    assert math.isnan(april["site"]) and math.isnan(april["collection_days"])
    assert april["collection_sales"] == 0
    assert open_at(led, "2025-04-30") == {"I1": 9_340}       # more than the tolerance left
    # 340 left is no more than the tolerance: closed as a fee too, 1,000 in all
    led = ledger(tmp_path / "b", invoices=[("I1", "A", "2025/04/01", 1_000, "2025/04/30")],
                 receipts=[("2025/04/10", "A", 660, "手数料", "", "")])
    assert month(led, "2025-04")["fee"] == 1_000


def test_cash_date_of_a_note_is_its_maturity_on_a_business_day(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/06/01", 100_000, "2025/07/31")],
                 receipts=[("2025/06/16", "A", 100_000, "手形", "2025/09/15", "")])
    june = month(led, "2025-06")
    assert june["site"] == 92                               # 16 Jun -> Tue 16 Sep
    assert june["collection_days"] == 107                   # 1 Jun -> 16 Sep
    assert june["exposure"] == 100_000                      # settles after June


def test_site_before_three_latest_months_with_receipts_within_twelve(tmp_path):
    led = ledger(tmp_path, receipts=[
        ("2024/12/02", "A", 1_000, "手形", "2025/03/03", ""),   # 91 days
        ("2025/01/06", "A", 1_000, "手形", "2025/02/05", ""),   # 30 days
        ("2025/03/03", "A", 1_000, "手形", "2025/05/02", ""),   # 60 days
        ("2025/05/12", "A", 1_000, "振込", "", ""),              # 0 days
        ("2025/06/10", "A", 1_000, "振込", "", "")])
    assert month(led, "2025-06")["site_before"] == 30       # May, March, January
    assert month(led, "2025-04")["site_before"] == pytest.approx((60 + 30 + 91) / 3)
    old = ledger(tmp_path / "old", receipts=[("2024/05/10", "A", 1_000, "手形", "2024/06/10", "")])
    assert math.isnan(month(old, "2025-06")["site_before"])  # 13 months back


def test_collection_sales_count_a_late_bounce_in_its_own_month(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/05/10", 50_000, "2025/06/30")],
                 receipts=[("2025/06/02", "A", 50_000, "手形", "2025/07/31", ""),
                           ("2025/08/04", "A", -50_000, "手形", "2025/07/31", "")])
    sales = [month(led, m)["collection_sales"] for m in ("2025-06", "2025-07", "2025-08")]
    assert sales == [0, 50_000, -50_000]                    # summed: the cash kept, 0
    assert month(led, "2025-06")["exposure"] == 50_000
    august = month(led, "2025-08")
    assert august["overdue_3"] == 50_000                    # due 30 Jun, 63 days on 1 Sep
    assert august["on_schedule"] == 0


# -- what the engine cannot compute ----------------------------------------------------------

def test_an_amount_too_large_is_a_ledger_problem(tmp_path):
    led = ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30")],
                 receipts=[("2025/04/05", "A", 10**14, "振込", "", "")])
    with pytest.raises(LedgerError) as error:
        compute_month(led, "2025-04")
    assert "receipts.csv row 2, column 金額: 100000000000000" in str(error.value)


@pytest.mark.parametrize("invoices, receipts, when, where", [
    ([], [("9997/12/01", "A", 100, "手形", "9999/12/31", "")], "9997-12",
     "receipts.csv row 2, column 期日: '9999-12-31'"),
    ([("I1", "A", "9998/06/01", 100, "")], [], "9998-06",
     "invoices.csv row 2, column 売上日: '9998-06-01'"),
])
def test_a_date_too_far_ahead_is_a_ledger_problem(tmp_path, invoices, receipts, when, where):
    led = ledger(tmp_path, invoices=invoices, receipts=receipts)
    with pytest.raises(LedgerError, match=where):
        compute_month(led, when)


def test_the_cli_reports_a_ledger_problem_in_one_message(tmp_path):
    ledger(tmp_path, invoices=[("I1", "A", "2025/04/01", 10_000, "2025/04/30")],
           receipts=[("2025/04/05", "A", 10**14, "振込", "", "")])
    book = tmp_path / "book.xlsx"
    from kaishu.templates import write_templates
    path = next(p for p in write_templates(tmp_path / "books")
                if p.name == "collection_check.xlsx")
    book.write_bytes(path.read_bytes())
    before = book.read_bytes()
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger",
                                       str(tmp_path / "ledger"), "--month", "2025-04"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "receipts.csv row 2, column 金額" in result.output
    assert book.read_bytes() == before
