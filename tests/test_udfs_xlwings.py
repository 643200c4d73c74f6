"""The worksheet functions called the way Excel calls them: through xlwings' own dispatch.

Excel calls a classic UDF through the VBA wrapper that xlwings generates, which hands the
arguments to ``xlwings.udfs.call_udf`` over COM; that converts each argument with xlwings'
own conversion pipeline (options from ``@xw.arg``: ndim, dates, empty cells, errors), calls
the function and converts the result back. This test runs that real code on Linux.

What is stubbed, and why: only what exists on Windows alone. pywin32's modules
(``pythoncom``, ``pywintypes``, ``win32api``, ``win32con``, ``win32gui``, ``win32process``,
``win32timezone``, ``win32event``, ``win32com`` and its ``client`` / ``server`` modules) are
compiled Windows extensions, and ``ctypes.windll`` / ``ctypes.oledll`` (the Windows DLL
loaders that ``xlwings._xlwindows`` calls at import) do not exist elsewhere; ``ctypes.PyDLL``
is stubbed too because ``_xlwindows`` uses it to load pythoncom's own DLL. They are replaced
by inert stand-ins; ``pywintypes.TimeType`` (the datetime subclass COM delivers for a date
cell) by a real datetime subclass, and ``win32timezone``'s UTC by ``datetime.timezone.utc``.
Everything of xlwings itself — ``udfs.py`` (decorators, ``call_udf``), ``_xlwindows.py``
(its engine: cell errors, dates, empty cells, result preparation) and ``conversion`` — is the
installed xlwings, unchanged.

Arguments are shaped as COM delivers them: a range as a tuple of row tuples, a date cell as
a ``pywintypes.TimeType``, an empty cell as None, a one-cell argument as the bare value, and
an error cell as the int COM uses for it (-2146826281 is #DIV/0!).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import sys
import types

import pytest

from kaishu.examples import EXAMPLES

DIV0, NA = -2146826281, -2146826246  # COM's codes for #DIV/0! and #N/A in a cell
MISSING = -2147352572  # COM's code for an optional argument left out


class Inert:
    """Any attribute, call or item of a Windows-only module: does nothing."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> "Inert":
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Inert(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs) -> "Inert":
        return Inert(f"{self._name}()")

    def __getitem__(self, key) -> "Inert":
        return Inert(f"{self._name}[]")


class InertModule(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Inert(f"{self.__name__}.{attr}")


class TimeType(dt.datetime):
    """pywintypes.TimeType: what COM hands Python for a date cell (a datetime subclass)."""


PYWIN32 = ("pythoncom", "pywintypes", "win32api", "win32con", "win32gui", "win32process",
           "win32timezone", "win32event", "win32com", "win32com.client", "win32com.server",
           "win32com.server.dispatcher", "win32com.server.policy", "win32com.server.util",
           "win32com.server.exception")


@pytest.fixture
def xlwings_com(monkeypatch):
    """``xlwings.udfs.call_udf`` with the Windows-only modules stubbed (see the docstring)."""
    for name in PYWIN32:
        monkeypatch.setitem(sys.modules, name, InertModule(name))
    sys.modules["pywintypes"].TimeType = TimeType
    sys.modules["pythoncom"].__file__ = "pythoncom311.dll"
    timezone = types.SimpleNamespace(utc=lambda: dt.timezone.utc)
    sys.modules["win32timezone"].TimeZoneInfo = timezone
    for loader in ("windll", "oledll", "PyDLL"):
        monkeypatch.setattr(ctypes, loader, Inert(f"ctypes.{loader}"), raising=False)
    for name in ("xlwings.udfs", "xlwings._xlwindows", "xlwings._win32patch",
                 "xlwings.com_server", "kaishu.udfs"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import xlwings
    from xlwings import _xlwindows
    from xlwings.main import Engine

    # what xlwings' own __init__ does on Windows: the desktop Excel engine is registered
    monkeypatch.setattr(xlwings, "engines", type(xlwings.engines)())
    xlwings.engines.add(Engine(impl=_xlwindows.engine))
    import xlwings.udfs as classic

    for decorator, real in (("func", classic.xlfunc), ("arg", classic.xlarg),
                            ("ret", classic.xlret)):
        monkeypatch.setattr(xlwings, decorator, real)
    classic.udf_modules.clear()

    def call(name: str, *args):
        return classic.call_udf("kaishu.udfs", name, args, None, None)

    yield call
    server = sys.modules.get("xlwings.com_server")
    if server is not None:
        server.loop.close()
    for name in ("kaishu.udfs", "xlwings.udfs", "xlwings._xlwindows", "xlwings.com_server"):
        sys.modules.pop(name, None)


def com(value):
    """An example argument as COM delivers it: a list as a tuple of row tuples (a column
    for a flat list), a date as pywintypes' TimeType, anything else as it is."""
    if isinstance(value, dt.date):
        return TimeType(value.year, value.month, value.day)
    if isinstance(value, (list, tuple)):
        rows = [r if isinstance(r, (list, tuple)) else (r,) for r in value]
        return tuple(tuple(com(c) for c in r) for r in rows)
    return value


def single(result):
    """A one-cell result: xlwings returns it as [[value]]."""
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    return result[0][0]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.function)
def test_every_example_through_xlwings_dispatch(xlwings_com, example):
    got = single(xlwings_com(example.function, *map(com, example.args)))
    expected = example.expected
    if isinstance(expected, dt.date):
        # xlwings hands a date back to COM as a UTC datetime; Excel shows the day
        assert (got.year, got.month, got.day) == (expected.year, expected.month, expected.day)
    elif isinstance(expected, str):
        assert got == expected
    else:
        assert got == pytest.approx(expected, rel=1e-12)


def test_a_column_of_rows_with_a_blank_and_an_error_cell(xlwings_com):
    sales = ((36_500_000.0,), (None,), (18_250_000.0,), (DIV0,), (1.0,))
    days = ((60.0,), (None,), (None,), (30.0,), (NA,))
    result = xlwings_com("CREDIT_LIMIT_TARGET", sales, days, MISSING)
    assert result[0] == [6_000_000.0]  # 36,500,000 x 60 / 365
    assert result[1] == [""]  # a blank row comes back blank (xlwings writes "" for None)
    assert result[2] == ["#VALUE! collection_days_target is required (got blank)"]
    assert result[3] == ["#DIV/0! sales_target holds an Excel error (got '#DIV/0!')"]
    assert result[4] == ["#N/A collection_days_target holds an Excel error (got '#N/A')"]


def test_an_error_in_a_single_cell_argument_is_that_error(xlwings_com):
    assert single(xlwings_com("COLLECTION_RATE", NA, 100.0)) == \
        "#N/A collected holds an Excel error (got '#N/A')"
    assert single(xlwings_com("COLLECTION_SITE", ((300_000.0,), (DIV0,)), ((0.0,), (60.0,)))) \
        == "#DIV/0! amounts holds an Excel error (got '#DIV/0!')"


def test_a_date_cell_and_a_date_serial_give_the_same_due_date(xlwings_com):
    # 2025/04/10, 末締め翌月末払い: 31 May 2025 is a Saturday -> Monday 2 June
    from_date = single(xlwings_com("DUE_DATE", TimeType(2025, 4, 10), "末", "翌月", "末",
                                   MISSING))
    from_serial = single(xlwings_com("DUE_DATE", 45757.0, 31.0, 1.0, 31.0, MISSING))
    assert from_date == from_serial
    assert (from_date.year, from_date.month, from_date.day) == (2025, 6, 2)


def test_a_spilled_column_of_results_keeps_its_shape(xlwings_com):
    result = xlwings_com("COLLECTION_RATE", ((32_000_000.0,), (1.0,)),
                         ((36_000_000.0,), (4.0,)))
    assert result == [[pytest.approx(32 / 36)], [0.25]]
