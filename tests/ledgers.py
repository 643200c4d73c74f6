"""Small ledgers written as CSV files, for tests."""

from __future__ import annotations

from pathlib import Path

CUSTOMER_HEADER = "得意先コード,得意先名,担当者,締め日,支払月,支払日,信用限度額"
INVOICE_HEADER = "請求番号,得意先コード,売上日,金額,支払期日"
RECEIPT_HEADER = "入金日,得意先コード,金額,入金方法,期日,請求番号"
BALANCE_HEADER = "得意先コード,基準日,金額,支払期日"


def write_ledger(folder: Path, customers, invoices=(), receipts=(), balances=(),
                 encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("customers", CUSTOMER_HEADER, customers),
                               ("invoices", INVOICE_HEADER, invoices),
                               ("receipts", RECEIPT_HEADER, receipts),
                               ("balances", BALANCE_HEADER, balances)):
        if name == "balances" and not rows:
            continue
        text = "\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n"
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder
