"""Every worksheet function's native Excel formula (recorded in the registry, used by the
templates) computes what the Python core computes, in LibreOffice, on random inputs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from kaishu.errors import InputError
from kaishu.formulas.terms import bank_calendar
from kaishu.registry import BANK_HOLIDAYS, BY_NAME

ROWS = 40
rng = np.random.default_rng(20251124)


def money(high=1e9):
    return float(np.round(rng.uniform(0, high)))


def days(low=1, high=365):
    return int(rng.integers(low, high + 1))


def pick(options):
    return options[int(rng.integers(len(options)))]


def vector(k, draw):
    return [draw() for _ in range(k)]


def ratio_case():
    hib = [bool(b) for b in rng.integers(0, 2, 3)]
    actuals = [float(rng.choice([0.0, rng.uniform(0, 3)])) if not h
               else float(rng.uniform(-0.5, 3)) for h in hib]
    return dict(actuals=actuals, standards=vector(3, lambda: float(rng.uniform(0.1, 2))),
                weights=vector(3, lambda: float(rng.integers(0, 60))) or [1, 1, 1],
                higher_is_better=hib, cap=float(rng.uniform(1, 3)))


def purchase_case():
    sales = money()
    return dict(customer_sales_estimate=sales,
                customer_gross_profit_estimate=float(np.round(rng.uniform(0, sales))),
                our_share=float(rng.uniform(0, 1)), collection_days=days(),
                days_in_year=float(rng.choice([360, 365, 366])))


def delinquent_case():
    receivables = money(1e8)
    return dict(receivables=receivables, current_receivables=float(rng.uniform(0, receivables)),
                sales=money(1e9) + 1, days=days(28, 365))


def cei_case():
    ending = money(1e8)
    return dict(beginning_receivables=money(1e8), sales=money(1e9) + 1,
                ending_receivables=ending, ending_current_receivables=float(rng.uniform(0, ending)))


def due_case():
    return dict(sale_date=dt.date(2024, 1, 1) + dt.timedelta(days=days(0, 4 * 365)),
                closing_day=pick([5, 10, 15, 20, 25, 28, 30, 31, "末", 0]),
                payment_months=pick([0, 1, 2, 3, "当月", "翌月", "翌々月"]),
                payment_day=pick([5, 10, 15, 20, 25, 30, 31, "末"]),
                holiday_rule=pick(["翌営業日", "前営業日", "next", "previous"]))


def edges():
    return sorted(int(e) for e in rng.choice(np.arange(1, 200), 4, replace=False))


CASES = {
    "CREDIT_LIMIT_CASHFLOW": lambda: dict(annual_sales=money(), fixed_days=days(),
                                          days_in_year=365),
    "CREDIT_LIMIT_PURCHASE": purchase_case,
    "CREDIT_LIMIT_TARGET": lambda: dict(sales_target=money(), collection_days_target=days(),
                                        days_in_year=float(rng.choice([360, 365, 366]))),
    "CREDIT_LIMIT_COMPOSITE": lambda: dict(monthly_sales=money(1e8),
                                           cost_ratio=float(rng.uniform(0, 1)),
                                           credit_months=float(rng.uniform(0.5, 6)),
                                           credit_index=float(rng.uniform(0.4, 1.6))),
    "CREDIT_INDEX": lambda: dict(values=vector(3, lambda: float(rng.uniform(0.4, 1.6))),
                                 weights=vector(3, lambda: float(rng.integers(1, 60)))),
    "RATIO_INDEX": ratio_case,
    "COLLECTION_SITE": lambda: dict(amounts=vector(4, lambda: float(rng.choice([0, money(1e7)])))
                                    [:3] + [money(1e7) + 1],
                                    days=vector(4, lambda: days(0, 180))),
    "COLLECTION_RATE": lambda: dict(collected=money(1e8), due=money(1e8) + 1),
    "COLLECTION_EFFICIENCY": lambda: dict(collected=money(1e8), due=money(1e8) + 1,
                                          collection_days=days(1, 180)),
    "WORKING_CAPITAL": lambda: dict(trade_receivables=money(), inventory=money(),
                                    trade_payables=money()),
    "CREDIT_HEADROOM": lambda: dict(credit_limits=vector(4, lambda: money(1e8)),
                                    working_capital=float(rng.uniform(-1e8, 1e9))),
    "DSO": lambda: dict(receivables=money(1e8), sales=money() + 1, days=days(28, 365)),
    "BEST_POSSIBLE_DSO": lambda: dict(current_receivables=money(1e8), sales=money() + 1,
                                      days=days(28, 365)),
    "AVERAGE_DAYS_DELINQUENT": delinquent_case,
    "CEI": cei_case,
    "AGING_BUCKET": lambda: (lambda e: dict(days_past_due=float(rng.choice(
        [rng.integers(-30, 400), rng.choice(e), rng.choice(e) + 1, 0])), edges=e))(edges()),
    "DUE_DATE": due_case,
}


def expected(fn, case):
    try:
        return fn.core(**case)
    except InputError:
        return "#N/A"


def build(path):
    book = Workbook()
    book.remove(book.active)
    holidays = book.create_sheet("holidays")
    calendar = bank_calendar(2023, 2032)
    for row, day in enumerate(calendar.holidays.astype(dt.date), start=1):
        holidays.cell(row, 1, day)
    book.defined_names[BANK_HOLIDAYS] = DefinedName(
        BANK_HOLIDAYS, attr_text=f"holidays!$A$1:$A${len(calendar.holidays)}")
    layout = {}
    for name, make in CASES.items():
        fn = BY_NAME[name]
        sheet = book.create_sheet(name[:31])
        cases = [make() for _ in range(ROWS)]
        for row, case in enumerate(cases, start=1):
            column, refs = 1, {}
            for arg in fn.args:
                values = case[arg.name]
                cells = values if isinstance(values, list) else [values]
                first = column
                for value in cells:
                    sheet.cell(row, column, value)
                    column += 1
                refs[arg.name] = (f"{get_column_letter(first)}{row}" if len(cells) == 1 else
                                  f"{get_column_letter(first)}{row}:"
                                  f"{get_column_letter(column - 1)}{row}")
            sheet.cell(row, column, fn.native(**refs))
            layout[name, row] = column
        layout[name] = cases
    book.save(path)
    return layout


def test_native_formulas_agree_with_the_core(tmp_path, recalculate):
    layout = build(tmp_path / "native.xlsx")
    (book,) = recalculate(tmp_path / "native.xlsx")
    checked = 0
    for name in CASES:
        fn, sheet = BY_NAME[name], book[name[:31]]
        for row, case in enumerate(layout[name], start=1):
            got = sheet.cell(row, layout[name, row]).value
            want = expected(fn, case)
            where = f"{name} row {row}: {case}"
            if isinstance(want, dt.date):
                got = dt.date(1899, 12, 30) + dt.timedelta(days=int(got)) \
                    if isinstance(got, (int, float)) else got.date()
                assert got == want, where
            elif isinstance(want, str):
                assert got == want, where
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-6), where
            checked += 1
    assert checked == ROWS * len(CASES) == ROWS * len(BY_NAME)
