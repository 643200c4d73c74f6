"""kaishu's worksheet functions as xlwings UDFs (``UDF Modules: kaishu.udfs``).

Each function below is declared by its signature only; :func:`worksheet_function` looks it
up in :mod:`kaishu.registry`, gives it the registry's description and argument help, and
runs it through :func:`kaishu.cells.evaluate`, the one policy for ranges, blanks and errors.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

import xlwings as xw

from .cells import evaluate
from .registry import BY_NAME

logger = logging.getLogger(__name__)


def worksheet_function(declaration: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a signature-only declaration into the UDF of the same name in the registry."""
    fn = BY_NAME[declaration.__name__]

    @functools.wraps(declaration)
    def udf(*values: Any) -> Any:
        try:
            return evaluate(fn, values)
        except Exception as exc:  # a bug must show in the cell, not crash Excel's call
            logger.exception("%s failed", fn.name)
            return f"#VALUE! kaishu internal error in {fn.name}: {type(exc).__name__}: {exc}"

    udf.__doc__ = fn.summary
    for arg in fn.args:
        # err_to_str: a cell holding #DIV/0! or #N/A reaches Python as that text, not as
        # None (which would read as a blank), so it is reported as the error it is
        udf = xw.arg(arg.name, ndim=2, err_to_str=True, doc=arg.help)(udf)
    return xw.func(category=fn.category)(udf)


# fmt: off
@worksheet_function
def CREDIT_LIMIT_CASHFLOW(annual_sales, fixed_days, days_in_year=None): ...
@worksheet_function
def CREDIT_LIMIT_PURCHASE(customer_sales_estimate, customer_gross_profit_estimate, our_share,
                          collection_days, days_in_year=None): ...
@worksheet_function
def CREDIT_LIMIT_TARGET(sales_target, collection_days_target, days_in_year=None): ...
@worksheet_function
def CREDIT_LIMIT_COMPOSITE(monthly_sales, cost_ratio, credit_months, credit_index): ...
@worksheet_function
def CREDIT_INDEX(values, weights): ...
@worksheet_function
def RATIO_INDEX(actuals, standards, weights, higher_is_better=None, cap=None): ...
@worksheet_function
def COLLECTION_SITE(amounts, days): ...
@worksheet_function
def COLLECTION_RATE(collected, due): ...
@worksheet_function
def COLLECTION_EFFICIENCY(collected, due, collection_days): ...
@worksheet_function
def WORKING_CAPITAL(trade_receivables, inventory, trade_payables): ...
@worksheet_function
def CREDIT_HEADROOM(credit_limits, working_capital): ...
@worksheet_function
def DSO(receivables, sales, days): ...
@worksheet_function
def BEST_POSSIBLE_DSO(current_receivables, sales, days): ...
@worksheet_function
def AVERAGE_DAYS_DELINQUENT(receivables, current_receivables, sales, days): ...
@worksheet_function
def CEI(beginning_receivables, sales, ending_receivables, ending_current_receivables): ...
@worksheet_function
def AGING_BUCKET(days_past_due, edges=None): ...
@worksheet_function
def DUE_DATE(sale_date, closing_day, payment_months, payment_day, holiday_rule=None): ...
# fmt: on
