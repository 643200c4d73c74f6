"""The worksheet functions of kaishu: one registry, plain data.

The UDF module, the templates and the README's function table are all checked against it.

Argument kinds (how a range argument is read):

``element``
    element-wise: one result per cell, ranges of one shape broadcasting like Excel arrays.
``reduce``
    the whole range becomes one value (e.g. the amounts of COLLECTION_SITE).
``row``
    each row is one customer's vector of k criteria; one result per row.
``vector``
    one vector of k values applied to every row (e.g. weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import formulas as f

REQUIRED = object()
#: The defined name of the bank-holiday list a workbook using DUE_DATE's formula carries.
BANK_HOLIDAYS = "BankHolidays"
KINDS = ("element", "reduce", "row", "vector")
#: number: a number; date: an Excel date or serial; day: 1-31 or 末; months: 0/1/2 or
#: 当月/翌月/翌々月; rule: 翌営業日/前営業日; flag: はい/いいえ, TRUE/FALSE or 1/0.
TYPES = ("number", "date", "day", "months", "rule", "flag")


@dataclass(frozen=True)
class Arg:
    name: str
    help: str
    kind: str = "element"
    type: str = "number"
    default: Any = REQUIRED

    @property
    def optional(self) -> bool:
        return self.default is not REQUIRED


@dataclass(frozen=True)
class WorksheetFunction:
    name: str
    core: Callable[..., Any]
    category: str
    ja: str
    summary: str
    args: tuple[Arg, ...]
    excel: str = ""
    returns: str = "number"
    params: dict[str, Arg] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", {a.name: a for a in self.args})
        assert all(a.kind in KINDS and a.type in TYPES for a in self.args), self.name

    def native(self, **refs: str) -> str:
        """The native Excel formula of this function over the given cell references.

        >>> BY_NAME["CREDIT_LIMIT_TARGET"].native(
        ...     sales_target="D2", collection_days_target="E2", days_in_year="DaysInYear")
        '=D2*E2/DaysInYear'
        """
        return "=" + self.excel.format(**refs)


CREDIT = "kaishu 与信 (credit)"
COLLECTION = "kaishu 回収 (collection)"
METRICS = "kaishu 債権指標 (receivables)"
TERMS = "kaishu 支払条件 (terms)"

# Native Excel formulas (Excel 2016 functions only) computing what each core function does.
# Placeholders are the argument names; row and vector arguments are row ranges of k cells,
# reducing ones ranges. SUMPRODUCT evaluates arrays without Ctrl+Shift+Enter, so the
# per-criterion choices of RATIO_INDEX are arithmetic, not IF:
#   max(x, 0) = (x + |x|) / 2,  min(x, cap) = (x + cap - |x - cap|) / 2,
#   standard / actual where lower is better, with an actual of 0 scoring cap.
# A yes/no cell may hold TRUE/FALSE, 1/0 or はい/いいえ: as 1 or 0 (also element-wise).
_YES = '((({higher_is_better}=TRUE)+({higher_is_better}=1)+({higher_is_better}="はい")>0)*1)'
_SCORE = (f"({_YES}*({{actuals}}/{{standards}}+ABS({{actuals}}/{{standards}}))/2"
          f"+(1-{_YES})*{{standards}}/({{actuals}}+({{actuals}}<=0)"
          "*({standards}/{cap}-{actuals})))")
_RATIO_INDEX = (f"SUMPRODUCT({{weights}},({_SCORE}+{{cap}}-ABS({_SCORE}-{{cap}}))/2)"
                "/SUM({weights})")
# Bucket i holds days in (edge[i-1], edge[i]]: i = how many edges lie below the days.
_BELOW = 'COUNTIF({edges},"<"&{days_past_due})'
_AGING_BUCKET = (f'IF({{days_past_due}}<=0,"未到来",IF({_BELOW}=0,1,INDEX({{edges}},{_BELOW})+1)'
                 f'&"-"&IF({_BELOW}<COUNT({{edges}}),INDEX({{edges}},{_BELOW}+1),""))')
# DUE_DATE: closing month offset (0 or 1), then payment day clamped to its month's end,
# moved to the next (or previous) bank business day of the BankHolidays list.
_CLOSE = 'IF(OR({closing_day}="末",{closing_day}=0),31,{closing_day})'
_PAY = 'IF(OR({payment_day}="末",{payment_day}=0),31,{payment_day})'
_MONTHS = ('IF(ISNUMBER({payment_months}),{payment_months},'
           'MATCH({payment_months},{{"当月","翌月","翌々月"}},0)-1)')
_OFFSET = f"IF(DAY({{sale_date}})<=MIN({_CLOSE},DAY(EOMONTH({{sale_date}},0))),0,1)"
_CLOSING = f"(EOMONTH({{sale_date}},{_OFFSET}-1)+MIN({_CLOSE},DAY(EOMONTH({{sale_date}},{_OFFSET}))))"
_PAYMENT = (f"(EOMONTH({{sale_date}},{_OFFSET}+{_MONTHS}-1)"
            f"+MIN({_PAY},DAY(EOMONTH({{sale_date}},{_OFFSET}+{_MONTHS}))))")
_DUE_DATE = (f"IF({_PAYMENT}<={_CLOSING},NA(),"
             f'IF(OR({{holiday_rule}}="前営業日",{{holiday_rule}}="previous"),'
             f"WORKDAY({_PAYMENT}+1,-1,{BANK_HOLIDAYS}),WORKDAY({_PAYMENT}-1,1,{BANK_HOLIDAYS})))")

_DAYS_IN_YEAR = Arg("days_in_year", "Days in a year (default 365)", default=365)

FUNCTIONS: tuple[WorksheetFunction, ...] = (
    WorksheetFunction(
        "CREDIT_LIMIT_CASHFLOW", f.credit_limit_cashflow, CREDIT, "信用限度額(資金繰り法)",
        "Credit limit from our cash flow: annual sales x days our funds are tied up / 365.",
        (Arg("annual_sales", "Annual sales to the customer, yen (年間売上高)"),
         Arg("fixed_days", "Days our funds stay tied up, > 0 (資金固定期間)"),
         _DAYS_IN_YEAR),
        excel="{annual_sales}*{fixed_days}/{days_in_year}"),
    WorksheetFunction(
        "CREDIT_LIMIT_PURCHASE", f.credit_limit_purchase, CREDIT, "信用限度額(売上見積法)",
        "Credit limit from the customer's purchases: (sales - gross profit) x our share "
        "x collection days / 365.",
        (Arg("customer_sales_estimate", "Customer's estimated annual sales, yen (得意先売上見積高)"),
         Arg("customer_gross_profit_estimate",
             "Customer's estimated gross profit, yen (得意先売上総利益見積高)"),
         Arg("our_share", "Share of its purchases bought from us, 0-1 (自社仕入れ比率)"),
         Arg("collection_days", "Collection period in days, > 0 (回収期間)"),
         _DAYS_IN_YEAR),
        excel="({customer_sales_estimate}-{customer_gross_profit_estimate})*{our_share}"
        "*{collection_days}/{days_in_year}"),
    WorksheetFunction(
        "CREDIT_LIMIT_TARGET", f.credit_limit_target, CREDIT, "信用限度額(売上目標法)",
        "Credit limit from the sales target: target x collection days target / 365.",
        (Arg("sales_target", "Annual sales target, yen (年間売上目標)"),
         Arg("collection_days_target", "Target collection period in days, > 0 (回収期間目標)"),
         _DAYS_IN_YEAR),
        excel="{sales_target}*{collection_days_target}/{days_in_year}"),
    WorksheetFunction(
        "CREDIT_LIMIT_COMPOSITE", f.credit_limit_composite, CREDIT, "信用限度額(総合指定法)",
        "Credit limit, composite method: monthly sales x cost ratio x credit months "
        "x credit index.",
        (Arg("monthly_sales", "Monthly sales, yen (月間売上高)"),
         Arg("cost_ratio", "Cost of sales ratio, 0-1 (原価率)"),
         Arg("credit_months", "Standard credit period in months, > 0 (標準信用期間)"),
         Arg("credit_index", "Credit index, 1.0 = standard customer (信用指数)")),
        excel="{monthly_sales}*{cost_ratio}*{credit_months}*{credit_index}"),
    WorksheetFunction(
        "CREDIT_INDEX", f.credit_index, CREDIT, "信用指数",
        "Credit index: weighted mean of index values (1.0 = standard), one per row.",
        (Arg("values", "Index values, one row per customer, one column per criterion",
             kind="row"),
         Arg("weights", "One weight per criterion, >= 0 (fractions or percentages)",
             kind="vector")),
        excel="SUMPRODUCT({values},{weights})/SUM({weights})"),
    WorksheetFunction(
        "RATIO_INDEX", f.ratio_index, CREDIT, "比率指数値",
        "Ratio index: financial ratios scored against standards (capped), weighted, "
        "one per row.",
        (Arg("actuals", "The customer's ratios, one row per customer", kind="row"),
         Arg("standards", "Standard value of each ratio, > 0", kind="row"),
         Arg("weights", "One weight per ratio, >= 0", kind="vector"),
         Arg("higher_is_better", "はい/TRUE/1 per ratio where higher is better, いいえ/FALSE/0 "
             "where lower is (default all はい)",
             kind="vector", type="flag", default=True),
         Arg("cap", "Upper bound of each score (default 2)", default=2.0)),
        excel=_RATIO_INDEX),
    WorksheetFunction(
        "COLLECTION_SITE", f.collection_site, COLLECTION, "回収サイト",
        "Collection site: amount-weighted mean days until receipts become cash.",
        (Arg("amounts", "Amounts received, yen, >= 0", kind="reduce"),
         Arg("days", "Days until cash: 0 for cash/transfer, to maturity for notes",
             kind="reduce")),
        excel="SUMPRODUCT({amounts},{days})/SUM({amounts})"),
    WorksheetFunction(
        "COLLECTION_RATE", f.collection_rate, COLLECTION, "回収率",
        "Collection rate: collected / due, as a fraction (format as %).",
        (Arg("collected", "Amount collected, yen (回収額)"),
         Arg("due", "Amount to be collected, yen, > 0 (請求額)")),
        excel="{collected}/{due}"),
    WorksheetFunction(
        "COLLECTION_EFFICIENCY", f.collection_efficiency, COLLECTION, "回収基準比率",
        "Collection efficiency: (collected / due) / collection days x 100.",
        (Arg("collected", "Amount collected, yen (回収額)"),
         Arg("due", "Amount to be collected, yen, > 0 (請求額)"),
         Arg("collection_days", "Collection period in days, > 0 (回収期間)")),
        excel="{collected}/{due}/{collection_days}*100"),
    WorksheetFunction(
        "WORKING_CAPITAL", f.working_capital, METRICS, "正味運転資金",
        "Net working capital: trade receivables + inventory - trade payables.",
        (Arg("trade_receivables", "売掛金 + 受取手形 + 電子記録債権, yen"),
         Arg("inventory", "棚卸資産, yen"),
         Arg("trade_payables", "買掛金 + 支払手形 + 電子記録債務, yen")),
        excel="{trade_receivables}+{inventory}-{trade_payables}"),
    WorksheetFunction(
        "CREDIT_HEADROOM", f.credit_headroom, METRICS, "運転資金余力",
        "Working capital left after all credit limits (negative: limits exceed it).",
        (Arg("credit_limits", "Every customer's credit limit, yen", kind="reduce"),
         Arg("working_capital", "Working capital available for customer credit, yen")),
        excel="{working_capital}-SUM({credit_limits})"),
    WorksheetFunction(
        "DSO", f.dso, METRICS, "売上債権回転日数",
        "Days sales outstanding: receivables / sales x days.",
        (Arg("receivables", "Receivables at period end, yen"),
         Arg("sales", "Credit sales of the period, yen, > 0"),
         Arg("days", "Days in the period, > 0")),
        excel="{receivables}/{sales}*{days}"),
    WorksheetFunction(
        "BEST_POSSIBLE_DSO", f.best_possible_dso, METRICS, "最良売上債権回転日数",
        "Best possible DSO: not-yet-due receivables / sales x days.",
        (Arg("current_receivables", "Not-yet-due receivables at period end, yen"),
         Arg("sales", "Credit sales of the period, yen, > 0"),
         Arg("days", "Days in the period, > 0")),
        excel="{current_receivables}/{sales}*{days}"),
    WorksheetFunction(
        "AVERAGE_DAYS_DELINQUENT", f.average_days_delinquent, METRICS, "平均延滞日数",
        "Average days delinquent: DSO - best possible DSO.",
        (Arg("receivables", "Receivables at period end, yen"),
         Arg("current_receivables", "Not-yet-due part of them, yen"),
         Arg("sales", "Credit sales of the period, yen, > 0"),
         Arg("days", "Days in the period, > 0")),
        excel="({receivables}-{current_receivables})/{sales}*{days}"),
    WorksheetFunction(
        "CEI", f.cei, METRICS, "回収効率指数",
        "Collection effectiveness index: (begin + sales - end) / (begin + sales - end current).",
        (Arg("beginning_receivables", "Receivables at period start, yen"),
         Arg("sales", "Credit sales of the period, yen"),
         Arg("ending_receivables", "Receivables at period end, yen"),
         Arg("ending_current_receivables", "Not-yet-due part of them, yen")),
        excel="({beginning_receivables}+{sales}-{ending_receivables})"
        "/({beginning_receivables}+{sales}-{ending_current_receivables})"),
    WorksheetFunction(
        "AGING_BUCKET", f.aging_bucket, METRICS, "延滞区分",
        "Aging bucket label of an amount days_past_due late (未到来, 1-30, ..., 121-).",
        (Arg("days_past_due", "Days past the due date (0 or less: not due)"),
         Arg("edges", "Bucket edges in days (default 30, 60, 90, 120)", kind="vector",
             default=(30, 60, 90, 120))),
        excel=_AGING_BUCKET,
        returns="text"),
    WorksheetFunction(
        "DUE_DATE", f.due_date, TERMS, "支払期日",
        "Due date under closing/payment-day terms, moved off Japanese bank holidays.",
        (Arg("sale_date", "Date of the sale (売上日)", type="date"),
         Arg("closing_day", "Closing day 1-31, or 末/0 for month end (締め日)", type="day"),
         Arg("payment_months", "Months after closing: 0/1/2 or 当月/翌月/翌々月 (支払月)",
             type="months"),
         Arg("payment_day", "Payment day 1-31, or 末 (支払日)", type="day"),
         Arg("holiday_rule", "翌営業日 (next, default) or 前営業日 (previous)", type="rule",
             default="next")),
        excel=_DUE_DATE,
        returns="date"),
)

BY_NAME: dict[str, WorksheetFunction] = {fn.name: fn for fn in FUNCTIONS}
