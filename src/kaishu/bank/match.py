"""Which customer paid, and which invoices (DOMAIN.md section 9), rule by rule.

:func:`decide_customers` applies the customer rules to every line; :func:`match_invoices`
walks each customer's deposits in date order over the invoices open on each deposit's date,
reducing what is open as it goes (the open invoices are computed once, by the month's
engine, not once per deposit). :func:`match` does both and writes the receipts.
"""

from __future__ import annotations

import bisect
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
    for name, bank, customer in zip(payers["name"], payers["bank_name"],
                                    payers["customer_id"]):
        learned.setdefault(name, {}).setdefault(bank, set()).add(customer)

    keys = pd.MultiIndex.from_arrays([lines["name"], lines["payer_code"], lines["bank_name"]])
    codes, distinct = pd.factorize(keys)
    decided, rule = [], []
    for name, code, bank in distinct:  # each distinct payer once
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
    decided = np.array(decided + [None], dtype=object)[codes]
    rule = np.array(rule + [""], dtype=object)[codes]
    out = pd.DataFrame({"customer_id": decided, "by": rule}, index=lines.index)
    out["candidates"] = ""
    undecided = out["customer_id"].isna() & ~lines["cancelled"]
    if undecided.any():
        label = ids + " " + customers["customer_name"].astype(str)
        choices: dict[str, list[str]] = {}
        for k, text in zip(kana, label):
            if k:
                choices.setdefault(k, []).append(text)
        names = sorted(set(lines.loc[undecided, "name"]) - {""})
        found = dict(zip(names, similar(names, sorted(choices), choices)))
        out.loc[undecided, "candidates"] = lines.loc[undecided, "name"].map(found).fillna("")
    return out


def similar(names: list[str], keys: list[str], labels: dict[str, list[str]]) -> list[str]:
    """For each name, up to three customers whose kana is similar (rapidfuzz ratio ≥ 0.8)
    or starts with it (a name the bank cut short), most similar first."""
    if not names or not keys:
        return [""] * len(names)
    scores = process.cdist(names, keys, scorer=fuzz.ratio, score_cutoff=SIMILARITY,
                           dtype=np.uint8, workers=-1)
    out = []
    for row, name in enumerate(names):
        hits = {keys[j]: int(scores[row, j]) for j in np.flatnonzero(scores[row])}
        if len(name) >= SHORTEST_CUT:  # keys are sorted: those starting with name follow it
            at = bisect.bisect_left(keys, name)
            while at < len(keys) and keys[at].startswith(name):
                hits.setdefault(keys[at], int(fuzz.ratio(name, keys[at])))
                at += 1
        ranked = sorted(hits, key=lambda k: (-hits[k], k))
        out.append(" / ".join([t for k in ranked for t in labels[k]][:MAX_CANDIDATES]))
    return out


# -- which invoices -------------------------------------------------------------------------

class Open:
    """One customer's open invoices in section 6's order (due date, invoice date, id);
    ``alive`` lists those still open, reduced as deposits are matched."""

    def __init__(self, ids: list[str], dated: list[int], due: list[int], amounts: list[float]):
        self.ids, self.dated, self.due, self.open = ids, dated, due, amounts
        self.alive = [i for i, a in enumerate(amounts) if a > EPS]

    def pay(self, members: list[int], paid: list[float]) -> None:
        for i, amount in zip(members, paid):
            self.open[i] -= amount
            if self.open[i] <= EPS and i in self.alive:
                self.alive.remove(i)


def choose(items: Open, date: int, amount: float, tolerance: float):
    """The invoices a deposit of ``amount`` on ``date`` (a day number) pays, by invoice
    rules 1-4. Returns (positions, amounts paid, fee, rule); a fee closes the last
    position. Rule 4 may leave part of the amount unapplied (an advance)."""
    here = [i for i in items.alive if items.dated[i] <= date]
    opened = items.open
    # 1. one open invoice (the earliest due: they are in due order)
    for i in here:
        if abs(opened[i] - amount) < EPS:
            return [i], [opened[i]], 0.0, ONE_INVOICE
    # 2. the open invoices of one due date, or all those due by the deposit date
    groups = _groups(items, here, date)
    for members, total, _, rule in groups:
        if abs(total - amount) < EPS:
            return members, [opened[i] for i in members], 0.0, rule
    # 3. either of those less a fee within the tolerance: earliest due, then smallest fee
    best = None
    for i in here:
        fee = opened[i] - amount
        if EPS < fee <= tolerance + EPS:
            option = (items.due[i], round(fee, 2), 0, [i])
            best = option if best is None or option[:3] < best[:3] else best
    for members, total, last, _ in groups:
        fee = total - amount
        if EPS < fee <= tolerance + EPS:
            option = (last, round(fee, 2), 1, members)
            best = option if best is None or option[:3] < best[:3] else best
    if best is not None:
        members = best[3]
        paid = [opened[i] for i in members]
        fee = sum(paid) - amount
        paid[-1] -= fee
        return members, paid, fee, LESS_FEE
    # 4. section 6's order: due order, the rest an advance
    left, members, paid = amount, [], []
    for i in here:
        if left <= EPS:
            break
        pay = min(left, opened[i])
        members.append(i)
        paid.append(pay)
        left -= pay
    return members, paid, 0.0, DUE_ORDER


def _groups(items: Open, here: list[int], date: int):
    """(positions, total, latest due date, rule) of each due date with several open
    invoices, then of all invoices due on or before ``date`` when they span due dates."""
    groups, run = [], []
    for i in here + [-1]:
        if run and (i < 0 or items.due[i] != items.due[run[0]]):
            if len(run) > 1:
                groups.append((run, sum(items.open[j] for j in run), items.due[run[0]],
                               ONE_DUE_DATE))
            run = []
        if i >= 0:
            run.append(i)
    due = [i for i in here if items.due[i] <= date]
    if due and items.due[due[0]] != items.due[due[-1]]:
        groups.append((due, sum(items.open[j] for j in due), items.due[due[-1]], ALL_DUE))
    return groups


def match_invoices(lines: pd.DataFrame, opened: pd.DataFrame, tolerance: float):
    """Walk each customer's deposits in date order (then statement order) over its open
    invoices; returns per line (invoices, fee, status, rule) and the receipt rows."""
    opened = opened[opened["open"] > EPS].sort_values(
        ["customer_id", "due_date", "invoice_date", "invoice_id"], kind="stable")
    day = np.datetime64("1970-01-01", "D")
    customer = opened["customer_id"].astype(str).to_numpy()
    columns = (opened["invoice_id"].astype(str).tolist(),
               (opened["invoice_date"].to_numpy("datetime64[D]") - day).astype(int).tolist(),
               (opened["due_date"].to_numpy("datetime64[D]") - day).astype(int).tolist(),
               opened["open"].astype(float).tolist())
    starts = np.r_[0, np.flatnonzero(customer[1:] != customer[:-1]) + 1] if len(customer) \
        else np.array([], int)
    ends = np.r_[starts[1:], len(customer)]
    book = {customer[a]: Open(*(c[a:b] for c in columns)) for a, b in zip(starts, ends)}
    result = {}
    rows: list[tuple] = []
    todo = lines[lines["customer_id"].notna() & ~lines["cancelled"]]
    todo = todo.sort_values(["customer_id", "date", "order"], kind="stable")
    dates = todo["date"].to_numpy("datetime64[D]")
    for index, customer, date, days, amount, line_id in zip(
            todo.index.tolist(), todo["customer_id"].astype(str).tolist(), dates.tolist(),
            (dates - day).astype(int).tolist(), todo["amount"].astype(float).tolist(),
            todo["line_id"].astype(str).tolist()):
        items = book.get(customer) or Open([], [], [], [])
        members, paid, fee, rule = choose(items, days, amount, tolerance)
        if fee:
            rows.append((date, customer, fee, "手数料", items.ids[members[-1]], line_id))
        rows.extend((date, customer, pay, "振込", items.ids[i], line_id)
                    for i, pay in zip(members, paid))
        left = amount - sum(paid)
        if left > EPS:  # an advance: paid by section 6 when later invoices are dated
            rows.append((date, customer, left, "振込", "", line_id))
        items.pay(members + ([members[-1]] if fee else []), paid + ([fee] if fee else []))
        status = REVIEW if rule == DUE_ORDER else FEE_DEDUCTED if fee else AUTO
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
    by, rule = out["by"].fillna("").astype(str), out["rule"].fillna("").astype(str)
    out["reason"] = (by + " / " + rule).where((by != "") & (rule != ""), by + rule)
    out = out.drop(columns=["by", "rule", "cancelled"]).reset_index(drop=True)
    for column in ("customer_id", "customer_name", "invoices", "fee"):  # blank is None
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return Matched(out, rows)
