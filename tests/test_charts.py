"""The charts' data, proven in LibreOffice: the utilisation and overdue rankings that the
charts plot are computed by native formulas (LARGE, SUMPRODUCT/SMALL, INDEX, COUNTIF) on the
monthly table, and must equal a plain sort written here: largest first, ties in the table's
order, only customers with an overdue amount (with a limit and some exposure for the
utilisation), the 21st and later overdue amounts summed as その他."""

from __future__ import annotations

import dataclasses
import random

import pytest
from openpyxl import load_workbook

from kaishu.templates import COLLECTION_CHECK
from kaishu.templates.builder import Builder
from kaishu.templates.collection import MONTHLY, OVERDUE_RANKING, UTILISATION_RANKING

from test_templates_engine import Sheetbook, put

SIZE = 20


def expected(rows: list[dict]) -> tuple[list, list]:
    """The rankings from the recalculated monthly table, by a plain stable sort."""
    limited = [(r["name"], r["utilisation"]) for r in rows  # a limit, and something used
               if isinstance(r["utilisation"], (int, float)) and r["utilisation"] > 0]
    utilisation = sorted(limited, key=lambda pair: -pair[1])[:SIZE]  # stable: table order
    owing = [(r["name"], r["overdue"]) for r in rows
             if isinstance(r["overdue"], (int, float)) and r["overdue"] > 0]
    overdue = sorted(owing, key=lambda pair: -pair[1])
    rest = sum(v for _, v in overdue[SIZE:])
    overdue = overdue[:SIZE] + ([("その他", rest)] if rest > 0.5 else [])
    return utilisation, overdue


def ranked(book, spec) -> list[tuple]:
    """(label, value) of the filled rows of a ranking as LibreOffice computed it."""
    sheet = book["グラフデータ"]
    header = next(r for r in range(1, sheet.max_row + 1)
                  if sheet.cell(r, 3).value == spec.headers[2].ja)
    rows = [(sheet.cell(r, 2).value, sheet.cell(r, 3).value)
            for r in range(header + 1, header + spec.rows + 1)]
    return [(label, value) for label, value in rows if value not in (None, "")]


def check(layout, values) -> None:
    rows = Sheetbook(layout, values).rows("Collection")
    utilisation, overdue = expected(rows)
    got = ranked(values, UTILISATION_RANKING)
    assert [g[0] for g in got] == [u[0] for u in utilisation]
    assert [g[1] for g in got] == pytest.approx([u[1] for u in utilisation], rel=1e-12)
    got = ranked(values, OVERDUE_RANKING)
    assert [g[0] for g in got] == [o[0] for o in overdue]
    assert [g[1] for g in got] == pytest.approx([o[1] for o in overdue], abs=1e-6)
    # the over-limit column holds exactly the utilisations above OverLimit (100%)
    sheet = values["グラフデータ"]
    over = [sheet.cell(r, 2).value for r in range(4, 4 + SIZE)
            if isinstance(sheet.cell(r, 5).value, (int, float))]
    assert over == [name for name, u in utilisation if u > 1.0]


def test_the_committed_workbook_charts_its_rankings(recalculate):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "xlsx_templates" / "collection_check.xlsx"
    (values,) = recalculate(path)
    check(load_workbook(path), values)


@pytest.mark.parametrize("seed", [1, 2])
def test_rankings_with_ties_zeros_and_no_limits(tmp_path, recalculate, seed):
    rng = random.Random(seed)
    monthly = dataclasses.replace(MONTHLY, size=32)
    sheets = tuple(dataclasses.replace(s, blocks=tuple(
        monthly if b is MONTHLY else b for b in s.blocks)) for s in COLLECTION_CHECK.sheets)
    builder = Builder(dataclasses.replace(COLLECTION_CHECK, sheets=sheets), "ja")
    builder.build()
    rows = []
    for i in range(30):  # 30 customers, ties on purpose, some without a limit or overdue
        limit = rng.choice([None, 1_000_000, 2_000_000])
        rows.append({"code": f"K{i:03d}", "name": f"得意先{i:02d}", "salesperson": "佐藤",
                     "credit_limit": limit,
                     "exposure": rng.choice([0, 800_000, 1_200_000, 2_000_000]),
                     "overdue_1": rng.choice([None, 0, 100_000, 250_000, 250_000]),
                     "overdue_3": rng.choice([None, None, 50_000])})
    put(builder, "Collection", rows)
    path = tmp_path / "ranked.xlsx"
    builder.book.save(path)
    (values,) = recalculate(path)
    layout = load_workbook(path)
    check(layout, values)
    sheet = values["グラフデータ"]
    assert any(sheet.cell(r, 2).value == "その他" for r in range(1, sheet.max_row + 1)) == \
        (sum(1 for r in rows if (r["overdue_1"] or 0) + (r["overdue_3"] or 0) > 0) > SIZE)


def test_the_charts_name_every_bar_and_colour_the_over_limit_bars(tmp_path):
    path = tmp_path / "book.xlsx"
    Builder(COLLECTION_CHECK, "ja").build().save(path)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in sorted(archive.namelist())
                  if n.startswith("xl/charts/chart")]
    utilisation = next(c for c in charts if "限度超過" in c)
    assert '<tickLblSkip val="1"' in utilisation and '<orientation val="maxMin"' in utilisation
    assert "C00000" in utilisation and '<majorUnit val="1"' in utilisation
    assert "'グラフデータ'!$B$4:$B$23" in utilisation
    overdue = next(c for c in charts if "'グラフデータ'!$C$26" in c)
    assert '<tickLblSkip val="1"' in overdue and "$B$26:$B$46" in overdue
