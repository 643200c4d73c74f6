"""Applying receipts to invoices (DOMAIN.md section 6), one customer at a time.

:func:`apply_customer` is the contract's rules written as one plain function over one
customer's events; it writes a record of every amount it applies. :func:`apply_all` runs it
for every customer. Both are compiled with numba when it is installed; with the
environment variable ``KAISHU_JIT=0`` the same source runs as plain Python (the tests prove
both give identical records).

Everything here is integers: money in sen (1/100 yen), dates in days since 1970-01-01, so
an amount is either open or it is not, with no tolerance for rounding.

The caller prepares the events (see :mod:`kaishu.monthly`):

* items, the amounts a customer owes: invoices, carried-in balances, and one slot per
  negative receipt for the debit it may leave. Their index is their place in the order of
  rule 2 (customer, due date, invoice date, invoice before balance before debit, invoice
  id), so the open item that comes first is the one with the smallest index.
* money: credit notes (and negative balances) and receipts, indexed in the order of the
  events, so an earlier receipt has a smaller index.
* events: (kind, item or money, date) per customer, in the order of the day: items dated
  that day, then credit notes, then receipts, each in file order (the items of one day in
  the order of rule 2, which is the order advances pay them in).
"""

from __future__ import annotations

import os

import numpy as np

# -- what a record says ----------------------------------------------------------------------
#: The rule by which an amount was applied.
PAID, ADVANCE, CREDIT, FEE, REVERSAL, DEBIT = 0, 1, 2, 3, 4, 5
RULES = ("paid", "advance", "credit", "fee", "reversal", "debit")
#: Rows of the record (one int64 column per application, ``rec[ITEM, n]``):
#: ITEM the item (-1: the customer's advance, 前受金), RULE, SOURCE the money applied (-1 for
#: a fee closure), UNDOES the record a reversal undoes (-1 otherwise), DATE, AMOUNT (sen,
#: > 0), LIVE what is not undone of it yet; PREV_SOURCE and PREV_PAID link the records of one
#: money, and those a receipt paid, latest first.
ITEM, RULE, SOURCE, UNDOES, DATE, AMOUNT, LIVE, PREV_SOURCE, PREV_PAID = range(9)
RECORD_COLUMNS = ("item", "rule", "source", "undoes", "date", "amount", "live")
NONE = -1

# -- what the caller gives ---------------------------------------------------------------------
#: Kinds of events, in their order on one day.
DATED, CREDIT_NOTE, RECEIPT = 0, 1, 2
#: Columns of the money table: AMOUNT (sen; a credit note's amount is positive, a negative
#: receipt's negative), NAMED the item a receipt names (-1), DEBIT_SLOT the item a negative
#: receipt's debit goes to, and the four candidates a negative receipt reverses: the latest
#: earlier positive receipt naming the same invoice by the same method, naming it, of the same
#: amount and method, of the same amount (-1 for none; for a positive receipt, the previous
#: one of its group, so that the search can skip receipts already reversed).
M_AMOUNT, M_NAMED, M_DEBIT_SLOT, M_SAME_NAMED_METHOD, M_SAME_NAMED, M_SAME_AMOUNT_METHOD, \
    M_SAME_AMOUNT, M_IS_RECEIPT = range(8)
MONEY_COLUMNS = 8


def _jit(function):
    """Compile ``function`` with numba unless ``KAISHU_JIT=0`` (or numba is missing)."""
    if os.environ.get("KAISHU_JIT", "1") == "0":
        return function
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency
        return function
    return numba.njit(cache=True, nogil=True)(function)


JIT = os.environ.get("KAISHU_JIT", "1") != "0"


# -- small tools: the open items in due order (a heap of item indices), the record ------------

@_jit
def _push(heap, lo, size, item):
    """Add ``item`` to the heap held in ``heap[lo:lo + size]``; returns the new size."""
    i = size
    heap[lo + i] = item
    while i > 0:
        parent = (i - 1) // 2
        if heap[lo + parent] <= heap[lo + i]:
            break
        heap[lo + parent], heap[lo + i] = heap[lo + i], heap[lo + parent]
        i = parent
    return size + 1


@_jit
def _pop(heap, lo, size):
    """Remove the first item of the heap; returns the new size."""
    size -= 1
    heap[lo] = heap[lo + size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap[lo + child + 1] < heap[lo + child]:
            child += 1
        if heap[lo + i] <= heap[lo + child]:
            break
        heap[lo + i], heap[lo + child] = heap[lo + child], heap[lo + i]
        i = child
    return size


@_jit
def _record(rec, n, item, rule, source, undoes, day, amount):
    """Write one application as record ``n`` (column ``n`` of ``rec``); returns ``n + 1``."""
    rec[ITEM, n] = item
    rec[RULE, n] = rule
    rec[SOURCE, n] = source
    rec[UNDOES, n] = undoes
    rec[DATE, n] = day
    rec[AMOUNT, n] = amount
    rec[LIVE, n] = amount
    rec[PREV_SOURCE, n] = NONE
    rec[PREV_PAID, n] = NONE
    return n + 1


@_jit
def _grow(rec, n, needed):
    """``rec`` with room for at least ``needed`` records, its first ``n`` kept."""
    bigger = np.empty((rec.shape[0], max(needed, 2 * rec.shape[1])), np.int64)
    bigger[:, :n] = rec[:, :n]
    return bigger


@_jit
def latest_in_group(group, positive, rows):
    """For each of ``rows`` (in order), the latest row before it of the same ``group`` that
    is ``positive`` (-1 for none)."""
    latest = np.full(group.max() + 1, NONE, np.int64)
    out = np.empty(rows.shape[0], np.int64)
    for i in range(rows.shape[0]):
        out[i] = latest[group[i]]
        if positive[i]:
            latest[group[i]] = rows[i]
    return out


@_jit
def _reversed_receipt(m, money, reversed_):
    """Rule 5: the earlier receipt the negative receipt ``m`` reverses (-1 for none): if it
    names an invoice, the latest earlier receipt naming it (of the same method, if one is);
    else (or if none names it) the latest of the same amount and method, else the latest of
    the same amount. A receipt is reversed once."""
    for column in (M_SAME_NAMED_METHOD, M_SAME_NAMED, M_SAME_AMOUNT_METHOD, M_SAME_AMOUNT):
        t = money[m, column]
        while t >= 0 and reversed_[t]:
            t = money[t, column]
        if t >= 0:
            return t
    return NONE


@_jit
def _reopen(rec, n, r, link, x, m, day, open_, heap, in_heap, item_lo, size):
    """Rule 5's undoing: from record ``r`` along the records linked by ``link``, latest
    first, take back up to ``x`` of what they applied to items; each item is reopened (back
    among the open items) and each undo recorded as a reversal by the negative receipt
    ``m``. Returns ``(n, what is left of x, the heap's size)``."""
    while x > 0 and r >= 0:
        if rec[LIVE, r] > 0 and rec[ITEM, r] >= 0:
            undo = min(x, rec[LIVE, r])
            x -= undo
            rec[LIVE, r] -= undo
            k = rec[ITEM, r]
            open_[k] += undo
            if not in_heap[k]:
                size = _push(heap, item_lo, size, k)
                in_heap[k] = True
            n = _record(rec, n, k, REVERSAL, m, r, day, undo)
        r = rec[link, r]
    return n, x, size


# -- the rules ---------------------------------------------------------------------------------

@_jit
def apply_customer(events, money, amount, open_, dated, in_heap, heap, touched, marked,
                   adv_left, adv_record, queue, reversed_, target, src_last, item_lo, item_hi,
                   money_lo, tolerance, rec, n):
    """Apply one customer's ``events`` (DOMAIN.md section 6, rules 1-6) and write the record.

    ``amount`` and the state arrays (``open_``, ``dated``, ``in_heap``, ``heap``,
    ``touched``, ``marked`` over items; ``adv_left``, ``adv_record``, ``queue``, ``reversed_``,
    ``target``, ``src_last`` over money) are indexed globally; this customer's items are
    ``item_lo:item_hi``, its money starts at ``money_lo``. Records are written from column
    ``n`` of ``rec`` (grown when needed). Returns ``(rec, n)``.
    """
    size = 0                     # open items in due order: heap[item_lo:item_lo + size]
    head = tail = money_lo       # advances, oldest first: queue[head:tail]
    paid_last = NONE             # the latest record of what receipts paid
    today = 0                    # items receipts paid today: touched[item_lo:item_lo + today]
    first_record = n
    for e in range(events.shape[0]):
        kind, ref, day = events[e, 0], events[e, 1], events[e, 2]
        # room for what one event can write: undo every record of the customer so far, or
        # pay every item and close every item as a fee
        needed = n + (n - first_record) + 2 * (item_hi - item_lo) + 4
        if needed > rec.shape[1]:
            rec = _grow(rec, n, needed)

        if kind == DATED:
            # An item is dated: it is open. Rule 3: advances pay it on that day, the oldest
            # advance first.
            k = ref
            dated[k] = True
            open_[k] = amount[k]
            while open_[k] > 0 and head < tail:
                m = queue[head]
                if adv_left[m] == 0:
                    head += 1
                    continue
                pay = min(open_[k], adv_left[m])
                adv_left[m] -= pay
                open_[k] -= pay
                n = _record(rec, n, k, ADVANCE, m, NONE, day, pay)
                rec[PREV_SOURCE, n - 1] = src_last[m]
                src_last[m] = n - 1
                if money[m, M_IS_RECEIPT]:
                    rec[PREV_PAID, n - 1] = paid_last
                    paid_last = n - 1
            if open_[k] > 0:
                size = _push(heap, item_lo, size, k)
                in_heap[k] = True
            continue

        m = ref
        left = money[m, M_AMOUNT]
        receipt = kind == RECEIPT
        if left > 0:
            rule = PAID if receipt else CREDIT
            # Rule 1: a receipt that names an invoice pays it up to its open amount (a named
            # invoice not dated yet, or already paid, is ignored).
            k = money[m, M_NAMED]
            if receipt and k >= 0 and dated[k] and open_[k] > 0:
                pay = min(left, open_[k])
                open_[k] -= pay
                left -= pay
                n = _record(rec, n, k, PAID, m, NONE, day, pay)
                rec[PREV_SOURCE, n - 1] = src_last[m]
                src_last[m] = n - 1
                rec[PREV_PAID, n - 1] = paid_last
                paid_last = n - 1
                if not marked[k]:
                    marked[k] = True
                    touched[item_lo + today] = k
                    today += 1
            # Rule 2 (and rule 4 for a credit note): the rest pays the open items dated on or
            # before it, in due order.
            while left > 0 and size > 0:
                k = heap[item_lo]
                if open_[k] == 0:
                    size = _pop(heap, item_lo, size)
                    in_heap[k] = False
                    continue
                pay = min(left, open_[k])
                open_[k] -= pay
                left -= pay
                n = _record(rec, n, k, rule, m, NONE, day, pay)
                rec[PREV_SOURCE, n - 1] = src_last[m]
                src_last[m] = n - 1
                if receipt:
                    rec[PREV_PAID, n - 1] = paid_last
                    paid_last = n - 1
                    if not marked[k]:
                        marked[k] = True
                        touched[item_lo + today] = k
                        today += 1
            # Rule 3 (and 4): what is still left is an advance.
            if left > 0:
                adv_left[m] = left
                n = _record(rec, n, NONE, ADVANCE, m, NONE, day, left)
                adv_record[m] = n - 1
                queue[tail] = m
                tail += 1
        elif left < 0:
            # Rule 5: a negative receipt reverses one earlier receipt.
            x = -left
            t = _reversed_receipt(m, money, reversed_)
            target[m] = t
            if t >= 0:
                reversed_[t] = True
                # what it did is undone, latest first: its unspent advance is taken back ...
                take = min(x, adv_left[t])
                if take > 0:
                    adv_left[t] -= take
                    x -= take
                    n = _record(rec, n, NONE, REVERSAL, m, adv_record[t], day, take)
                # ... then what its advance paid, then what it paid directly is reopened
                n, x, size = _reopen(rec, n, src_last[t], PREV_SOURCE, x, m, day, open_,
                                     heap, in_heap, item_lo, size)
            # With no such receipt, or for what exceeds what it did: unspent advances are
            # taken back (the latest first) ...
            q = tail - 1
            while x > 0 and q >= head:
                a = queue[q]
                take = min(x, adv_left[a])
                if take > 0:
                    adv_left[a] -= take
                    x -= take
                    n = _record(rec, n, NONE, REVERSAL, m, adv_record[a], day, take)
                q -= 1
            while tail > head and adv_left[queue[tail - 1]] == 0:
                tail -= 1
            # ... then what receipts paid most recently is reopened, latest first ...
            n, x, size = _reopen(rec, n, paid_last, PREV_PAID, x, m, day, open_, heap,
                                 in_heap, item_lo, size)
            while paid_last >= 0 and rec[LIVE, paid_last] == 0:
                paid_last = rec[PREV_PAID, paid_last]
            # ... and what exceeds everything received is a debit, dated and due that day.
            if x > 0:
                k = money[m, M_DEBIT_SLOT]
                amount[k] = x
                open_[k] = x
                dated[k] = True
                size = _push(heap, item_lo, size, k)
                in_heap[k] = True
                n = _record(rec, n, k, DEBIT, m, NONE, day, x)

        # Rule 6: after the day's last receipt, once per customer and day, every item a
        # receipt of the day paid that is left open by no more than the tolerance is closed
        # as 手数料.
        if receipt and (e + 1 == events.shape[0] or events[e + 1, 2] != day):
            for i in range(item_lo, item_lo + today):
                k = touched[i]
                marked[k] = False
                if 0 < open_[k] <= tolerance:
                    n = _record(rec, n, k, FEE, NONE, NONE, day, open_[k])
                    open_[k] = 0
            today = 0
    return rec, n


@_jit
def apply_all(events, event_start, money, money_start, amount, item_start, tolerance,
              open_, dated, adv_left, target, rec):
    """Run :func:`apply_customer` for every customer; ``event_start``, ``item_start`` and
    ``money_start`` hold where each customer's events, items and money begin (one more
    entry than customers). Fills ``open_``, ``dated``, ``adv_left`` (unspent advance of each
    money), ``target`` (the receipt each negative receipt reversed) and writes debits into
    ``amount``. Returns ``(rec, n)``: the record is ``rec[:, :n]``."""
    items = amount.shape[0]
    in_heap = np.zeros(items, np.bool_)
    heap = np.empty(items, np.int64)
    touched = np.empty(items, np.int64)
    marked = np.zeros(items, np.bool_)
    moneys = money.shape[0]
    adv_record = np.full(moneys, NONE, np.int64)
    queue = np.empty(moneys, np.int64)
    reversed_ = np.zeros(moneys, np.bool_)
    src_last = np.full(moneys, NONE, np.int64)
    n = 0
    for c in range(event_start.shape[0] - 1):
        if event_start[c] == event_start[c + 1]:
            continue
        rec, n = apply_customer(events[event_start[c]:event_start[c + 1]], money, amount,
                                open_, dated, in_heap, heap, touched, marked, adv_left,
                                adv_record,
                                queue, reversed_, target, src_last, item_start[c],
                                item_start[c + 1], money_start[c], tolerance, rec, n)
    return rec, n
