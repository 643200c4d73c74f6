"""The monthly collection-check workbook (月次回収チェック表, DOMAIN.md sections 2, 6 and 7).

The refresh writes the ``value`` columns; the sheet computes the ``formula`` columns from
them and from the settings, so a user can change a limit or a threshold and see the effect.
"""

from __future__ import annotations

import datetime as dt

from .. import contract
from .spec import (
    A_DATE, COUNT, DATE, DAYS, MONEY, MONTH, POSITIVE_DAYS, RATIO, RATIO_0_1, YEN,
    Chart, Column, Field, FieldRow, Highlight, L, Ranking, Sheet, Table, Validation,
    WorkbookSpec, native,
)

_KEYS = ("code", "name", "salesperson", "credit_limit", "opening", "billed", "scheduled",
         "on_schedule", "transfer", "note", "densai", "fee", "site", "collection_days",
         "exposure", "overdue_2", "site_before", "new_notes", "collection_sales")
#: Illustrative rows until the month is refreshed from a ledger (September 2025).
EXAMPLE_MONTH = tuple(dict(zip(_KEYS, row)) for row in (
    ("C001", "株式会社青葉商事", "佐藤", 6_000_000, 5_500_000, 3_200_000, 3_000_000, 3_000_000,
     2_000_000, 1_000_000, None, None, 30, 75, 6_700_000, None, 28, False, 2_800_000),
    ("C002", "有限会社みなと工業", "佐藤", 2_000_000, 1_800_000, 900_000, 1_000_000, 700_000,
     700_000, None, None, None, 0, 40, 2_000_000, 300_000, 0, False, 700_000),
    ("C003", "株式会社さくら食品", "鈴木", 6_000_000, 4_000_000, 4_500_000, 4_200_000, 4_200_000,
     4_199_340, None, None, 660, 0, 31, 4_300_000, None, 0, False, 4_199_340),
    ("C004", "東和建材株式会社", "鈴木", 13_500_000, 9_000_000, 5_000_000, 4_800_000, 4_800_000,
     None, None, 4_800_000, None, 120, 150, 17_000_000, None, 60, True, 2_500_000),
    ("C005", "株式会社ひかり電機", "高橋", None, 0, 1_200_000, 0, 0, None, None, None, None,
     None, None, 1_200_000, None, None, False, 0),
))
EXAMPLE_PLAN = tuple(
    {"code": r["code"], "name": r["name"], "salesperson": r["salesperson"], "due_next": due,
     "overdue": overdue, "first_due": first}
    for r, (due, overdue, first) in zip(EXAMPLE_MONTH, (
        (3_200_000, 0, dt.date(2025, 10, 31)), (900_000, 300_000, dt.date(2025, 10, 10)),
        (4_500_000, 0, dt.date(2025, 10, 31)), (5_000_000, 0, dt.date(2025, 10, 31)),
        (1_200_000, 0, dt.date(2025, 10, 31)))))


def value(key: str, label: L, fmt=YEN, width: float = 0) -> Column:
    """A column the refresh writes."""
    return Column(key, label, "value", format=fmt, width=width)


def formula(key: str, label: L, expression, fmt=YEN, width: float = 0) -> Column:
    return Column(key, label, "formula", expression, fmt, width)


#: Receipt methods (DOMAIN.md section 6), in the order of the columns.
METHODS = tuple((key, L(m.ja, m.en)) for key, m in contract.METHODS.items())
#: Aging buckets of overdue amounts by days past due, labelled for the default edges (a
#: refresh rewrites the headers from the settings' AgingEdges).
BUCKETS = tuple(zip(contract.BUCKET_KEYS, contract.bucket_labels()))

WARNINGS = {
    "no_limit": L("限度未設定", "No limit"),
    "over_limit": L("限度超過", "Over limit"),
    "near_limit": L("限度接近", "Near limit"),
    "overdue": L("延滞", "Overdue"),
    "low_rate": L("回収率低下", "Low collection rate"),
    "longer_site": L("サイト長期化", "Longer site"),
    "new_notes": L("手形化", "New notes"),
}


def _warnings(lang: str) -> str:
    w = {k: v(lang) for k, v in WARNINGS.items()}
    return (
        '=IF({@code}="","",TRIM('
        f'IF(N({{@credit_limit}})<=0,"{w["no_limit"]} ",'
        f'IF({{@utilisation}}>OverLimit,"{w["over_limit"]} ",'
        f'IF({{@utilisation}}>NearLimit,"{w["near_limit"]} ","")))'
        f'&IF(N({{@overdue}})>0,"{w["overdue"]} ","")'
        f'&IF(AND({{@rate}}<>"",N({{@rate}})<RateTarget),"{w["low_rate"]} ","")'
        f'&IF(AND({{@site_before}}<>"",{{@site}}<>"",'
        f'N({{@site}})-N({{@site_before}})>=SiteIncrease),"{w["longer_site"]} ","")'
        f'&IF({{@new_notes}}=TRUE,"{w["new_notes"]} ","")'
        '&IF({@notice}="","",{@notice})))')


MONTHLY = Table(contract.COLLECTION, (
    value("code", L("得意先コード", "Customer code"), "General", 10),
    value("name", L("得意先名", "Customer name"), "General", 22),
    value("salesperson", L("担当者", "Salesperson"), "General", 8),
    Column("credit_limit", L("信用限度額", "Credit limit"), "value", format=YEN,
           validation=MONEY),
    value("exposure", L("与信残高", "Exposure")),
    formula("utilisation", L("使用率", "Utilisation"),
            '=IF(OR({@code}="",N({@credit_limit})<=0),"",{@exposure}/{@credit_limit})', RATIO),
    value("scheduled", L("当月回収予定額", "Scheduled")),
    value("on_schedule", L("予定内回収額", "Collected on schedule")),
    formula("rate", L("回収率", "Collection rate"),
            '=IF(N({@scheduled})<=0,"",' + native(
                "COLLECTION_RATE", collected="{@on_schedule}", due="{@scheduled}") + ")", RATIO),
    formula("efficiency", L("回収基準比率", "Collection efficiency"),
            '=IF(OR(N({@scheduled})<=0,N({@collection_days})<=0),"",' + native(
                "COLLECTION_EFFICIENCY", collected="{@on_schedule}", due="{@scheduled}",
                collection_days="{@collection_days}") + ")", RATIO),
    value("site", L("回収サイト", "Collection site"), DAYS),
    formula("overdue", L("延滞合計", "Overdue total"),
            '=IF({@code}="","",SUM({@overdue_1..overdue_5}))'),
    Column("warnings", L("警告", "Warnings"), "formula", L(_warnings("ja"), _warnings("en")),
           width=20, wrap=True),
    Column("memo", L("対応メモ", "Follow-up notes"), width=14, wrap=True),
    # details, grouped: [+] above the sheet shows them
    value("opening", L("前月残高", "Opening balance")),
    value("billed", L("当月売上", "Billed")),
    formula("collected", L("当月回収額", "Collected"),
            '=IF({@code}="","",SUM({@cash..other}))'),
    formula("closing", L("当月残高", "Closing balance"),
            '=IF({@code}="","",{@opening}+{@billed}-{@collected})'),
    *(value(key, label) for key, label in METHODS),
    value("collection_days", L("回収期間", "Collection days"), DAYS),
    *(value(key, L(f"延滞{label}", f"Overdue {label}")) for key, label in BUCKETS),
    value("advance", L("前受金", "Advance")),
    value("site_before", L("前3ヶ月平均サイト", "Site, previous 3 months"), DAYS),
    value("new_notes", L("手形化", "New notes"), "General"),
    value("collection_sales", L("回収基準売上", "Collection-based sales")),
    value("notice", L("台帳の注意", "Ledger notice"), "General", 16),
), EXAMPLE_MONTH, details_from="opening", totals=(
    ("code", L("合計", "Total")),
    *((key, "sum") for key in ("credit_limit", "exposure", "scheduled", "on_schedule",
                               "overdue", "opening", "billed", "collected", "closing",
                               *contract.METHODS, *contract.BUCKET_KEYS, "advance",
                               "collection_sales"))), highlights=(
    Highlight(("utilisation",), "AND(ISNUMBER({$utilisation}),{$utilisation}>OverLimit)",
              "F8CBAD", "9C0006"),
    Highlight(("utilisation",), "AND(ISNUMBER({$utilisation}),{$utilisation}>NearLimit)",
              "FFE699", "7F6000"),
    Highlight(("overdue",), "N({$overdue})>0", "F4B084", "833C0B"),
    Highlight(("rate",), "AND(ISNUMBER({$rate}),{$rate}<RateTarget)", "F8CBAD", "9C0006"),
    Highlight(("warnings",), 'LEN({$warnings})>0', "FCE4D6", "C00000"),
))


#: The rows of this salesperson, matched exactly: SUMIFS/COUNTIFS would read a name such as
#: 高* or <佐藤 as a pattern or an operator.
_MINE = "--EXACT({Collection:salesperson},{@salesperson})"


def _by_salesperson(key: str) -> str:
    return (f'=IF({{@salesperson}}="","",SUMPRODUCT({_MINE},{{Collection:{key}}}))')


SALESPEOPLE = Table(contract.BY_SALESPERSON, (
    value("salesperson", L("担当者", "Salesperson"), "General", 12),
    formula("billed", L("当月売上", "Billed"), _by_salesperson("billed")),
    formula("scheduled", L("当月回収予定額", "Scheduled"), _by_salesperson("scheduled")),
    formula("on_schedule", L("予定内回収額", "Collected on schedule"),
            _by_salesperson("on_schedule")),
    formula("collected", L("当月回収額", "Collected"), _by_salesperson("collected")),
    formula("rate", L("回収率", "Collection rate"),
            '=IF(N({@scheduled})<=0,"",{@on_schedule}/{@scheduled})', RATIO),
    formula("overdue", L("延滞合計", "Overdue"), _by_salesperson("overdue")),
    formula("over_limit", L("限度超過先数", "Customers over limit"),
            '=IF({@salesperson}="","",SUMPRODUCT(' + _MINE + ',--ISNUMBER('
            '{Collection:utilisation}),--({Collection:utilisation}>OverLimit)))', COUNT),
    formula("collection_sales", L("回収基準売上", "Collection-based sales"),
            _by_salesperson("collection_sales")),
), ({"salesperson": "佐藤"}, {"salesperson": "鈴木"}, {"salesperson": "高橋"}), highlights=(
    Highlight(("rate",), "AND(ISNUMBER({$rate}),{$rate}<RateTarget)", "F8CBAD", "9C0006"),))

PLAN = Table(contract.PLAN, (
    value("code", L("得意先コード", "Customer code"), "General", 12),
    value("name", L("得意先名", "Customer name"), "General", 22),
    value("salesperson", L("担当者", "Salesperson"), "General", 9),
    value("due_next", L("翌月期日到来額", "Falling due next month")),
    value("overdue", L("延滞額", "Overdue now")),
    formula("total", L("翌月回収予定額", "To collect next month"),
            '=IF({@code}="","",N({@due_next})+N({@overdue}))'),
    value("first_due", L("最初の期日", "First due date"), DATE, 12),
    Column("memo", L("回収の段取り", "Collection steps"), width=30, wrap=True),
), EXAMPLE_PLAN, highlights=(
    Highlight(("overdue",), "N({$overdue})>0", "F4B084", "833C0B"),))

SITE_EXAMPLE = Table("SiteExample", (
    Column("method", L("回収方法", "Receipt"), width=18),
    Column("amount", L("金額", "Amount"), format=YEN, validation=MONEY),
    Column("days", L("サイト(日)", "Days to cash"), format=DAYS,
           validation=Validation("decimal", 0, 3650)),
    formula("weighted", L("金額×日数", "Amount × days"),
            '=IF(OR({@amount}="",{@days}=""),"",{@amount}*{@days})', YEN, 16),
), ({"method": L("現金", "Cash"), "amount": 300_000, "days": 0},
    {"method": L("手形 (60日)", "Note (60 days)"), "amount": 300_000, "days": 60},
    {"method": L("手形 (120日)", "Note (120 days)"), "amount": 400_000, "days": 120}), 6)

CHECKPOINTS = Table("Checkpoints", (
    value("number", L("No.", "No."), "0", 5),
    value("point", L("チェックポイント", "Checkpoint"), "General", 60),
    Column("checked", L("確認", "Done"), width=6,
           validation=Validation("list", choices=("✓",), message=L("✓ を選択", "Pick ✓"))),
    Column("checked_on", L("確認日", "Checked on"), format=DATE, width=12, validation=A_DATE),
    Column("memo", L("メモ", "Notes"), width=40),
), tuple({"number": i, "point": point} for i, point in enumerate((
    L("売上は回収して初めて完了する、という考えが社内で共有されているか",
      "Is a sale complete only when it is collected, for everyone in the company?"),
    L("回収の成果が営業担当者の評価に反映されているか",
      "Is collection reflected in the salespeople's evaluation?"),
    L("営業担当者に回収・与信管理の教育をしているか",
      "Are salespeople trained in collection and credit management?"),
    L("営業と経理が連携して入金・延滞を確認しているか",
      "Do sales and accounting work together on receipts and overdue amounts?"),
    L("与信限度額の設定・見直しなどリスク管理の仕組みがあるか",
      "Is risk management in place (credit limits set and reviewed)?"),
), start=1)), 5)

HISTORY = Table(contract.HISTORY, (
    value("month", L("対象月", "Month"), "General", 9),
    value("code", L("得意先コード", "Customer code"), "General", 12),
    value("name", L("得意先名", "Customer name"), "General", 22),
    value("salesperson", L("担当者", "Salesperson"), "General", 9),
    value("credit_limit", L("信用限度額", "Credit limit")),
    value("opening", L("前月残高", "Opening balance")),
    value("billed", L("当月売上", "Billed")),
    value("scheduled", L("当月回収予定額", "Scheduled")),
    value("on_schedule", L("予定内回収額", "Collected on schedule")),
    value("collected", L("当月回収額", "Collected")),
    value("closing", L("当月残高", "Closing balance")),
    value("site", L("回収サイト", "Collection site"), DAYS),
    value("exposure", L("与信残高", "Exposure")),
    value("overdue", L("延滞合計", "Overdue total")),
    formula("rate", L("回収率", "Collection rate"),
            '=IF(N({@scheduled})<=0,"",' + native(
                "COLLECTION_RATE", collected="{@on_schedule}", due="{@scheduled}") + ")", RATIO),
), tuple({"month": "2025-09", **{k: r.get(k) for k in (
    "code", "name", "salesperson", "credit_limit", "opening", "billed", "scheduled",
    "on_schedule", "site", "exposure")}} for r in EXAMPLE_MONTH))

#: 入金消込 (DOMAIN.md section 9): one row per statement line, written by ``kaishu match``.
#: What a reviewer reads comes first and prints on one page across (A4 landscape at 74%:
#: long texts wrap); the line's key 明細ID and the statement's particulars are the details.
BANK_MATCH = Table(contract.BANK_MATCH, (
    value("date", L("日付", "Date"), DATE, 11),
    value("payer", L("振込依頼人名", "Payer as sent"), "General", 17),
    value("amount", L("金額", "Amount")),
    value("customer_id", L("得意先コード", "Customer code"), "General", 14),
    Column("customer_name", L("得意先名", "Customer name"), "value", width=18, wrap=True),
    Column("invoices", L("請求番号", "Invoices"), "value", width=24, wrap=True),
    value("fee", L("手数料", "Fee")),
    value("status", L("状態", "Status"), "General", 11),
    Column("reason", L("根拠", "Why"), "value", width=21, wrap=True),
    Column("candidates", L("候補", "Candidates"), "value", width=21, wrap=True),
    Column("manual", L("得意先コード(手入力)", "Customer code (typed)"), width=13),
    Column("memo", L("メモ", "Notes"), width=16, wrap=True),
    # details, grouped: [+] above the sheet shows them
    value("line_id", L("明細ID", "Line ID"), "General", 44),
    value("name", L("正規化名", "Normalised payer"), "General", 28),
    value("payer_code", L("依頼人コード", "Payer code"), "General", 12),
    value("bank", L("仕向銀行", "Remitting bank"), "General", 16),
    value("file", L("明細ファイル", "Statement file"), "General", 28),
), details_from="line_id", highlights=(
    Highlight(("status",), 'OR({$status}="未消込",{$status}="候補あり")', "F8CBAD", "9C0006"),
    Highlight(("status",), '{$status}="要確認"', "FFE699", "7F6000"),
    Highlight(("manual",), 'LEN({$manual})>0', "E2EFDA", "375623"),
))


def _suspense(amount: str, status: str) -> str:
    statuses = "+".join(f'({contract.BANK_MATCH}[{status}]="{s}")' for s in ("未消込", "候補あり"))
    return f"=SUMPRODUCT({statuses},{contract.BANK_MATCH}[{amount}])"

#: The charts' data: the largest utilisations and overdue amounts, with the customer names.
UTILISATION_RANKING = Ranking(
    "UtilisationRanking", contract.COLLECTION, "name", "utilisation",
    (L("順位", "Rank"), L("得意先名", "Customer"), L("使用率", "Utilisation"),
     L("限度内", "Within limit"), L("限度超過", "Over limit")), split=contract.OVER_LIMIT,
    format="0.0%")
OVERDUE_RANKING = Ranking(
    "OverdueRanking", contract.COLLECTION, "name", "overdue",
    (L("順位", "Rank"), L("得意先名", "Customer"), L("延滞合計", "Overdue")),
    rest=L("その他", "Others"))


#: How an accounting journal is read (DOMAIN.md section 10): account names (lists written
#: 普通預金、当座預金) and the terms of customers that customers.csv does not list.
JOURNAL_SETTINGS = (
    Field("ReceivableAccount", L("仕訳帳: 売掛金の勘定科目", "Journal: receivables account"),
          "売掛金", "@", None, L("この科目の補助科目が得意先です", "Its sub-accounts are the "
                                                             "customers")),
    Field("BankAccounts", L("仕訳帳: 預金の勘定科目 (振込)", "Journal: bank accounts (transfer)"),
          "普通預金、当座預金、定期預金、通知預金、別段預金", "@", None,
          L("「、」で区切って複数書けます", "Several, separated by 、 or commas")),
    Field("NoteAccounts", L("仕訳帳: 受取手形の勘定科目", "Journal: notes account"), "受取手形",
          "@"),
    Field("DensaiAccounts", L("仕訳帳: 電子記録債権の勘定科目 (でんさい)",
                              "Journal: densai account"), "電子記録債権", "@"),
    Field("FeeAccounts", L("仕訳帳: 支払手数料の勘定科目", "Journal: bank fee account"),
          "支払手数料", "@"),
    Field("DiscountAccounts", L("仕訳帳: 売上値引・戻り・割戻しの勘定科目 (減額)",
                                "Journal: sales discount accounts (credit notes)"),
          "売上値引高、売上戻り高、売上割戻し", "@"),
    Field("OffsetAccounts", L("仕訳帳: 相殺する債務の勘定科目", "Journal: accounts offset"),
          "買掛金、未払金", "@"),
    Field("DefaultClosingDay", L("条件未設定の得意先: 締め日", "Customers without terms: "
                                                      "closing day"), "末", "@", None,
          L("customers.csv に支払条件のない得意先に使います (末締め翌月末払い)",
            "Used for customers without terms in customers.csv (month-end, paid next "
            "month-end)")),
    Field("DefaultPaymentMonths", L("条件未設定の得意先: 支払月", "Customers without terms: "
                                                        "payment month"), "翌月", "@"),
    Field("DefaultPaymentDay", L("条件未設定の得意先: 支払日", "Customers without terms: "
                                                      "payment day"), "末", "@"),
)

SETTINGS = Sheet(L("設定", "Settings"), L("設定", "Settings"), (
    Field(contract.TARGET_MONTH, L("対象月", "Month"), dt.date(2025, 9, 1), MONTH, A_DATE,
          L("更新する月 (その月の1日)", "The month to refresh (its first day)")),
    Field(contract.BASE_DATE, L("基準日", "Reference date"), dt.date(2025, 9, 30), DATE, A_DATE,
          L("延滞日数はこの日で数えます (通常は月末)", "Days past due are counted at this date "
            "(normally the month end)")),
    Field(contract.LEDGER_FOLDER, L("台帳の場所", "Ledger location"), "ledger", "@", None,
          L("会計システムから出力した得意先・請求・入金ファイルのフォルダ、または仕訳帳 (弥生インポート"
            "形式・マネーフォワード仕訳帳) のファイルかそのフォルダ (この ブックからの相対パス可)",
            "Folder of the customers, invoices and receipts exported from the accounting "
            "system, or a journal (弥生 import format, マネーフォワード 仕訳帳) or its folder "
            "(may be relative to this workbook)")),
    Field(contract.OVER_LIMIT, L("限度超過 (使用率)", "Over limit (utilisation)"), 1.0, RATIO,
          Validation("decimal", 0, 10)),
    Field(contract.NEAR_LIMIT, L("限度接近 (使用率)", "Near limit (utilisation)"), 0.8, RATIO,
          Validation("decimal", 0, 10)),
    Field(contract.RATE_TARGET, L("回収率の目標", "Collection rate target"), 0.9, RATIO, RATIO_0_1),
    Field(contract.SITE_INCREASE, L("サイト長期化 (前3ヶ月平均より何日長いか)",
                            "Longer site (days above the previous 3 months)"), 15, DAYS,
          POSITIVE_DAYS),
    Field(contract.FEE_TOLERANCE, L("振込手数料の許容額", "Bank fee tolerance"), 1000, YEN, MONEY,
          L("入金後の残額がこれ以下なら手数料として消し込みます",
            "A remainder up to this after a receipt is closed as a fee")),
    Field(contract.NOTE_LOOKBACK, L("手形化の判定期間(月)", "New notes: months looked back"), 6, "0",
          Validation("whole", 1, 36)),
    FieldRow(contract.AGING_EDGES, L("延滞区分の境界(日)", "Aging bucket edges (days)"),
             (L("1", "1"), L("2", "2"), L("3", "3"), L("4", "4")), contract.Settings().aging_edges, "0",
             Validation("whole", 1, 3650)),
    *JOURNAL_SETTINGS,
    Field(contract.BANK_FOLDER, L("入出金明細の場所", "Bank statements location"), None, "@",
          None, L("銀行の入出金明細 (全銀ファイル・CSV) のフォルダ。入力すると「今月を更新」が先に"
                  "入金消込をします (空欄なら消込しません)",
                  "Folder of the bank statements (全銀 files, CSV). When filled, the refresh "
                  "button matches them to invoices first (blank: no matching)")),
), pages_tall=1, widths={"B": 28, "C": 70})

SHEETS = (
    Sheet(L("月次回収チェック", "Monthly check"), L(
        "月次回収チェック表 — 回収するまでが営業", "Monthly collection check — a sale is not done "
        "until it is collected"), (
        Field("ShownMonth", L("対象月", "Month"), "=TargetMonth", MONTH),
        Field("ShownBaseDate", L("基準日", "As of"), "=BaseDate", DATE),
        MONTHLY,
    ), scale=74),
    Sheet(L("グラフ", "Charts"), L("与信枠の使用率・延滞の内訳・担当者別の回収 (各表から)",
                                 "Credit limit utilisation, overdue amounts and collection by "
                                 "salesperson (from the tables)"), (
        Chart(L("与信枠の使用率 (高い順に20社、限度超過は赤)",
                "Credit limit utilisation (highest 20; over the limit in red)"),
              y_format="0%", ranking="UtilisationRanking", gridline=1.0),
        Chart(L("延滞額 (多い順に20社、残りはその他)",
                "Overdue amounts (largest 20; the rest as Others)"),
              ranking="OverdueRanking"),
        Chart(L("担当者別 売上と回収基準売上", "Billed and collection-based sales by salesperson"),
              "BySalesperson", "salesperson", ("billed", "collection_sales"), horizontal=False),
    )),
    Sheet(L("担当者別", "By salesperson"), L(
        "担当者別の回収状況 (回収基準売上 = 当月の現金・振込・相殺等 + 当月に期日の来た手形・でんさい)",
        "Collection by salesperson (collection-based sales = cash, transfers and offsets "
        "received + notes and densai maturing this month)"), (
        SALESPEOPLE,
        L("グラフは「グラフ」シートにあります。", "The chart is on the Charts sheet."),
    )),
    Sheet(L("翌月回収予定", "Next month"), L(
        "翌月の回収予定表 (翌月に期日の来る額 + 延滞額)",
        "What to collect next month (falling due + overdue)"), (PLAN,)),
    Sheet(L("回収サイト計算例", "Site example"), L(
        "回収サイトの計算例 (記事の例: 売上100万円を現金30万・60日手形30万・120日手形40万で回収)",
        "Collection site, the article's example (1,000,000 collected as 300,000 cash, "
        "300,000 by 60-day note, 400,000 by 120-day note)"), (
        SITE_EXAMPLE,
        Field("ExampleSite", L("回収サイト", "Collection site"),
              '=IF(SUM({SiteExample:amount})=0,"",' + native(
                  "COLLECTION_SITE", amounts="{SiteExample:amount}",
                  days="{SiteExample:days}") + ")", DAYS),
        Field("ExampleBilled", L("請求額 (回収率の例)", "Billed (rate example)"), 36_000_000, YEN,
              MONEY),
        Field("ExampleCollected", L("回収額", "Collected"), 32_000_000, YEN, MONEY),
        Field("ExampleRate", L("回収率", "Collection rate"),
              '=IF(N(ExampleBilled)<=0,"",' + native(
                  "COLLECTION_RATE", collected="ExampleCollected", due="ExampleBilled") + ")",
              RATIO),
        Field("EfficiencyBilled", L("請求額 (回収基準比率の例)", "Billed (efficiency example)"),
              2_500, YEN, MONEY),
        Field("EfficiencyCollected", L("回収額", "Collected"), 2_100, YEN, MONEY),
        Field("EfficiencyDays", L("回収期間(日)", "Collection days"), 90, DAYS, POSITIVE_DAYS),
        Field("ExampleEfficiency", L("回収基準比率", "Collection efficiency"),
              '=IF(OR(N(EfficiencyBilled)<=0,N(EfficiencyDays)<=0),"",' + native(
                  "COLLECTION_EFFICIENCY", collected="EfficiencyCollected",
                  due="EfficiencyBilled", collection_days="EfficiencyDays") + ")", RATIO),
    ), pages_tall=1, widths={"A": 26, "B": 16, "C": 14, "D": 16}),
    Sheet(L("チェックポイント", "Checkpoints"), L(
        "回収するまでが営業: 社内のチェックポイント", "A sale is not done until it is collected: "
        "checkpoints"), (CHECKPOINTS,), pages_tall=1),
    Sheet(L("履歴", "History"), L(
        "月次の履歴 (更新のたびに対象月の行を書き換え、少なくとも直近24ヶ月を保持)",
        "Monthly history (each refresh replaces its month; at least the last 24 months "
        "are kept)"),
        (HISTORY,), scale=74),
    SETTINGS,
    Sheet(L("入金消込", "Bank matching"), L(
        "入金消込 — 銀行の入金を得意先・請求に消し込んだ結果 (得意先コード(手入力) に入れたコードは"
        "次の消込で学習されます)",
        "Bank matching — deposits matched to customers and invoices (a code typed in "
        "Customer code (typed) is learned next time)"), (
        Field("Suspense", L("仮受金", "Suspense"),
              L(_suspense("金額", "状態"), _suspense("Amount", "Status")), YEN),
        L("仮受金 = 状態が 未消込 または 候補あり の入金の合計 (銀行の残高と照合できます)",
          "Suspense = the deposits whose status is 未消込 (unmatched) or 候補あり (candidates): "
          "it reconciles the sheet with the bank"),
        BANK_MATCH,
    ), scale=74, widths={"A": 12, "G": 8, "K": 15}),
    Sheet(L("グラフデータ", "Chart data"), L(
        "グラフのデータ (月次回収チェックの表から計算: 高い順、同じ値は表の順)",
        "Data of the charts (computed from the monthly table: largest first, ties in table "
        "order)"), (UTILISATION_RANKING, OVERDUE_RANKING), hidden=True),
)

COLLECTION_CHECK = WorkbookSpec("collection_check.xlsx", SHEETS)
