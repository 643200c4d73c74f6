"""The month's collection check (DOMAIN.md section 6): ledger in, one row per customer out.

Receipts are applied to invoices exactly by the contract's rules, which are sequential per
customer (each receipt sees what earlier ones left open). The engine therefore walks the
events of every customer in lockstep: step k processes the k-th event of all customers at
once with numpy, so the Python loop runs once per event *rank*, never once per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import TermsError
from .formulas.terms import business_day, due_date
from .ledger import Ledger, LedgerError, Problem
from .contract import BUCKET_KEYS, CASH_LIKE, HISTORY_KEYS, METHODS, NOTE_METHODS, Settings

EPS = 1e-6
WINDOW = 16
# Event kinds, in their order on the same day: invoices first, then credit notes, then
# receipts (a receipt pays invoices dated on or before it).
INVOICE, CREDIT, RECEIPT = 0, 1, 2
# What a record of the engine is: money moved onto (+) or off (-) an invoice.
PAID, FEE, CREDITED, FROM_ADVANCE, REOPENED = 0, 1, 2, 3, 4

@dataclass
class Month:
    """What the refresh writes for one month."""

    month: pd.Period
    customers: pd.DataFrame   # one row per customer, columns named as the template's keys
    salespeople: list[str]
    plan: pd.DataFrame
    history: pd.DataFrame


# -- preparing the ledger --------------------------------------------------------------------

def _days(values) -> np.ndarray:
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]")


def _invoices(ledger: Ledger) -> pd.DataFrame:
    """Invoices and carried-in balances, with due dates (given, or from the terms)."""
    balances = ledger.balances.rename(columns={"as_of": "invoice_date"})
    balances = balances.assign(invoice_id="繰越残高:" + balances["customer_id"].astype(str)
                               + ":" + balances["row"].astype(str), source="balances")
    invoices = pd.concat([ledger.invoices.assign(source="invoices"), balances],
                         ignore_index=True)
    terms = ledger.customers.set_index("customer_id")
    missing = invoices["due_date"].isna().to_numpy()
    due = _days(invoices["due_date"].fillna(invoices["invoice_date"]))
    if missing.any():
        rows = invoices.loc[missing, "customer_id"]
        term = terms.loc[rows]
        try:
            due[missing] = due_date(_days(invoices.loc[missing, "invoice_date"]),
                                    term["closing_day"].to_numpy(int),
                                    term["payment_months"].to_numpy(int),
                                    term["payment_day"].to_numpy(int),
                                    term["holiday_rule"].fillna(False).to_numpy(bool)
                                    if "holiday_rule" in term else False)
        except TermsError as error:
            bad = sorted(set(rows.to_numpy()[np.broadcast_to(error.bad, rows.shape)]))
            raise LedgerError([Problem(ledger.sources.get("customers", "customers"),
                                       int(terms.at[c, "row"]), "支払日", terms.at[c, "payment_day"],
                                       "payment terms that pay after the closing date")
                               for c in bad]) from None
    invoices["due"] = due
    invoices["date"] = _days(invoices["invoice_date"])
    return invoices


def _receipts(ledger: Ledger) -> pd.DataFrame:
    receipts = ledger.receipts.copy()
    receipts["date"] = _days(receipts["receipt_date"])
    notes = receipts["method"].isin(NOTE_METHODS).to_numpy()
    cash = receipts["date"].to_numpy().copy()
    if notes.any():  # a note settles on its maturity, moved to the next business day
        cash[notes] = np.asarray(business_day(_days(receipts.loc[notes, "maturity_date"])),
                                 dtype="datetime64[D]")
    receipts["cash_date"] = cash
    return receipts


# -- the engine ----------------------------------------------------------------------------

class Engine:
    """Applies receipts to invoices by the contract's rules, all customers in lockstep."""

    def __init__(self, invoices: pd.DataFrame, receipts: pd.DataFrame, customers: pd.Index,
                 tolerance: float) -> None:
        self.tolerance = tolerance
        def code(frame: pd.DataFrame) -> np.ndarray:  # customer id -> its index
            return frame["cust"].to_numpy()

        positive = invoices[invoices["amount"] > 0]
        order = np.lexsort((positive["invoice_id"].rank(method="first").to_numpy(),
                            positive["date"].to_numpy(), positive["due"].to_numpy(),
                            code(positive)))
        self.invoices = positive.iloc[order].reset_index(drop=True)
        cust = code(self.invoices)
        n = len(customers)
        self.start = np.searchsorted(cust, np.arange(n), side="left")
        self.end = np.searchsorted(cust, np.arange(n), side="right")
        self.amount = self.invoices["amount"].to_numpy(float)
        self.open = np.zeros(len(self.amount))
        self.exists = np.zeros(len(self.amount), bool)
        self.head = self.start.copy()
        self.advance = np.zeros(n)
        self.records: list[tuple[np.ndarray, ...]] = []
        credits = invoices[invoices["amount"] < 0]
        named = pd.Index(self.invoices["invoice_id"]).get_indexer(receipts["invoice_id"]) \
            if "invoice_id" in receipts else np.full(len(receipts), -1)

        def days(frame: pd.DataFrame) -> np.ndarray:
            return frame["date"].to_numpy().astype("datetime64[D]")

        parts = (  # (customer, date, kind, file row, amount, invoice named, receipt index)
            (cust, days(self.invoices), INVOICE, self.invoices["row"], self.amount,
             np.arange(len(self.amount)), -1),
            (code(credits), days(credits), CREDIT, credits["row"], -credits["amount"], -1, -1),
            (code(receipts), days(receipts), RECEIPT, receipts["row"], receipts["amount"],
             named, np.arange(len(receipts))),
        )
        names = ("cust", "date", "kind", "row", "amount", "ref", "receipt")
        columns = {name: np.concatenate([np.broadcast_to(np.asarray(part[i]), len(part[0]))
                                         for part in parts])
                   for i, name in enumerate(names)}
        for name in ("cust", "kind", "row", "ref", "receipt"):
            columns[name] = columns[name].astype(np.int64)
        columns["amount"] = columns["amount"].astype(float)
        order = np.lexsort((columns["row"], columns["kind"], columns["date"].astype(np.int64),
                            columns["cust"]))
        cust = columns["cust"][order]
        first = np.r_[0, np.flatnonzero(np.diff(cust)) + 1]  # each customer's first event
        step = np.arange(len(cust)) - np.repeat(first, np.diff(np.r_[first, len(cust)]))
        order = order[np.lexsort((cust, step))]  # the k-th events of all customers together
        self.events = {name: values[order] for name, values in columns.items()}
        self.events["step"] = np.sort(step)

    # records: invoice position, signed amount, date, kind, receipt index
    def record(self, pos, amount, date, kind, receipt) -> None:
        keep = np.abs(amount) > EPS
        if keep.any():
            size = int(keep.sum())
            self.records.append((pos[keep], amount[keep], np.broadcast_to(date, keep.shape)[keep],
                                 np.full(size, kind), np.broadcast_to(receipt, keep.shape)[keep]))

    def allocate(self, cust, money, date, kind, receipt):
        """Pay open invoices that exist, in priority order from each customer's head;
        returns what is left and the last invoice each payment touched."""
        left = money.astype(float).copy()
        last = np.full(len(cust), -1)
        start = self.head[cust].copy()
        active = np.flatnonzero(left > EPS)
        first_pass = True
        while active.size:
            c, s = cust[active], start[active]
            pos = s[:, None] + np.arange(WINDOW)
            inside = pos < self.end[c][:, None]
            pos = np.where(inside, pos, 0)
            available = np.where(inside & self.exists[pos], self.open[pos], 0.0)
            before = np.cumsum(available, axis=1) - available
            pay = np.clip(left[active][:, None] - before, 0, available)
            hit = pay > EPS
            self.open[pos[hit]] -= pay[hit]
            rows = np.nonzero(hit)[0]
            self.record(pos[hit], pay[hit], date[active][rows], kind, receipt[active][rows])
            left[active] -= pay.sum(axis=1)
            touched = hit.any(axis=1)
            last[active[touched]] = pos[touched, WINDOW - 1 - np.argmax(hit[touched, ::-1], axis=1)]
            if first_pass:  # move each head past invoices that are settled
                settled = inside & self.exists[pos] & (self.open[pos] <= EPS)
                lead = np.argmin(np.concatenate([settled, np.zeros((len(c), 1), bool)], axis=1),
                                 axis=1)
                self.head[c] = s + lead
                first_pass = False
            start[active] = s + WINDOW
            active = active[(left[active] > EPS) & (start[active] < self.end[c])]
        return left, last

    def reverse(self, cust, money, named, date, receipt) -> None:
        """A negative receipt: takes back an advance first, then reopens the named invoice,
        then the most recently due invoices that were paid (rare: one customer at a time)."""
        for c, x, p, d, r in zip(cust, money, named, date, receipt):
            take = min(x, self.advance[c])
            self.advance[c] -= take
            x -= take
            order = ([p] if p >= 0 else []) + list(range(self.end[c] - 1, self.start[c] - 1, -1))
            for q in order:
                if x <= EPS:
                    break
                back = min(x, self.amount[q] - self.open[q]) if self.exists[q] else 0.0
                if back > EPS:
                    self.open[q] += back
                    x -= back
                    self.head[c] = min(self.head[c], q)
                    self.record(np.array([q]), np.array([-back]), np.array([d]),
                                REOPENED, np.array([r]))
            self.advance[c] -= x  # reversing more than was paid leaves a debit

    def run(self) -> None:
        events = self.events
        if not len(events["step"]):
            return
        bounds = np.searchsorted(events["step"], np.arange(events["step"].max() + 2))
        cust_all, kind_all = events["cust"], events["kind"]
        amount_all, ref_all = events["amount"], events["ref"]
        date_all, receipt_all = events["date"], events["receipt"]
        for a, b in zip(bounds[:-1], bounds[1:]):
            if a == b:
                continue
            cust, kind, amount = cust_all[a:b], kind_all[a:b], amount_all[a:b]
            ref, date, receipt = ref_all[a:b], date_all[a:b], receipt_all[a:b]
            self._invoices(cust[kind == INVOICE], ref[kind == INVOICE], date[kind == INVOICE])
            credit = kind == CREDIT
            if credit.any():
                left, _ = self.allocate(cust[credit], amount[credit], date[credit], CREDITED,
                                        receipt[credit])
                self.advance[cust[credit]] += left
            paying = (kind == RECEIPT) & (amount > 0)
            if paying.any():
                self._receipts(cust[paying], amount[paying], ref[paying], date[paying],
                               receipt[paying])
            refund = (kind == RECEIPT) & (amount < 0)
            if refund.any():
                self.reverse(cust[refund], -amount[refund], ref[refund], date[refund],
                             receipt[refund])

    def _invoices(self, cust, pos, date) -> None:
        if not len(pos):
            return
        self.exists[pos] = True
        self.open[pos] = self.amount[pos]
        self.head[cust] = np.minimum(self.head[cust], pos)
        pay = np.minimum(self.advance[cust], self.amount[pos]).clip(0)
        self.open[pos] -= pay
        self.advance[cust] -= pay
        self.record(pos, pay, date, FROM_ADVANCE, np.full(len(pos), -1))

    def _receipts(self, cust, money, named, date, receipt) -> None:
        money = money.copy()
        last = np.full(len(cust), -1)
        own = (named >= 0) & (self.exists[np.maximum(named, 0)])
        if own.any():
            pos = named[own]
            pay = np.minimum(money[own], self.open[pos])
            self.open[pos] -= pay
            money[own] -= pay
            last[own] = np.where(pay > EPS, pos, -1)
            self.record(pos, pay, date[own], PAID, receipt[own])
        left, touched = self.allocate(cust, money, date, PAID, receipt)
        last = np.where(touched >= 0, touched, last)
        self.advance[cust] += left
        # a remainder no larger than the tolerance is closed as a bank fee
        fee = last >= 0
        fee[fee] = self.open[last[fee]] <= self.tolerance
        fee[fee] = self.open[last[fee]] > EPS
        if fee.any():
            pos = last[fee]
            self.record(pos, self.open[pos].copy(), date[fee], FEE, receipt[fee])
            self.open[pos] = 0.0

    def frame(self) -> pd.DataFrame:
        if not self.records:
            return pd.DataFrame({"pos": np.array([], int), "amount": np.array([]),
                                 "date": np.array([], "datetime64[D]"),
                                 "kind": np.array([], int), "receipt": np.array([], int)})
        columns = [np.concatenate(c) for c in zip(*self.records)]
        return pd.DataFrame(dict(zip(("pos", "amount", "date", "kind", "receipt"), columns)))


# -- the month -------------------------------------------------------------------------------

def _sum(frame: pd.DataFrame, mask, value: str, index: pd.Index) -> pd.Series:
    """Σ ``value`` per customer over the rows of ``mask`` (0 for a customer without any)."""
    codes = frame["cust"].to_numpy() if "cust" in frame else \
        index.get_indexer(frame["customer_id"])
    mask = np.asarray(mask, dtype=bool)
    sums = np.bincount(codes[mask].astype(np.int64), weights=frame[value].to_numpy(float)[mask],
                       minlength=len(index))
    return pd.Series(sums, index=index)


def _weighted(frame: pd.DataFrame, mask, amount: str, days, index: pd.Index) -> pd.Series:
    """Σ amount × days / Σ amount per customer over ``mask`` (blank without any amount)."""
    weights = frame.assign(_weighted=frame[amount] * days)
    total = _sum(weights, mask, amount, index)
    return (_sum(weights, mask, "_weighted", index) / total).where(total > 0)


def _site(receipts: pd.DataFrame, mask, index: pd.Index) -> pd.Series:
    """COLLECTION_SITE per customer over the receipts of ``mask`` (blank without any)."""
    return _weighted(receipts, mask & (receipts["amount"] > 0), "amount",
                     receipts["days_to_cash"], index)


def compute_month(ledger: Ledger, month: str | pd.Period, settings: Settings = Settings(),
                  limits: dict[str, float] | None = None) -> Month:
    """Every figure of the month ``month`` (YYYY-MM) for every customer of the master."""
    period = pd.Period(month, freq="M")
    first = np.datetime64(period.start_time.date(), "D")
    end = np.datetime64(period.end_time.date(), "D")
    next_end = np.datetime64((period + 1).end_time.date(), "D")
    customers = ledger.customers.set_index("customer_id")
    index = customers.index

    invoices = _invoices(ledger)
    receipts = _receipts(ledger)
    invoices = invoices[invoices["date"] <= end]
    receipts = receipts[receipts["date"] <= end].reset_index(drop=True)
    receipts["days_to_cash"] = np.where(receipts["method"].isin(NOTE_METHODS),
                                        (receipts["cash_date"] - receipts["date"]).dt.days, 0)
    invoices = invoices.assign(cust=index.get_indexer(invoices["customer_id"]))
    receipts["cust"] = index.get_indexer(receipts["customer_id"])

    engine = Engine(invoices, receipts, index, settings.fee_tolerance)
    engine.run()
    records = engine.frame()
    inv = engine.invoices
    records = records.join(inv[["customer_id", "cust", "date", "due"]].rename(
        columns={"date": "invoice_date"}), on="pos")

    in_month = (receipts["date"] >= first) & (receipts["date"] <= end)
    before = receipts["date"] < first
    fees = records["kind"] == FEE
    fee_before = _sum(records, fees & (records["date"] < first), "amount", index)
    fee_month = _sum(records, fees & (records["date"] >= first), "amount", index)

    out = pd.DataFrame(index=index)
    out["code"] = index
    out["name"] = customers["customer_name"]
    out["salesperson"] = customers["salesperson"]
    # what the reader could not take from the ledger (section 10: 条件未設定, 補助科目なし)
    out["notice"] = customers["notice"] if "notice" in customers else pd.Series(
        "", index=index, dtype="string")
    limit = customers["credit_limit"] if "credit_limit" in customers else pd.Series(np.nan, index)
    if limits:
        limit = pd.Series(limits).reindex(index).fillna(limit)
    out["credit_limit"] = limit
    out["opening"] = (_sum(invoices, invoices["date"] < first, "amount", index)
                      - _sum(receipts, before, "amount", index) - fee_before)
    out["billed"] = _sum(invoices, invoices["date"] >= first, "amount", index)

    inv_open = pd.Series(engine.open, index=inv.index)
    # what money received before M paid, and credit notes applied on or before E (section 6)
    applied_before = records.loc[(records["date"] < first) | (
        (records["kind"] == CREDITED) & (records["date"] <= end))].groupby("pos")["amount"].sum()
    due_by_end = (inv["due"] <= end) & engine.exists
    remaining = inv["amount"] - applied_before.reindex(inv.index, fill_value=0.0)
    out["scheduled"] = _sum(inv.assign(v=remaining), due_by_end, "v", index)
    paid_in_month = records["kind"].isin([PAID, FEE]) & (records["date"] >= first)
    out["on_schedule"] = _sum(records, paid_in_month & (records["due"] <= end), "amount", index)

    for key in METHODS:
        out[key] = _sum(receipts, in_month & (receipts["method"] == key), "amount", index)
    out["fee"] += fee_month
    out["site"] = _site(receipts, in_month, index)

    paid = records.loc[(records["kind"] == PAID) & (records["date"] >= first)].join(
        receipts["cash_date"], on="receipt")
    days = (paid["cash_date"] - paid["invoice_date"]).dt.days.clip(lower=0)
    out["collection_days"] = _weighted(paid, np.ones(len(paid), bool), "amount", days, index)

    closing = out["opening"] + out["billed"] - out[list(METHODS)].sum(axis=1)
    notes = receipts["method"].isin(NOTE_METHODS) & (receipts["cash_date"] > end)
    out["exposure"] = closing + _sum(receipts, notes, "amount", index)

    overdue = inv.assign(open=inv_open).loc[engine.exists & (inv["due"] < end)]
    overdue = overdue[overdue["open"] > EPS]
    late = (pd.Timestamp(end) - overdue["due"]).dt.days.to_numpy()
    edges = np.asarray(settings.aging_edges)
    bucket = np.searchsorted(edges, late, side="left")
    for i, key in enumerate(BUCKET_KEYS):
        out[key] = _sum(overdue, bucket == i, "open", index)
    out["advance"] = pd.Series(engine.advance, index=index).clip(lower=0)

    sites = [_site(receipts, (receipts["date"] >= np.datetime64((period - k).start_time.date(), "D"))
                   & (receipts["date"] <= np.datetime64((period - k).end_time.date(), "D")), index)
             for k in (1, 2, 3)]
    out["site_before"] = pd.concat(sites, axis=1).mean(axis=1, skipna=True)
    notes_in = receipts["method"].isin(NOTE_METHODS) & (receipts["amount"] > 0)
    lookback = np.datetime64((period - settings.note_lookback).start_time.date(), "D")
    had = _sum(receipts, notes_in & (receipts["date"] >= lookback) & before, "amount", index)
    now = _sum(receipts, notes_in & in_month, "amount", index)
    out["new_notes"] = (now > 0) & (had <= 0)
    matured = receipts["method"].isin(NOTE_METHODS) & (receipts["cash_date"] >= first) & \
        (receipts["cash_date"] <= end)
    out["collection_sales"] = (_sum(receipts, in_month & receipts["method"].isin(CASH_LIKE),
                                    "amount", index)
                               + _sum(receipts, matured, "amount", index))

    open_inv = inv.assign(open=inv_open).loc[engine.exists]
    open_inv = open_inv[open_inv["open"] > EPS]
    plan = out[["code", "name", "salesperson"]].copy()
    plan["due_next"] = _sum(open_inv, (open_inv["due"] > end) & (open_inv["due"] <= next_end),
                            "open", index)
    plan["overdue"] = _sum(open_inv, open_inv["due"] <= end, "open", index)
    plan["first_due"] = open_inv[open_inv["due"] <= next_end].groupby("customer_id")["due"] \
        .min().reindex(index)

    history = out[["code", "name", "salesperson", "credit_limit", "opening", "billed",
                   "scheduled", "on_schedule", "site", "exposure"]].copy()
    history.insert(0, "month", str(period))
    history["collected"] = out[list(METHODS)].sum(axis=1)
    history["closing"] = closing
    history["overdue"] = out[list(BUCKET_KEYS)].sum(axis=1)
    history = history[list(HISTORY_KEYS)]

    people = sorted(set(out["salesperson"].dropna().astype(str)) - {""})
    return Month(period, out.reset_index(drop=True), people, plan.reset_index(drop=True),
                 history.reset_index(drop=True))



def open_invoices(ledger: Ledger, as_of, settings: Settings = Settings()) -> pd.DataFrame:
    """Every invoice and carried-in balance dated on or before ``as_of`` with what is still
    open of it once every event dated on or before ``as_of`` is applied (section 6).

    Columns: invoice_id, customer_id, invoice_date, due_date, amount, open."""
    end = np.datetime64(pd.Timestamp(as_of).date(), "D")
    index = ledger.customers.set_index("customer_id").index
    invoices = _invoices(ledger)
    receipts = _receipts(ledger)
    invoices = invoices[invoices["date"] <= end]
    receipts = receipts[receipts["date"] <= end].reset_index(drop=True)
    invoices = invoices.assign(cust=index.get_indexer(invoices["customer_id"]))
    receipts["cust"] = index.get_indexer(receipts["customer_id"])
    engine = Engine(invoices, receipts, index, settings.fee_tolerance)
    engine.run()
    inv = engine.invoices
    return pd.DataFrame({
        "invoice_id": inv["invoice_id"].astype(str), "customer_id": inv["customer_id"],
        "invoice_date": pd.to_datetime(inv["date"]), "due_date": pd.to_datetime(inv["due"]),
        "amount": inv["amount"].to_numpy(float), "open": engine.open.clip(0)})
