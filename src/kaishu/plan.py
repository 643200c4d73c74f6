"""The month's results as writes: which values go into which cells. Plain data.

An applier first reads the workbook's current state (where each table is, its headers and
rows); :func:`plan_refresh` turns a computed :class:`Month` and that state into writes;
the applier then performs them — :mod:`kaishu.xlsxpatch` on a file (for
:mod:`kaishu.workbook`), :mod:`kaishu.excel` on the open workbook with xlwings. Nothing here
touches a workbook.

What a refresh keeps: a customer's row stays where it is from month to month (new ones
fill blank rows or follow the last; one gone from the master keeps its row, marked in
警告, until the user deletes it), so what is on the row stays with the customer; columns a
user typed (対応メモ) or added keep what they held, formulas staying formulas; formula
columns keep the formula the workbook has.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import contract
from .monthly import Month
from .templates.collection import COLLECTION_CHECK
from .templates.spec import L, Table, text

#: Months of history a workbook keeps at least; when it would hold more than
#: HISTORY_LIMIT, the refresh cuts it back to HISTORY_MONTHS. So most refreshes only append
#: (earlier rows stay where they are) and the history stays bounded.
HISTORY_MONTHS = 24
HISTORY_LIMIT = 36
TABLES = {t.name: t for s in COLLECTION_CHECK.sheets for t in s.blocks if isinstance(t, Table)}


class Text(str):
    """A text value that must stay text even if it starts with = + - or @."""


class Formula(str):
    """A formula a workbook holds (starting with '='), written back as a formula."""


@dataclass(frozen=True)
class TableState:
    """A table as it is in the workbook: where, its headers, its data rows."""

    sheet: str
    name: str
    header_row: int  # 1-based
    first_column: int  # 1-based
    headers: list[str]
    rows: list[list[Any]]  # cell values; formulas as strings starting with "="
    totals: list[Any] | None = None  # the table's totals row (labels, SUBTOTAL formulas)


@dataclass(frozen=True)
class Write:
    """Values for the rectangle whose top-left cell is (row, column), 1-based."""

    sheet: str
    row: int
    column: int
    values: list[list[Any]]
    totals_row: bool = False  # a table's totals row, moved under its data


@dataclass(frozen=True)
class Resize:
    """The table's new extent: header row plus ``rows`` data rows."""

    sheet: str
    table: str
    header_row: int
    first_column: int
    columns: int
    rows: int
    totals: int = 0  # a totals row below the data rows (part of the table)

    @property
    def last_row(self) -> int:
        """The last data row (the totals row, if any, is the next one)."""
        return self.header_row + self.rows


@dataclass(frozen=True)
class Carry:
    """Rows kept as they are (values, formulas, formats), moved to consecutive rows from
    ``target_row`` on; they are read before anything is written."""

    sheet: str
    source_rows: list[int]
    target_row: int
    first_column: int
    columns: int

    def runs(self) -> list[tuple[int, int, int]]:
        """(first source row, last source row, first target row) of each unbroken run."""
        runs, target = [], self.target_row
        for row in self.source_rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1][1] = row
            else:
                runs.append([row, row, target])
            target += 1
        return [tuple(r) for r in runs]


@dataclass(frozen=True)
class Rename:
    """A table column whose header changes (the overdue buckets follow the aging edges):
    its header cell is written by a :class:`Write`; an applier that edits the file also
    renames the table's column and the structured references to it."""

    sheet: str
    table: str
    old: str
    new: str


@dataclass
class Plan:
    writes: list[Write] = field(default_factory=list)
    resizes: list[Resize] = field(default_factory=list)
    carries: list[Carry] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)


def table_ends(state: TableState, resize: Resize) -> tuple[int, int]:
    """The last row of the table before and after ``resize`` (its totals row included)."""
    totals = 0 if state.totals is None else 1
    return state.header_row + max(len(state.rows), 1) + totals, resize.last_row + resize.totals


def _clean(value: Any) -> Any:
    """A value as a cell holds it: no NaN or NaT, dates as dates, texts guarded."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, (Text, Formula)):
        return value
    if isinstance(value, str):
        return Text(value)
    return value


def _column(values: pd.Series) -> list[Any]:
    """A column as cells hold it (see :func:`_clean`), converted a whole column at once."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(object).tolist()
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(object).where(values.notna(), None).tolist()
    if pd.api.types.is_datetime64_any_dtype(values):
        return [None if v is pd.NaT else v for v in
                pd.Series(values.dt.to_pydatetime(), dtype=object).tolist()]
    return [_clean(v) for v in values.tolist()]


#: The header of an overdue bucket column, whatever the aging edges: 延滞31-60, Overdue 121-.
BUCKET_HEADER = re.compile(r"^(延滞|Overdue )(\d+-\d*)$")


def _keys(spec: Table, headers: list[str]) -> list[str | None]:
    """The spec key of each header (Japanese or English label), None for user columns.

    The overdue buckets are found by position: their headers follow the aging edges, so
    the k-th header shaped like a bucket's is the k-th bucket."""
    by_label = {c.label.ja: c.key for c in spec.columns} | \
        {c.label.en: c.key for c in spec.columns}
    keys = [by_label.get(h) for h in headers]
    if any(c.key in contract.BUCKET_KEYS for c in spec.columns):
        buckets = iter(contract.BUCKET_KEYS)
        for j, header in enumerate(headers):
            if BUCKET_HEADER.match(header or "") and (keys[j] is None
                                                      or keys[j] in contract.BUCKET_KEYS):
                keys[j] = next(buckets, None)
    return keys


def bucket_headers(state: TableState, labels: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """The bucket headers of ``state`` that differ from ``labels``: (column index in the
    table, header now, header wanted), in the language the header is written in."""
    keys = _keys(TABLES[state.name], state.headers)
    out = []
    for j, key in enumerate(keys):
        if key in contract.BUCKET_KEYS:
            prefix = BUCKET_HEADER.match(state.headers[j]).group(1)
            wanted = prefix + labels[contract.BUCKET_KEYS.index(key)]
            if wanted != state.headers[j]:
                out.append((j, state.headers[j], wanted))
    return out


def renamed(formula: str, table: str, renames: list[tuple[str, str]]) -> str:
    """``formula`` with its structured references to ``table``'s renamed columns updated.

    >>> renamed("=SUM(Collection[[#This Row],[延滞1-30]:[延滞121-]])", "Collection",
    ...         [("延滞1-30", "延滞1-15"), ("延滞121-", "延滞61-")])
    '=SUM(Collection[[#This Row],[延滞1-15]:[延滞61-]])'
    """
    if f"{table}[" not in formula:
        return formula
    for old, new in renames:
        formula = formula.replace(f"[{old}]", f"[{new}]")
    return formula


def _formulas(state: TableState, keys: list[str | None]) -> dict[int, str]:
    """The formula each formula column holds (from the first row that has one)."""
    roles = {c.key: c.role for c in TABLES[state.name].columns}
    return {j: next((r[j] for r in state.rows if isinstance(r[j], str)
                     and r[j].startswith("=")), None)
            for j, k in enumerate(keys) if k and roles[k] == "formula"}


def _place(state: TableState, rows: list[list[Any]], blank: list[Any]) -> list[Write | Resize]:
    """Write ``rows`` as the table's data rows, clear rows it no longer has, resize it."""
    rows = rows or [blank]
    return [Write(state.sheet, state.header_row + 1, state.first_column, rows),
            *_fit(state, len(rows))]


def _fit(state: TableState, size: int) -> list[Write | Resize]:
    """The table resized to ``size`` data rows, and the rows it no longer has cleared."""
    out: list[Write | Resize] = []
    totals = 1 if state.totals is not None else 0  # the totals row stays below the data
    had, has = len(state.rows) + totals, size + totals
    if had > has:
        out.append(Write(state.sheet, state.header_row + 1 + has, state.first_column,
                         [[None] * len(state.headers) for _ in range(had - has)]))
    if totals:
        out.append(Write(state.sheet, state.header_row + 1 + size, state.first_column,
                         [list(state.totals)], totals_row=True))
    out.append(Resize(state.sheet, state.name, state.header_row, state.first_column,
                      len(state.headers), size, totals))
    return out


#: A defined name the shipped templates carry: their tables show the sample ledger's rows,
#: which the first refresh from a real ledger replaces (and the name goes).
SAMPLE_MARK = "KaishuSampleRows"

#: What 警告 says of a customer no longer in the customer master: its row stays (with its
#: notes, comments and formats) until the user deletes it.
NOT_IN_MASTER = L("マスタになし", "Not in master")


def _illustrative(state: TableState, keys: list[str | None], key_at: int) -> bool:
    """Whether the table holds exactly the template's illustrative rows, untouched (a
    workbook never refreshed): then the first refresh lays the rows out afresh."""
    examples = TABLES[state.name].rows
    filled = [r for r in state.rows if r[key_at] not in (None, "")]
    if len(filled) != len(examples):
        return False
    for row, example in zip(filled, examples):
        for j, k in enumerate(keys):
            if k in ("code", "name", "salesperson") and k in example and \
                    str(text(example[k], "ja")) != str(row[j]) and \
                    str(text(example[k], "en")) != str(row[j]):
                return False
    return True


def plan_table(state: TableState, records: pd.DataFrame, key: str = "code",
               renames: list[tuple[str, str]] = (), fresh: bool = False,
               keep_gone: bool = True) -> list:
    """Rows for ``records`` (columns named by spec keys) in the table ``state``.

    A row stays where it is from month to month: a key the table already has is written on
    its row, a new key on a free row (one with no key and nothing typed) or after the last
    row, and a key gone from ``records`` keeps its row — key, name and what was typed —
    with its figures blank and, where the table has 警告, :data:`NOT_IN_MASTER` there; it
    goes when the user deletes the row. Value columns come from the records; formula
    columns keep the workbook's formula (with references to ``renames``' columns updated);
    input and user-added columns keep what the row held. The template's illustrative rows
    (or, with ``fresh``, the sample ledger's) are replaced by the first refresh. Without
    ``keep_gone``, the row of a gone key that holds nothing typed is freed instead (a table
    of pending items, such as the 入金消込 lines)."""
    spec = TABLES[state.name]
    keys = _keys(spec, state.headers)
    roles = {c.key: c.role for c in spec.columns}
    key_at = keys.index(key)
    formulas = {j: renamed(f, state.name, renames) if f else f
                for j, f in _formulas(state, keys).items()}
    kept = [j for j, k in enumerate(keys) if k is None or roles[k] == "input"]
    english = state.headers[key_at] == spec.column(key).label.en != spec.column(key).label.ja
    codes = records[key].astype(str).tolist()
    wanted = {c: i for i, c in enumerate(codes)}

    def typed(row: list[Any]) -> bool:
        return any(row[j] not in (None, "") for j in kept)

    # what each existing row becomes: a record's index, or the row itself (kept as gone)
    layout: list[int | list[Any] | None] = []
    placed: set[str] = set()
    afresh = fresh or _illustrative(state, keys, key_at)
    if not afresh:
        for row in state.rows:
            code = None if row[key_at] in (None, "") else str(row[key_at])
            if code is None:
                layout.append(row if typed(row) else None)  # None: a free row
            elif code in wanted and code not in placed:
                layout.append(wanted[code])
                placed.add(code)
            else:
                layout.append(row if keep_gone or typed(row) else None)
    new = iter([i for i, c in enumerate(codes) if c not in placed])
    layout = [next(new, None) if slot is None else slot for slot in layout]
    layout += list(new)
    while layout and layout[-1] is None:  # free rows left at the end go
        layout.pop()

    previous = [None] * len(records)  # the row each record had (none, when laid out
    for i, row in zip(layout, state.rows):  # afresh: the rows replaced were other customers')
        if isinstance(i, int) and not afresh:
            previous[i] = row
    columns = {}
    for j, k in enumerate(keys):
        if j in kept:
            columns[j] = _column(pd.Series([None if r is None else r[j] for r in previous],
                                           dtype=object))
        elif j not in formulas:
            values = records[k]
            if k == "credit_limit":  # no limit in the ledger: keep the one typed here
                values = values.astype(object).where(
                    values.notna(), pd.Series([None if r is None else r[j] for r in previous],
                                              dtype=object, index=values.index))
            columns[j] = _column(values)
    blank = [formulas.get(j) for j in range(len(keys))]
    mark = keys.index("warnings") if "warnings" in keys else None
    rows = []
    for slot in layout:
        if slot is None:
            rows.append(list(blank))
        elif isinstance(slot, int):
            rows.append([formulas[j] if j in formulas else columns[j][slot]
                         for j in range(len(keys))])
        else:  # a key gone from the records (or a second row of one): its row stays
            rows.append([_clean(slot[j]) if j in kept or j == key_at or keys[j] == "name"
                         else formulas.get(j) for j in range(len(keys))])
            if mark is not None and slot[key_at] not in (None, "") and \
                    str(slot[key_at]) not in wanted:
                rows[-1][mark] = Text(NOT_IN_MASTER("en" if english else "ja"))
    return _place(state, rows, blank)


def _history(state: TableState, month: Month) -> tuple[list[int], list[int]]:
    """Which rows of the history stay (this month's rows are replaced): those of earlier
    months and those of later ones, as row numbers. Only the month of each row is looked
    at; the rows themselves are carried over as they are."""
    at = _keys(TABLES[contract.HISTORY], state.headers).index("month")
    months = ["" if row[at] is None else str(row[at]) for row in state.rows]
    current = str(month.month)
    first_kept = str(month.month - (HISTORY_LIMIT - 1))
    if len({m for m in months if m and m != current and m >= first_kept}) + 1 > HISTORY_LIMIT:
        first_kept = str(month.month - (HISTORY_MONTHS - 1))
    before, after = [], []
    for i, kept in enumerate(months):
        if kept and kept != current and kept >= first_kept:
            (before if kept < current else after).append(state.header_row + 1 + i)
    return before, after


def plan_refresh(month: Month, tables: dict[str, TableState],
                 settings: dict[str, tuple[str, int, int]], sample: bool = False) -> Plan:
    """All writes of a refresh. ``settings`` maps defined names (TargetMonth, BaseDate) to
    their cell (sheet, row, column); ``sample``: the tables hold the sample ledger's rows
    (the workbook has :data:`SAMPLE_MARK`), laid out afresh."""
    plan = Plan()
    first = month.month.start_time.date()
    last = month.month.end_time.date()
    for name, value in ((contract.TARGET_MONTH, first), (contract.BASE_DATE, last)):
        if name in settings:
            sheet, row, column = settings[name]
            plan.writes.append(Write(sheet, row, column, [[_clean(value)]]))
    work = {
        contract.COLLECTION: (month.customers, contract.ROW_KEYS[contract.COLLECTION]),
        contract.BY_SALESPERSON: (pd.DataFrame({"salesperson": month.salespeople}),
                           contract.ROW_KEYS[contract.BY_SALESPERSON]),
        contract.PLAN: (month.plan, contract.ROW_KEYS[contract.PLAN]),
    }
    state = tables[contract.COLLECTION]  # the bucket headers follow the aging edges
    changes = bucket_headers(state, month.bucket_labels)
    for j, old, new in changes:
        plan.writes.append(Write(state.sheet, state.header_row, state.first_column + j,
                                 [[Text(new)]]))
        plan.renames.append(Rename(state.sheet, state.name, old, new))
    for name, (records, key) in work.items():
        _add(plan, plan_table(tables[name], records, key,
                              [(old, new) for _, old, new in changes], fresh=sample))
    if contract.HISTORY in tables:  # earlier months carried over, this month's rows written
        state = tables[contract.HISTORY]
        keys = _keys(TABLES[contract.HISTORY], state.headers)
        formulas = _formulas(state, keys)
        history = month.history.sort_values("code", kind="stable")
        columns = [[formulas[j]] * len(history) if j in formulas else
                   _column(history[k]) if k in history else [None] * len(history)
                   for j, k in enumerate(keys)]
        rows = [list(row) for row in zip(*columns)]
        # the sample ledger's months go with its rows
        before, after = ([], []) if sample else _history(state, month)
        start = state.header_row + 1
        width = len(keys)
        plan.carries.append(Carry(state.sheet, before, start, state.first_column, width))
        plan.writes.append(Write(state.sheet, start + len(before), state.first_column, rows))
        plan.carries.append(Carry(state.sheet, after, start + len(before) + len(rows),
                                  state.first_column, width))
        _add(plan, _fit(state, max(len(before) + len(rows) + len(after), 1)))
    return plan


def _add(plan: Plan, steps: list[Write | Resize]) -> None:
    for step in steps:
        (plan.resizes if isinstance(step, Resize) else plan.writes).append(step)
