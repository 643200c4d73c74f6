"""The month's collection check (DOMAIN.md section 6): ledger in, one row per customer out.

Three steps, each readable on its own:

1. :func:`prepare` turns the ledger into the events the rules need, as integer arrays:
   items (invoices, carried-in balances, a slot for each debit) in the order of rule 2,
   money (credit notes, receipts) and each customer's events in the order of the day.
2. :func:`kaishu.allocation.apply_all` applies them, customer by customer, by the rules of
   section 6, and writes a record of every amount applied.
3. Every figure of the month is a small named function below over that record (and the
   ledger's own rows): :func:`opening`, :func:`scheduled`, :func:`collected_on_schedule`, ...

Money is counted in sen (1/100 yen) as integers until the figures are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import allocation as rules
from .allocation import ADVANCE, CREDIT, CREDIT_NOTE, DATED, DEBIT, FEE, NONE, PAID, RECEIPT, \
    REVERSAL
from .errors import TermsError
from .formulas.metrics import DEFAULT_AGING_EDGES
from .formulas.terms import business_day, due_date
from .ledger import Ledger, LedgerError, Problem
from .ledger.schema import METHODS, NOTE_METHODS

SEN = 100                       # money is applied in sen: whole numbers, nothing in between
#: Receipt methods by code (the order of the monthly sheet's columns).
METHOD_KEYS = tuple(METHODS)
NOTE_CODES = tuple(METHOD_KEYS.index(m) for m in NOTE_METHODS)
FEE_CODE = METHOD_KEYS.index("fee")
#: Receipts that are cash on their date, for 回収基準売上.
CASH_LIKE = ("cash", "transfer", "offset", "other")
CASH_CODES = tuple(METHOD_KEYS.index(m) for m in CASH_LIKE)
BUCKET_KEYS = ("overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_91_120",
               "overdue_121")
#: Kinds of items, in the order of rule 2 on a full tie.
INVOICE_ITEM, BALANCE_ITEM, DEBIT_ITEM = 0, 1, 2
#: Files, in the order of the day (carried-in balances first).
BALANCES_FILE, INVOICES_FILE, RECEIPTS_FILE = 0, 1, 2
#: Largest amount the engine takes (yen): sums of sen stay exact in 64-bit numbers.
MAX_AMOUNT = 1e13
SITE_MONTHS, SITE_LOOKBACK = 3, 12


@dataclass(frozen=True)
class Settings:
    fee_tolerance: float = 1000
    note_lookback: int = 6
    aging_edges: tuple[int, ...] = DEFAULT_AGING_EDGES


@dataclass
class Month:
    """What the refresh writes for one month."""

    month: pd.Period
    customers: pd.DataFrame   # one row per customer, columns named as the template's keys
    salespeople: list[str]
    plan: pd.DataFrame
    history: pd.DataFrame


@dataclass
class Applied:
    """A ledger's events up to a day, and what the rules did with them.

    ``items``: customer (code), date, due, amount (sen, debits included), kind, id, row,
    open (sen, at the day), dated. ``money``: customer, date, cash (the day it is cash),
    amount (sen, signed as in the ledger), method (code; -1 for a credit note), receipt,
    row, target (the receipt a negative receipt reversed, -1), advance (unspent, sen).
    ``record``: item, rule, source, undoes, date, amount, live (sen), customer."""

    customers: pd.Index
    items: dict[str, np.ndarray]
    money: dict[str, np.ndarray]
    record: dict[str, np.ndarray]


# -- 1. the events ---------------------------------------------------------------------------

def _days(values) -> np.ndarray:
    """Dates as whole days since 1970-01-01."""
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]").astype(np.int64)


def _sen(ledger: Ledger, part: str, frame: pd.DataFrame) -> np.ndarray:
    amounts = frame["amount"].to_numpy(float)
    big = ~(np.abs(amounts) < MAX_AMOUNT)
    if big.any():
        raise LedgerError([Problem(ledger.sources.get(part, part), int(row), "金額", value,
                                   f"an amount below {MAX_AMOUNT:,.0f} yen")
                           for row, value in zip(frame["row"][big], amounts[big])])
    return np.rint(amounts * SEN).astype(np.int64)


def _entries(ledger: Ledger, end: np.datetime64) -> pd.DataFrame:
    """Invoices and carried-in balances dated on or before ``end``, with their due dates
    (given, or from the customer's terms), customer codes and sen."""
    parts = []
    for part, frame, file in (("balances", ledger.balances, BALANCES_FILE),
                              ("invoices", ledger.invoices, INVOICES_FILE)):
        date = "as_of" if part == "balances" else "invoice_date"
        frame = frame[pd.to_datetime(frame[date]) <= pd.Timestamp(end)] if len(frame) else frame
        customer = frame["customer_id"].astype(str)
        parts.append(pd.DataFrame({
            "customer_id": customer.to_numpy(),
            "date": _days(frame[date]) if len(frame) else np.array([], np.int64),
            "given_due": pd.to_datetime(frame["due_date"]).to_numpy() if "due_date" in frame
            else np.full(len(frame), np.datetime64("NaT")),
            "amount": _sen(ledger, part, frame) if len(frame) else np.array([], np.int64),
            "id": (frame["invoice_id"].astype(str).to_numpy() if part == "invoices" else
                   ("繰越残高:" + customer + ":" + frame["row"].astype(str)).to_numpy()),
            "row": frame["row"].to_numpy(np.int64),
            "file": file,
        }))
    return pd.concat(parts, ignore_index=True)


def _due_dates(ledger: Ledger, entries: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Rule: the 支払期日 given, else DUE_DATE by the customer's terms (section 5)."""
    given = entries["given_due"].to_numpy()
    due = np.where(np.isnat(given), np.datetime64("1970-01-01"), given).astype(
        "datetime64[D]").astype(np.int64)
    missing = np.isnat(given) & (entries["amount"].to_numpy() > 0)
    if not missing.any():
        return due
    terms = ledger.customers.reset_index(drop=True)
    term = terms.iloc[codes[missing]]
    sale = entries["date"].to_numpy()[missing].astype("datetime64[D]")
    # one due date per distinct (customer, date): exports repeat them
    key = codes[missing].astype(np.int64) * 1_000_000 + (sale.astype(np.int64) + 500_000)
    unique, first, back = np.unique(key, return_index=True, return_inverse=True)
    rule = (term["holiday_rule"].fillna(False).to_numpy(bool)[first]
            if "holiday_rule" in term else False)
    try:
        computed = due_date(sale[first], term["closing_day"].to_numpy(int)[first],
                            term["payment_months"].to_numpy(int)[first],
                            term["payment_day"].to_numpy(int)[first], rule)
    except TermsError as error:
        bad = np.broadcast_to(error.bad, first.shape)
        rows = sorted(set(term["row"].to_numpy()[first][bad]))
        raise LedgerError([Problem(ledger.sources.get("customers", "customers"), int(row),
                                   "支払日", terms.loc[terms["row"] == row, "payment_day"].iloc[0],
                                   "payment terms that pay after the closing date")
                           for row in rows]) from None
    due[missing] = np.asarray(computed, dtype="datetime64[D]").astype(np.int64)[back]
    return due


def _receipts(ledger: Ledger, end: np.datetime64, customers: pd.Index) -> pd.DataFrame:
    receipts = ledger.receipts
    if len(receipts):
        receipts = receipts[pd.to_datetime(receipts["receipt_date"]) <= pd.Timestamp(end)]
    method = pd.Categorical(receipts["method"], categories=METHOD_KEYS).codes.astype(np.int64)
    date = _days(receipts["receipt_date"]) if len(receipts) else np.array([], np.int64)
    cash = date.copy()
    notes = np.isin(method, NOTE_CODES)
    if notes.any():  # a note settles on its maturity, moved to the next business day
        maturity = pd.to_datetime(receipts["maturity_date"]).to_numpy()[notes]
        cash[notes] = np.asarray(business_day(maturity.astype("datetime64[D]")),
                                 dtype="datetime64[D]").astype(np.int64)
    named = (receipts["invoice_id"].astype(object).where(receipts["invoice_id"].notna(), None)
             if "invoice_id" in receipts else pd.Series([None] * len(receipts)))
    named = named.where(named != "", None)
    return pd.DataFrame({
        "cust": customers.get_indexer(receipts["customer_id"].astype(str)),
        "date": date, "cash": cash,
        "amount": _sen(ledger, "receipts", receipts) if len(receipts) else np.array([], np.int64),
        "method": method, "named_id": named.to_numpy(), "row": receipts["row"].to_numpy(np.int64),
    })


def _latest_earlier(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For each receipt, the latest positive receipt before it with the same ``keys``
    (money index, -1 for none)."""
    out = np.full(len(frame), NONE, np.int64)
    usable = frame[keys].notna().all(axis=1).to_numpy()
    if not usable.any():
        return out
    part = frame[usable]
    positive = pd.Series(np.where(part["amount"].to_numpy() > 0, part.index.to_numpy(), np.nan),
                         index=part.index)
    groups = [part[k] for k in keys]
    earlier = positive.groupby(groups, sort=False).shift(1)
    earlier = earlier.groupby(groups, sort=False).ffill()
    out[usable] = earlier.fillna(NONE).to_numpy(np.int64)
    return out


def prepare(ledger: Ledger, end, settings: Settings = Settings()) -> Applied:
    """The ledger's events dated on or before ``end``, applied by the rules of section 6."""
    end = np.datetime64(pd.Timestamp(end).date(), "D")
    customers = pd.Index(ledger.customers["customer_id"].astype(str))
    entries = _entries(ledger, end)
    codes = customers.get_indexer(entries["customer_id"])
    due = _due_dates(ledger, entries, codes)
    receipts = _receipts(ledger, end, customers)

    # money: credit notes (negative invoices and balances) and receipts, in event order
    credit = entries["amount"].to_numpy() < 0
    notes = entries[credit]
    money = pd.concat([
        pd.DataFrame({"cust": codes[credit], "date": notes["date"].to_numpy(),
                      "cash": notes["date"].to_numpy(), "amount": notes["amount"].to_numpy(),
                      "method": NONE, "named_id": None, "row": notes["row"].to_numpy(),
                      "kind": CREDIT_NOTE, "file": notes["file"].to_numpy()}),
        receipts.assign(kind=RECEIPT, file=RECEIPTS_FILE),
    ], ignore_index=True)
    order = np.lexsort((money["row"].to_numpy(), money["file"].to_numpy(),
                        money["kind"].to_numpy(), money["date"].to_numpy(),
                        money["cust"].to_numpy()))
    money = money.iloc[order].reset_index(drop=True)
    receipt = (money["kind"] == RECEIPT).to_numpy()
    negative = receipt & (money["amount"].to_numpy() < 0)

    # items: invoices and balances owed, and a debit slot for each negative receipt, in the
    # order of rule 2: due date, invoice date, invoice before balance before debit, id
    owed = ~credit
    slots = np.flatnonzero(negative)
    kind = np.concatenate([np.where(entries["file"].to_numpy()[owed] == INVOICES_FILE,
                                    INVOICE_ITEM, BALANCE_ITEM), np.full(len(slots), DEBIT_ITEM)])
    items = pd.DataFrame({
        "cust": np.concatenate([codes[owed], money["cust"].to_numpy()[slots]]),
        "date": np.concatenate([entries["date"].to_numpy()[owed], money["date"].to_numpy()[slots]]),
        "due": np.concatenate([due[owed], money["date"].to_numpy()[slots]]),
        "amount": np.concatenate([entries["amount"].to_numpy()[owed], np.zeros(len(slots), np.int64)]),
        "kind": kind,
        "id": np.concatenate([entries["id"].to_numpy()[owed],
                              ("入金戻し:" + customers[money["cust"].to_numpy()[slots]].astype(str)
                               + ":" + money["row"].to_numpy()[slots].astype(str)).to_numpy()]),
        "row": np.concatenate([entries["row"].to_numpy()[owed], money["row"].to_numpy()[slots]]),
        "slot_of": np.concatenate([np.full(owed.sum(), NONE), slots]),
    })
    tie = np.zeros(len(items), np.int64)  # invoice ids (as text) matter only on a full tie
    full = items.duplicated(["cust", "due", "date", "kind"], keep=False).to_numpy()
    if full.any():
        texts = items.loc[full, "id"].astype(str)
        tie[full] = np.where(items.loc[full, "kind"] == INVOICE_ITEM,
                             texts.rank(method="dense").to_numpy(np.int64),
                             items.loc[full, "row"].to_numpy())
    order = np.lexsort((tie, items["kind"].to_numpy(), items["date"].to_numpy(),
                        items["due"].to_numpy(), items["cust"].to_numpy()))
    items = items.iloc[order].reset_index(drop=True)

    # the money table of the rules
    table = np.full((len(money), rules.MONEY_COLUMNS), NONE, np.int64)
    table[:, rules.M_AMOUNT] = np.where(receipt, money["amount"], -money["amount"])
    table[:, rules.M_IS_RECEIPT] = receipt
    invoice_items = items.index[items["kind"] == INVOICE_ITEM]
    position = pd.Index(items.loc[invoice_items, "id"]).get_indexer(
        money["named_id"].astype(object))
    named = receipt & (position >= 0)
    table[named, rules.M_NAMED] = invoice_items.to_numpy()[position[named]]
    slot_item = items.index[items["kind"] == DEBIT_ITEM].to_numpy()
    table[items.loc[slot_item, "slot_of"].to_numpy(np.int64), rules.M_DEBIT_SLOT] = slot_item
    reversing = np.isin(money["cust"].to_numpy(), money["cust"].to_numpy()[negative])
    if reversing.any():
        part = money[reversing & receipt].assign(size=lambda f: f["amount"].abs())
        for column, keys in ((rules.M_SAME_NAMED_METHOD, ["cust", "named_id", "method"]),
                             (rules.M_SAME_NAMED, ["cust", "named_id"]),
                             (rules.M_SAME_AMOUNT_METHOD, ["cust", "size", "method"]),
                             (rules.M_SAME_AMOUNT, ["cust", "size"])):
            table[part.index.to_numpy(), column] = _latest_earlier(part, keys)

    # each customer's events in the order of the day
    dated = items.index[items["kind"] != DEBIT_ITEM].to_numpy()
    events = np.concatenate([
        np.column_stack([items["cust"].to_numpy()[dated], items["date"].to_numpy()[dated],
                         np.full(len(dated), DATED), dated]),
        np.column_stack([money["cust"].to_numpy(), money["date"].to_numpy(),
                         money["kind"].to_numpy(), np.arange(len(money))]),
    ]).astype(np.int64)
    events = events[np.lexsort((events[:, 3], events[:, 2], events[:, 1], events[:, 0]))]
    bounds = np.arange(len(customers) + 1)
    event_start = np.searchsorted(events[:, 0], bounds)
    item_start = np.searchsorted(items["cust"].to_numpy(), bounds)
    money_start = np.searchsorted(money["cust"].to_numpy(), bounds)

    amount = items["amount"].to_numpy(np.int64).copy()
    open_ = np.zeros(len(items), np.int64)
    is_dated = np.zeros(len(items), np.bool_)
    advance = np.zeros(len(money), np.int64)
    target = np.full(len(money), NONE, np.int64)
    capacity = 2 * (len(items) + len(money)) + 16
    rec, n = rules.apply_all(np.ascontiguousarray(events[:, [2, 3, 1]]), event_start, table,
                             money_start, amount, item_start,
                             int(round(settings.fee_tolerance * SEN)), open_, is_dated,
                             advance, target, np.empty((capacity, 9), np.int64))
    record = {name: rec[:n, i] for i, name in enumerate(rules.RECORD_COLUMNS)}
    item_cust = items["cust"].to_numpy()
    money_cust = money["cust"].to_numpy()
    record["cust"] = np.where(record["item"] >= 0, item_cust[np.maximum(record["item"], 0)],
                              money_cust[np.maximum(record["source"], 0)] if len(money_cust)
                              else NONE)
    return Applied(
        customers,
        {"cust": item_cust, "date": items["date"].to_numpy(), "due": items["due"].to_numpy(),
         "amount": amount, "kind": items["kind"].to_numpy(), "id": items["id"].to_numpy(),
         "row": items["row"].to_numpy(), "open": open_, "dated": is_dated},
        {"cust": money_cust, "date": money["date"].to_numpy(), "cash": money["cash"].to_numpy(),
         "amount": money["amount"].to_numpy(np.int64), "method": money["method"].to_numpy(),
         "receipt": receipt, "row": money["row"].to_numpy(), "target": target,
         "advance": advance},
        record)


# -- 3. the figures, each a small function over the record ------------------------------------

def _per_customer(applied: Applied, codes: np.ndarray, values, mask=None) -> np.ndarray:
    """Σ ``values`` per customer over ``mask`` (sen in, yen out)."""
    values = np.broadcast_to(np.asarray(values, dtype=float), codes.shape)
    if mask is not None:
        codes, values = codes[mask], values[mask]
    return np.bincount(codes, weights=values, minlength=len(applied.customers)) / SEN


def _weighted(applied: Applied, codes, amounts, days, mask) -> np.ndarray:
    """Σ amount × days / Σ amount per customer over ``mask``; NaN without any amount."""
    total = _per_customer(applied, codes, amounts, mask)
    weighted = _per_customer(applied, codes, np.asarray(amounts, float) * days, mask)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weighted / np.where(total > 0, total, 1), np.nan)


@dataclass(frozen=True)
class Span:
    """Month M: its first and last day (E), and the last day of M+1, as whole days."""

    first: int
    end: int
    next_end: int

    @classmethod
    def of(cls, period: pd.Period) -> "Span":
        def day(value) -> int:
            return int(np.datetime64(value.date(), "D").astype(np.int64))
        return cls(day(period.start_time), day(period.end_time), day((period + 1).end_time))

    def holds(self, days: np.ndarray) -> np.ndarray:
        return (days >= self.first) & (days <= self.end)


def _live_payments(a: Applied) -> tuple[np.ndarray, np.ndarray]:
    """Records of money paying an item (rules 1-4, not fees), and their source."""
    r = a.record
    paying = ((r["rule"] == PAID) | (r["rule"] == ADVANCE) | (r["rule"] == CREDIT)) & \
        (r["item"] >= 0)
    return paying, np.maximum(r["source"], 0)


def opening(a: Applied, ledger_rows: pd.DataFrame, m: Span) -> np.ndarray:
    """前月残高: Σ invoices and balances dated before M − Σ collected before M (receipts,
    negative ones included, and fee closures)."""
    r, money = a.record, a.money
    before = ledger_rows["date"].to_numpy() < m.first
    owed = _per_customer(a, ledger_rows["cust"].to_numpy(), ledger_rows["amount"], before)
    received = _per_customer(a, money["cust"], money["amount"], money["receipt"]
                             & (money["date"] < m.first))
    fees = _per_customer(a, r["cust"], r["amount"], (r["rule"] == FEE) & (r["date"] < m.first))
    return owed - received - fees


def billed(a: Applied, ledger_rows: pd.DataFrame, m: Span) -> np.ndarray:
    """当月売上: Σ invoices (and carried-in balances) dated in M, credit notes negative."""
    return _per_customer(a, ledger_rows["cust"].to_numpy(), ledger_rows["amount"],
                         m.holds(ledger_rows["date"].to_numpy()))


def collected(a: Applied, m: Span) -> dict[str, np.ndarray]:
    """当月回収額 by method: receipts dated in M (negative ones included), and fee closures
    of M under 手数料."""
    money, r = a.money, a.record
    in_month = money["receipt"] & m.holds(money["date"])
    out = {key: _per_customer(a, money["cust"], money["amount"], in_month
                              & (money["method"] == code))
           for code, key in enumerate(METHOD_KEYS)}
    out["fee"] = out["fee"] + _per_customer(a, r["cust"], r["amount"],
                                            (r["rule"] == FEE) & m.holds(r["date"]))
    return out


def scheduled(a: Applied, m: Span) -> np.ndarray:
    """当月回収予定額: for every item due on or before E, its amount less what money received
    before M (receipts, advances received before M), fee closures before M and credit notes
    on or before E applied to it (net of what reversals have undone)."""
    r, items, money = a.record, a.items, a.money
    due = items["dated"] & (items["due"] <= m.end)
    paying, source = _live_payments(a)
    from_credit = paying & ~money["receipt"][source]
    earlier = paying & (money["date"][source] < m.first)
    applied = (from_credit | earlier) | ((r["rule"] == FEE) & (r["date"] < m.first))
    item = np.maximum(r["item"], 0)
    settled = np.bincount(item[applied], weights=r["live"][applied].astype(float),
                          minlength=len(items["amount"]))
    return _per_customer(a, items["cust"], items["amount"] - settled, due)


def collected_on_schedule(a: Applied, m: Span, collected_total: np.ndarray,
                          scheduled_total: np.ndarray) -> np.ndarray:
    """予定内回収額: what money received in M (directly, or through an advance received in
    M) and fee closures of M applied to items due on or before E, net of reversals; never
    below 0 nor above collected or scheduled."""
    r, items, money = a.record, a.items, a.money
    paying, source = _live_payments(a)
    due = items["due"][np.maximum(r["item"], 0)] <= m.end
    paying &= money["receipt"][source] & m.holds(money["date"][source])
    fees = (r["rule"] == FEE) & m.holds(r["date"])
    amount = np.where(fees, r["amount"], r["live"])
    total = _per_customer(a, r["cust"], amount, (paying | fees) & due)
    return np.clip(total, 0, np.maximum(np.minimum(collected_total, scheduled_total), 0))


def collection_site(a: Applied, m: Span) -> np.ndarray:
    """回収サイト: COLLECTION_SITE over M's positive receipts other than 手数料 (days from
    receipt to cash date); NaN without any."""
    money = a.money
    mask = money["receipt"] & (money["amount"] > 0) & (money["method"] != FEE_CODE) & \
        m.holds(money["date"])
    return _weighted(a, money["cust"], money["amount"], money["cash"] - money["date"], mask)


def collection_days(a: Applied, m: Span) -> np.ndarray:
    """回収期間: amount-weighted days from invoice date to cash date over what M's positive
    receipts (not 手数料) paid, net of reversals; an advance counts 0 days. NaN when M's
    receipts paid nothing."""
    r, items, money = a.record, a.items, a.money
    paying, source = _live_payments(a)
    paying &= (r["rule"] != CREDIT) & money["receipt"][source] & (money["amount"][source] > 0) \
        & (money["method"][source] != FEE_CODE) & m.holds(money["date"][source])
    days = np.where(r["rule"] == ADVANCE, 0, np.maximum(
        money["cash"][source] - items["date"][np.maximum(r["item"], 0)], 0))
    return _weighted(a, r["cust"], r["live"], days, paying)


def exposure(a: Applied, m: Span, closing: np.ndarray) -> np.ndarray:
    """与信残高: closing balance + every note and でんさい received whose settlement date is
    after E."""
    money = a.money
    unsettled = np.isin(money["method"], NOTE_CODES) & (money["cash"] > m.end)
    return closing + _per_customer(a, money["cust"], money["amount"], unsettled)


def overdue(a: Applied, m: Span, edges) -> dict[str, np.ndarray]:
    """延滞 by bucket: open amounts due on or before E, by days past due counted to the day
    after E (an amount due on E is 1 day past due)."""
    items = a.items
    late = items["dated"] & (items["open"] > 0) & (items["due"] <= m.end)
    days = (m.end + 1) - items["due"]
    bucket = np.searchsorted(np.asarray(edges), days, side="left")
    return {key: _per_customer(a, items["cust"], items["open"], late & (bucket == i))
            for i, key in enumerate(BUCKET_KEYS)}


def advance(a: Applied) -> np.ndarray:
    """前受金: unspent advances at E."""
    return _per_customer(a, a.money["cust"], a.money["advance"])


def site_before(a: Applied, period: pd.Period) -> np.ndarray:
    """前3ヶ月平均サイト: the simple mean of the monthly sites of the customer's 3 latest
    earlier months that had receipts, looking back at most 12 months (NaN without any)."""
    sites = np.column_stack([collection_site(a, Span.of(period - k))
                             for k in range(1, SITE_LOOKBACK + 1)])
    had = ~np.isnan(sites)
    chosen = had & (np.cumsum(had, axis=1) <= SITE_MONTHS)
    count = chosen.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(chosen, sites, 0).sum(axis=1) / np.maximum(count, 1),
                        np.nan)


def new_notes(a: Applied, period: pd.Period, lookback: int) -> np.ndarray:
    """手形化: a 手形 or でんさい received in M from a customer with none in the previous
    ``lookback`` months."""
    money = a.money
    notes = np.isin(money["method"], NOTE_CODES) & (money["amount"] > 0)
    m = Span.of(period)
    start = Span.of(period - lookback).first
    had = _per_customer(a, money["cust"], 1, notes & (money["date"] >= start)
                        & (money["date"] < m.first))
    now = _per_customer(a, money["cust"], 1, notes & m.holds(money["date"]))
    return (now > 0) & (had <= 0)


def collection_sales(a: Applied, m: Span) -> np.ndarray:
    """回収基準売上: cash, transfers, offsets and others received in M (reversals dated in M
    included), plus notes and でんさい settling in M, less their reversals (不渡り): a
    reversal counts in the later of its own month and the month its note settles."""
    money = a.money
    cash_like = np.isin(money["method"], CASH_CODES) & m.holds(money["date"])
    notes = np.isin(money["method"], NOTE_CODES)
    settling = notes & (money["amount"] > 0) & m.holds(money["cash"])
    target = money["target"]
    settles = np.where(target >= 0, money["cash"][np.maximum(target, 0)], money["date"]) \
        if len(target) else money["date"]
    counted_on = np.maximum(money["date"], settles)
    bounced = notes & (money["amount"] < 0) & m.holds(counted_on)
    return _per_customer(a, money["cust"], money["amount"], cash_like | settling | bounced)


def plan_figures(a: Applied, m: Span) -> dict[str, np.ndarray]:
    """回収予定表: what falls due in M+1, what is overdue at E, and the first due date."""
    items = a.items
    open_ = items["dated"] & (items["open"] > 0)
    first_due = np.full(len(a.customers), np.iinfo(np.int64).max)
    soon = open_ & (items["due"] <= m.next_end)
    np.minimum.at(first_due, items["cust"][soon], items["due"][soon])
    return {
        "due_next": _per_customer(a, items["cust"], items["open"],
                                  open_ & (items["due"] > m.end) & (items["due"] <= m.next_end)),
        "overdue": _per_customer(a, items["cust"], items["open"], open_ & (items["due"] <= m.end)),
        "first_due": pd.to_datetime(np.where(first_due == np.iinfo(np.int64).max,
                                             np.datetime64("NaT"),
                                             first_due.astype("datetime64[D]"))),
    }


# -- the month ---------------------------------------------------------------------------------

def _ledger_rows(a: Applied) -> pd.DataFrame:
    """Invoices, credit notes and balances as the ledger has them (sen): what was billed."""
    items, money = a.items, a.money
    owed = items["kind"] != 2
    credit = ~money["receipt"]
    return pd.DataFrame({
        "cust": np.concatenate([items["cust"][owed], money["cust"][credit]]),
        "date": np.concatenate([items["date"][owed], money["date"][credit]]),
        "amount": np.concatenate([items["amount"][owed], money["amount"][credit]]),
    })


def compute_month(ledger: Ledger, month: str | pd.Period, settings: Settings = Settings(),
                  limits: dict[str, float] | None = None) -> Month:
    """Every figure of the month ``month`` (YYYY-MM) for every customer of the master."""
    period = pd.Period(month, freq="M")
    m = Span.of(period)
    a = prepare(ledger, period.end_time.date(), settings)
    rows = _ledger_rows(a)
    customers = ledger.customers.set_index(ledger.customers["customer_id"].astype(str))
    index = a.customers

    out = pd.DataFrame(index=index)
    out["code"] = index
    out["name"] = customers["customer_name"].to_numpy()
    out["salesperson"] = customers["salesperson"].to_numpy()
    limit = customers["credit_limit"] if "credit_limit" in customers else pd.Series(np.nan, index)
    if limits:
        limit = pd.Series(limits).reindex(index).fillna(limit)
    out["credit_limit"] = limit.to_numpy()
    out["opening"] = opening(a, rows, m)
    out["billed"] = billed(a, rows, m)
    out["scheduled"] = scheduled(a, m)
    by_method = collected(a, m)
    for key in METHOD_KEYS:
        out[key] = by_method[key]
    total = sum(by_method.values())
    out["on_schedule"] = collected_on_schedule(a, m, total, out["scheduled"].to_numpy())
    out["site"] = collection_site(a, m)
    out["collection_days"] = collection_days(a, m)
    closing = out["opening"].to_numpy() + out["billed"].to_numpy() - total
    out["exposure"] = exposure(a, m, closing)
    for key, values in overdue(a, m, settings.aging_edges).items():
        out[key] = values
    out["advance"] = advance(a)
    out["site_before"] = site_before(a, period)
    out["new_notes"] = new_notes(a, period, settings.note_lookback)
    out["collection_sales"] = collection_sales(a, m)

    plan = out[["code", "name", "salesperson"]].copy()
    for key, values in plan_figures(a, m).items():
        plan[key] = values

    history = out[["code", "name", "salesperson", "credit_limit", "opening", "billed",
                   "scheduled", "on_schedule", "site", "exposure"]].copy()
    history.insert(0, "month", str(period))
    history["collected"] = total
    history["closing"] = closing
    history["overdue"] = out[list(BUCKET_KEYS)].sum(axis=1)

    people = sorted(set(out["salesperson"].dropna().astype(str)) - {""})
    return Month(period, out.reset_index(drop=True), people, plan.reset_index(drop=True),
                 history.reset_index(drop=True))


def open_invoices(ledger: Ledger, as_of, settings: Settings = Settings()) -> pd.DataFrame:
    """Every invoice and carried-in balance dated on or before ``as_of`` with what is open of
    it after every event dated on or before ``as_of`` (section 6).

    Columns: invoice_id (a balance's is ``繰越残高:<customer>:<row>``), customer_id,
    invoice_date, due_date, amount, open (yen). Debits left by negative receipts are not
    invoices and are not listed."""
    a = prepare(ledger, as_of, settings)
    items = a.items
    keep = items["dated"] & (items["kind"] != DEBIT_ITEM)
    return pd.DataFrame({
        "invoice_id": items["id"][keep],
        "customer_id": np.asarray(a.customers)[items["cust"][keep]],
        "invoice_date": items["date"][keep].astype("datetime64[D]").astype("datetime64[ns]"),
        "due_date": items["due"][keep].astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": items["amount"][keep] / SEN,
        "open": items["open"][keep] / SEN,
    }).reset_index(drop=True)
