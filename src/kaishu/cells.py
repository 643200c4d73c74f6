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

from .errors import InputError, KaishuError, ShapeError, describe
from .formulas._checks import elementwise
from .registry import Arg, WorksheetFunction

#: Excel's day 0 for serials from 61 (1900-03-01) on, past its 1900 leap-year bug.
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
FIRST_SERIAL = 61
NO_TEXT = None


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
    return np.frompyfunc(type, 1, 1)(cells)


def blanks(cells: np.ndarray) -> np.ndarray:
    """True for empty cells (``None``, or text that is only spaces)."""
    types = _types(cells)
    blank = np.asarray(types == type(None))
    text = np.asarray(types == str)
    if text.any():
        blank[text] = elementwise(lambda s: not s.strip(), cells[text])
    return blank


def _is_real(cells: np.ndarray) -> np.ndarray:
    types = _types(cells)
    real = np.asarray((types == float) | (types == int))
    unusual = ~real & ~np.asarray((types == str) | (types == type(None)))
    if unusual.any():  # numpy scalars from Python callers
        real[unusual] = elementwise(
            lambda v: isinstance(v, (np.integer, np.floating)), cells[unusual])
    return real


def _texts(texts: np.ndarray, arg: Arg, cells: np.ndarray, bad: np.ndarray, rule: str,
           code: str) -> None:
    """Write the error text of every ``bad`` cell that has none yet."""
    bad = bad & (texts == NO_TEXT)
    texts[bad] = [f"{code} {describe(arg.name, rule, v)}" for v in cells[bad]]


def convert(arg: Arg, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values of ``cells`` for the core, and an error text (or None) per cell."""
    texts = np.full(cells.shape, NO_TEXT, dtype=object)
    blank = blanks(cells)
    if arg.type == "rule":  # a blank rule is the default rule
        cells = np.where(blank, arg.default, cells)
        blank[:] = False
    _texts(texts, arg, cells, blank, "is required", "#VALUE!")
    if arg.type == "number":
        real = _is_real(cells)
        _texts(texts, arg, cells, ~real, "must be a number", "#VALUE!")
        values = np.zeros(cells.shape)
        values[real] = cells[real].astype(float)
        return values, texts
    if arg.type == "date":  # a formatted date arrives as a datetime, else as a serial
        serial = _is_real(cells)
        when = elementwise(lambda v: isinstance(v, (dt.date, np.datetime64)), cells)
        _texts(texts, arg, cells, ~serial & ~when, "must be a date or a date serial number",
               "#VALUE!")
        numbers = np.zeros(cells.shape)
        numbers[serial] = cells[serial].astype(float)
        early = serial & (numbers < FIRST_SERIAL)
        _texts(texts, arg, cells, early, f"must be a date serial ≥ {FIRST_SERIAL} (1900-03-01)",
               "#NUM!")
        values = np.full(cells.shape, EXCEL_EPOCH)
        ok = serial & ~early
        values[ok] = EXCEL_EPOCH + np.floor(numbers[ok]).astype("timedelta64[D]")
        values[when] = cells[when].astype("datetime64[D]")
        return values, texts
    return cells, texts  # words (末, 翌月, 前営業日) and flags are parsed by the core


def _first_text(texts: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """Per result cell, the first error text among ``texts`` (argument order)."""
    first = np.full(shape, NO_TEXT, dtype=object)
    for t in texts:
        fill = (first == NO_TEXT) & (t != NO_TEXT)
        first[fill] = t[fill]
    return first


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
            core[a.name], texts = convert(a, flat[a.name][keep])
            if (texts != NO_TEXT).any():
                return str(texts[texts != NO_TEXT][0])
    width = None
    for a in (a for a in args if a.kind == "vector"):
        core[a.name], texts = convert(a, given[a.name].reshape(-1))
        if (texts != NO_TEXT).any():
            return str(texts[texts != NO_TEXT][0])
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

    def first_in_row(texts: np.ndarray) -> np.ndarray:
        has = texts != NO_TEXT
        return texts[np.arange(len(texts)), has.argmax(axis=1)].reshape(-1, 1)

    per_cell = rows + elements
    blank_of = {a.name: per_result(a, blanks(given[a.name]).all(axis=1, keepdims=True)
                                   if a.kind == "row" else blanks(given[a.name]))
                for a in per_cell}
    ranges = [a for a in per_cell
              if (given[a.name].shape[0] if a.kind == "row" else given[a.name].size) > 1]
    watched = ranges or [a for a in per_cell if not a.optional]
    blank = np.logical_and.reduce([blank_of[a.name] for a in watched]) if watched \
        else np.zeros(shape, bool)

    texts = []
    for a in per_cell:
        values, t = convert(a, given[a.name])
        if a.kind == "row":
            core[a.name] = np.broadcast_to(values, (n, values.shape[1]))
            texts.append(per_result(a, first_in_row(t)))
        else:
            core[a.name] = np.broadcast_to(values, shape).reshape(-1)
            texts.append(np.broadcast_to(t, shape))
    problems = _first_text(texts, shape).reshape(-1)
    problems[blank.reshape(-1)] = NO_TEXT
    live = np.flatnonzero((problems == NO_TEXT) & ~blank.reshape(-1))

    out = np.full(shape[0] * shape[1], None, dtype=object)
    while live.size:
        try:
            result = fn.core(**{name: v[live] if fn.params[name] in per_cell else v
                                for name, v in core.items()})
        except InputError as error:
            arg = fn.params.get(error.argument)
            if arg not in per_cell:
                raise
            bad = np.broadcast_to(error.bad, error.bad.shape).reshape(live.size, -1)
            found = np.broadcast_to(error.values, error.bad.shape).reshape(live.size, -1)
            hit = bad.any(axis=1)
            problems[live[hit]] = [f"{error.code} {error.describe(v)}"
                                   for v in found[hit, bad[hit].argmax(axis=1)]]
            live = live[~hit]
            continue
        out[live] = _results(fn, result, live.size)
        break
    failed = problems != NO_TEXT
    out[failed] = problems[failed]
    return out.reshape(shape)
