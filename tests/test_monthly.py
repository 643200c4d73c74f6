"""The month's figures on small ledgers worked out by hand (DOMAIN.md section 6).

Calendar facts used below: 31 May 2025 is a Saturday (so 末締め翌月末払い for April pays on
Monday 2 June); 20 September 2025 is a Saturday (a note maturing then settles Monday 22
September); 31 July 2025 is a Thursday."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from kaishu.ledger import read_ledger
from kaishu.monthly import Settings, compute_month

from ledgers import write_ledger

CUSTOMERS = [
    ("C1", "青葉", "佐藤", "末", 1, "末", 1_000_000),   # partial payment, overdue later
    ("C2", "みなと", "佐藤", 20, 1, 10, ""),             # credit note, fee, note, advance
    ("C3", "さくら", "鈴木", "末", 1, "末", ""),          # carried-in balance, bounced note
    ("C4", "東和", "鈴木", "末", 1, "末", ""),            # no activity at all
    ("C5", "ひかり", "高橋", "末", 1, "末", ""),          # receipt naming an invoice
]
INVOICES = [
    ("I1", "C1", "2025/04/10", 100_000, ""),  # closes 30 Apr, due Mon 2 Jun
    ("I2", "C1", "2025/05/15", 200_000, ""),  # closes 31 May, due Mon 30 Jun
    ("I3", "C1", "2025/06/05", 50_000, ""),   # closes 30 Jun, due Thu 31 Jul
    ("I4", "C2", "2025/05/10", 330_000, ""),  # closes 20 May, due Tue 10 Jun
    ("CN1", "C2", "2025/05/25", -30_000, ""),  # credit note: I4 open 300,000
    ("I5", "C2", "2025/06/05", 100_000, ""),  # closes 20 Jun, due 10 Jul
    ("I6", "C2", "2025/06/25", 150_000, ""),  # closes 20 Jul, due 12 Aug (11 Aug holiday)
    ("I7", "C5", "2025/04/05", 100_000, ""),  # due Mon 2 Jun
    ("I8", "C5", "2025/04/20", 100_000, ""),  # due Mon 2 Jun
]
RECEIPTS = [
    ("2025/06/02", "C1", 100_000, "振込", "", ""),        # pays I1
    ("2025/06/30", "C1", 150_000, "振込", "", ""),        # I2: 50,000 stays open
    ("2025/06/10", "C2", 299_340, "振込", "", ""),        # I4 less 660: closed as a fee
    ("2025/06/20", "C2", 500_000, "手形", "2025/09/20", ""),  # pays I5, 400,000 advance
    ("2025/04/30", "C3", 80_000, "手形", "2025/07/31", ""),   # pays the balance
    ("2025/07/31", "C3", -80_000, "手形", "2025/07/31", ""),  # 不渡り: reopens it
    ("2025/06/02", "C5", 100_000, "振込", "", "I8"),       # names I8
    ("2025/06/03", "C5", 60_000, "振込", "", ""),          # I7: 40,000 stays open
]
BALANCES = [("C3", "2025/03/31", 80_000, "2025/04/30")]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    folder = write_ledger(tmp_path_factory.mktemp("ledger"), CUSTOMERS, INVOICES, RECEIPTS,
                          BALANCES, encoding="cp932")
    return read_ledger(folder)


@pytest.fixture(scope="module")
def june(ledger):
    return compute_month(ledger, "2025-06").customers.set_index("code")


@pytest.fixture(scope="module")
def july(ledger):
    return compute_month(ledger, "2025-07").customers.set_index("code")


def test_partial_payment(june):
    c1 = june.loc["C1"]
    assert c1["opening"] == 300_000            # I1 + I2 before June
    assert c1["billed"] == 50_000              # I3
    assert c1["scheduled"] == 300_000          # I1 (2 Jun) + I2 (30 Jun)
    assert c1["on_schedule"] == 250_000
    assert c1["transfer"] == 250_000
    assert c1["site"] == 0                     # transfers are cash
    # I1: 2 Jun - 10 Apr = 53 days on 100,000; I2: 30 Jun - 15 May = 46 days on 150,000
    assert c1["collection_days"] == pytest.approx((53 * 100_000 + 46 * 150_000) / 250_000)
    assert c1["exposure"] == 100_000           # 300,000 + 50,000 - 250,000
    # I2's 50,000 was due on 30 Jun itself: 1 day past due counted to 1 Jul (section 6)
    assert c1["overdue_1"] == 50_000
    assert c1[["overdue_2", "overdue_3", "overdue_4", "overdue_5"]].sum() == 0
    assert c1["credit_limit"] == 1_000_000


def test_unpaid_remainder_ages_into_the_next_month(july):
    c1 = july.loc["C1"]
    assert c1["opening"] == 100_000
    assert c1["scheduled"] == 100_000          # I2's 50,000 carried + I3 due 31 Jul
    assert c1["overdue_2"] == 50_000       # I2: 31 days late on 31 Jul


def test_credit_note_fee_note_and_advance(june):
    c2 = june.loc["C2"]
    assert c2["opening"] == 300_000            # 330,000 - 30,000
    assert c2["billed"] == 250_000             # I5 + I6
    assert c2["scheduled"] == 300_000          # I4 less the credit note
    assert c2["on_schedule"] == 300_000        # 299,340 + 660 fee
    assert (c2["transfer"], c2["note"], c2["fee"]) == (299_340, 500_000, 660)
    # site: 299,340 at 0 days, 500,000 from 20 Jun to Mon 22 Sep = 94 days
    assert c2["site"] == pytest.approx(500_000 * 94 / 799_340)
    # I4: 10 Jun - 10 May = 31 days on 299,340; I5 by note: 22 Sep - 5 Jun = 109 days on
    # 100,000; the note's advance paying I6 (dated later) counts 0 days on 150,000
    assert c2["collection_days"] == pytest.approx(
        (299_340 * 31 + 100_000 * 109 + 150_000 * 0) / 549_340)
    assert c2["advance"] == 250_000            # 400,000 left, I6 took 150,000
    assert c2["exposure"] == 250_000           # balance -250,000 + the note 500,000
    assert bool(c2["new_notes"]) is True       # first note in six months
    assert c2["collection_sales"] == 299_340   # the note matures in September


def test_note_maturing_later_stays_in_exposure(june):
    assert june.loc["C3", "opening"] == 0       # the balance was paid by note in April
    assert june.loc["C3", "exposure"] == 80_000  # until the note is settled on 31 Jul
    assert june.loc["C3", "site_before"] == 92   # April: 30 Apr -> 31 Jul


def test_bounced_note_reopens_the_invoice(july):
    c3 = july.loc["C3"]
    assert c3["note"] == -80_000
    assert c3["opening"] == 0
    assert c3["exposure"] == 80_000              # balance 0 - (-80,000)
    assert c3["overdue_4"] == 80_000        # due 30 Apr: 92 days late on 31 Jul
    assert c3["collection_sales"] == 0           # matured +80,000 and bounced -80,000
    assert np.isnan(c3["site"])                  # no positive receipt in July


def test_customer_with_no_activity(june):
    c4 = june.loc["C4"]
    assert c4[["opening", "billed", "scheduled", "on_schedule", "exposure", "advance",
               "collection_sales"]].sum() == 0
    assert np.isnan(c4["site"]) and np.isnan(c4["collection_days"])


def test_named_invoice_is_paid_first(june, july):
    c5 = june.loc["C5"]
    assert c5["on_schedule"] == 160_000 and c5["scheduled"] == 200_000
    assert c5["overdue_1"] == 40_000          # I7: due 2 Jun, 28 days late
    # I8: 2 Jun - 20 Apr = 43 days on 100,000; I7: 3 Jun - 5 Apr = 59 days on 60,000
    assert c5["collection_days"] == pytest.approx((43 * 100_000 + 59 * 60_000) / 160_000)
    assert july.loc["C5", "overdue_2"] == 40_000


def test_month_with_nothing_scheduled(july):
    assert july.loc["C2", "scheduled"] == 0 and july.loc["C4", "scheduled"] == 0


def test_plan_for_next_month(ledger):
    plan = compute_month(ledger, "2025-06").plan.set_index("code")
    assert plan.loc["C1", "due_next"] == 50_000   # I3, due 31 Jul
    assert plan.loc["C1", "overdue"] == 50_000    # I2's remainder, due 30 Jun
    assert plan.loc["C1", "first_due"] == pd.Timestamp("2025-06-30")
    assert plan.loc["C2", ["due_next", "overdue"]].sum() == 0  # I6 paid by the advance


def test_balances_carry_from_month_to_month(ledger):
    for month in ("2025-04", "2025-05", "2025-06"):
        this = compute_month(ledger, month).customers.set_index("code")
        after = compute_month(ledger, str(pd.Period(month) + 1)).customers.set_index("code")
        collected = this[["cash", "transfer", "note", "densai", "offset", "fee", "other"]].sum(axis=1)
        closing = this["opening"] + this["billed"] - collected
        assert closing.to_dict() == pytest.approx(after["opening"].to_dict())


def test_fee_tolerance_is_a_setting(ledger):
    strict = compute_month(ledger, "2025-06", Settings(fee_tolerance=500)).customers
    c2 = strict.set_index("code").loc["C2"]
    # I4's 660 stays open until the note of 20 Jun, which pays it first (due order), then
    # I5; 399,340 is left, of which I6 takes 150,000
    assert c2["fee"] == 0 and c2["on_schedule"] == 300_000
    assert c2["advance"] == 249_340
    assert c2[["overdue_1", "overdue_2"]].sum() == 0


def test_limits_from_a_credit_limit_workbook(ledger):
    month = compute_month(ledger, "2025-06", limits={"C2": 2_000_000})
    limits = month.customers.set_index("code")["credit_limit"]
    assert limits["C2"] == 2_000_000 and limits["C1"] == 1_000_000
    assert np.isnan(limits["C3"])


def test_salespeople_and_history(ledger):
    month = compute_month(ledger, "2025-06")
    assert month.salespeople == ["佐藤", "鈴木", "高橋"]
    history = month.history.set_index("code")
    assert set(history["month"]) == {"2025-06"}
    assert history.loc["C1", "collected"] == 250_000 and history.loc["C1", "closing"] == 100_000
