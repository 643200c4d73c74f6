"""The contract's names are stated once and used by the engine, the plan and the templates."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from kaishu import contract
from kaishu.plan import TABLES
from kaishu.templates.collection import COLLECTION_CHECK
from kaishu.templates.spec import Field, FieldRow, Table


def test_importing_the_plan_loads_no_workbook_library():
    code = ("import sys, kaishu.plan, kaishu.contract; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'openpyxl', 'xlsxwriter', 'xlwings', 'click'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_refreshed_tables_are_tables_of_the_collection_check():
    tables = {t.name for s in COLLECTION_CHECK.sheets for t in s.blocks if isinstance(t, Table)}
    assert set(contract.REFRESHED_TABLES) <= tables
    assert set(contract.REQUIRED_TABLES) <= set(contract.REFRESHED_TABLES)


def test_every_figure_and_method_has_its_column():
    keys = {c.key for c in TABLES[contract.COLLECTION].columns}
    assert set(contract.CUSTOMER_KEYS) | set(contract.FIGURE_KEYS) <= keys
    assert [c.key for c in TABLES[contract.HISTORY].columns if c.role == "value"] == \
        list(contract.HISTORY_KEYS)
    assert {c.key for c in TABLES[contract.PLAN].columns} >= set(contract.PLAN_KEYS)


def test_every_setting_a_refresh_reads_is_on_the_settings_sheet():
    names = {b.name for s in COLLECTION_CHECK.sheets for b in s.blocks
             if isinstance(b, (Field, FieldRow))}
    assert set(contract.REFRESH_SETTINGS) <= names
    edges = next(b for s in COLLECTION_CHECK.sheets for b in s.blocks
                 if isinstance(b, FieldRow) and b.name == contract.AGING_EDGES)
    assert len(edges.values) == len(contract.BUCKET_KEYS) - 1


def test_the_engine_returns_the_contracts_figures(tmp_path):
    from kaishu.ledger import read_ledger
    from kaishu.monthly import compute_month
    (tmp_path / "customers.csv").write_text(
        "得意先コード,得意先名,担当者,締め日,支払月,支払日\nC1,青葉,佐藤,末,1,末\n", encoding="utf-8")
    (tmp_path / "invoices.csv").write_text(
        "請求番号,得意先コード,売上日,金額\nI1,C1,2025/04/10,1000\n", encoding="utf-8")
    (tmp_path / "receipts.csv").write_text(
        "入金日,得意先コード,金額,入金方法\n2025/05/30,C1,1000,振込\n", encoding="utf-8")
    month = compute_month(read_ledger(tmp_path), "2025-05")
    assert set(contract.CUSTOMER_KEYS) | set(contract.FIGURE_KEYS) <= set(month.customers)
    assert set(contract.PLAN_KEYS) <= set(month.plan)
    assert list(month.history) == list(contract.HISTORY_KEYS)
    assert isinstance(month.month, pd.Period)
