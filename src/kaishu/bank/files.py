"""The ledger folder's files of 入金消込 (DOMAIN.md section 9).

``receipts_bank.csv``: the receipts of section 8 plus 明細ID, one row per invoice paid; a run
replaces the rows of the lines it reads and keeps the others. ``payers.csv``: the learned
payers (振込依頼人名, 得意先コード, optional 仕向銀行名), keyed by the normalised name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..ledger.read import LedgerError, Problem, decode
from ..xlsxfiles import save_atomically
from .names import normalise, split_code

RECEIPTS_FILE = "receipts_bank.csv"
PAYERS_FILE = "payers.csv"
RECEIPT_HEADERS = ("入金日", "得意先コード", "金額", "入金方法", "期日", "請求番号", "明細ID")
PAYER_HEADERS = ("振込依頼人名", "得意先コード", "仕向銀行名")
PAYER_COLUMNS = ("payer", "customer_id", "bank", "name", "bank_name", "row")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(decode(path.read_bytes(), path.name))))


def _write(path: Path, headers: tuple[str, ...], rows: list[list]) -> None:
    def write(target: Path) -> None:
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle, lineterminator="\r\n")
            out.writerow(headers)
            out.writerows(rows)
    save_atomically(path, write)


def payer_key(payer: str) -> str:
    """The normalised name a payer is learned under (digits before it are a code)."""
    return normalise(split_code(payer)[1])


def read_payers(folder: Path, customers: set[str]) -> pd.DataFrame:
    """The learned payers; a row naming no customer of the master is a problem."""
    path = folder / PAYERS_FILE
    if not path.exists():
        return pd.DataFrame(columns=PAYER_COLUMNS)
    rows = _rows(path)
    if not rows:
        return pd.DataFrame(columns=PAYER_COLUMNS)
    headers = [h.strip() for h in rows[0]]
    problems = [Problem(PAYERS_FILE, 1, h, None, f"a column {h}")
                for h in PAYER_HEADERS[:2] if h not in headers]
    if problems:
        raise LedgerError(problems)
    at = {h: headers.index(h) for h in PAYER_HEADERS if h in headers}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {h: (row[i].strip() if i < len(row) else "") for h, i in at.items()}
        if not any(cell.values()):
            continue
        if not cell["振込依頼人名"]:
            problems.append(Problem(PAYERS_FILE, number, "振込依頼人名", None, "a payer name"))
        if cell["得意先コード"] not in customers:
            problems.append(Problem(PAYERS_FILE, number, "得意先コード", cell["得意先コード"] or None,
                                    "a customer of the customers file"))
        bank = cell.get("仕向銀行名", "")
        out.append((cell["振込依頼人名"], cell["得意先コード"], bank,
                    payer_key(cell["振込依頼人名"]), normalise(bank), number))
    if problems:
        raise LedgerError(problems)
    return pd.DataFrame(out, columns=PAYER_COLUMNS)


def learn(payers: pd.DataFrame, taught: list[tuple[str, str]]) -> tuple[pd.DataFrame, int]:
    """The payers list with (payer as sent, customer code) pairs typed in the workbook
    added (any bank); a pair already known is not added twice. Returns the list and how
    many were added."""
    known = set(zip(payers["name"], payers["bank_name"], payers["customer_id"]))
    added = []
    for payer, customer in taught:
        key = (payer_key(payer), "", customer)
        if key[0] and key not in known:
            known.add(key)
            added.append((payer, customer, "", key[0], "", 0))
    if not added:
        return payers, 0
    return pd.concat([payers, pd.DataFrame(added, columns=PAYER_COLUMNS)],
                     ignore_index=True), len(added)


def write_payers(folder: Path, payers: pd.DataFrame) -> None:
    _write(folder / PAYERS_FILE, PAYER_HEADERS,
           payers[["payer", "customer_id", "bank"]].values.tolist())


def _amounts(values: pd.Series) -> pd.Series:
    """Yen as text: whole amounts without decimals."""
    values = values.astype(float)
    whole = (values - values.round()).abs() < 1e-9
    return values.round().astype("int64").astype(str).where(whole, values.map("{:.2f}".format))


def write_receipts(folder: Path, receipts: pd.DataFrame, replaced: set[str]) -> int:
    """Rewrite ``receipts_bank.csv``: the rows of the lines in ``replaced`` are replaced
    by ``receipts``; every other row is kept as it is. Returns the rows written."""
    path = folder / RECEIPTS_FILE
    kept: list[list[str]] = []
    if path.exists():
        rows = _rows(path)
        if rows:
            headers = [h.strip() for h in rows[0]]
            at = headers.index("明細ID") if "明細ID" in headers else None
            kept = [r for r in rows[1:] if any(c.strip() for c in r)
                    and (at is None or at >= len(r) or r[at] not in replaced)]
    new = pd.DataFrame({
        "date": pd.to_datetime(receipts["receipt_date"]).dt.strftime("%Y/%m/%d"),
        "customer": receipts["customer_id"].astype(str),
        "amount": _amounts(receipts["amount"]), "method": receipts["method"],
        "maturity": "", "invoice": receipts["invoice_id"].fillna("").astype(str),
        "line": receipts["line_id"].astype(str)})
    width = len(RECEIPT_HEADERS)
    old = pd.DataFrame([(r + [""] * width)[:width] for r in kept], columns=new.columns,
                       dtype=object)
    rows = pd.concat([old, new], ignore_index=True) if len(old) else new
    # by date; a deposit's rows stay together and in their order (手数料 before 振込)
    text = rows["date"].astype(str)
    dates = pd.to_datetime(text, errors="coerce", format="%Y/%m/%d")  # as written here
    other = dates.isna() & (text != "")  # a row someone edited by hand
    if other.any():
        dates[other] = pd.to_datetime(text[other], errors="coerce", format="mixed")
    rows = rows.iloc[dates.fillna(pd.Timestamp.max).argsort(kind="stable")]

    def write(target: Path) -> None:
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write(",".join(RECEIPT_HEADERS) + "\r\n")
            rows.to_csv(handle, header=False, index=False, lineterminator="\r\n")
    save_atomically(path, write)
    return len(rows)
