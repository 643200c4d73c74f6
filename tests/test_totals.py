"""The monthly table's own totals row (an Excel table totals row): it stays at the table's
bottom as a refresh grows or shrinks the table, and LibreOffice computes its sums."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from kaishu.templates import write_templates
from kaishu.workbook import mark_sample, refresh_workbook

from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS

ROOT = Path(__file__).resolve().parents[1]
SUMMED = ("信用限度額", "与信残高", "当月回収予定額", "延滞合計", "前月残高", "当月売上")


def totals_of(path: Path, values=None):
    """The data rows and the totals row of the Collection table, by header."""
    book = load_workbook(path)
    sheet = book["月次回収チェック"]
    table = sheet.tables["Collection"]
    assert table.totalsRowCount == 1
    left, top, right, bottom = range_boundaries(table.ref)
    assert table.autoFilter.ref.endswith(str(bottom - 1))  # the filter: data rows only
    source = (values or book)["月次回収チェック"]
    headers = [sheet.cell(top, c).value for c in range(left, right + 1)]
    rows = [dict(zip(headers, (source.cell(r, c).value for c in range(left, right + 1))))
            for r in range(top + 1, bottom)]
    total = dict(zip(headers, (source.cell(bottom, c).value for c in range(left, right + 1))))
    after = [sheet.cell(r, 1).value for r in range(bottom + 1, bottom + 80)]
    assert sheet.cell(bottom, 1).font.b  # the totals row keeps its look
    assert sheet.cell(bottom, 5).border.bottom.style == "double"
    return rows, total, after


@pytest.mark.parametrize("steps", [[("sample", "2025-09"), ("small", "2025-06")]])
def test_the_totals_row_follows_the_table_and_sums_it(tmp_path, recalculate, steps):
    (book,) = [p for p in write_templates(tmp_path / "t") if p.name == "collection_check.xlsx"]
    ledgers = {"sample": ROOT / "samples" / "ledger_utf8",
               "small": write_ledger(tmp_path / "small", CUSTOMERS, INVOICES, RECEIPTS,
                                     BALANCES)}
    for ledger, month in steps:  # 5 illustrative rows -> 60 customers -> 5 customers
        result = refresh_workbook(book, ledgers[ledger], month, force=True)
        if ledger == "sample":  # as the templates ship: the first real refresh replaces
            mark_sample(book)  # the sample's rows (otherwise they stay, marked マスタになし)
        rows, total, after = totals_of(book)
        assert len(rows) == len(result.customers)
        assert total["得意先コード"] == "合計"
        assert total["与信残高"] == "=SUBTOTAL(109,Collection[与信残高])"
        assert not any(after), "rows below the totals row are left empty"
        (values,) = recalculate(book)
        rows, total, _ = totals_of(book, values)
        for header in SUMMED:  # the sum written here, over LibreOffice's data rows
            expected = sum(r[header] for r in rows if isinstance(r[header], (int, float)))
            assert total[header] == pytest.approx(expected, abs=1e-6), header
