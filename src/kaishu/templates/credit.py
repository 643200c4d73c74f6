"""The credit-limit workbook (与信限度額): the four methods, a summary against working
capital, and the settings (DOMAIN.md sections 1 and 3)."""

from __future__ import annotations

import datetime as dt

from .spec import (
    A_DATE, DATE, FLAG, GRADE, INDEX, MONEY, MONTHS, POSITIVE_DAYS, RATIO, RATIO_0_1, WHOLE_DAYS,
    YEN, Column, Field, FieldRow, Highlight, L, Sheet, Table, Validation, WorkbookSpec, native,
    when_filled,
)

ROWS = 30
#: The first customers of the sample ledger (samples/), so that the workbook, saved by Excel
#: or LibreOffice, serves as ``kaishu refresh --limits`` for the sample ledger.
CUSTOMERS = (
    ("C0001", "富士製作所", "高橋"),
    ("C0002", "株式会社旭運輸", "田中"),
    ("C0003", "株式会社平和物産", "伊藤"),
    ("C0004", "有限会社光陽物産", "渡辺"),
    ("C0005", "旭建材", "鈴木"),
)


def _customers(*columns: tuple) -> tuple[dict, ...]:
    """Illustrative rows: code and name of each customer plus the given values."""
    keys = columns[0]
    return tuple({"code": code, "name": name, **dict(zip(keys, values))}
                 for (code, name, _), values in zip(CUSTOMERS, columns[1:]))


CODE = Column("code", L("得意先コード", "Customer code"), width=12)
NAME = Column("name", L("得意先名", "Customer name"), width=24)
LIMIT = L("信用限度額", "Credit limit")


def limit_column(formula: str) -> Column:
    return Column("limit", LIMIT, "formula", f"={formula}", YEN, 14)


# -- settings -------------------------------------------------------------------------------

SETTINGS = Sheet(L("設定", "Settings"), L("設定", "Settings"), (
    Field("BaseDate", L("基準日", "Reference date"), dt.date(2025, 10, 1), DATE, A_DATE,
          L("見直し期限はこの日と比べます", "Review dates are compared with this date")),
    Field("DaysInYear", L("年間日数", "Days in a year"), 365, "0",
          Validation("whole", 360, 366)),
    Field("TaxRate", L("消費税率", "Consumption tax rate"), 0.10, RATIO, RATIO_0_1),
    Field("TaxInclusive", L("税込換算", "Convert to tax-inclusive"), True, "General", FLAG,
          L("TRUE: 税抜の売上目標から出した限度額を税込の売掛金と比べられるよう換算",
            "TRUE: limits from tax-exclusive sales are converted to the tax-inclusive "
            "receivables basis")),
    Field("RoundUnit", L("端数切捨単位(円)", "Round adopted limits down to (yen)"), 10_000, YEN,
          MONEY, L("0 なら切り捨てません", "0: no rounding")),
    Field("BalanceSheetDate", L("貸借対照表日", "Balance sheet date"), dt.date(2025, 3, 31),
          DATE, A_DATE),
    Field("TradeReceivables", L("売上債権 (売掛金+受取手形+電子記録債権)",
                                "Trade receivables (incl. notes, densai)"),
          120_000_000, YEN, MONEY),
    Field("Inventory", L("棚卸資産", "Inventory"), 45_000_000, YEN, MONEY),
    Field("TradePayables", L("仕入債務 (買掛金+支払手形+電子記録債務)",
                             "Trade payables (incl. notes, densai)"),
          80_000_000, YEN, MONEY),
    Field("NetWorkingCapital", L("正味運転資金", "Net working capital"),
          "=" + native("WORKING_CAPITAL", trade_receivables="TradeReceivables",
                       inventory="Inventory", trade_payables="TradePayables"), YEN),
    Field("WorkingCapitalEntered", L("運転資金枠 (入力)", "Working capital for credit (entered)"),
          None, YEN, Validation("decimal", -1e15, 1e15),
          L("空欄なら正味運転資金を使います", "Blank: the net working capital is used")),
    Field("WorkingCapital", L("運転資金枠", "Working capital for credit"),
          '=IF(WorkingCapitalEntered="",NetWorkingCapital,WorkingCapitalEntered)', YEN),
), pages_tall=1, widths={"A": 40, "B": 18, "C": 60})

# -- the four methods -----------------------------------------------------------------------

CASHFLOW = Table("CL_Cashflow", (
    CODE, NAME,
    Column("annual_sales", L("年間売上高", "Annual sales"), format=YEN, validation=MONEY),
    Column("fixed_days", L("資金固定期間(日)", "Days funds are tied up"), format=WHOLE_DAYS,
           validation=POSITIVE_DAYS),
    limit_column(when_filled(("annual_sales", "fixed_days"), native(
        "CREDIT_LIMIT_CASHFLOW", annual_sales="{@annual_sales}", fixed_days="{@fixed_days}",
        days_in_year="DaysInYear"))),
), _customers(("annual_sales", "fixed_days"), (36_500_000, 50), (18_250_000, 40),
              (73_000_000, 35), (54_750_000, 80), (10_950_000, 70)), ROWS)

PURCHASE = Table("CL_Purchase", (
    CODE, NAME,
    Column("sales_estimate", L("得意先売上見積高", "Customer's sales estimate"), format=YEN,
           validation=MONEY),
    Column("profit_estimate", L("得意先売上総利益見積高", "Customer's gross profit estimate"),
           format=YEN, validation=MONEY),
    Column("purchases", L("得意先仕入見積高", "Customer's purchases estimate"), "formula",
           "=" + when_filled(("sales_estimate", "profit_estimate"),
                             "{@sales_estimate}-{@profit_estimate}"), YEN),
    Column("our_share", L("自社仕入れ比率", "Our share of its purchases"), format=RATIO,
           validation=RATIO_0_1),
    Column("collection_days", L("回収期間(日)", "Collection days"), format=WHOLE_DAYS,
           validation=POSITIVE_DAYS),
    limit_column(when_filled(
        ("sales_estimate", "profit_estimate", "our_share", "collection_days"), native(
            "CREDIT_LIMIT_PURCHASE", customer_sales_estimate="{@sales_estimate}",
            customer_gross_profit_estimate="{@profit_estimate}", our_share="{@our_share}",
            collection_days="{@collection_days}", days_in_year="DaysInYear"))),
), _customers(("sales_estimate", "profit_estimate", "our_share", "collection_days"),
              (200_000_000, 60_000_000, 0.2, 60), (80_000_000, 20_000_000, 0.15, 45),
              (500_000_000, 150_000_000, 0.1, 30), (300_000_000, 90_000_000, 0.25, 90),
              (50_000_000, 15_000_000, 0.2, 60)), ROWS)

TARGET = Table("CL_Target", (
    CODE, NAME,
    Column("salesperson", L("担当者", "Salesperson"), width=10),
    Column("sales_target", L("年間売上目標", "Annual sales target"), format=YEN,
           validation=MONEY),
    Column("days_target", L("回収期間目標(日)", "Collection days target"), format=WHOLE_DAYS,
           validation=POSITIVE_DAYS),
    limit_column(when_filled(("sales_target", "days_target"), native(
        "CREDIT_LIMIT_TARGET", sales_target="{@sales_target}",
        collection_days_target="{@days_target}", days_in_year="DaysInYear"))),
    Column("set_on", L("設定日", "Set on"), format=DATE, width=12, validation=A_DATE),
    Column("review_by", L("次回見直し日", "Review by"), format=DATE, width=12,
           validation=A_DATE),
), tuple({**row, "salesperson": person} for row, (_, _, person) in zip(_customers(
    ("sales_target", "days_target", "set_on", "review_by"),
    (36_500_000, 60, dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    (18_250_000, 45, dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    (73_000_000, 30, dt.date(2025, 4, 1), dt.date(2026, 3, 31)),
    (54_750_000, 90, dt.date(2024, 4, 1), dt.date(2025, 3, 31)),
    (10_950_000, 60, dt.date(2025, 7, 1), dt.date(2026, 6, 30))), CUSTOMERS)), ROWS,
    highlights=(Highlight(("review_by",), "AND(ISNUMBER({$review_by}),{$review_by}<BaseDate)",
                          "F8CBAD", "9C0006"),))

RATIOS = Table("CL_Ratios", (
    CODE, NAME,
    Column("equity", L("自己資本比率", "Equity ratio"), format=RATIO,
           validation=Validation("decimal", -10, 10)),
    Column("current", L("流動比率", "Current ratio"), format=RATIO,
           validation=Validation("decimal", 0, 100)),
    Column("debt", L("借入金依存度", "Debt dependence"), format=RATIO,
           validation=Validation("decimal", 0, 100)),
    Column("ratio_index", L("比率指数値", "Ratio index"), "formula", "=" + when_filled(
        ("equity", "current", "debt"), native(
            "RATIO_INDEX", actuals="{@equity..debt}", standards="RatioStandards",
            weights="RatioWeights", higher_is_better="RatioHigherIsBetter", cap="RatioCap")),
           INDEX, 12),
), _customers(("equity", "current", "debt"), (0.35, 1.6, 0.30), (0.18, 1.1, 0.55),
              (0.42, 2.1, 0.15), (0.25, 1.3, 0.40), (0.30, 1.5, 0.35)), ROWS)

COMPOSITE = Table("CL_Composite", (
    CODE, NAME,
    Column("monthly_sales", L("月間売上高", "Monthly sales"), format=YEN, validation=MONEY),
    Column("cost_ratio", L("原価率", "Cost ratio"), format=RATIO, validation=RATIO_0_1),
    Column("monthly_base", L("1ヶ月販売基準", "One month's sales at cost"), "formula",
           "=" + when_filled(("monthly_sales", "cost_ratio"),
                             "{@monthly_sales}*{@cost_ratio}"), YEN),
    Column("credit_months", L("標準信用期間(月)", "Standard credit months"), format=MONTHS,
           validation=Validation("decimal", 0.0001, 36)),
    Column("ratio_index", L("比率指数値", "Ratio index"), "formula",
           '=IF({@code}="","",IFERROR(INDEX({CL_Ratios:ratio_index},'
           'MATCH({@code},{CL_Ratios:code},0)),""))', INDEX, 11),
    Column("management", L("経営者評価値", "Management score"), format=INDEX,
           validation=GRADE),
    Column("other", L("その他評価値", "Other score"), format=INDEX, validation=GRADE),
    Column("credit_index", L("信用指数", "Credit index"), "formula", "=" + when_filled(
        ("ratio_index", "management", "other"), native(
            "CREDIT_INDEX", values="{@ratio_index..other}", weights="CompositeWeights")),
           INDEX, 10),
    limit_column(when_filled(("monthly_sales", "cost_ratio", "credit_months", "credit_index"),
                             native("CREDIT_LIMIT_COMPOSITE", monthly_sales="{@monthly_sales}",
                                    cost_ratio="{@cost_ratio}",
                                    credit_months="{@credit_months}",
                                    credit_index="{@credit_index}"))),
), _customers(("monthly_sales", "cost_ratio", "credit_months", "management", "other"),
              (3_000_000, 0.7, 2, 1.0, 1.2), (1_500_000, 0.75, 1.5, 0.8, 0.8),
              (6_000_000, 0.65, 1, 1.2, 1.0), (4_500_000, 0.8, 3, 1.0, 0.8),
              (900_000, 0.6, 2, 1.0, 1.0)), ROWS)

METHOD_SHEETS = (
    Sheet(L("方法1 資金繰り", "1 Cash flow"),
          L("(1) 自社の資金繰りに基づく設定法: 年間売上高 × 資金固定期間 / 年間日数",
            "(1) From our cash flow: annual sales × days funds are tied up / days in year"),
          (CASHFLOW,), pages_tall=1),
    Sheet(L("方法2 売上見積", "2 Customer purchases"),
          L("(2) 得意先売上見積りに基づく設定法: (売上見積高 − 売上総利益見積高) × 自社仕入れ比率 × 回収期間 / 年間日数",
            "(2) From the customer's purchases: (sales − gross profit) × our share × "
            "collection days / days in year"), (PURCHASE,), pages_tall=1),
    Sheet(L("方法3 売上目標", "3 Sales target"),
          L("(3) 得意先売上目標と回収期間による設定法: 年間売上目標 × 回収期間目標 / 年間日数",
            "(3) From the sales target: annual target × collection days target / days in year"),
          (TARGET, L("次回見直し日が基準日(設定シート)を過ぎた行は赤く表示されます。少なくとも年1回見直してください。",
                     "Review dates past the reference date (Settings) are shown in red. "
                     "Review every limit at least once a year.")), pages_tall=1),
    Sheet(L("方法4 比率指数", "4a Ratio index"),
          L("比率指数値: 財務比率を標準値と比べた点数の加重平均 (1.0 = 標準)",
            "Ratio index: financial ratios scored against standards, weighted (1.0 = standard)"),
          (FieldRow("RatioStandards", L("標準値", "Standard"),
                    (L("自己資本比率", "Equity ratio"), L("流動比率", "Current ratio"),
                     L("借入金依存度", "Debt dependence")), (0.30, 1.50, 0.35), RATIO,
                    Validation("decimal", 0.0001, 100)),
           FieldRow("RatioWeights", L("ウェイト", "Weight"), (), (40, 30, 30), "0",
                    Validation("decimal", 0, 1000)),
           FieldRow("RatioHigherIsBetter", L("高いほど良い", "Higher is better"), (),
                    (True, True, False), "General",
                    FLAG),
           Field("RatioCap", L("点数の上限", "Score cap"), 2.0, INDEX,
                 Validation("decimal", 0.0001, 100)),
           RATIOS), pages_tall=1),
    Sheet(L("方法4 総合指定", "4 Composite"),
          L("(4) 総合指定法: 1ヶ月販売基準 (月間売上高 × 原価率) × 標準信用期間 × 信用指数",
            "(4) Composite: monthly sales × cost ratio × standard credit months × credit index"),
          (FieldRow("CompositeWeights", L("信用指数のウェイト", "Credit index weights"),
                    (L("比率指数値", "Ratio index"), L("経営者評価値", "Management score"),
                     L("その他評価値", "Other score")), (50, 30, 20), "0",
                    Validation("decimal", 0, 1000)),
           L("経営者評価値・その他評価値は5段階 (0.6 / 0.8 / 1.0 / 1.2 / 1.4、1.0 = 標準的な得意先)",
             "Management and other scores have five grades "
             "(0.6 / 0.8 / 1.0 / 1.2 / 1.4, 1.0 = a standard customer)"),
           COMPOSITE), pages_tall=1),
)

# -- summary --------------------------------------------------------------------------------


REVIEW_OVERDUE = L("期限超過", "Overdue")
HEADROOM_CHECK = (
    L("限度額の合計が運転資金枠を超えています。次の対策を検討してください。",
      "The limits exceed the working capital for credit: consider these remedies."),
    L("運転資金枠の範囲内です", "Within the working capital for credit"),
)


def _lookup(table: str, key: str) -> str:
    found = f"INDEX({{{table}:{key}}},MATCH({{@code}},{{{table}:code}},0))"
    return f'=IF({{@code}}="","",IFERROR(IF({found}="","",{found}),""))'


SUMMARY = Table("CL_Summary", (
    CODE, NAME,
    Column("salesperson", L("担当者", "Salesperson"), width=10),
    Column("cashflow", L("方法1 資金繰り", "1 Cash flow"), "formula",
           _lookup("CL_Cashflow", "limit"), YEN, 13),
    Column("purchase", L("方法2 売上見積", "2 Purchases"), "formula",
           _lookup("CL_Purchase", "limit"), YEN, 13),
    Column("target", L("方法3 売上目標", "3 Sales target"), "formula",
           _lookup("CL_Target", "limit"), YEN, 13),
    Column("composite", L("方法4 総合指定", "4 Composite"), "formula",
           _lookup("CL_Composite", "limit"), YEN, 13),
    Column("minimum", L("最小限度額", "Smallest limit"), "formula",
           '=IF(COUNT({@cashflow..composite})=0,"",MIN({@cashflow..composite}))', YEN, 13),
    Column("taxed", L("税込換算後", "Tax-inclusive"), "formula",
           '=IF({@minimum}="","",IF(TaxInclusive,{@minimum}*(1+TaxRate),{@minimum}))',
           YEN, 13),
    Column("override", L("上書き限度額", "Override"), format=YEN, validation=MONEY),
    Column("adopted", L("採用限度額", "Adopted limit"), "formula",
           '=IF({@override}<>"",{@override},IF({@taxed}="","",'
           'IF(RoundUnit>0,ROUNDDOWN({@taxed}/RoundUnit,0)*RoundUnit,{@taxed})))', YEN, 14),
    Column("review_by", L("次回見直し日", "Review by"), "formula",
           _lookup("CL_Target", "review_by"), DATE, 12),
    Column("status", L("見直し", "Review"), "formula", L(
        f'=IF({{@review_by}}="","",IF({{@review_by}}<BaseDate,"{REVIEW_OVERDUE.ja}",""))',
        f'=IF({{@review_by}}="","",IF({{@review_by}}<BaseDate,"{REVIEW_OVERDUE.en}",""))'),
           "General", 10),
), tuple({"code": c, "name": n, "salesperson": p} for c, n, p in CUSTOMERS[:4])
    + ({"code": CUSTOMERS[4][0], "name": CUSTOMERS[4][1], "salesperson": CUSTOMERS[4][2],
        "override": 1_500_000},), ROWS,
    highlights=(Highlight(("review_by", "status"),
                          "AND(ISNUMBER({$review_by}),{$review_by}<BaseDate)", "F8CBAD",
                          "9C0006"),
                Highlight(("adopted",), 'AND({$override}<>"",ISNUMBER({$adopted}))', "FFE699")))

REMEDIES = (
    L("(1) 現金回収の得意先を増やす・回収サイトを短くする",
      "(1) More cash customers, shorter collection sites"),
    L("(2) 売上債権を減らす(サイトの長い得意先を絞る)・在庫を減らす",
      "(2) Cut receivables (squeeze long-site customers) and inventory"),
    L("(3) 支払を現金から手形に切り替える・自社の支払サイトを延ばす",
      "(3) Pay by note instead of cash, lengthen our own payment terms"),
)

SUMMARY_SHEET = Sheet(L("集計", "Summary"), L(
    "信用限度額の集計: 方法別の限度額・採用限度額と運転資金枠のチェック",
    "Credit limits by method, the adopted limit, and the check against working capital"), (
    Field("TotalLimits", L("採用限度額の合計", "Total adopted limits"),
          "=SUM({CL_Summary:adopted})", YEN),
    Field("WorkingCapitalShown", L("運転資金枠 (設定)", "Working capital for credit (Settings)"),
          "=WorkingCapital", YEN),
    Field("Headroom", L("運転資金の余力", "Headroom"),
          "=" + native("CREDIT_HEADROOM", credit_limits="{CL_Summary:adopted}",
                       working_capital="WorkingCapital"), YEN),
    Field("HeadroomCheck", L("判定", "Check"), L(*(
        f'=IF(Headroom<0,"{HEADROOM_CHECK[0](lang)}","{HEADROOM_CHECK[1](lang)}")'
        for lang in ("ja", "en")))),
    *(Field(f"Remedy{i}", L("対策" if i == 1 else "", "Remedies" if i == 1 else ""),
            L(f'=IF(Headroom<0,"{r.ja}","")', f'=IF(Headroom<0,"{r.en}","")'))
      for i, r in enumerate(REMEDIES, start=1)),
    L("採用限度額 = 入力された方法の限度額のうち最小のもの → 税込換算 → 端数切捨。上書き限度額を入れるとそれを採用します。",
      "Adopted limit = the smallest limit of the methods filled in → tax-inclusive → rounded "
      "down. An override is used as it is."),
    SUMMARY,
), pages_tall=1, widths={"A": 30, "B": 16})

CREDIT_LIMITS = WorkbookSpec("credit_limits.xlsx", (
    SUMMARY_SHEET, *METHOD_SHEETS, SETTINGS))
