"""``kaishu match``: statements in, receipts_bank.csv (and the 入金消込 sheet) out.

Everything is read and checked first — ledger, statements, payers list, the codes typed in
the workbook — and only then is anything written, so a bad record anywhere changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import contract, xlsxpatch
from ..contract import Settings
from ..errors import KaishuError
from ..ledger import Ledger, read_ledger
from ..ledger.read import LedgerError, Problem, decode
from ..plan import TABLES, Plan, TableState, _add, _keys, plan_table
from ..serials import from_serial
from ..workbook import editing, setting_readers, settings_from
from . import files
from .match import PENDING, Matched, match
from .names import normalise, payer_code, split_code
from .read import read_statements
from .statement import frame

#: Journal exports (DOMAIN.md section 10) are recognised by these.
YAYOI_FLAGS = ("2000", "2111", "2110", "2100", "2101")
JOURNAL_HEADERS = ("取引No", "借方勘定科目")


class MatchError(KaishuError):
    """Matching cannot run on this ledger or workbook."""


@dataclass
class MatchRun:
    matched: Matched
    learned: int
    receipt_rows: int
    receipts_file: Path
    workbook: Path | None


def is_journal(source: Path) -> bool:
    """A ledger that is an accounting journal (弥生インポート形式: no header, 25 columns,
    識別フラグ first; マネーフォワード's 仕訳帳: 取引No and 借方勘定科目 in its header),
    given as the file or as a folder holding one."""
    candidates = [source] if source.is_file() else \
        [p for p in source.iterdir() if p.suffix.lower() in (".csv", ".txt")] \
        if source.is_dir() else []
    for path in candidates:
        try:
            first = decode(path.read_bytes()[:4096], path.name).splitlines()[:1]
        except LedgerError:
            continue
        cells = [c.strip().strip('"') for c in first[0].split(",")] if first else []
        if len(cells) >= 25 and cells[0] in YAYOI_FLAGS:
            return True
        if all(h in cells for h in JOURNAL_HEADERS):
            return True
    return False


def _workbook_lines(state, customers: set[str], sheet: str):
    """From the 入金消込 sheet: the codes typed in 得意先コード(手入力) as (payer, code),
    and the earlier lines still pending, as statement lines to match again."""
    keys = _keys(TABLES[contract.BANK_MATCH], state.headers)
    at = {k: i for i, k in enumerate(keys) if k}
    taught, pending, problems = [], [], []
    for number, row in enumerate(state.rows, start=state.header_row + 1):
        get = {k: row[i] for k, i in at.items()}
        line_id = get.get("line_id")
        if line_id in (None, ""):
            continue
        manual = get.get("manual")
        manual = "" if manual is None else str(manual).strip()
        if isinstance(get.get("manual"), float) and float(manual).is_integer():
            manual = str(int(float(manual)))
        if manual:
            if manual not in customers:
                problems.append(Problem(sheet, number, "得意先コード(手入力)", manual,
                                        "a customer of the customers file"))
            else:
                taught.append((str(get.get("payer") or ""), manual))
        if get.get("status") in PENDING or manual:
            date = get.get("date")
            date = from_serial(date) if isinstance(date, (int, float)) else pd.Timestamp(date)
            payer = str(get.get("payer") or "")
            pending.append({
                "file": str(get.get("file") or sheet), "record": number, "kind": "sheet",
                "account": "", "inquiry": "", "date": pd.Timestamp(date).date(),
                "amount": int(round(float(get.get("amount") or 0))), "payer": payer,
                "payer_code": payer_code(str(get.get("payer_code") or "")),
                "bank": str(get.get("bank") or ""), "cancelled": False,
                "name": normalise(split_code(payer)[1]), "line_id": str(line_id)})
    return taught, pending, problems


@dataclass
class Prepared:
    """Everything a run decided, before anything is written."""

    folder: Path
    ledger: Ledger
    lines: pd.DataFrame
    matched: Matched
    payers: pd.DataFrame
    learned: int


def prepare(ledger: str | os.PathLike[str], statements: list[str | os.PathLike[str]],
            state: TableState | None = None, date_column: str | None = None,
            amount_column: str | None = None, payer_column: str | None = None,
            settings: Settings | None = None) -> Prepared:
    """Read and check the ledger, the statements, the payers list and (``state``, the
    入金消込 table as the workbook holds it) the codes typed there; decide every line."""
    folder = Path(ledger)
    if is_journal(folder):
        raise MatchError(f"{folder.name}: a journal ledger (仕訳帳) holds its own receipts — "
                         "入金消込 is for ledgers whose books hold no receipts")
    if not folder.is_dir():
        raise MatchError(f"{folder}: kaishu match needs the ledger folder (receipts_bank.csv "
                         "is written there)")
    book = read_ledger(folder)
    lines = read_statements(list(statements), date_column, amount_column, payer_column)
    customers = set(book.customers["customer_id"].astype(str))
    taught: list[tuple[str, str]] = []
    if state is not None:
        taught, pending, problems = _workbook_lines(state, customers, state.sheet)
        if problems:
            raise LedgerError(problems)
        read = set(lines["line_id"])
        earlier = [p for p in pending if p["line_id"] not in read]
        if earlier:
            extra = frame(earlier).drop(columns="reversal").assign(
                name=[p["name"] for p in earlier], line_id=[p["line_id"] for p in earlier])
            lines = pd.concat([lines, extra], ignore_index=True)
    payers, learned = files.learn(files.read_payers(folder, customers), taught)
    matched = match(lines, book, payers, settings or Settings())
    return Prepared(folder, book, lines, matched, payers, learned)


def matched_ledger(prepared: Prepared) -> Ledger:
    """The ledger as :func:`read_ledger` will read it once receipts_bank.csv is written
    (the lines read replaced by what this run decided), without writing anything."""
    book = prepared.ledger
    receipts = book.receipts
    if "line_id" in receipts:
        receipts = receipts[~receipts["line_id"].isin(set(prepared.lines["line_id"]))]
    new = prepared.matched.receipts
    words = {"振込": "transfer", "手数料": "fee"}
    start = int(receipts["row"].max()) + 1 if len(receipts) else 2
    new = pd.DataFrame({
        "receipt_date": pd.to_datetime(new["receipt_date"]),
        "customer_id": new["customer_id"].astype("string"),
        "amount": new["amount"].astype(float), "method": new["method"].map(words),
        "maturity_date": pd.NaT,
        "invoice_id": new["invoice_id"].where(new["invoice_id"] != "", None).astype("string"),
        "line_id": new["line_id"].astype("string"), "row": range(start, start + len(new))})
    receipts = pd.concat([receipts, new], ignore_index=True) if len(receipts) else new
    return Ledger(book.customers, book.invoices, receipts, book.balances, book.sources)


def write_files(prepared: Prepared) -> int:
    """receipts_bank.csv (and payers.csv when something was learned); returns the rows of
    receipts_bank.csv."""
    rows = files.write_receipts(prepared.folder, prepared.matched.receipts,
                                set(prepared.lines["line_id"]))
    if prepared.learned:
        files.write_payers(prepared.folder, prepared.payers)
    return rows


def run_match(ledger: str | os.PathLike[str], statements: list[str | os.PathLike[str]],
              workbook: str | os.PathLike[str] | None = None, date_column: str | None = None,
              amount_column: str | None = None, payer_column: str | None = None,
              settings: Settings | None = None) -> MatchRun:
    """Match the deposits of ``statements`` to the customers and invoices of the ledger
    folder ``ledger``; write ``receipts_bank.csv`` there (and ``payers.csv`` when codes
    were typed in the workbook), and with ``workbook`` its 入金消込 sheet."""
    if workbook is None:
        prepared = prepare(ledger, statements, None, date_column, amount_column, payer_column,
                           settings)
        return _run(prepared, write_files(prepared), None)
    with editing(workbook) as (package, save):
        states = xlsxpatch.read_state(package, (contract.BANK_MATCH,))
        if contract.BANK_MATCH not in states:
            raise MatchError(f"{Path(workbook).name}: no 入金消込 sheet (table "
                             f"{contract.BANK_MATCH}); use xlsx_templates/collection_check.xlsx")
        state = states[contract.BANK_MATCH]
        prepared = prepare(ledger, statements, state, date_column, amount_column, payer_column,
                           settings or _settings(package))
        plan = Plan()  # planned before anything is written
        _add(plan, plan_matches(prepared, state))
        changed = xlsxpatch.apply_plan(package, plan, {contract.BANK_MATCH: state})
        rows = write_files(prepared)
        save(changed)
    return _run(prepared, rows, Path(workbook))


def plan_matches(prepared: Prepared, state: TableState) -> list:
    """The 入金消込 table's rows: a line stays on its row while it is shown; a line no longer
    shown frees its row unless something was typed on it."""
    return plan_table(state, sheet_records(prepared.matched.lines, state),
                      contract.BANK_MATCH_KEY, keep_gone=False)


def _run(prepared: Prepared, rows: int, workbook: Path | None) -> MatchRun:
    return MatchRun(prepared.matched, prepared.learned, rows,
                    prepared.folder / files.RECEIPTS_FILE, workbook)


def statement_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The statements in a folder (入出金明細の場所): every file but hidden and lock files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MatchError(f"入出金明細の場所 {folder} is not a folder")
    found = sorted(p for p in folder.iterdir() if p.is_file()
                   and not p.name.startswith((".", "~$")))
    if not found:
        raise MatchError(f"入出金明細の場所 {folder} holds no statement file")
    return found


def sheet_records(lines: pd.DataFrame, state: TableState | None = None) -> pd.DataFrame:
    """The 入金消込 sheet's rows: by date, then as the statements listed them; an earlier
    row that is no longer listed but holds what a user typed stays as it was."""
    out = lines.sort_values("date", kind="stable").reset_index(drop=True)
    if state is not None:
        keys = _keys(TABLES[contract.BANK_MATCH], state.headers)
        inputs = [i for i, k in enumerate(keys) if k in ("manual", "memo")]
        listed = set(out["line_id"])
        kept = [{k: v for k, v in zip(keys, row) if k} for row in state.rows
                if row[keys.index("line_id")] not in (None, "")
                and str(row[keys.index("line_id")]) not in listed
                and any(row[i] not in (None, "") for i in inputs)]
        if kept:
            kept = pd.DataFrame(kept)
            kept["date"] = [from_serial(d) if isinstance(d, (int, float)) else d
                            for d in kept["date"]]
            out = pd.concat([out, kept], ignore_index=True)
    date = pd.to_datetime(out["date"])
    out = out.astype(object).where(out.notna(), None)  # no pd.NA reaches a cell
    out["date"] = date
    return out


def _settings(package: xlsxpatch.Package) -> Settings:
    return settings_from(*setting_readers(package, package.names))


def summary(run: MatchRun) -> str:
    """Lines per status with their amounts, and the lines nobody could place."""
    lines = run.matched.lines
    out = [f"{len(lines)} statement lines, {lines['amount'].sum():,.0f} yen"]
    for status, count in run.matched.counts().items():
        if count:
            amount = lines.loc[lines["status"] == status, "amount"].sum()
            out.append(f"  {status}: {count} ({amount:,.0f} yen)")
    suspense = lines[lines["status"].isin(("未消込", "候補あり"))]
    out.append(f"仮受金 (未消込 + 候補あり): {suspense['amount'].sum():,.0f} yen")
    for row in suspense.head(10).itertuples():
        out.append(f"  {row.date:%Y-%m-%d} {row.payer} {row.amount:,.0f}"
                   + (f" — 候補: {row.candidates}" if row.candidates else ""))
    if len(suspense) > 10:
        out.append(f"  ... and {len(suspense) - 10} more")
    if run.learned:
        out.append(f"learned {run.learned} payer(s) into {files.PAYERS_FILE}")
    return "\n".join(out)


