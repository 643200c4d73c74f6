"""A plain reference for DOMAIN.md section 6, written straight from the text for the tests.

One customer at a time, with lists and linear searches, sharing no code with the engine
(kaishu.allocation, kaishu.monthly): items are dictionaries, the open item that comes first
is found by ``min`` over all of them, a receipt is reversed by searching the earlier
receipts, and every figure is computed from this module's own log. Slow and obvious on
purpose. Amounts are whole yen (ints), dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import holidays

NOTES = ("note", "densai")
CASH = ("cash", "transfer", "offset", "other")
METHODS = ("cash", "transfer", "note", "densai", "offset", "fee", "other")
ONE_DAY = dt.timedelta(days=1)


def settles(day: dt.date) -> dt.date:
    """A note's maturity moved to the next bank business day (weekends, holidays, 12/31-1/3)."""
    closed = holidays.country_holidays("JP", years=range(day.year - 1, day.year + 2))
    while day.weekday() >= 5 or day in closed or (day.month, day.day) in (
            (12, 31), (1, 1), (1, 2), (1, 3)):
        day += ONE_DAY
    return day


@dataclass
class Receipt:
    date: dt.date
    amount: int
    method: str
    row: int
    maturity: dt.date | None = None
    invoice_id: str | None = None
    reversed: bool = False
    target: "Receipt | None" = None

    @property
    def cash(self) -> dt.date:
        return settles(self.maturity) if self.method in NOTES else self.date


@dataclass
class Credit:
    date: dt.date
    amount: int   # positive: what it takes off
    row: int
    file: int     # 0 balances, 1 invoices


@dataclass
class Item:
    id: str
    kind: int     # 0 invoice, 1 balance, 2 debit
    date: dt.date
    due: dt.date
    amount: int
    row: int
    open: int = 0

    def key(self):
        return (self.due, self.date, self.kind, self.id if self.kind == 0 else "", self.row)


@dataclass
class Entry:
    rule: str             # paid, advance, credit, fee, reversal, debit, into-advance
    item: Item | None
    source: object        # Receipt, Credit or None
    date: dt.date
    amount: int
    live: int = 0
    undoes: "Entry | None" = None


@dataclass
class Customer:
    """One customer's ledger rows (the file order is the order of the lists)."""

    invoices: list[tuple[str, dt.date, int, dt.date]] = field(default_factory=list)
    balances: list[tuple[dt.date, int, dt.date, int]] = field(default_factory=list)  # row last
    receipts: list[Receipt] = field(default_factory=list)
    invoice_rows: list[int] = field(default_factory=list)


class Run:
    """The rules of section 6 applied to one customer's events dated on or before ``end``."""

    def __init__(self, c: Customer, end: dt.date, tolerance: int) -> None:
        self.items: list[Item] = []
        self.advances: list[list] = []      # [source, left], oldest first
        self.log: list[Entry] = []
        self.receipts: list[Receipt] = []   # processed so far, in order
        self.tolerance = tolerance
        days: dict[dt.date, dict[str, list]] = {}

        def day(d):
            return days.setdefault(d, {"items": [], "credits": [], "receipts": []})

        for date, amount, due, row in c.balances:
            if date <= end:
                if amount > 0:
                    day(date)["items"].append(Item(f"balance{row}", 1, date, due, amount, row))
                elif amount < 0:
                    day(date)["credits"].append(Credit(date, -amount, row, 0))
        for (invoice_id, date, amount, due), row in zip(c.invoices, c.invoice_rows):
            if date <= end:
                if amount > 0:
                    day(date)["items"].append(Item(invoice_id, 0, date, due, amount, row))
                elif amount < 0:
                    day(date)["credits"].append(Credit(date, -amount, row, 1))
        for r in c.receipts:
            r.reversed, r.target = False, None
            if r.date <= end:
                day(r.date)["receipts"].append(r)
        for d in sorted(days):
            self.day(d, days[d])

    # -- the day: invoices and balances, credit notes, receipts, then the fee closure --------
    def day(self, d: dt.date, events: dict[str, list]) -> None:
        for item in sorted(events["items"], key=Item.key):
            item.open = item.amount
            self.items.append(item)
            for advance in self.advances:            # rule 3: the oldest advance first
                if item.open == 0:
                    break
                pay = min(item.open, advance[1])
                if pay:
                    advance[1] -= pay
                    item.open -= pay
                    self.write("advance", item, advance[0], d, pay)
        for credit in sorted(events["credits"], key=lambda c: (c.file, c.row)):
            left = self.pay_in_order(credit.amount, "credit", credit, d, None)
            if left:
                self.advances.append([credit, left])
                self.write("into-advance", None, credit, d, left)
        paid_today: list[Item] = []
        for r in events["receipts"]:
            if r.amount > 0:
                left = r.amount
                named = next((i for i in self.items if i.kind == 0 and i.id == r.invoice_id),
                             None) if r.invoice_id else None
                if named is not None and named.open > 0:     # rule 1
                    pay = min(left, named.open)
                    named.open -= pay
                    left -= pay
                    self.write("paid", named, r, d, pay)
                    paid_today.append(named)
                left = self.pay_in_order(left, "paid", r, d, paid_today)  # rule 2
                if left:                                                 # rule 3
                    self.advances.append([r, left])
                    self.write("into-advance", None, r, d, left)
            else:
                self.reverse(r, -r.amount, d)
            self.receipts.append(r)
        closed: list[Item] = []
        for item in paid_today:                                          # rule 6
            if any(item is done for done in closed):
                continue
            closed.append(item)
            if 0 < item.open <= self.tolerance:
                self.write("fee", item, None, d, item.open)
                item.open = 0

    def write(self, rule, item, source, d, amount, undoes=None) -> Entry:
        entry = Entry(rule, item, source, d, amount, amount, undoes)
        self.log.append(entry)
        return entry

    def pay_in_order(self, left, rule, source, d, paid_today) -> int:
        while left > 0:
            open_items = [i for i in self.items if i.open > 0]
            if not open_items:
                break
            item = min(open_items, key=Item.key)
            pay = min(left, item.open)
            item.open -= pay
            left -= pay
            self.write(rule, item, source, d, pay)
            if paid_today is not None:
                paid_today.append(item)
        return left

    # -- rule 5 -------------------------------------------------------------------------------
    def reverse(self, r: Receipt, x: int, d: dt.date) -> None:
        earlier = [e for e in self.receipts if e.amount > 0 and not e.reversed]
        target = None
        if r.invoice_id:
            naming = [e for e in earlier if e.invoice_id == r.invoice_id]
            same = [e for e in naming if e.method == r.method]
            target = (same or naming or [None])[-1]
        if target is None:
            same_amount = [e for e in earlier if e.amount == x]
            same = [e for e in same_amount if e.method == r.method]
            target = (same or same_amount or [None])[-1]
        r.target = target
        if target is not None:
            target.reversed = True
            for advance in self.advances:
                if advance[0] is target and advance[1] and x:
                    take = min(x, advance[1])
                    advance[1] -= take
                    x -= take
                    self.write("reversal", None, r, d, take)
            for entry in reversed(self.log):
                if x == 0:
                    break
                if entry.source is target and entry.rule in ("paid", "advance") and \
                        entry.item is not None and entry.live > 0:
                    x = self.undo(entry, x, r, d)
        for advance in reversed(self.advances):
            if x and advance[1]:
                take = min(x, advance[1])
                advance[1] -= take
                x -= take
                self.write("reversal", None, r, d, take)
        for entry in reversed(self.log):
            if x == 0:
                break
            if entry.rule in ("paid", "advance") and entry.item is not None and \
                    isinstance(entry.source, Receipt) and entry.live > 0:
                x = self.undo(entry, x, r, d)
        if x:
            debit = Item(f"debit{r.row}", 2, d, d, x, r.row, x)
            self.items.append(debit)
            self.write("debit", debit, r, d, x)

    def undo(self, entry: Entry, x: int, r: Receipt, d: dt.date) -> int:
        back = min(x, entry.live)
        entry.live -= back
        entry.item.open += back
        self.write("reversal", entry.item, r, d, back, entry)
        return x - back


# -- the figures of month M, straight from the text --------------------------------------------

def month_figures(c: Customer, first: dt.date, end: dt.date, tolerance: int,
                  edges=(30, 60, 90, 120)) -> dict:
    run = Run(c, end, tolerance)
    log = run.log
    rows = [(date, amount) for (_, date, amount, _) in c.invoices] + \
        [(date, amount) for (date, amount, _, _) in c.balances]
    receipts = [r for r in c.receipts if r.date <= end]

    def in_month(d):
        return first <= d <= end

    fees_before = sum(e.amount for e in log if e.rule == "fee" and e.date < first)
    f = {}
    f["opening"] = (sum(a for d, a in rows if d < first)
                    - sum(r.amount for r in receipts if r.date < first) - fees_before)
    f["billed"] = sum(a for d, a in rows if in_month(d))
    for method in METHODS:
        f[method] = sum(r.amount for r in receipts if r.method == method and in_month(r.date))
    f["fee"] += sum(e.amount for e in log if e.rule == "fee" and in_month(e.date))
    collected = sum(f[m] for m in METHODS)

    def money_before_m(e: Entry) -> bool:
        if isinstance(e.source, Credit):
            return True
        return isinstance(e.source, Receipt) and e.source.date < first

    scheduled = 0
    for item in run.items:
        if item.due <= end:
            taken = sum(e.live for e in log if e.item is item and (
                (e.rule in ("paid", "advance", "credit") and money_before_m(e))
                or (e.rule == "fee" and e.date < first)))
            scheduled += item.amount - taken
    f["scheduled"] = scheduled

    on = sum(e.live for e in log if e.rule in ("paid", "advance") and e.item is not None
             and isinstance(e.source, Receipt) and in_month(e.source.date)
             and e.item.due <= end)
    on += sum(e.amount for e in log if e.rule == "fee" and in_month(e.date) and e.item.due <= end)
    f["on_schedule"] = max(0, min(on, collected, scheduled))

    site = [(r.amount, (r.cash - r.date).days) for r in receipts
            if r.amount > 0 and r.method != "fee" and in_month(r.date)]
    total = sum(a for a, _ in site)
    f["site"] = sum(a * d for a, d in site) / total if total else None

    days = [(e.live, 0 if e.rule == "advance" else max(0, (e.source.cash - e.item.date).days))
            for e in log if e.rule in ("paid", "advance") and e.item is not None
            and isinstance(e.source, Receipt) and e.source.amount > 0
            and e.source.method != "fee" and in_month(e.source.date)]
    total = sum(a for a, _ in days)
    f["collection_days"] = sum(a * d for a, d in days) / total if total else None

    closing = f["opening"] + f["billed"] - collected
    f["closing"] = closing
    f["exposure"] = closing + sum(r.amount for r in receipts
                                  if r.method in NOTES and r.cash > end)
    buckets = [0] * 5
    for item in run.items:
        if item.open > 0 and item.due <= end:
            late = (end + ONE_DAY - item.due).days
            buckets[sum(late > e for e in edges)] += item.open
    for i, amount in enumerate(buckets):
        f[f"overdue_{i + 1}"] = amount
    f["advance"] = sum(left for _, left in run.advances)

    sales = sum(r.amount for r in receipts if r.method in CASH and in_month(r.date))
    sales += sum(r.amount for r in receipts if r.method in NOTES and r.amount > 0
                 and in_month(r.cash))
    for r in receipts:
        if r.method in NOTES and r.amount < 0:
            counted = max(r.date, r.target.cash) if r.target is not None else r.date
            if in_month(counted):
                sales += r.amount
    f["collection_sales"] = sales
    next_end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1) + dt.timedelta(
        days=31)
    next_end = next_end.replace(day=1) - ONE_DAY
    f["due_next"] = sum(i.open for i in run.items if end < i.due <= next_end)
    f["plan_overdue"] = sum(i.open for i in run.items if i.due <= end)
    f["open"] = {i.id: i.open for i in run.items if i.kind != 2}
    f["debits"] = sum(i.open for i in run.items if i.kind == 2)
    return f
