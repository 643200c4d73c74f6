"""One registry: the UDF module, xlwings' own VBA generator and the README agree with it."""

import inspect
import io
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from kaishu.registry import BY_NAME, FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]


def registry_signatures():
    return {fn.name: [(a.name, a.optional) for a in fn.args] for fn in FUNCTIONS}


def test_registry_covers_the_domain_contract():
    domain = (ROOT.parent / "shared" / "DOMAIN.md")
    names = set(re.findall(r"`([A-Z][A-Z_]+)\(", domain.read_text(encoding="utf-8"))) \
        if domain.exists() else set()
    expected = {
        "CREDIT_LIMIT_CASHFLOW", "CREDIT_LIMIT_PURCHASE", "CREDIT_LIMIT_TARGET",
        "CREDIT_LIMIT_COMPOSITE", "CREDIT_INDEX", "RATIO_INDEX", "COLLECTION_SITE",
        "COLLECTION_RATE", "COLLECTION_EFFICIENCY", "WORKING_CAPITAL", "CREDIT_HEADROOM",
        "DSO", "BEST_POSSIBLE_DSO", "AVERAGE_DAYS_DELINQUENT", "CEI", "AGING_BUCKET",
        "DUE_DATE"}
    assert set(BY_NAME) == expected
    assert names <= expected


def test_core_arguments_match_the_registry():
    for fn in FUNCTIONS:
        params = inspect.signature(fn.core).parameters
        assert [(p, params[p].default is not inspect.Parameter.empty) for p in params] == \
            [(a.name, a.optional) for a in fn.args], fn.name


def test_udf_module_matches_the_registry():
    from kaishu import udfs

    found = {name: [(p.name, p.default is not inspect.Parameter.empty)
                    for p in inspect.signature(obj).parameters.values()]
             for name, obj in vars(udfs).items() if name.isupper() and callable(obj)}
    assert found == registry_signatures()


def test_readme_function_table_matches_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `=([A-Z_]+)\(([^)]*)\)` \|", readme, flags=re.MULTILINE)
    table = {name: [(a.strip(" []"), a.strip().startswith("[")) for a in args.split(",")]
             for name, args in rows}
    assert table == registry_signatures()


def test_descriptions_fit_excel():
    for fn in FUNCTIONS:
        assert 0 < len(fn.summary) <= 255, fn.name
        assert all(0 < len(a.help) <= 255 for a in fn.args), fn.name


@pytest.fixture
def classic_xlwings(monkeypatch):
    """xlwings' classic UDF machinery on Linux: stub the three pywin32 modules its
    module imports, and put its real decorators where ``xlwings.func`` and friends are."""
    win32com = types.ModuleType("win32com")
    win32com.client = types.ModuleType("win32com.client")
    win32com.client.Dispatch = lambda *a, **k: None
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    for name, module in {"pythoncom": pythoncom, "pywintypes": types.ModuleType("pywintypes"),
                         "win32com": win32com, "win32com.client": win32com.client}.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    monkeypatch.delitem(sys.modules, "kaishu.udfs", raising=False)
    import xlwings
    import xlwings.udfs as classic

    monkeypatch.setattr(xlwings, "func", classic.xlfunc)
    monkeypatch.setattr(xlwings, "arg", classic.xlarg)
    monkeypatch.setattr(xlwings, "ret", classic.xlret)
    import kaishu.udfs as module

    yield classic, module
    sys.modules.pop("kaishu.udfs", None)


def test_xlwings_generates_a_vba_function_per_registry_entry(classic_xlwings):
    classic, module = classic_xlwings
    out = io.StringIO()
    workbook = types.SimpleNamespace(Name="kaishu_functions.xlsm")  # only its name is read
    classic.generate_vba_wrapper("kaishu.udfs", module, out, workbook)
    vba = out.getvalue()

    declared = re.findall(r"^Function (\w+)\(([^)]*)\)", vba, flags=re.MULTILINE)
    found = {name: [(a.replace("Optional ", ""), a.startswith("Optional "))
                    for a in args.split(", ")] for name, args in declared}
    assert found == registry_signatures()
    for name in BY_NAME:
        assert f'XLPy.CallUDF("kaishu.udfs", "{name}"' in vba


def test_xlwings_metadata_carries_descriptions_and_argument_help(classic_xlwings):
    _, module = classic_xlwings
    for fn in FUNCTIONS:
        meta = getattr(module, fn.name).__xlfunc__
        assert meta["ret"]["doc"] == fn.summary
        assert meta["category"] == fn.category
        assert [a["doc"] for a in meta["args"]] == [a.help for a in fn.args]
        assert all(a["options"]["ndim"] == 2 for a in meta["args"])
        assert len(meta["ret"]["doc"][:255]) == len(meta["ret"]["doc"])


def test_the_core_imports_no_excel_library():
    code = ("import sys, kaishu.formulas, kaishu.registry, kaishu.cells; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'xlwings', 'openpyxl', 'pandas', 'click', 'xlsxwriter'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
