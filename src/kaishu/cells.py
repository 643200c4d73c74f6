"""From Excel-shaped arguments to the core and back: the policy of every worksheet function.

A worksheet function receives what Excel hands over (numbers, ``None`` for blank cells,
text, booleans, dates, as scalars or 2-D lists) and returns one result per row or cell:

* a row that is blank in every range argument comes back blank (``None``);
* a bad element (blank in a required argument, text in a number, a zero denominator, ...)
  becomes a short text such as ``#NUM! collection_days must be > 0 (got 0)`` in its own
  cell, while the other rows still compute;
* a bad shape (ranges of different sizes) or a bad reducing or vector argument fails the
  whole call with one such text.

Classic xlwings cannot return real Excel error values, so the texts start with the error
Excel would show; test results with ISNUMBER / ISTEXT. The work is done on whole arrays:
no Python loop runs per row. This module imports no Excel library.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from . import serials
from .errors import InputError, KaishuError, ShapeError, describe
from .formulas._checks import elementwise
from .registry import Arg, WorksheetFunction
from .serials import FIRST_SERIAL

EXCEL_EPOCH = np.datetime64(serials.EXCEL_EPOCH, "D")
NO_TEXT = None
#: Excel's error values, as xlwings hands over a cell holding one (``err_to_str``).
EXCEL_ERRORS = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"))


def grid(value: Any) -> np.ndarray:
    """Any Excel argument as a 2-D object array (a 1-D list is a column)."""
    try:
        array = np.array(value, dtype=object)
    except ValueError:
        raise ShapeError("a range must be rectangular") from None
    if array.ndim > 2:
        raise ShapeError("a range must have two dimensions")
    return array.reshape(1, 1) if array.ndim == 0 else array.reshape(array.shape[0], -1)


def _types(cells: np.ndarray) -> np.ndarray:
    """The type of every cell, as an array: ``_types(c) == float`` compares elementwise."""
    return np.frompyfunc(type, 1, 1)(cells)


def blanks(cells: np.ndarray, types: np.ndarray | None = None) -> np.ndarray:
    """True for empty cells (``None``, or text that is only spaces)."""
    types = _types(cells) if types is None else types
    blank = np.asarray(types == type(None))
    text = np.asarray(types == str)
    if text.any():
        blank[text] = elementwise(lambda s: not s.strip(), cells[text])
    return blank


def _is_real(cells: np.ndarray, types: np.ndarray) -> np.ndarray:
    real = np.asarray(types == float)
    if real.all():
        return real
    real |= np.asarray(types == int)
    unusual = ~real & ~np.asarray((types == str) | (types == type(None)))
    if unusual.any():  # numpy scalars from Python callers
        real[unusual] = elementwise(
            lambda v: isinstance(v, (np.integer, np.floating)), cells[unusual])
    return real


class Problems:
    """An error text per cell, where there is one; the first problem of a cell wins."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.mask = np.zeros(shape, bool)
        self.text = np.full(shape, NO_TEXT, dtype=object)

    def add(self, bad: np.ndarray, texts: Any) -> None:
        """Record ``texts`` (an array, or a function of the positions) at ``bad`` cells."""
        bad = bad & ~self.mask
        if bad.any():
            self.text[bad] = texts(bad) if callable(texts) else np.broadcast_to(
                texts, bad.shape)[bad]
            self.mask |= bad

    def rule(self, arg: Arg, cells: np.ndarray, bad: np.ndarray, rule: str, code: str) -> None:
        self.add(bad, lambda at: [f"{code} {describe(arg.name, rule, v)}" for v in cells[at]])


def convert(arg: Arg, cells: np.ndarray,
            blank: np.ndarray | None = None) -> tuple[np.ndarray, Problems]:
    """The values of ``cells`` for the core, and the problems of its cells.

    ``blank`` is :func:`blanks` of ``cells`` when the caller has it already."""
    problems = Problems(cells.shape)
    types = _types(cells)
    blank = blanks(cells, types) if blank is None else blank
    text = np.asarray(types == str)
    if text.any():  # an input cell showing an Excel error is reported as that error
        error = np.zeros(cells.shape, bool)
        error[text] = elementwise(lambda v: v.strip() in EXCEL_ERRORS, cells[text])
        problems.add(error, lambda at: [
            f"{v.strip()} {describe(arg.name, 'holds an Excel error', v.strip())}"
            for v in cells[at]])
    if arg.type == "rule":  # a blank rule is the default rule
        cells = np.where(blank, arg.default, cells)
        types = _types(cells)
        blank = np.zeros(cells.shape, bool)
    problems.rule(arg, cells, blank, "is required", "#VALUE!")
    if arg.type == "number":
        real = _is_real(cells, types)
        if real.all():
            return cells.astype(float), problems
        problems.rule(arg, cells, ~real, "must be a number", "#VALUE!")
        values = np.zeros(cells.shape)
        values[real] = cells[real].astype(float)
        return values, problems
    if arg.type == "date":  # a formatted date arrives as a datetime, else as a serial
        serial = _is_real(cells, types)
        when = elementwise(lambda v: isinstance(v, (dt.date, np.datetime64)), cells)
        problems.rule(arg, cells, ~serial & ~when, "must be a date or a date serial number",
                      "#VALUE!")
        numbers = np.zeros(cells.shape)
        numbers[serial] = cells[serial].astype(float)
        early = serial & (numbers < FIRST_SERIAL)
        problems.rule(arg, cells, early, f"must be a date serial ≥ {FIRST_SERIAL} (1900-03-01)",
                      "#NUM!")
        values = np.full(cells.shape, EXCEL_EPOCH)
        ok = serial & ~early
        values[ok] = EXCEL_EPOCH + np.floor(numbers[ok]).astype("timedelta64[D]")
        values[when] = cells[when].astype("datetime64[D]")
        return values, problems
    return cells, problems  # words (末, 翌月, 前営業日) and flags are parsed by the core


def _results(fn: WorksheetFunction, result: Any, size: int) -> np.ndarray:
    result = np.broadcast_to(np.asarray(result), (size,))
    if fn.returns == "date":
        return result.astype("datetime64[D]").astype("datetime64[us]").astype(object)
    if fn.returns == "number":
        return result.astype(float)
    return result.astype(object)


def evaluate(fn: WorksheetFunction, values: tuple[Any, ...]) -> Any:
    """Run ``fn`` on Excel-shaped ``values`` (in registry order; ``None`` = omitted).

    Returns a scalar for a single result, else a 2-D list with one entry per result cell.
    """
    try:
        out = _evaluate(fn, values)
    except KaishuError as error:
        return f"{error.code} {error}"
    if isinstance(out, str):
        return out
    return out[0, 0] if out.shape == (1, 1) else out.tolist()


def _evaluate(fn: WorksheetFunction, values: tuple[Any, ...]) -> np.ndarray | str:
    given = {a.name: grid(v) for a, v in zip(fn.args, values) if not (v is None and a.optional)}
    args = [a for a in fn.args if a.name in given]
    core: dict[str, Any] = {a.name: a.default for a in fn.args if a.name not in given}

    # Reducing and vector arguments give one value for the whole call.
    reducing = [a for a in args if a.kind == "reduce"]
    if reducing:
        shapes = [given[a.name].shape for a in reducing]
        if len(set(shapes)) > 1:
            raise ShapeError("ranges must have the same size: " + ", ".join(
                f"{a.name} {'x'.join(map(str, s))}" for a, s in zip(reducing, shapes)))
        flat = {a.name: given[a.name].reshape(-1) for a in reducing}
        keep = ~np.logical_and.reduce([blanks(c) for c in flat.values()])
        for a in reducing:
            core[a.name], problems = convert(a, flat[a.name][keep])
            if problems.mask.any():
                return str(problems.text[problems.mask][0])
    width = None
    for a in (a for a in args if a.kind == "vector"):
        core[a.name], problems = convert(a, given[a.name].reshape(-1))
        if problems.mask.any():
            return str(problems.text[problems.mask][0])
        width = width or given[a.name].size

    # Row arguments: n customers x k criteria, one result per row.
    rows = [a for a in args if a.kind == "row"]
    for a in rows:
        g = given[a.name]
        if width and width > 1 and g.shape == (width, 1):
            given[a.name] = g.reshape(1, width)  # one customer's criteria typed as a column
    n = max((given[a.name].shape[0] for a in rows), default=1)
    for a in rows:
        if given[a.name].shape[0] not in (1, n):
            raise ShapeError(f"{a.name} must have 1 or {n} rows, has {given[a.name].shape[0]}")

    # Element-wise arguments broadcast like Excel arrays to the result grid.
    elements = [a for a in args if a.kind == "element"]
    try:
        shape = np.broadcast_shapes((n, 1) if rows else (1, 1),
                                    *[given[a.name].shape for a in elements])
    except ValueError:
        raise ShapeError("ranges must have the same size: " + ", ".join(
            f"{a.name} {'x'.join(map(str, given[a.name].shape))}" for a in rows + elements)
        ) from None
    if rows and shape[1] != 1:
        raise ShapeError("element-wise arguments of a per-row function must be one column")

    def per_result(a: Arg, cells: np.ndarray) -> np.ndarray:
        """Lay a per-cell array of ``a`` over the result grid (a row collapses to one)."""
        return np.broadcast_to(cells[:, :1] if a.kind == "row" else cells, shape)

    per_cell = rows + elements
    empty = {a.name: blanks(given[a.name]) for a in per_cell}
    blank_of = {a.name: per_result(a, empty[a.name].all(axis=1, keepdims=True)
                                   if a.kind == "row" else empty[a.name])
                for a in per_cell}
    ranges = [a for a in per_cell
              if (given[a.name].shape[0] if a.kind == "row" else given[a.name].size) > 1]
    watched = ranges or [a for a in per_cell if not a.optional]
    blank = np.logical_and.reduce([blank_of[a.name] for a in watched]) if watched \
        else np.zeros(shape, bool)

    found = Problems(shape)  # over the result grid
    for a in per_cell:
        values, problems = convert(a, given[a.name], empty[a.name])
        if a.kind == "row":
            core[a.name] = np.broadcast_to(values, (n, values.shape[1]))
            if problems.mask.any():  # a row's first problem stands for the row
                first = problems.mask.argmax(axis=1)
                text = problems.text[np.arange(len(first)), first].reshape(-1, 1)
                found.add(per_result(a, problems.mask.any(axis=1, keepdims=True)) & ~blank,
                          per_result(a, text))
        else:
            core[a.name] = np.broadcast_to(values, shape).reshape(-1)
            if problems.mask.any():
                found.add(np.broadcast_to(problems.mask, shape) & ~blank,
                          np.broadcast_to(problems.text, shape))
    failed, texts = found.mask.reshape(-1), found.text.reshape(-1)
    live = np.flatnonzero(~failed & ~blank.reshape(-1))

    while live.size:
        try:
            result = fn.core(**{name: v[live] if fn.params[name] in per_cell else v
                                for name, v in core.items()})
        except InputError as error:
            if fn.params.get(error.argument) not in per_cell:
                raise
            bad = error.bad.reshape(live.size, -1)
            value = np.broadcast_to(error.values, error.bad.shape).reshape(live.size, -1)
            hit = bad.any(axis=1)
            texts[live[hit]] = [f"{error.code} {error.describe(v)}"
                                for v in value[hit, bad[hit].argmax(axis=1)]]
            failed[live[hit]] = True
            live = live[~hit]
            continue
        result = _results(fn, result, live.size)
        if live.size == failed.size:  # nothing blank or failed: no object array needed
            return result.reshape(shape)
        break
    out = np.full(failed.size, None, dtype=object)
    if live.size:
        out[live] = result
    out[failed] = texts[failed]
    return out.reshape(shape)
