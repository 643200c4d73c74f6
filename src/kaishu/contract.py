"""The contract's names (DOMAIN.md), in one place.

The ledger reader, the month's engine, the refresh plan, the templates and the CLI share
these: the tables a refresh rewrites, the keys of the figures of the month (section 6), the
receipt methods (section 8), the aging buckets and the settings of the collection-check
workbook. Plain data: importing this module loads nothing but the pure core.
"""

from __future__ import annotations

from dataclasses import dataclass

from .formulas.metrics import DEFAULT_AGING_EDGES, aging_labels


@dataclass(frozen=True)
class Method:
    """A receipt method: its labels, and the words ledgers use for it."""

    ja: str
    en: str
    words: tuple[str, ...]


#: Receipt methods (入金方法, sections 6 and 8), in the order of the workbook's columns.
METHODS: dict[str, Method] = {
    "cash": Method("現金", "Cash", ("現金", "cash")),
    "transfer": Method("振込", "Transfer",
                       ("振込", "振り込み", "銀行振込", "transfer", "bank transfer")),
    "note": Method("手形", "Note", ("手形", "受取手形", "約束手形", "note", "promissory note")),
    "densai": Method("でんさい", "Densai", ("でんさい", "電子記録債権", "電子手形", "densai")),
    "offset": Method("相殺", "Offset", ("相殺", "offset")),
    "fee": Method("手数料", "Fee", ("手数料", "振込手数料", "fee")),
    "other": Method("その他", "Other", ("その他", "other")),
}
#: Methods whose cash date is the maturity moved to the next business day (section 6).
NOTE_METHODS = ("note", "densai")
#: Methods that are cash on their own date and count in collection-based sales.
CASH_LIKE = ("cash", "transfer", "offset", "other")
FEE = "fee"

#: The overdue columns, one per aging bucket (section 6: AgingEdges gives exactly four edges,
#: so five buckets past due). Their headers follow the edges: see :func:`bucket_labels`.
BUCKET_KEYS = ("overdue_1", "overdue_2", "overdue_3", "overdue_4", "overdue_5")


def bucket_labels(edges: tuple[int, ...] = DEFAULT_AGING_EDGES) -> list[str]:
    """The label of each overdue column for ``edges`` (AGING_BUCKET's labels past due).

    >>> bucket_labels()
    ['1-30', '31-60', '61-90', '91-120', '121-']
    >>> bucket_labels((15, 30, 45, 60))
    ['1-15', '16-30', '31-45', '46-60', '61-']
    """
    return aging_labels(edges)[1:]


# -- the collection-check workbook ------------------------------------------------------------

#: Tables a refresh rewrites (their Excel table names, language-independent).
COLLECTION = "Collection"        # 月次回収チェック: one row per customer
BY_SALESPERSON = "BySalesperson"  # 担当者別
PLAN = "Plan"                    # 翌月回収予定
HISTORY = "History"              # 履歴: one row per customer and month
REFRESHED_TABLES = (COLLECTION, BY_SALESPERSON, PLAN, HISTORY)
REQUIRED_TABLES = (COLLECTION, BY_SALESPERSON, PLAN)

#: The row key of each refreshed table.
ROW_KEYS = {COLLECTION: "code", BY_SALESPERSON: "salesperson", PLAN: "code",
            HISTORY: ("month", "code")}

#: Figures of the month per customer (section 6), as the engine returns them and the
#: Collection table names its columns.
CUSTOMER_KEYS = ("code", "name", "salesperson", "credit_limit")
FIGURE_KEYS = ("opening", "billed", "scheduled", "on_schedule", *METHODS, "site",
               "collection_days", "exposure", *BUCKET_KEYS, "advance", "site_before",
               "new_notes", "collection_sales")
#: What falls due next month (回収予定表).
PLAN_KEYS = ("code", "name", "salesperson", "due_next", "overdue", "first_due")
#: One history row per customer and month.
HISTORY_KEYS = ("month", "code", "name", "salesperson", "credit_limit", "opening", "billed",
                "scheduled", "on_schedule", "collected", "closing", "site", "exposure",
                "overdue")

#: Settings of the collection-check workbook: defined names of the settings sheet's cells.
TARGET_MONTH = "TargetMonth"    # 対象月
BASE_DATE = "BaseDate"          # 基準日
LEDGER_FOLDER = "LedgerFolder"  # 台帳の場所
FEE_TOLERANCE = "FeeTolerance"  # 振込手数料の許容額
NOTE_LOOKBACK = "NoteLookback"  # 手形化の判定期間(月)
AGING_EDGES = "AgingEdges"      # 延滞区分の境界(日), four cells in a row
OVER_LIMIT = "OverLimit"        # 限度超過 (使用率)
NEAR_LIMIT = "NearLimit"        # 限度接近 (使用率)
RATE_TARGET = "RateTarget"      # 回収率の目標
SITE_INCREASE = "SiteIncrease"  # サイト長期化 (日)
#: The settings a refresh reads (the others are read by the sheet's formulas).
REFRESH_SETTINGS = (TARGET_MONTH, BASE_DATE, LEDGER_FOLDER, FEE_TOLERANCE, NOTE_LOOKBACK,
                    AGING_EDGES)


@dataclass(frozen=True)
class Settings:
    """The settings the month's figures depend on, with the contract's defaults."""

    fee_tolerance: float = 1000
    note_lookback: int = 6
    aging_edges: tuple[int, ...] = DEFAULT_AGING_EDGES
