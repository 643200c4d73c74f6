"""Read a ledger export: a folder of CSV files (UTF-8, UTF-8 with BOM or CP932) or one xlsx.

Every cell that cannot be read is reported with file, row, column and value — all of them
at once — and nothing is returned, so nothing is written from a half-read ledger.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ProblemsError, format_value
from . import values as parse
from .schema import BALANCES, CUSTOMERS, INVOICES, NOTE_METHODS, PARTS, RECEIPTS, Part

#: Tried in order; UTF-8 is strict enough that text decoding as UTF-8 is UTF-8.
ENCODINGS = ("utf-8-sig", "cp932")
#: Characters XML 1.0 cannot hold (control characters other than tab, line feed and carriage
#: return, lone surrogates, U+FFFE/U+FFFF): a workbook cell can never be written with them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The most characters an Excel cell holds.
CELL_LIMIT = 32_767


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file + (f" row {self.row}" if self.row else "") + \
            (f", column {self.column}" if self.column else "")
        got = "" if self.value is None else f": {format_value(self.value)}"
        return f"{where}{got} — expected {self.expected}"


class LedgerError(ProblemsError):
    """The ledger could not be read; ``problems`` lists every cell at fault."""

    subject = "the ledger"


@dataclass
class Ledger:
    customers: pd.DataFrame
    invoices: pd.DataFrame
    receipts: pd.DataFrame
    balances: pd.DataFrame
    sources: dict[str, str] = field(default_factory=dict)


def decode(data: bytes, file: str) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            failure = error
    raise LedgerError([Problem(file, None, None, None,
                               f"text in UTF-8 or CP932/Shift_JIS (undecodable byte at "
                               f"offset {failure.start})")])


def _frame_from_csv(path: Path) -> pd.DataFrame:
    text = decode(path.read_bytes(), path.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                skip_blank_lines=False, skipinitialspace=True,
                                index_col=False)
    except pd.errors.EmptyDataError:
        raise LedgerError([Problem(path.name, None, None, None,
                                   "a header row and data rows (the file is empty)")]) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        line = re.search(r"line (\d+), saw (\d+)", str(error))
        raise LedgerError([Problem(
            path.name, int(line.group(1)) if line else None, None, None,
            "as many fields as the header (quote amounts with commas: \"1,234\")"
            + (f", saw {line.group(2)}" if line else ""))]) from None
    frame.index = frame.index + 2  # file rows: the header is row 1
    return frame


def _frame_from_sheet(path: Path, sheet: str) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
    frame = frame.map(_cell_text)
    frame.index = frame.index + 2
    return frame


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _locate(source: Path) -> dict[str, tuple[str, callable]]:
    """Each part's file (or sheet) and how to read it."""
    found = {}
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        from ..safezip import open_package

        open_package(source).close()  # a broken or hostile workbook: one line
        sheets = load_workbook(source, read_only=True).sheetnames
        for part in PARTS:
            name = next((s for s in sheets if s.strip().lower() in
                         {n.lower() for n in part.names}), None)
            if name:
                found[part.name] = (f"{source.name}[{name}]",
                                    lambda s=name: _frame_from_sheet(source, s))
        return found
    if not source.is_dir():
        raise LedgerError([Problem(str(source), None, None, None,
                                   "a folder of CSV files or an .xlsx workbook")])
    files = {p.stem.strip().lower(): p for p in sorted(source.iterdir())
             if p.suffix.lower() == ".csv"}
    for part in PARTS:
        path = next((files[n.lower()] for n in part.names if n.lower() in files), None)
        if path:
            found[part.name] = (path.name, lambda p=path: _frame_from_csv(p))
    return found


def _columns(part: Part, frame: pd.DataFrame, file: str, problems: list[Problem]) -> dict:
    """Map the file's headers (English or Japanese) onto the part's columns."""
    headers = {parse.normalise(pd.Series([h])).iloc[0].lower(): h for h in frame.columns}
    mapped = {}
    for column in part.columns:
        header = next((headers[h.lower()] for h in column.headers if h.lower() in headers), None)
        if header is not None:
            mapped[column.name] = header
        elif column.required:
            problems.append(Problem(file, 1, column.ja, None,
                                    f"a column {column.ja} ({column.name})"))
    return mapped


def _distinct(column: pd.Series, parser) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Normalise and parse each distinct cell text once (exports repeat dates, codes and
    terms on every row), then spread the results over the rows: text, values, bad."""
    codes, uniques = pd.factorize(column.astype(str), sort=False)
    text = parse.normalise(pd.Series(uniques, dtype=object))
    values, bad = parser(text)
    bad = bad & (text != "")

    def spread(series: pd.Series) -> pd.Series:
        return pd.Series(series.to_numpy()[codes], index=column.index)

    return spread(text), spread(values), spread(bad)


def _check_cell_text(frame: pd.DataFrame, headers: list[str], file: str,
                     problems: list[Problem]) -> None:
    """Values no workbook cell can hold: a character XML forbids, or more than 32,767
    characters."""
    for header in headers:
        text = frame[header].astype(str)
        forbidden = text.str.contains(NOT_IN_XML)
        long = text.str.len() > CELL_LIMIT
        for row in frame.index[forbidden.to_numpy(dtype=bool)]:
            problems.append(Problem(file, int(row), header, frame.at[row, header],
                                    "text without control characters (a workbook cell "
                                    "cannot hold them)"))
        for row in frame.index[(long & ~forbidden).to_numpy(dtype=bool)]:
            problems.append(Problem(file, int(row), header,
                                    frame.at[row, header][:40] + "…",
                                    f"at most {CELL_LIMIT:,} characters (an Excel cell's "
                                    f"limit; it has {len(frame.at[row, header]):,})"))


def _part(part: Part, frame: pd.DataFrame, file: str, problems: list[Problem]) -> pd.DataFrame:
    mapped = _columns(part, frame, file, problems)
    _check_cell_text(frame, [mapped[c.name] for c in part.columns if c.name in mapped],
                     file, problems)
    parsed = {column.name: _distinct(frame[mapped[column.name]], parse.PARSERS[column.kind])
              for column in part.columns if column.name in mapped}
    filled = pd.DataFrame({name: text != "" for name, (text, _, _) in parsed.items()},
                          index=frame.index)
    rows = filled.index[filled.any(axis=1)]  # blank rows are skipped
    out = pd.DataFrame(index=rows)
    for column in part.columns:
        if column.name not in parsed:
            continue
        text, values, bad = (series.loc[rows] for series in parsed[column.name])
        present = text != ""
        if column.required:
            for row in rows[~present.to_numpy()]:
                problems.append(Problem(file, int(row), mapped[column.name], None,
                                        parse.EXPECTED[column.kind] + " (required)"))
        for row in rows[bad.to_numpy(dtype=bool)]:
            problems.append(Problem(file, int(row), mapped[column.name],
                                    frame.at[row, mapped[column.name]],
                                    parse.EXPECTED[column.kind]))
        if column.kind in ("amount", "number"):
            out[column.name] = pd.to_numeric(values, errors="coerce").where(present)
        elif column.kind == "date":
            out[column.name] = pd.to_datetime(values).where(present)
        elif column.kind == "text":
            out[column.name] = text.where(present, None).astype("string")
        else:
            out[column.name] = values.where(present, None)
    out["row"] = out.index.astype(int)
    return out


def _check_references(ledger: dict[str, pd.DataFrame], files: dict[str, str],
                      problems: list[Problem], unread: set[str] = frozenset()) -> None:
    """Codes that name nothing, duplicates, notes without maturity. A part that could not be
    read at all (``unread``: missing, empty, undecodable) is not held against the others: its
    own problem is the one to report."""
    customers, invoices = ledger["customers"], ledger["invoices"]
    for part, key, label in (("customers", "customer_id", "得意先コード"),
                             ("invoices", "invoice_id", "請求番号")):
        frame = ledger[part]
        if key in frame:
            for row in frame.index[frame[key].duplicated(keep="first")]:
                problems.append(Problem(files[part], int(row), label, frame.at[row, key],
                                        f"a {label} not used by an earlier row"))
    known = set(customers.get("customer_id", pd.Series(dtype=str)))
    for part in ("invoices", "receipts", "receipts_bank", "balances") \
            if "customers" not in unread else ():
        frame = ledger[part]
        if "customer_id" in frame and len(frame):
            unknown = ~frame["customer_id"].isin(known)
            for row in frame.index[unknown]:
                problems.append(Problem(files[part], int(row), "得意先コード",
                                        frame.at[row, "customer_id"],
                                        "a customer of the customers file"))
    for part in ("receipts", "receipts_bank"):
        _check_receipts(ledger[part], invoices, files[part], problems, "invoices" in unread)


def _check_receipts(receipts: pd.DataFrame, invoices: pd.DataFrame, file: str,
                    problems: list[Problem], invoices_unread: bool = False) -> None:
    if "invoice_id" in receipts and "invoice_id" in invoices and "customer_id" in invoices \
            and not invoices_unread:
        owner = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["customer_id"]
        named = receipts["invoice_id"].notna() & (receipts["invoice_id"] != "")
        for row in receipts.index[named & ~receipts["invoice_id"].isin(owner.index)]:
            problems.append(Problem(file, int(row), "請求番号",
                                    receipts.at[row, "invoice_id"], "an invoice of the invoices file"))
        mine = named & receipts["invoice_id"].isin(owner.index)
        wrong = mine & (receipts["invoice_id"].map(owner) != receipts["customer_id"])
        for row in receipts.index[wrong]:
            problems.append(Problem(file, int(row), "請求番号",
                                    receipts.at[row, "invoice_id"],
                                    "an invoice of the same customer"))
    if "method" in receipts and len(receipts):
        notes = receipts["method"].isin(NOTE_METHODS)
        missing = notes & receipts.get("maturity_date", pd.Series(index=receipts.index)).isna()
        for row in receipts.index[missing]:
            problems.append(Problem(file, int(row), "期日", None,
                                    "the maturity date of the note / でんさい"))


def _receipts(receipts: pd.DataFrame, bank: pd.DataFrame) -> pd.DataFrame:
    """receipts.csv and receipts_bank.csv as one table; on one day the rows of receipts.csv
    come first (``row`` orders receipts within a day: the bank file's rows follow)."""
    if not len(bank):
        return receipts
    offset = int(receipts["row"].max()) if len(receipts) else 0
    bank = bank.assign(row=bank["row"] + offset)
    return pd.concat([receipts, bank], ignore_index=True)


def read_ledger(source: str | os.PathLike[str], accounts=None, terms=None) -> Ledger:
    """Read and validate a ledger export; raise :class:`LedgerError` listing every problem.

    ``source`` is a folder of CSV files, one .xlsx, or an accounting journal (a journal file,
    or a folder holding one with the optional customers.csv, balances.csv and notes.csv),
    read with the account names ``accounts`` and the default ``terms`` (section 10)."""
    from .journal import Accounts, Terms, find_journal, read_journal

    source = Path(source)
    journal = find_journal(source)
    if journal is not None:
        return read_journal(*journal, accounts or Accounts(), terms or Terms())
    located = _locate(source)
    problems: list[Problem] = []
    parts, files, unread = {}, {}, set()
    for part in PARTS:
        empty = pd.DataFrame(columns=[c.name for c in part.columns] + ["row"])
        parts[part.name], files[part.name] = empty, part.name
        if part.name not in located:
            unread.add(part.name)
            if part.required:
                where = "" if source.is_file() else f" ({part.name}.csv or {part.ja}.csv)"
                problems.append(Problem(
                    str(source), None, None, None,
                    f"a file or sheet named {part.name} or {part.ja}{where}: the ledger's "
                    f"{part.name} are required"))
            continue
        file, read = located[part.name]
        files[part.name] = file
        try:
            parts[part.name] = _part(part, read(), file, problems)
        except LedgerError as error:
            problems.extend(error.problems)
            unread.add(part.name)
            continue
        if part is CUSTOMERS and parts[part.name].empty:  # nothing to refresh
            unread.add(part.name)
            problems.append(Problem(file, None, None, None,
                                    f"at least one row of {part.name} (it has none)"))
    _check_references(parts, files, problems, unread)
    if problems:
        raise LedgerError(problems)
    parts["receipts"] = _receipts(parts["receipts"], parts.pop("receipts_bank"))
    for name in ("invoices", "receipts", "balances"):  # a zero amount changes nothing
        frame = parts[name]
        parts[name] = frame[frame["amount"] != 0] if len(frame) else frame
    return Ledger(*(parts[p.name] for p in (CUSTOMERS, INVOICES, RECEIPTS, BALANCES)),
                  sources=files)
