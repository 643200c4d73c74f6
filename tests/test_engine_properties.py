"""Properties of the month's engine over random ledgers (hypothesis), and the compiled
engine against the same source run as plain Python."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from kaishu import allocation
from kaishu.contract import METHODS
from kaishu.ledger import read_ledger
from kaishu.monthly import compute_month, open_invoices, prepare

from ledgers import write_ledger

START = dt.date(2025, 1, 1)
MONTHS = ("2024-12", "2025-01", "2025-02", "2025-03")
JA = {"cash": "現金", "transfer": "振込", "note": "手形", "densai": "でんさい", "offset": "相殺",
      "fee": "手数料", "other": "その他"}
FIGURES = ["opening", "billed", "scheduled", "on_schedule", *METHODS, "site",
           "collection_days", "exposure", "overdue_1", "overdue_2", "overdue_3", "overdue_4",
           "overdue_5", "advance", "site_before", "new_notes", "collection_sales"]

days = st.integers(-10, 80).map(lambda d: START + dt.timedelta(days=d))
invoices = st.lists(st.tuples(days, st.sampled_from([1_000, 2_500, 10_000, 33_000, -2_500]),
                              st.integers(-3, 60)), max_size=5)
receipts = st.lists(st.tuples(days, st.sampled_from([440, 660, 1_000, 2_500, 9_340, 10_000,
                                                     32_340, -1_000, -2_500, -10_000]),
                              st.sampled_from(list(METHODS)), st.integers(0, 90),
                              st.none() | st.integers(0, 4)), max_size=6)
balances = st.lists(st.tuples(st.integers(-30, 20).map(lambda d: START + dt.timedelta(days=d)),
                              st.sampled_from([5_000, -3_000]), st.integers(0, 40)), max_size=1)
ledgers = st.lists(st.tuples(invoices, receipts, balances), min_size=1, max_size=3)


def d(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")


def rows(ledger, order=None):
    """CSV rows of a generated ledger; ``order`` permutes each file's rows."""
    inv, rec, bal = [], [], []
    for c, (cust_invoices, cust_receipts, cust_balances) in enumerate(ledger):
        code = f"K{c}"
        for i, (day, amount, due) in enumerate(cust_invoices):
            inv.append((f"{code}-{i}", code, d(day), amount,
                        d(day + dt.timedelta(days=due))))
        for day, amount, method, runs, named in cust_receipts:
            maturity = d(day + dt.timedelta(days=runs)) if method in ("note", "densai") else ""
            named = f"{code}-{named}" if named is not None and named < len(cust_invoices) \
                else ""
            rec.append((d(day), code, amount, JA[method], maturity, named))
        for day, amount, due in cust_balances:
            bal.append((code, d(day), amount, d(day + dt.timedelta(days=due))))
    if order is not None:
        inv, rec, bal = order("invoices", inv), order("receipts", rec), order("balances", bal)
    customers = [(f"K{c}", f"得意先{c}", "佐藤", "末", 1, "末", "") for c in range(len(ledger))]
    return customers, inv, rec, bal


def read(parts):
    folder = Path(tempfile.mkdtemp())
    return read_ledger(write_ledger(folder, *parts))


def figures(ledger, month):
    return compute_month(ledger, month).customers.set_index("code")


SLOW = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(ledgers)
def test_money_is_conserved_month_after_month(generated):
    ledger = read(rows(generated))
    previous = None
    for month in MONTHS:
        result = compute_month(ledger, month)
        table = result.customers.set_index("code")
        collected = table[list(METHODS)].sum(axis=1)
        closing = table["opening"] + table["billed"] - collected
        end = pd.Period(month).end_time.date()
        applied = prepare(ledger, end)
        items = applied.items
        owed = np.bincount(items["cust"], weights=items["open"] * items["dated"],
                           minlength=len(table)) / 100
        assert np.allclose(closing.to_numpy(), owed - table["advance"].to_numpy())
        if previous is not None:       # closing of M-1 is the opening of M
            assert np.allclose(previous.to_numpy(), table["opening"].to_numpy())
        previous = closing
        open_ = open_invoices(ledger, end)
        assert ((open_["open"] >= 0) & (open_["open"] <= open_["amount"])).all()
        assert (table["advance"] >= 0).all()
        overdue = table[[f"overdue_{i}" for i in range(1, 6)]].sum(axis=1)
        plan = result.plan.set_index("code")
        assert np.allclose(overdue.to_numpy(), plan["overdue"].to_numpy())
        assert (table["on_schedule"] >= 0).all()
        assert (table["on_schedule"] <= table["scheduled"] + 1e-9).all()


@SLOW
@given(ledgers)
def test_customers_are_independent(generated):
    together = read(rows(generated))
    for month in MONTHS[1:3]:
        table = figures(together, month)
        for c in range(len(generated)):
            alone = [generated[c] if i == c else ([], [], []) for i in range(len(generated))]
            own = figures(read(rows(alone)), month)
            pd.testing.assert_series_equal(table.loc[f"K{c}", FIGURES], own.loc[f"K{c}", FIGURES],
                                           check_names=False)


@SLOW
@given(ledgers, st.randoms(use_true_random=False))
def test_file_order_is_the_only_tie_break(generated, random):
    """Rows moved anywhere in their file, keeping the order of the rows of the same
    customer, day and kind (invoice / credit note / receipt), change no figure."""
    key = {"invoices": lambda r: (r[1], r[2], r[3] < 0),
           "receipts": lambda r: (r[1], r[0]),
           "balances": lambda r: (r[0], r[1], r[2] < 0)}

    def shuffle(name, rows_):
        groups: dict = {}
        for r in rows_:
            groups.setdefault(key[name](r), []).append(r)
        order = [key[name](r) for r in rows_]
        random.shuffle(order)
        return [groups[k].pop(0) for k in order]

    first = read(rows(generated))
    moved = read(rows(generated, shuffle))
    for month in MONTHS[1:]:
        pd.testing.assert_frame_equal(figures(first, month)[FIGURES],
                                      figures(moved, month)[FIGURES])


PLAIN = """
import sys, json, numpy as np
sys.path.insert(0, "tests")
from kaishu import allocation
assert not hasattr(allocation.apply_customer, "py_func"), "compiled"
from kaishu.ledger import read_ledger
from kaishu.monthly import prepare
applied = prepare(read_ledger(sys.argv[1]), sys.argv[2])
np.savez(sys.argv[3], **applied.record, open=applied.items["open"],
         advance=applied.money["advance"], target=applied.money["target"])
"""


def test_compiled_and_plain_python_give_identical_records(tmp_path):
    """The same source, compiled by numba and run as plain Python (KAISHU_JIT=0)."""
    assert hasattr(allocation.apply_customer, "py_func")   # compiled here
    sys.path.insert(0, str(Path(__file__).parent))
    from test_engine_reference import random_ledger

    ledger, _ = random_ledger(tmp_path / "ledger", np.random.default_rng(5), 400)
    subprocess.run([sys.executable, "-c", PLAIN, str(tmp_path / "ledger"), "2025-04-30",
                    str(tmp_path / "plain.npz")], check=True,
                   env=dict(os.environ, KAISHU_JIT="0"))
    plain = np.load(tmp_path / "plain.npz")
    compiled = prepare(ledger, "2025-04-30")
    assert len(compiled.record["rule"]) > 1_000
    for name, values in compiled.record.items():
        np.testing.assert_array_equal(values, plain[name], err_msg=name)
    np.testing.assert_array_equal(compiled.items["open"], plain["open"])
    np.testing.assert_array_equal(compiled.money["advance"], plain["advance"])
    np.testing.assert_array_equal(compiled.money["target"], plain["target"])
