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

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import allocation as rules
from .allocation import ADVANCE, CREDIT, CREDIT_NOTE, DATED, FEE, NONE, PAID, RECEIPT
from .contract import BUCKET_KEYS, CASH_LIKE, FEE as FEE_METHOD, HISTORY_KEYS, METHODS, \
    NOTE_METHODS, Settings, bucket_labels
from .errors import TermsError
from .formulas.terms import business_day, due_date
from .ledger import Ledger, LedgerError, Problem

SEN = 100                       # money is applied in sen: whole numbers, nothing in between
#: Receipt methods by code (the order of the monthly sheet's columns).
METHOD_KEYS = tuple(METHODS)
NOTE_CODES = tuple(METHOD_KEYS.index(m) for m in NOTE_METHODS)
FEE_CODE = METHOD_KEYS.index(FEE_METHOD)
CASH_CODES = tuple(METHOD_KEYS.index(m) for m in CASH_LIKE)
#: Kinds of items, in the order of rule 2 on a full tie.
INVOICE_ITEM, BALANCE_ITEM, DEBIT_ITEM = 0, 1, 2
#: Files, in the order of the day (carried-in balances first).
BALANCES_FILE, INVOICES_FILE, RECEIPTS_FILE = 0, 1, 2
#: Largest amount the engine takes (yen): sums of sen stay exact in 64-bit numbers.
MAX_AMOUNT = 1e13
#: Dates from which a due date or a settlement date is computed must be before this day:
#: the bank calendar (holidays) ends a year after it.
LAST_DAY = np.datetime64("9998-01-01", "D")
SITE_MONTHS, SITE_LOOKBACK = 3, 12

try:  # numpy's switch for asking the kernel for huge pages for large arrays
    from numpy._core.multiarray import _set_madvise_hugepage
except ImportError:  # pragma: no cover - numpy before 2.0
    try:
        from numpy.core.multiarray import _set_madvise_hugepage
    except ImportError:
        _set_madvise_hugepage = None


@contextmanager
def _ordinary_pages():
    """Large arrays in ordinary memory pages while the month is computed.

    numpy asks the kernel for huge pages for every large array; where the kernel then
    compacts memory at the first touch of each page (``defrag`` set to ``madvise``, the
    common default), a busy machine spends 0.3-1 s of system time on a million invoices'
    arrays, each written once and read a few times: more than huge pages save. The switch
    is numpy's (also ``NUMPY_MADVISE_HUGEPAGE=0``) and only changes how memory is asked for."""
    if _set_madvise_hugepage is None:
        yield
        return
    before = _set_madvise_hugepage(False)
    try:
        yield
    finally:
        _set_madvise_hugepage(before)


@dataclass
class Month:
    """What the refresh writes for one month."""

    month: pd.Period
    customers: pd.DataFrame   # one row per customer, columns named as the template's keys
    salespeople: list[str]
    plan: pd.DataFrame
    history: pd.DataFrame
    #: The labels of the overdue buckets (AGING_BUCKET's, from the settings' aging edges).
    bucket_labels: tuple[str, ...] = tuple(bucket_labels())
    warnings: list[str] = field(default_factory=list)  # for the summary (kaishu.preflight)


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
    entry_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, object))

    def item_ids(self, which: np.ndarray) -> np.ndarray:
        """The ids of the items ``which``: the 請求番号, ``繰越残高:<customer>:<row>`` for a
        balance, ``入金戻し:<customer>:<row>`` for a debit (the receipts' row)."""
        entry = self.items["entry"][which]
        debit = entry < 0
        out = _at(self.entry_ids, entry, None).astype(object)
        out[debit] = [f"入金戻し:{self.customers[c]}:{r}" for c, r in
                      zip(self.items["cust"][which][debit], self.items["row"][which][debit])]
        return out


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


def _packed(keys) -> np.ndarray | None:
    """Whole-number ``keys`` (the first the most significant) packed into one 64-bit key
    that sorts as they do, or None when they do not fit."""
    lows = [int(k.min()) for k in keys]
    bits = [max(int(k.max()) - low, 0).bit_length() for k, low in zip(keys, lows)]
    if sum(bits) > 62:
        return None
    packed = np.zeros(len(keys[0]), np.int64)
    for key, low, width in zip(keys, lows, bits):
        packed <<= width
        packed |= key - low
    return packed


def _order(*keys: np.ndarray) -> np.ndarray:
    """The order that sorts by ``keys`` (the first the most significant), equal keys in
    their given order, as lexsort does. The stable sort is also the fast one here: exports
    and the events built from them come in long sorted runs."""
    if not len(keys[0]):
        return np.arange(0)
    packed = _packed(keys)
    if packed is None:
        return np.lexsort(keys[::-1])
    return np.argsort(packed, kind="stable")


def _at(values: np.ndarray, index: np.ndarray, fill=0) -> np.ndarray:
    """``values[index]``, with ``fill`` where ``index`` is -1 (none)."""
    if not len(values):
        return np.full(len(index), fill, dtype=values.dtype)
    return np.where(index >= 0, values[index], fill).astype(values.dtype, copy=False)


def _take(columns: dict[str, np.ndarray], index) -> dict[str, np.ndarray]:
    """The rows ``index`` (or a mask) of every column."""
    if index.dtype == bool and index.all():
        return dict(columns)
    return {name: values[index] for name, values in columns.items()}


def _join(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows of ``parts`` one after the other."""
    parts = [p for p in parts if len(next(iter(p.values())))] or parts[:1]
    if len(parts) == 1:
        return dict(parts[0])
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _too_late(ledger: Ledger, part: str, column: str, rows, values) -> None:
    """A date too far ahead to compute business days from is a ledger problem."""
    late = np.asarray(values, dtype="datetime64[D]") >= LAST_DAY
    if late.any():
        raise LedgerError([Problem(ledger.sources.get(part, part), int(row), column,
                                   str(value)[:10], f"a date before {LAST_DAY}")
                           for row, value in zip(np.asarray(rows)[late],
                                                 np.asarray(values)[late])])


def _entries(ledger: Ledger, end: np.datetime64, customers: pd.Index) -> dict[str, np.ndarray]:
    """Invoices and carried-in balances dated on or before ``end``: customer code, date,
    given due date (NaT if none), sen, id, file row, file."""
    parts = []
    for part, frame, file in (("balances", ledger.balances, BALANCES_FILE),
                              ("invoices", ledger.invoices, INVOICES_FILE)):
        date = "as_of" if part == "balances" else "invoice_date"
        days = _days(frame[date]) if len(frame) else np.array([], np.int64)
        keep = days <= end.astype(np.int64)
        if not keep.all():
            frame, days = frame[keep], days[keep]
        customer = frame["customer_id"].astype(str)
        if part == "balances":
            ids = ("繰越残高:" + customer + ":" + frame["row"].astype(str)).to_numpy(object)
        else:
            ids = frame["invoice_id"].to_numpy(object)
        given = (pd.to_datetime(frame["due_date"]).to_numpy().astype("datetime64[D]")
                 if "due_date" in frame else np.full(len(frame), np.datetime64("NaT", "D")))
        parts.append({
            "cust": customers.get_indexer(customer).astype(np.int64),
            "date": days, "given_due": given,
            "amount": _sen(ledger, part, frame) if len(frame) else np.array([], np.int64),
            "id": ids, "row": frame["row"].to_numpy(np.int64),
            "file": np.full(len(frame), file, np.int64),
        })
    return _join(*parts)


def _due_dates(ledger: Ledger, entries: dict[str, np.ndarray]) -> np.ndarray:
    """The 支払期日 given, else DUE_DATE by the customer's terms from the invoice's date
    (section 5); computed once per distinct terms and date."""
    given = entries["given_due"]
    due = np.where(np.isnat(given), 0, given.astype(np.int64))
    missing = np.isnat(given) & (entries["amount"] > 0)
    if not missing.any():
        return due
    terms = ledger.customers.reset_index(drop=True)
    rule = (terms["holiday_rule"].fillna(False).to_numpy(bool) if "holiday_rule" in terms
            else np.zeros(len(terms), bool))
    columns = np.column_stack([terms["closing_day"].to_numpy(np.int64),
                               terms["payment_months"].to_numpy(np.int64),
                               terms["payment_day"].to_numpy(np.int64), rule.astype(np.int64)])
    packed = _packed(list(columns.T))   # one number per row, in the order of the rows
    if packed is None:
        kinds, kind_of = np.unique(columns, axis=0, return_inverse=True)
    else:
        _, first, kind_of = np.unique(packed, return_index=True, return_inverse=True)
        kinds = columns[first]
    kind_of = kind_of.ravel()
    codes = entries["cust"][missing]
    sale = entries["date"][missing]
    for file, part, column in ((INVOICES_FILE, "invoices", "売上日"),
                               (BALANCES_FILE, "balances", "基準日")):
        mine = entries["file"][missing] == file
        _too_late(ledger, part, column, entries["row"][missing][mine],
                  sale[mine].astype("datetime64[D]"))
    low = int(sale.min())
    span = int(sale.max()) - low + 1
    key = kind_of[codes] * span + (sale - low)   # one per distinct terms and day
    if len(kinds) * span <= 4 * len(key) + 65_536:
        present = np.zeros(len(kinds) * span, bool)
        present[key] = True
        unique = np.flatnonzero(present)
        place = (np.cumsum(present) - 1)[key]   # each key's place in unique
    else:
        unique, place = np.unique(key, return_inverse=True)
    which = unique // span
    try:
        computed = due_date((unique % span + low).astype("datetime64[D]"), kinds[which, 0],
                            kinds[which, 1], kinds[which, 2], kinds[which, 3].astype(bool))
    except TermsError as error:
        bad_kinds = set(which[np.broadcast_to(error.bad, which.shape)])
        rows = terms.loc[np.isin(kind_of, list(bad_kinds)) & np.isin(
            np.arange(len(terms)), codes), ["row", "payment_day"]]
        raise LedgerError([Problem(ledger.sources.get("customers", "customers"), int(row),
                                   "支払日", value, "payment terms that pay after the closing date")
                           for row, value in rows.itertuples(index=False)]) from None
    due[missing] = np.asarray(computed, dtype="datetime64[D]").astype(np.int64)[place.ravel()]
    return due


def _receipts(ledger: Ledger, end: np.datetime64, customers: pd.Index) -> dict[str, np.ndarray]:
    """Receipts dated on or before ``end``: customer code, date, cash date, sen, method code,
    the invoice id named (None), file row."""
    receipts = ledger.receipts
    days = _days(receipts["receipt_date"]) if len(receipts) else np.array([], np.int64)
    keep = days <= end.astype(np.int64)
    if not keep.all():
        receipts, days = receipts[keep], days[keep]
    method = pd.Categorical(receipts["method"], categories=METHOD_KEYS).codes.astype(np.int64)
    cash = days.copy()
    notes = np.isin(method, NOTE_CODES)
    if notes.any():  # a note settles on its maturity, moved to the next business day
        maturity = pd.to_datetime(receipts["maturity_date"]).to_numpy()[notes]
        _too_late(ledger, "receipts", "期日", receipts["row"].to_numpy()[notes], maturity)
        cash[notes] = np.asarray(business_day(maturity.astype("datetime64[D]")),
                                 dtype="datetime64[D]").astype(np.int64)
    named = np.full(len(receipts), None, object)
    if "invoice_id" in receipts:
        ids = receipts["invoice_id"]
        given = (ids.notna() & (ids.astype(str) != "")).to_numpy()
        named[given] = ids[given].astype(str).to_numpy(object)
    return {"cust": customers.get_indexer(receipts["customer_id"].astype(str)).astype(np.int64),
            "date": days, "cash": cash,
            "amount": _sen(ledger, "receipts", receipts) if len(receipts)
            else np.array([], np.int64),
            "method": method, "named_id": named, "row": receipts["row"].to_numpy(np.int64)}


def _latest_earlier(money: dict[str, np.ndarray], rows: np.ndarray, keys: list) -> np.ndarray:
    """For each receipt of ``rows`` (money indices, in order), the latest positive receipt
    before it with equal ``keys`` (arrays over money); -1 for none."""
    codes = [pd.factorize(k[rows])[0] if k.dtype == object else k[rows] for k in keys]
    usable = np.ones(len(rows), bool)        # a receipt naming no invoice has no named group
    for code, key in zip(codes, keys):
        if key.dtype == object:
            usable &= code >= 0
    out = np.full(len(rows), NONE, np.int64)
    if not usable.any():
        return out
    codes = [code[usable] for code in codes]
    packed = _packed(codes)
    group = pd.factorize(packed)[0] if packed is not None else \
        np.unique(np.column_stack(codes), axis=0, return_inverse=True)[1].ravel()
    mine = rows[usable]
    out[usable] = rules.latest_in_group(group, money["amount"][mine] > 0, mine)
    return out


def prepare(ledger: Ledger, end, settings: Settings = Settings()) -> Applied:
    """The ledger's events dated on or before ``end``, applied by the rules of section 6."""
    end = np.datetime64(pd.Timestamp(end).date(), "D")
    customers = pd.Index(ledger.customers["customer_id"].astype(str))
    entries = _entries(ledger, end, customers)
    entries["due"] = _due_dates(ledger, entries)
    del entries["given_due"]

    # money: credit notes (negative invoices and balances) and receipts, in event order
    credit = entries["amount"] < 0
    notes = _take(entries, credit)
    receipts = _receipts(ledger, end, customers)
    n_notes, n_receipts = len(notes["amount"]), len(receipts["amount"])
    money = _join(
        {"cust": notes["cust"], "date": notes["date"], "cash": notes["date"],
         "amount": notes["amount"], "method": np.full(n_notes, NONE, np.int64),
         "named_id": np.full(n_notes, None, object), "row": notes["row"],
         "kind": np.full(n_notes, CREDIT_NOTE, np.int64), "file": notes["file"]},
        dict(receipts, kind=np.full(n_receipts, RECEIPT, np.int64),
             file=np.full(n_receipts, RECEIPTS_FILE, np.int64)))
    money = _take(money, _order(money["cust"], money["date"], money["kind"], money["file"],
                                money["row"]))
    receipt = money["kind"] == RECEIPT
    negative = receipt & (money["amount"] < 0)

    # items: invoices and balances owed, and a debit slot for each negative receipt, in the
    # order of rule 2: due date, invoice date, invoice before balance before debit, id
    owed = _take(entries, ~credit)
    slots = np.flatnonzero(negative)
    items = _join(
        {"cust": owed["cust"], "date": owed["date"], "due": owed["due"],
         "amount": owed["amount"],
         "kind": np.where(owed["file"] == INVOICES_FILE, INVOICE_ITEM, BALANCE_ITEM),
         "entry": np.arange(len(owed["row"])), "row": owed["row"],
         "slot_of": np.full(len(owed["row"]), NONE)},
        {"cust": money["cust"][slots], "date": money["date"][slots],
         "due": money["date"][slots], "amount": np.zeros(len(slots), np.int64),
         "kind": np.full(len(slots), DEBIT_ITEM), "entry": np.full(len(slots), NONE),
         "row": money["row"][slots], "slot_of": slots})
    ids = owed["id"]
    keys = (items["cust"], items["due"], items["date"], items["kind"])
    packed = _packed(keys) if len(keys[0]) else np.zeros(0, np.int64)
    if packed is None:
        order = np.lexsort(keys[::-1])
        tied = np.logical_and.reduce([k[order][1:] == k[order][:-1] for k in keys])
    else:
        order = np.argsort(packed, kind="stable")
        ordered = packed[order]
        tied = ordered[1:] == ordered[:-1]
    if tied.any():  # invoice ids (as text) and file rows decide a full tie
        full = np.zeros(len(order), bool)
        full[1:] |= tied
        full[:-1] |= tied
        tie = np.zeros(len(order), np.int64)
        where = order[full]
        tie[where] = np.where(items["kind"][where] == INVOICE_ITEM,
                              pd.Series(ids[_at(items["entry"], where)]).astype(str).rank(
                                  method="dense").to_numpy(np.int64), items["row"][where])
        order = _order(*keys, tie)
    items = _take(items, order)

    # the money table of the rules
    table = np.full((len(money["amount"]), rules.MONEY_COLUMNS), NONE, np.int64)
    table[:, rules.M_AMOUNT] = np.where(receipt, money["amount"], -money["amount"])
    table[:, rules.M_IS_RECEIPT] = receipt
    naming = np.flatnonzero(receipt & pd.notna(money["named_id"]))
    if len(naming):
        names = pd.Index(pd.unique(money["named_id"][naming]))
        invoice = items["kind"] == INVOICE_ITEM
        hit = names.get_indexer(_at(ids, items["entry"], None)) if len(ids) else \
            np.full(len(invoice), NONE)
        hit = np.where(invoice, hit, -1)
        item_of_name = np.full(len(names), NONE, np.int64)
        item_of_name[hit[hit >= 0]] = np.flatnonzero(hit >= 0)
        table[naming, rules.M_NAMED] = item_of_name[names.get_indexer(money["named_id"][naming])]
    debit_items = np.flatnonzero(items["kind"] == DEBIT_ITEM)
    table[items["slot_of"][debit_items], rules.M_DEBIT_SLOT] = debit_items
    if negative.any():
        rows = np.flatnonzero(receipt & np.isin(money["cust"], money["cust"][negative]))
        size = np.abs(money["amount"])
        for column, group in ((rules.M_SAME_NAMED_METHOD, [money["cust"], money["named_id"],
                                                          money["method"]]),
                              (rules.M_SAME_NAMED, [money["cust"], money["named_id"]]),
                              (rules.M_SAME_AMOUNT_METHOD, [money["cust"], size,
                                                            money["method"]]),
                              (rules.M_SAME_AMOUNT, [money["cust"], size])):
            table[rows, column] = _latest_earlier(money, rows, group)

    # each customer's events in the order of the day: (kind, item or money, date)
    dated = np.flatnonzero(items["kind"] != DEBIT_ITEM)
    customer = np.concatenate([items["cust"][dated], money["cust"]])
    day = np.concatenate([items["date"][dated], money["date"]])
    kind = np.concatenate([np.full(len(dated), DATED, np.int64), money["kind"]])
    ref = np.concatenate([dated, np.arange(len(money["amount"]))])
    order = _order(customer, day, kind, ref)
    events = np.empty((len(order), 3), np.int64)
    events[:, 0], events[:, 1], events[:, 2] = kind[order], ref[order], day[order]
    bounds = np.arange(len(customers) + 1)
    event_start = np.searchsorted(customer[order], bounds)
    item_start = np.searchsorted(items["cust"], bounds)
    money_start = np.searchsorted(money["cust"], bounds)

    amount = items["amount"].copy()
    open_ = np.zeros(len(amount), np.int64)
    is_dated = np.zeros(len(amount), np.bool_)
    advance = np.zeros(len(table), np.int64)
    target = np.full(len(table), NONE, np.int64)
    capacity = len(amount) + len(table) + 16     # grown when the rules write more
    rec, n = rules.apply_all(events, event_start, table, money_start, amount, item_start,
                             int(round(settings.fee_tolerance * SEN)), open_, is_dated,
                             advance, target, np.empty((9, capacity), np.int64))
    record = {name: rec[i, :n] for i, name in enumerate(rules.RECORD_COLUMNS)}
    item = record["item"]
    record["cust"] = np.where(item >= 0, _at(items["cust"], item),
                              _at(money["cust"], record["source"]))
    items.update(amount=amount, open=open_, dated=is_dated)
    del items["slot_of"]
    money.update(receipt=receipt, target=target, advance=advance)
    for name in ("named_id", "kind", "file"):
        del money[name]
    return Applied(customers, items, money, record, ids)


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


def _live_payments(a: Applied) -> np.ndarray:
    """Records of money paying an item (rules 1-4, not fees)."""
    r = a.record
    return ((r["rule"] == PAID) | (r["rule"] == ADVANCE) | (r["rule"] == CREDIT)) & \
        (r["item"] >= 0)


def _source(a: Applied, column: str, fill=0) -> np.ndarray:
    """``column`` of the money each record applies (``fill`` for a fee closure)."""
    return _at(a.money[column], a.record["source"], fill)


def _item(a: Applied, column: str, fill=0) -> np.ndarray:
    """``column`` of the item of each record (``fill`` for the advance account)."""
    return _at(a.items[column], a.record["item"], fill)


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
    r, items = a.record, a.items
    due = items["dated"] & (items["due"] <= m.end)
    paying = _live_payments(a)
    from_credit = paying & ~_source(a, "receipt", False)
    earlier = paying & (_source(a, "date") < m.first)
    applied = (from_credit | earlier) | ((r["rule"] == FEE) & (r["date"] < m.first))
    settled = np.bincount(r["item"][applied], weights=r["live"][applied].astype(float),
                          minlength=len(items["amount"]))
    return _per_customer(a, items["cust"], items["amount"] - settled, due)


def collected_on_schedule(a: Applied, m: Span, collected_total: np.ndarray,
                          scheduled_total: np.ndarray) -> np.ndarray:
    """予定内回収額: what money received in M (directly, or through an advance received in
    M) and fee closures of M applied to items due on or before E, net of reversals; never
    below 0 nor above collected or scheduled."""
    r = a.record
    due = (r["item"] >= 0) & (_item(a, "due") <= m.end)
    paying = _live_payments(a) & _source(a, "receipt", False) & m.holds(_source(a, "date"))
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
    r = a.record
    paying = _live_payments(a) & (r["rule"] != CREDIT) & _source(a, "receipt", False) & \
        (_source(a, "amount") > 0) & (_source(a, "method") != FEE_CODE) & \
        m.holds(_source(a, "date"))
    days = np.where(r["rule"] == ADVANCE, 0,
                    np.maximum(_source(a, "cash") - _item(a, "date"), 0))
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


def _earlier_sites(a: Applied, period: pd.Period) -> np.ndarray:
    """:func:`collection_site` of each of the ``SITE_LOOKBACK`` months before M, one column
    per month (the latest first), in one pass over the receipts."""
    money = a.money
    first = Span.of(period - SITE_LOOKBACK).first
    last = Span.of(period - 1).end
    mask = money["receipt"] & (money["amount"] > 0) & (money["method"] != FEE_CODE) & \
        (money["date"] >= first) & (money["date"] <= last)
    day = money["date"][mask]
    back = period.ordinal - day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    cell = money["cust"][mask] * SITE_LOOKBACK + (back - 1)   # (customer, months back)
    amount = money["amount"][mask].astype(float)
    days = money["cash"][mask] - day
    size = len(a.customers) * SITE_LOOKBACK
    total = np.bincount(cell, weights=amount, minlength=size) / SEN
    weighted = np.bincount(cell, weights=amount * days, minlength=size) / SEN
    with np.errstate(invalid="ignore", divide="ignore"):
        sites = np.where(total > 0, weighted / np.where(total > 0, total, 1), np.nan)
    return sites.reshape(len(a.customers), SITE_LOOKBACK)


def site_before(a: Applied, period: pd.Period) -> np.ndarray:
    """前3ヶ月平均サイト: the simple mean of the monthly sites of the customer's 3 latest
    earlier months that had receipts, looking back at most 12 months (NaN without any)."""
    sites = _earlier_sites(a, period)
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
    settles = np.where(target >= 0, _at(money["cash"], target), money["date"])
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
    owed = items["kind"] != DEBIT_ITEM
    credit = ~money["receipt"]
    return pd.DataFrame({
        "cust": np.concatenate([items["cust"][owed], money["cust"][credit]]),
        "date": np.concatenate([items["date"][owed], money["date"][credit]]),
        "amount": np.concatenate([items["amount"][owed], money["amount"][credit]]),
    })


def compute_month(ledger: Ledger, month: str | pd.Period, settings: Settings = Settings(),
                  limits: dict[str, float] | None = None) -> Month:
    """Every figure of the month ``month`` (YYYY-MM) for every customer of the master."""
    with _ordinary_pages():
        return _compute_month(ledger, month, settings, limits)


def _compute_month(ledger: Ledger, month: str | pd.Period, settings: Settings,
                   limits: dict[str, float] | None) -> Month:
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
    # what the reader could not take from the ledger (section 10: 条件未設定, 補助科目なし)
    out["notice"] = customers["notice"].to_numpy() if "notice" in customers else ""
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
    history = history[list(HISTORY_KEYS)]

    people = sorted(set(out["salesperson"].dropna().astype(str).unique()) - {""})
    return Month(period, out.reset_index(drop=True), people, plan.reset_index(drop=True),
                 history.reset_index(drop=True), tuple(bucket_labels(settings.aging_edges)))


def open_invoices(ledger: Ledger, as_of, settings: Settings = Settings()) -> pd.DataFrame:
    """Every invoice and carried-in balance dated on or before ``as_of`` with what is open of
    it after every event dated on or before ``as_of`` (section 6).

    Columns: invoice_id (a balance's is ``繰越残高:<customer>:<row>``), customer_id,
    invoice_date, due_date, amount, open (yen). Debits left by negative receipts are not
    invoices and are not listed."""
    with _ordinary_pages():
        a = prepare(ledger, as_of, settings)
    items = a.items
    keep = items["dated"] & (items["kind"] != DEBIT_ITEM)
    return pd.DataFrame({
        "invoice_id": a.item_ids(np.flatnonzero(keep)),
        "customer_id": np.asarray(a.customers)[items["cust"][keep]],
        "invoice_date": items["date"][keep].astype("datetime64[D]").astype("datetime64[ns]"),
        "due_date": items["due"][keep].astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": items["amount"][keep] / SEN,
        "open": items["open"][keep] / SEN,
    }).reset_index(drop=True)
