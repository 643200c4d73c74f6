"""What a ledger export holds: files (or sheets), their columns, and the kind of each."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import METHODS as _METHODS
from ..contract import NOTE_METHODS  # noqa: F401  (re-exported for the readers)


@dataclass(frozen=True)
class Column:
    name: str          # canonical (English) name
    ja: str            # Japanese header
    kind: str          # text, amount, date, day, months, rule, method, number
    required: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, self.ja, *self.aliases)


@dataclass(frozen=True)
class Part:
    name: str
    ja: str
    columns: tuple[Column, ...]
    required: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.ja)


CUSTOMERS = Part("customers", "得意先", (
    Column("customer_id", "得意先コード", "text", aliases=("得意先CD", "顧客コード")),
    Column("customer_name", "得意先名", "text", aliases=("顧客名",)),
    Column("salesperson", "担当者", "text", aliases=("営業担当", "担当者名")),
    Column("closing_day", "締め日", "day", aliases=("締日",)),
    Column("payment_months", "支払月", "months", aliases=("回収月",)),
    Column("payment_day", "支払日", "day", aliases=("回収日",)),
    Column("credit_limit", "信用限度額", "amount", False, ("与信限度額", "限度額")),
    Column("holiday_rule", "休日区分", "rule", False),
    Column("collection_days_target", "回収期間目標", "number", False),
))
INVOICES = Part("invoices", "請求", (
    Column("invoice_id", "請求番号", "text", aliases=("伝票番号", "請求書番号")),
    Column("customer_id", "得意先コード", "text", aliases=("得意先CD", "顧客コード")),
    Column("invoice_date", "売上日", "date", aliases=("請求日", "計上日")),
    Column("amount", "金額", "amount", aliases=("請求金額", "売上金額")),
    Column("due_date", "支払期日", "date", False, ("入金予定日", "回収予定日")),
))
RECEIPTS = Part("receipts", "入金", (
    Column("receipt_date", "入金日", "date", aliases=("回収日",)),
    Column("customer_id", "得意先コード", "text", aliases=("得意先CD", "顧客コード")),
    Column("amount", "金額", "amount", aliases=("入金額", "入金金額")),
    Column("method", "入金方法", "method", aliases=("入金区分", "決済方法")),
    Column("maturity_date", "期日", "date", False, ("満期日", "手形期日", "支払期日")),
    Column("invoice_id", "請求番号", "text", False, ("伝票番号", "請求書番号")),
), required=False)  # a ledger without receipts is read; the refresh warns about it
BALANCES = Part("balances", "繰越残高", (
    Column("customer_id", "得意先コード", "text", aliases=("得意先CD", "顧客コード")),
    Column("as_of", "基準日", "date", aliases=("繰越日",)),
    Column("amount", "金額", "amount", aliases=("残高",)),
    Column("due_date", "支払期日", "date", False),
), required=False)

PARTS = (CUSTOMERS, INVOICES, RECEIPTS, BALANCES)

#: Receipt methods: canonical key -> the words ledgers use for it (the contract's names).
METHODS = {key: method.words for key, method in _METHODS.items()}
