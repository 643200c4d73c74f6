"""Which customer paid, and which invoices (DOMAIN.md section 9), rule by rule.

:func:`decide_customers` applies the customer rules to every line; :func:`match_invoices`
walks each customer's deposits in date order over the invoices open on each deposit's date,
reducing what is open as it goes (the open invoices are computed once, by the month's
engine, not once per deposit). :func:`match` does both and writes the receipts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..contract import Settings
from ..ledger import Ledger
from ..monthly import open_invoices
from .names import normalise, payer_code

# Statuses of a statement line (section 9, Review).
AUTO = "自動消込"          # customer rules 1-3 and invoice rules 1-2
FEE_DEDUCTED = "手数料差引"  # invoice rule 3
REVIEW = "要確認"           # invoice rule 4: applied by due order, or a partial payment
CANDIDATES = "候補あり"      # customer not decided, similar customers offered
UNMATCHED = "未消込"         # nothing found
CANCELLED = "取消"           # a cancelled notice and the notice it cancels
STATUSES = (AUTO, FEE_DEDUCTED, REVIEW, CANDIDATES, UNMATCHED, CANCELLED)
PENDING = (REVIEW, CANDIDATES, UNMATCHED)

# Why a customer or an invoice was chosen, shown beside the line.
BY_PAYERS, BY_CODE, BY_KANA = "学習済みの依頼人", "振込依頼人コード", "カナ名一致"
ONE_INVOICE, ONE_DUE_DATE, ALL_DUE = "請求1件と一致", "同じ期日の請求と一致", "期日到来分と一致"
LESS_FEE, DUE_ORDER = "手数料を差し引いて一致", "期日順に充当"

SIMILARITY = 80  # rapidfuzz ratio, 0-100: at least 0.8 (section 9, customer rule 4)
MAX_CANDIDATES = 3
SHORTEST_CUT = 4  # a name cut short by the bank is matched as a prefix from 4 kana on
EPS = 0.5  # yen


@dataclass
class Matched:
    """One row per statement line, and the receipts the matched lines make."""

    lines: pd.DataFrame
    receipts: pd.DataFrame

    def counts(self) -> dict[str, int]:
        return {s: int((self.lines["status"] == s).sum()) for s in STATUSES}


# -- which customer ------------------------------------------------------------------------

def _unique(found: dict[str, set[str]], key: str) -> str | None:
    customers = found.get(key)
    return next(iter(customers)) if customers and len(customers) == 1 else None


def _index(keys: pd.Series, customers: pd.Series) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, customer in zip(keys, customers):
        if key:
            out.setdefault(key, set()).add(customer)
    return out


def decide_customers(lines: pd.DataFrame, customers: pd.DataFrame,
                     payers: pd.DataFrame) -> pd.DataFrame:
    """``customer_id`` and the rule that decided it (``by``) for every line, in the order
    of section 9; for undecided lines up to three ``candidates`` (never applied)."""
    ids = customers["customer_id"].astype(str)
    kana = customers["kana"] if "kana" in customers else pd.Series("", index=customers.index)
    kana = kana.fillna("").map(normalise)
    codes = customers["payer_code"] if "payer_code" in customers else \
        pd.Series("", index=customers.index)
    by_code = _index(codes.fillna("").map(payer_code), ids)
    by_kana = _index(kana, ids)
    learned = {}  # normalised name -> {normalised bank or "" -> customers}
    for name, bank, customer in zip(payers["name"], payers["bank"], payers["customer_id"]):
        learned.setdefault(name, {}).setdefault(bank, set()).add(customer)

    decided, rule = [], []
    for name, code, bank in zip(lines["name"], lines["payer_code"], lines["bank_name"]):
        found, why = None, ""
        entries = learned.get(name)
        if entries:  # 1. the learned payers, narrowed by the bank where one is given
            found = _unique(entries, bank) if bank in entries else _unique(entries, "")
            why = BY_PAYERS if found else ""
        if found is None and code:  # 2. 振込依頼人コード
            found = _unique(by_code, code)
            why = BY_CODE if found else ""
        if found is None:  # 3. the normalised kana name
            found = _unique(by_kana, name)
            why = BY_KANA if found else ""
        decided.append(found)
        rule.append(why)
    out = pd.DataFrame({"customer_id": decided, "by": rule}, index=lines.index)
    out["candidates"] = ""
    undecided = out["customer_id"].isna() & ~lines["cancelled"]
    if undecided.any():
        names = customers.assign(_kana=kana)
        label = ids + " " + customers["customer_name"].astype(str)
        choices = {k: sorted(set(label[kana == k])) for k in set(kana) if k}
        keys = list(choices)
        found = {n: _candidates(n, keys, choices) for n in set(lines.loc[undecided, "name"])}
        out.loc[undecided, "candidates"] = lines.loc[undecided, "name"].map(found)
        del names
    return out


def _candidates(name: str, keys: list[str], labels: dict[str, list[str]]) -> str:
    """Up to three customers whose kana is similar (ratio ≥ 0.8) or starts with a name the
    bank cut short."""
    if not name:
        return ""
    hits = {key: score for key, score, _ in process.extract(
        name, keys, scorer=fuzz.ratio, score_cutoff=SIMILARITY, limit=MAX_CANDIDATES * 2)}
    if len(name) >= SHORTEST_CUT:
        for key in keys:
            if key.startswith(name) and key != name:
                hits.setdefault(key, fuzz.ratio(name, key))
    ranked = sorted(hits, key=lambda k: (-hits[k], k))
    shown = [label for key in ranked for label in labels[key]][:MAX_CANDIDATES]
    return " / ".join(shown)


# -- which invoices -------------------------------------------------------------------------

@dataclass
class Open:
    """One customer's open invoices in section 6's order (due date, invoice date, id)."""

    ids: np.ndarray
    dated: np.ndarray   # invoice dates, datetime64[D]
    due: np.ndarray     # due dates, datetime64[D]
    open: np.ndarray    # yen still open, reduced as deposits are matched


def choose(items: Open, date: np.datetime64, amount: float, tolerance: float):
    """The invoices a deposit of ``amount`` on ``date`` pays, by invoice rules 1-4.

    Returns (positions, amounts paid, fee, fee position, rule). Rule 4 may leave part of the
    amount unapplied (an advance)."""
    here = np.flatnonzero((items.dated <= date) & (items.open > EPS))
    if not len(here):
        return [], [], 0.0, -1, DUE_ORDER
    opened, due = items.open[here], items.due[here]
    # 1. one open invoice (the earliest due: they are in due order)
    exact = np.flatnonzero(np.abs(opened - amount) < EPS)
    if len(exact):
        return [here[exact[0]]], [opened[exact[0]]], 0.0, -1, ONE_INVOICE
    # 2. the open invoices of one due date, or all those due by the deposit date
    groups = _groups(here, opened, due, date)
    for members, total, _, rule in groups:
        if abs(total - amount) < EPS:
            return list(members), list(items.open[members]), 0.0, -1, rule
    # 3. either of those less a fee within the tolerance: earliest due, then smallest fee
    options = [(due[i], opened[i] - amount, 0, [here[i]]) for i in range(len(here))
               if EPS < opened[i] - amount <= tolerance + EPS]
    options += [(last, total - amount, 1, list(members)) for members, total, last, _ in groups
                if EPS < total - amount <= tolerance + EPS]
    if options:
        _, fee, _, members = min(options, key=lambda o: (o[0], round(o[1], 2), o[2]))
        paid = list(items.open[members])
        paid[-1] -= fee
        return members, paid, float(fee), members[-1], LESS_FEE
    # 4. section 6's order: due order, the rest an advance
    left, members, paid = amount, [], []
    for i in here:
        if left <= EPS:
            break
        pay = min(left, items.open[i])
        members.append(i)
        paid.append(pay)
        left -= pay
    return members, paid, 0.0, -1, DUE_ORDER


def _groups(here, opened, due, date):
    """(positions, total, latest due date, rule) of each due date with several open
    invoices, then of all invoices due on or before ``date`` when they span due dates."""
    groups = []
    starts = np.r_[0, np.flatnonzero(due[1:] != due[:-1]) + 1]
    ends = np.r_[starts[1:], len(due)]
    for a, b in zip(starts, ends):
        if b - a > 1:
            groups.append((here[a:b], float(opened[a:b].sum()), due[a], ONE_DUE_DATE))
    by_date = due <= date
    if len(np.unique(due[by_date])) > 1:
        groups.append((here[by_date], float(opened[by_date].sum()), due[by_date].max(),
                       ALL_DUE))
    return groups


def match_invoices(lines: pd.DataFrame, opened: pd.DataFrame, tolerance: float):
    """Walk each customer's deposits in date order (then statement order) over its open
    invoices; returns per line (invoices, fee, status, rule) and the receipt rows."""
    opened = opened[opened["open"] > EPS].sort_values(
        ["customer_id", "due_date", "invoice_date", "invoice_id"], kind="stable")
    book: dict[str, Open] = {}
    for customer, part in opened.groupby("customer_id", sort=False):
        book[customer] = Open(part["invoice_id"].to_numpy(str),
                              part["invoice_date"].to_numpy("datetime64[D]"),
                              part["due_date"].to_numpy("datetime64[D]"),
                              part["open"].to_numpy(float).copy())
    result = {}
    rows = []
    todo = lines[lines["customer_id"].notna() & ~lines["cancelled"]]
    todo = todo.sort_values(["customer_id", "date", "order"], kind="stable")
    empty = Open(np.array([], str), np.array([], "datetime64[D]"),
                 np.array([], "datetime64[D]"), np.array([]))
    for index, customer, date, amount, line_id in zip(
            todo.index, todo["customer_id"], todo["date"].to_numpy("datetime64[D]"),
            todo["amount"].to_numpy(float), todo["line_id"]):
        items = book.get(customer, empty)
        members, paid, fee, at, rule = choose(items, date, amount, tolerance)
        if fee:
            rows.append((date, customer, fee, "手数料", items.ids[at], line_id))
        for i, pay in zip(members, paid):
            rows.append((date, customer, pay, "振込", items.ids[i], line_id))
        for i, pay in zip(members, paid):
            items.open[i] -= pay
        if fee:
            items.open[at] -= fee
        left = amount - sum(paid)
        if left > EPS:  # an advance: paid by section 6 when later invoices are dated
            rows.append((date, customer, left, "振込", "", line_id))
        partial = rule == DUE_ORDER
        status = REVIEW if partial else FEE_DEDUCTED if fee else AUTO
        result[index] = (", ".join(items.ids[i] for i in members), fee or None, status, rule)
    receipts = pd.DataFrame(rows, columns=["receipt_date", "customer_id", "amount", "method",
                                           "invoice_id", "line_id"])
    return result, receipts


def match(lines: pd.DataFrame, ledger: Ledger, payers: pd.DataFrame,
          settings: Settings = Settings()) -> Matched:
    """Decide customer and invoices of every statement line (section 9)."""
    lines = lines.assign(order=np.arange(len(lines)),
                         bank_name=lines["bank"].fillna("").map(normalise))
    decided = decide_customers(lines, ledger.customers, payers)
    lines = lines.join(decided)
    # the lines' own earlier rows are left out of the open invoices
    receipts = ledger.receipts
    if "line_id" in receipts:
        receipts = receipts[~receipts["line_id"].isin(set(lines["line_id"]))]
    others = Ledger(ledger.customers, ledger.invoices, receipts, ledger.balances,
                    ledger.sources)
    opened = open_invoices(others, lines["date"].max(), settings) if len(lines) else \
        pd.DataFrame(columns=["invoice_id", "customer_id", "invoice_date", "due_date",
                              "amount", "open"])
    result, rows = match_invoices(lines, opened, settings.fee_tolerance)
    names = ledger.customers.set_index("customer_id")["customer_name"]
    out = lines[["line_id", "date", "payer", "name", "amount", "customer_id", "candidates",
                 "by", "file", "record", "payer_code", "bank", "cancelled"]].copy()
    out["customer_name"] = out["customer_id"].map(names)
    found = pd.DataFrame.from_dict(result, orient="index",
                                   columns=["invoices", "fee", "status", "rule"])
    out = out.join(found)
    out["status"] = out["status"].where(out["status"].notna(), np.where(
        out["cancelled"], CANCELLED, np.where(out["candidates"] != "", CANDIDATES, UNMATCHED)))
    out.loc[out["cancelled"], ["customer_id", "customer_name", "candidates", "by"]] = None
    out["reason"] = [" / ".join(x for x in (b, r) if isinstance(x, str) and x)
                     for b, r in zip(out["by"], out["rule"])]
    return Matched(out.drop(columns=["by", "rule", "cancelled"]).reset_index(drop=True),
                   rows)
