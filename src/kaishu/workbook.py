"""Refresh a collection-check workbook file (the ``kaishu refresh`` path).

It reads the file's tables, computes everything, and only then writes. The writes of the
plan are applied at the XML level (:mod:`kaishu.xlsxpatch`): every other part of the file
is copied byte for byte, and the file is replaced atomically, so a failure at any point
leaves it as it was. The file is handled as :mod:`kaishu.xlsxfiles` describes (symbolic
links followed, a lock held, refused when open in Excel, read-only or hard-linked), and read
as :mod:`kaishu.safezip` describes (a broken or hostile file is one line, not a traceback).
"""

from __future__ import annotations

import os
import zipfile
from html import unescape
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from . import contract, preflight, safezip, xlsxpatch
from .contract import Settings
from .errors import FileError, InputError, KaishuError, format_value
from .formulas.terms import closing_day_number, payment_months_number
from .ledger import read_ledger
from .ledger.journal import Accounts, Terms
from .ledger.values import amounts, normalise
from .monthly import Month, compute_month
from .plan import SAMPLE_MARK, TABLES, TableState, plan_refresh
from .serials import from_serial
from .templates.collection import SETTINGS
from .xlsxfiles import check_replaceable, exclusive, save_atomically

#: Journal settings (DOMAIN.md section 10): defined name -> the Accounts field it sets.
ACCOUNT_SETTINGS = {"ReceivableAccount": "receivable", "BankAccounts": "banks",
                    "NoteAccounts": "notes", "DensaiAccounts": "densai", "FeeAccounts": "fees",
                    "DiscountAccounts": "discounts", "OffsetAccounts": "offsets"}
TERMS_SETTINGS = ("DefaultClosingDay", "DefaultPaymentMonths", "DefaultPaymentDay")
SETTING_NAMES = (*contract.REFRESH_SETTINGS, *ACCOUNT_SETTINGS, *TERMS_SETTINGS)
#: The labels of the settings (設定 sheet), by defined name.
SETTING_LABELS = {f.name: f.label.ja for f in SETTINGS.blocks if hasattr(f, "label")}


class WorkbookError(KaishuError):
    """The workbook is not a kaishu collection-check workbook, or cannot be used."""


class Uncalculated(str):
    """The text of a formula whose cell holds no computed value (never saved by Excel)."""


def check_tables(tables: dict[str, TableState]) -> None:
    """The tables a refresh needs are there, each with the headers its rows are matched by
    (all missing ones named at once)."""
    missing = set(contract.REQUIRED_TABLES) - set(tables)
    if missing:
        raise WorkbookError("not a kaishu collection-check workbook: no table "
                            + ", ".join(sorted(missing)) + " (use xlsx_templates/"
                            "collection_check.xlsx)")
    problems = []
    for name, keys in contract.ROW_KEYS.items():
        if name not in tables:
            continue
        keys = (keys,) if isinstance(keys, str) else keys
        for column in (c for c in TABLES[name].columns if c.key in keys):
            if {column.label.ja, column.label.en} & set(tables[name].headers):
                continue
            problems.append(f"シート「{tables[name].sheet}」のテーブル {name} に見出し"
                            f"「{column.label.ja}」がありません（いまの見出し: "
                            f"{'、'.join(h for h in tables[name].headers if h)}）")
    if problems:
        raise WorkbookError(" / ".join(problems) + ": 見出しを元に戻してから実行してください"
                            "（行はこの見出しの値で前月の行と対応づけます）")


def _number(raw: Any) -> float | None:
    """A settings cell as a number: numbers as they are, texts as the ledger reads amounts
    (``1,000円``, ``¥1,000``, full-width digits); None when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    values, bad = amounts(normalise(pd.Series([str(raw)])))
    return None if bad.iloc[0] else float(values.iloc[0])


def settings_from(value: Callable[[str, int], Any],
                  where: Callable[[str, int], str] = lambda name, offset: name) -> Settings:
    """The computation's settings, ``value(name, offset)`` reading the cell ``offset``
    columns right of the defined name (None when the name or the cell is missing), and
    ``where(name, offset)`` naming that cell. A cell that is not a number of the setting's
    kind is reported by its cell, all of them at once.

    >>> cells = {("FeeTolerance", 0): "1,000円", ("NoteLookback", 0): "６"}
    >>> settings_from(lambda name, offset: cells.get((name, offset)))
    Settings(fee_tolerance=1000.0, note_lookback=6, aging_edges=(30, 60, 90, 120))
    """
    defaults = Settings()
    problems = []

    def read(name: str, offset: int, whole: bool, least: float) -> float | None:
        raw = value(name, offset)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        label = SETTING_LABELS.get(name, name)
        if isinstance(raw, Uncalculated):
            problems.append(f"{where(name, offset)}（{label}）: 数式 {raw} に値がありません"
                            "（Excel で開いて保存するか、数値を入力してください）")
            return None
        number = _number(raw)
        kind = "整数" if whole else "数値"
        if number is None or (whole and not number.is_integer()) or number < least:
            problems.append(f"{where(name, offset)}（{label}）: {format_value(raw)} は "
                            f"{least:g} 以上の{kind}として読めません")
            return None
        return int(number) if whole else number

    edges = [read(contract.AGING_EDGES, i, True, 1) for i in range(len(defaults.aging_edges))]
    tolerance = read(contract.FEE_TOLERANCE, 0, False, 0)
    lookback = read(contract.NOTE_LOOKBACK, 0, True, 1)
    given = [e for e in edges if e is not None]
    if given and not problems and (len(given) != len(edges) or
                                   any(b <= a for a, b in zip(given, given[1:]))):
        shown = "、".join("空欄" if e is None else str(e) for e in edges)
        problems.append(f"{where(contract.AGING_EDGES, 0)}（"
                        f"{SETTING_LABELS.get(contract.AGING_EDGES, contract.AGING_EDGES)}）: "
                        f"{shown} — 増えていく4つの日数を入力してください (exactly four "
                        "increasing whole numbers of days)")
    if problems:
        raise WorkbookError("設定の値を読めません: " + " / ".join(problems))
    edges = tuple(given)
    return Settings(
        fee_tolerance=defaults.fee_tolerance if tolerance is None else tolerance,
        note_lookback=defaults.note_lookback if lookback is None else lookback,
        aging_edges=edges or defaults.aging_edges)


def journal_settings_from(value: Callable[[str, int], Any],
                          overrides: dict[str, Any] | None = None) -> tuple[Accounts, Terms]:
    """The account names and default terms a journal is read with: the settings sheet's,
    replaced by ``overrides`` (Accounts field or Terms field -> value) where given."""
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "", ())}
    names = {field: value(name, 0) for name, field in ACCOUNT_SETTINGS.items()}
    names.update({k: v for k, v in overrides.items() if k in ACCOUNT_SETTINGS.values()})
    accounts = Accounts.of(**{k: v for k, v in names.items() if v not in (None, "")})
    given = dict(zip(("closing_day", "payment_months", "payment_day"),
                     (value(name, 0) for name in TERMS_SETTINGS)))
    given.update({k: v for k, v in overrides.items() if k in given})
    return accounts, default_terms(**given)


def default_terms(closing_day: Any = None, payment_months: Any = None,
                  payment_day: Any = None) -> Terms:
    """Terms from settings words (末 / 翌月 / 10 ...); blanks keep 末締め翌月末払い."""
    defaults = Terms()
    parsed = {}
    for name, word, parse in (("closing_day", closing_day, closing_day_number),
                              ("payment_months", payment_months, payment_months_number),
                              ("payment_day", payment_day, closing_day_number)):
        if word in (None, ""):
            parsed[name] = getattr(defaults, name)
            continue
        try:
            parsed[name] = int(parse(float(word) if isinstance(word, (int, float)) else
                                     str(word).strip()))
        except (InputError, ValueError):
            raise WorkbookError(f"default terms: {name} {word!r} is not a day 1-31 / 末 "
                                "(締め日, 支払日) or 0/1/2 / 当月/翌月/翌々月 (支払月)") from None
    return Terms(**parsed)


def cell_value(package: xlsxpatch.Package, sheet: str, row: int, column: int) -> Any:
    """The value a cell shows: a formula's last computed value (an :class:`Uncalculated`
    formula text when it has none), None when the cell is empty."""
    for cell in xlsxpatch.CELL.finditer(package.row(package.sheets[sheet], row).decode()):
        if xlsxpatch.column_index_from_string(cell.group(1)) != column:
            continue
        body = cell.group(4) or ""
        formula = xlsxpatch.FORMULA.search(body)
        kept = xlsxpatch.FORMULA.sub("", body)  # the value saved with it, if any
        saved = xlsxpatch.VALUE.search(kept)
        if formula and (saved is None or not saved.group(1)):
            return Uncalculated("=" + unescape(formula.group(2) or ""))
        return package._value(cell.group(3), kept, {})
    return None


def setting_readers(package: xlsxpatch.Package, cells: dict[str, tuple[str, int, int]]
                    ) -> tuple[Callable[[str, int], Any], Callable[[str, int], str]]:
    """``value(name, offset)``: what the cell ``offset`` columns right of the defined name
    ``name`` shows (see :func:`cell_value`; None when the name is not in ``cells``), and
    ``where(name, offset)``: that cell as a user finds it (設定!B10)."""

    def value(name: str, offset: int = 0) -> Any:
        if name not in cells:
            return None
        sheet, row, column = cells[name]
        return cell_value(package, sheet, row, column + offset)

    def where(name: str, offset: int = 0) -> str:
        sheet, row, column = cells[name]
        return f"{sheet}!{get_column_letter(column + offset)}{row}"

    return value, where


def read_limits(path: str | os.PathLike[str]) -> dict[str, float]:
    """The adopted limits (採用限度額) of a credit-limit workbook, by customer code.

    They are formulas: their values exist once Excel (or LibreOffice) has saved the file."""
    safezip.open_package(path).close()  # a broken or hostile file: one line
    try:
        book = load_workbook(path, data_only=True, read_only=False)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as error:
        if isinstance(error, KaishuError):
            raise
        raise FileError(f"{Path(path).name}: ブックとして読めません（{error}）") from None
    for sheet in book.worksheets:
        if "CL_Summary" in sheet.tables:
            left, top, right, bottom = range_boundaries(sheet.tables["CL_Summary"].ref)
            headers = [sheet.cell(top, col).value for col in range(left, right + 1)]
            code = headers.index(next(h for h in headers if h in ("得意先コード", "Customer code")))
            adopted = headers.index(next(h for h in headers if h in ("採用限度額", "Adopted limit")))
            rows = [[sheet.cell(r, col).value for col in range(left, right + 1)]
                    for r in range(top + 1, bottom + 1)]
            limits = {str(r[code]): float(r[adopted]) for r in rows
                      if r[code] not in (None, "") and isinstance(r[adopted], (int, float))}
            if not limits and any(r[code] not in (None, "") for r in rows):
                raise WorkbookError(f"{Path(path).name}: the adopted limits have no values "
                                    "yet — open it in Excel (or LibreOffice) and save it")
            return limits
    raise WorkbookError(f"{Path(path).name}: not a kaishu credit-limit workbook "
                        "(no CL_Summary table)")


def refresh_workbook(path: str | os.PathLike[str], ledger: str | os.PathLike[str] | None = None,
                     month: str | None = None,
                     limits: str | os.PathLike[str] | None = None,
                     force: bool = False, journal: dict[str, Any] | None = None) -> Month:
    """Refresh the collection-check workbook ``path`` for ``month`` from ``ledger``.

    Without ``ledger`` or ``month``, the workbook's own settings (台帳の場所, 対象月) are used.
    A month outside the ledger's dates is refused unless ``force``. ``journal`` replaces
    the settings' account names and default terms (for a journal ledger). Returns the
    computed month, with the warnings of :func:`kaishu.preflight.warnings`."""
    with editing(path) as (package, save):
        return _refresh(Path(path), package, save, ledger, month, limits, force, journal)


@contextmanager
def editing(path: str | os.PathLike[str]
            ) -> Iterator[tuple[xlsxpatch.Package, Callable[[dict[str, bytes]], None]]]:
    """Hold the workbook ``path`` for an edit (:func:`kaishu.xlsxfiles.exclusive`: the real
    file, checked and locked): yields its package and ``save(changed)``, which writes the
    changed parts and replaces the file atomically, the package closed first (Windows
    cannot replace a file a process holds) and the file checked again (not opened in Excel
    meanwhile)."""
    given = Path(path)
    with exclusive(given) as real, xlsxpatch.Package(real) as package:
        def save(changed: dict[str, bytes]) -> None:
            def write(target: Path) -> None:
                xlsxpatch.save(package, changed, target)
                package.close()
                check_replaceable(given)

            save_atomically(real, write)

        yield package, save


def _refresh(path: Path, package: xlsxpatch.Package, save: Callable[[dict[str, bytes]], None],
             ledger, month, limits, force: bool, journal: dict[str, Any] | None = None
             ) -> Month:
    tables = xlsxpatch.read_state(package, tuple(TABLES), narrow={contract.HISTORY: 1})
    check_tables(tables)
    cells = {name: package.names[name] for name in SETTING_NAMES if name in package.names}

    value, where = setting_readers(package, cells)
    if ledger is None or month is None:
        folder, target = value(contract.LEDGER_FOLDER), value(contract.TARGET_MONTH)
        if isinstance(target, (int, float)):  # a date cell holds an Excel serial
            target = from_serial(target, package.date1904).strftime("%Y-%m")
        ledger = ledger or (path.parent / str(folder) if folder else None)
        month = month or target
        if not ledger or not month:
            raise WorkbookError("give the ledger and the month, or fill 台帳の場所 and 対象月 "
                                "in the settings sheet")
    try:
        month = str(pd.Period(str(month), freq="M"))
    except ValueError:
        raise WorkbookError(f"対象月 {month!r} is not a month (write it as a date or "
                            "YYYY-MM)") from None
    settings = settings_from(value, where)
    accounts, terms = journal_settings_from(value, journal)
    books = read_ledger(ledger, accounts, terms)
    if not force:
        preflight.check_month(books, month, Path(ledger).name)
    adopted = read_limits(limits) if limits else None
    if adopted is not None:
        preflight.check_limits(adopted, books, Path(limits).name)
    result = compute_month(books, month, settings, adopted)
    result.warnings = preflight.warnings(books, month)
    sample = xlsxpatch.defined_name(package.read("xl/workbook.xml"), SAMPLE_MARK) is not None
    changed = xlsxpatch.apply_plan(package, plan_refresh(result, tables, cells, sample), tables)
    if sample:  # the sample ledger's rows are gone: from now on, rows stay where they are
        changed["xl/workbook.xml"] = xlsxpatch.without_defined_name(
            changed.get("xl/workbook.xml", package.read("xl/workbook.xml")), SAMPLE_MARK)
    save(changed)
    return result


def mark_sample(path: str | os.PathLike[str]) -> None:
    """Mark a workbook refreshed from the sample ledger (the shipped templates): its rows
    are laid out afresh by the first refresh from a real ledger."""
    with editing(path) as (package, save):
        save({"xl/workbook.xml": xlsxpatch.with_defined_name(
            package.read("xl/workbook.xml"), SAMPLE_MARK, "TRUE")})
