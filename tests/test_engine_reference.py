"""The engine against a plain reference loop (tests/reference.py) on thousands of random
ledgers, each customer of a random ledger being a small ledger of its own (customers are
independent: a property tested in test_engine_properties.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kaishu.contract import BUCKET_KEYS, METHODS, Settings
from kaishu.ledger import read_ledger
from kaishu.monthly import compute_month, open_invoices

from ledgers import write_ledger
from reference import Customer, Receipt, month_figures

START = dt.date(2025, 1, 1)
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04")
JA = {"cash": "現金", "transfer": "振込", "note": "手形", "densai": "でんさい", "offset": "相殺",
      "fee": "手数料", "other": "その他"}


def _day(rng, days):
    return days[rng.integers(len(days))]


def random_customer(rng, code: str) -> Customer:
    """A small ledger: few days (so that events share days), ids whose text order differs
    from their creation order, partial, exact, short-by-a-fee, named, negative receipts."""
    days = sorted({START + dt.timedelta(days=int(d)) for d in rng.integers(-20, 120, 5)})
    c = Customer()
    for i in range(rng.integers(0, 7)):
        date = _day(rng, days)
        amount = int(rng.choice([1_000, 2_500, 10_000, 33_000, 50_000]))
        if rng.random() < 0.15:
            amount = -int(rng.choice([500, 2_500, 12_000]))
        due = date + dt.timedelta(days=int(rng.choice([-3, 0, 5, 30, 45, 60])))
        c.invoices.append((f"{code}-{rng.choice(['9', '10', 'A', 'b', '1'])}{i}", date,
                           amount, due))
    for i in range(rng.integers(0, 2)):
        date = _day(rng, days) - dt.timedelta(days=int(rng.integers(0, 40)))
        amount = int(rng.choice([5_000, 40_000, -3_000]))
        c.balances.append((date, amount, date + dt.timedelta(days=int(rng.integers(0, 40))),
                           0))
    positive = [a for _, _, a, _ in c.invoices if a > 0] or [10_000]
    for i in range(rng.integers(0, 9)):
        date = _day(rng, days)
        kind = rng.random()
        method = str(rng.choice(list(METHODS), p=[.1, .45, .15, .05, .05, .1, .1]))
        if kind < 0.3:
            amount = int(rng.choice(positive))
        elif kind < 0.45:
            amount = int(rng.choice(positive)) - 660
        elif kind < 0.7:
            amount = int(rng.choice([300, 660, 5_000, 20_000, 70_000]))
        elif kind < 0.85 and c.receipts:
            earlier = c.receipts[int(rng.integers(len(c.receipts)))]
            amount, method = -abs(earlier.amount), (earlier.method if rng.random() < 0.7
                                                    else method)
        else:
            amount = -int(rng.choice([1_000, 10_000, 90_000]))
        if method == "fee" and amount > 0:
            amount = int(rng.choice([440, 660, 880]))
        named = None
        if c.invoices and rng.random() < 0.3:
            named = c.invoices[int(rng.integers(len(c.invoices)))][0]
        maturity = date + dt.timedelta(days=int(rng.integers(0, 100))) \
            if method in ("note", "densai") else None
        if amount:
            c.receipts.append(Receipt(date, amount, method, 0, maturity, named))
    return c


def random_ledger(tmp_path, rng, customers: int):
    """Write ``customers`` random customers as CSV files (rows shuffled across customers)."""
    people = {f"K{i:04d}": random_customer(rng, f"K{i:04d}") for i in range(customers)}
    invoices, receipts, balances = [], [], []
    for code, c in people.items():
        invoices += [(code, n) for n in range(len(c.invoices))]
        receipts += [(code, n) for n in range(len(c.receipts))]
        balances += [(code, n) for n in range(len(c.balances))]

    def interleave(rows):  # customers' rows mixed, each customer's in its own order
        keys = rng.random(len(rows))
        order = sorted(range(len(rows)), key=lambda i: (keys[i], ))
        by_customer: dict[str, list] = {}
        for code, n in rows:
            by_customer.setdefault(code, []).append(n)
        out, used = [], {}
        for i in order:
            code = rows[i][0]
            out.append((code, by_customer[code][used.get(code, 0)]))
            used[code] = used.get(code, 0) + 1
        return out

    def date(d):
        return d.strftime("%Y/%m/%d")

    inv_rows, rec_rows, bal_rows = [], [], []
    for row, (code, n) in enumerate(interleave(invoices), start=2):
        invoice_id, d, amount, due = people[code].invoices[n]
        people[code].invoice_rows.append(row)
        inv_rows.append((invoice_id, code, date(d), amount, date(due)))
    for row, (code, n) in enumerate(interleave(receipts), start=2):
        r = people[code].receipts[n]
        r.row = row
        rec_rows.append((date(r.date), code, r.amount, JA[r.method],
                         date(r.maturity) if r.maturity else "", r.invoice_id or ""))
    for row, (code, n) in enumerate(interleave(balances), start=2):
        d, amount, due, _ = people[code].balances[n]
        people[code].balances[n] = (d, amount, due, row)
        bal_rows.append((code, date(d), amount, date(due)))
    customer_rows = [(code, f"得意先{code}", "佐藤", "末", 1, "末", "") for code in people]
    folder = write_ledger(tmp_path, customer_rows, inv_rows, rec_rows, bal_rows)
    return read_ledger(folder), people


FIGURES = ("opening", "billed", "scheduled", "on_schedule", *METHODS, "exposure",
           *BUCKET_KEYS, "advance", "collection_sales")


def compare(ledger, people, settings: Settings) -> int:
    checked = 0
    for month in MONTHS:
        period = pd.Period(month, freq="M")
        first, end = period.start_time.date(), period.end_time.date()
        result = compute_month(ledger, month, settings)
        table = result.customers.set_index("code")
        plan = result.plan.set_index("code")
        open_ = open_invoices(ledger, end, settings).set_index("invoice_id")["open"]
        for code, c in people.items():
            want = month_figures(c, first, end, int(settings.fee_tolerance),
                                 settings.aging_edges)
            got = table.loc[code]
            where = f"{code} {month}"
            for key in FIGURES:
                assert got[key] == pytest.approx(want[key], abs=1e-6), (where, key)
            for key in ("site", "collection_days"):
                if want[key] is None:
                    assert np.isnan(got[key]), (where, key)
                else:
                    assert got[key] == pytest.approx(want[key]), (where, key)
            assert plan.loc[code, "due_next"] == want["due_next"], where
            assert plan.loc[code, "overdue"] == want["plan_overdue"], where
            for invoice_id, amount in want["open"].items():
                if not invoice_id.startswith("balance"):
                    assert open_[invoice_id] == amount, (where, invoice_id)
            checked += 1
    return checked


@pytest.mark.parametrize("seed, settings", [
    (1, Settings()),
    (2, Settings(fee_tolerance=0, aging_edges=(15, 30, 45, 60))),
])
def test_engine_agrees_with_the_reference_loop(tmp_path, seed, settings):
    rng = np.random.default_rng(seed)
    ledger, people = random_ledger(tmp_path, rng, 1_500)
    assert compare(ledger, people, settings) == 1_500 * len(MONTHS)
