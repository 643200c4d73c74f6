"""Accounting journals as the ledger (DOMAIN.md section 10): 弥生インポート形式 and
マネーフォワード クラウド会計's 仕訳帳 CSV, read as they are exported.

Formats, as their makers document them:

- 弥生インポート形式 (弥生会計 support, "弥生取り込み(インポート)形式",
  https://support.yayoi-kk.co.jp/subcontents.html?page_id=18545): 25 columns, no header,
  CP932. Column 1 is the 識別フラグ (2000 a journal line that is not a 伝票, 2111 a
  one-line 伝票, 2110/2100/2101 the first/middle/last line of a multi-line 伝票), then
  伝票No, 決算, 取引日付 (``20190701``,
  ``2019/07/01``, ``2019/7/1``, ``R.01/07/01``, ``R01/7/1``), 借方 勘定科目, 補助科目, 部門,
  税区分, 金額, 税金額, the same six for 貸方, 摘要, 番号, 期日, タイプ, 生成元, 仕訳メモ,
  付箋1, 付箋2, 調整. A multi-line 伝票 takes its date from its first line.
- マネーフォワード クラウド会計 仕訳帳 CSV: a header row (取引No, 取引日, 借方勘定科目,
  借方補助科目, 借方部門, 借方取引先, 借方税区分, 借方インボイス, 借方金額(円), 借方税額,
  the same for 貸方, 摘要, 仕訳メモ, タグ, MF仕訳タイプ, 決算整理仕訳, ...); rows with the same
  取引No (and 取引日) are one entry (its import guide: 「同一取引日」「同一取引No」「貸借合計が
  一致している」). Columns are found by their header, so versions without 取引先 or インボイス
  columns read the same. The export's exact column list and the MF仕訳タイプ value 開始仕訳 of
  an opening entry are not confirmed by a published guide (the README says so).

Both are turned into the same :class:`~kaishu.ledger.read.Ledger` as section 8's three files.
The common shapes (a sale, a receipt from one customer, a returned transfer) are read with
whole-column operations; only 伝票 that mix customers or sides go through the per-伝票 split.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pandas.api.types import union_categoricals

from . import values as parse
from .read import Ledger, LedgerError, Problem, _part, decode
from .schema import BALANCES, Column, Part

NO_SUB_ACCOUNT = "(補助科目なし)"
TERMS_UNSET = "条件未設定"
YAYOI_FLAGS = ("2000", "2111", "2110", "2100", "2101")
#: The 25 columns of 弥生インポート形式, in order.
YAYOI_COLUMNS = (
    "識別フラグ", "伝票No", "決算", "取引日付",
    "借方勘定科目", "借方補助科目", "借方部門", "借方税区分", "借方金額", "借方税金額",
    "貸方勘定科目", "貸方補助科目", "貸方部門", "貸方税区分", "貸方金額", "貸方税金額",
    "摘要", "番号", "期日", "タイプ", "生成元", "仕訳メモ", "付箋1", "付箋2", "調整")
#: マネーフォワード 仕訳帳: our key -> the headers it may have.
MF_HEADERS = {
    "voucher": ("取引No", "取引No."), "date": ("取引日",),
    "dr_account": ("借方勘定科目",), "dr_sub": ("借方補助科目",), "dr_partner": ("借方取引先",),
    "dr_class": ("借方税区分",), "dr_amount": ("借方金額(円)", "借方金額"),
    "dr_tax": ("借方税額", "借方税金額"),
    "cr_account": ("貸方勘定科目",), "cr_sub": ("貸方補助科目",), "cr_partner": ("貸方取引先",),
    "cr_class": ("貸方税区分",), "cr_amount": ("貸方金額(円)", "貸方金額"),
    "cr_tax": ("貸方税額", "貸方税金額"),
    "memo": ("摘要",), "type": ("MF仕訳タイプ",),
}
MF_REQUIRED = ("voucher", "date", "dr_account", "dr_amount", "cr_account", "cr_amount")
#: A 24-byte cut, as 弥生 cuts 補助科目 names (half-width bytes, CP932).
YAYOI_NAME_BYTES = 24
#: Where マネーフォワード's 摘要 carries a note's maturity: 期日2025/12/26, 満期:R7.12.26.
MATURITY_IN_MEMO = r"(?:期日|満期)\s*[:：]?\s*((?:令和|平成|R|H)?\s*[0-9元]{1,4}[/\-.年][0-9]{1,2}" \
                   r"[/\-.月][0-9]{1,2}日?)"
#: Files beside a journal that are not the journal.
COMPANIONS = ("customers", "得意先", "balances", "繰越残高", "notes", "手形", "receipts_bank",
              "payers")


def _words(text: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(text, tuple):
        return text
    return tuple(w for w in re.split(r"[、,，/／\s]+", str(text)) if w)


@dataclass(frozen=True)
class Accounts:
    """The account names a journal is read by (settings: companies rename accounts)."""

    receivable: str = "売掛金"
    banks: tuple[str, ...] = ("普通預金", "当座預金", "定期預金", "通知預金", "別段預金",
                              "外貨預金", "預金")
    notes: tuple[str, ...] = ("受取手形",)
    densai: tuple[str, ...] = ("電子記録債権",)
    fees: tuple[str, ...] = ("支払手数料",)
    discounts: tuple[str, ...] = ("売上値引高", "売上戻り高", "売上割戻し", "売上値引",
                                  "売上戻り", "売上割戻", "売上割戻高")
    offsets: tuple[str, ...] = ("買掛金", "未払金")
    cash: tuple[str, ...] = ("現金", "小口現金")
    sales: tuple[str, ...] = ("売上高", "売上")
    tax: tuple[str, ...] = ("仮受消費税等", "仮受消費税")
    bad_debts: tuple[str, ...] = ("貸倒損失", "貸倒引当金")
    compound: tuple[str, ...] = ("諸口", "複合")

    @classmethod
    def of(cls, **names) -> "Accounts":
        """Accounts from settings: lists may be written ``普通預金、当座預金``; blanks keep
        the default."""
        given = {k: (v if k == "receivable" else _words(v)) for k, v in names.items()
                 if v not in (None, "", ())}
        if "receivable" in given:
            given["receivable"] = str(given["receivable"]).strip()
        return replace(cls(), **given)

    def classes(self) -> dict[str, str]:
        """Account name -> its class."""
        found = {}
        for cls_, names in (("compound", self.compound), ("cash", self.cash),
                            ("bank", self.banks), ("note", self.notes),
                            ("densai", self.densai), ("fee", self.fees),
                            ("discount", self.discounts), ("sales", self.sales),
                            ("tax", self.tax), ("bad_debt", self.bad_debts),
                            ("payable", self.offsets)):
            for name in names:
                found.setdefault(name, cls_)
        found[self.receivable] = "ar"
        return found


@dataclass(frozen=True)
class Terms:
    """Default payment terms for customers whose terms are not listed (末締め翌月末払い)."""

    closing_day: int = 31
    payment_months: int = 1
    payment_day: int = 31


#: Classes of accounts; entries carry the class's position in this tuple.
CLASSES = ("other", "ar", "compound", "cash", "bank", "note", "densai", "fee", "discount",
           "sales", "tax", "bad_debt", "payable")
AR, COMPOUND, FEE, TAX = (CLASSES.index(c) for c in ("ar", "compound", "fee", "tax"))
#: Receipt method of the other side's class.
METHOD_OF = {"bank": "transfer", "cash": "cash", "note": "note", "densai": "densai",
             "fee": "fee", "payable": "offset"}
METHOD_BY_CLASS = np.array([METHOD_OF.get(c, "other") for c in CLASSES], dtype=object)
MONEY = tuple(CLASSES.index(c) for c in ("bank", "cash", "note", "densai", "fee"))
CREDIT_NOTE = tuple(CLASSES.index(c) for c in ("discount", "sales", "bad_debt"))

JOURNAL_CUSTOMERS = Part("customers", "得意先", (
    Column("sub_account", "補助科目", "text", False, ("補助科目名", "取引先")),
    Column("customer_id", "得意先コード", "text", False, ("得意先CD", "顧客コード")),
    Column("customer_name", "得意先名", "text", False, ("顧客名",)),
    Column("kana", "カナ", "text", False, ("フリガナ", "得意先名カナ", "ふりがな")),
    Column("salesperson", "担当者", "text", False, ("営業担当", "担当者名")),
    Column("closing_day", "締め日", "day", False, ("締日",)),
    Column("payment_months", "支払月", "months", False, ("回収月",)),
    Column("payment_day", "支払日", "day", False, ("回収日",)),
    Column("credit_limit", "信用限度額", "amount", False, ("与信限度額", "限度額")),
    Column("holiday_rule", "休日区分", "rule", False),
    Column("collection_days_target", "回収期間目標", "number", False),
))
JOURNAL_BALANCES = Part("balances", "繰越残高", (
    Column("customer_id", "得意先コード", "text", aliases=("得意先CD", "顧客コード", "補助科目",
                                                       "得意先", "得意先名")),
    *BALANCES.columns[1:]), required=False)
NOTES = Part("notes", "手形", (
    Column("customer", "得意先", "text", aliases=("得意先名", "得意先コード", "補助科目")),
    Column("received", "受取日", "date", aliases=("入金日", "回収日")),
    Column("amount", "金額", "amount"),
    Column("maturity", "期日", "date", aliases=("満期日", "手形期日")),
), required=False)


def _codes(column) -> tuple[np.ndarray, np.ndarray]:
    """The distinct texts of a column and each row's code (a blank cell is "")."""
    if isinstance(getattr(column, "dtype", None), pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories.astype(str), dtype=object) \
            if isinstance(column, pd.Series) else np.asarray(column.categories.astype(str),
                                                              dtype=object)
        codes = np.asarray(column.cat.codes if isinstance(column, pd.Series) else
                           column.codes, dtype=np.int64)
        return np.where(codes < 0, len(categories), codes), np.append(categories, "")
    column = pd.Series(column)
    if pd.api.types.is_numeric_dtype(column):  # read as numbers: their text, once each
        codes, uniques = pd.factorize(column, sort=False)
        values = np.asarray(uniques)
        whole = values.astype(np.int64) if np.all(np.mod(values, 1) == 0) else values
        texts = np.append(whole.astype(str).astype(object), "")
        return np.where(codes < 0, len(texts) - 1, codes), texts
    codes, uniques = pd.factorize(column.fillna("").astype(str), sort=False)
    return codes, np.asarray(uniques, dtype=object)


def _each(column, work) -> np.ndarray:
    """``work`` applied to the distinct values of ``column`` only, spread over its rows
    (a journal repeats its accounts, dates and tax classes on every line; the parser hands
    them over as categories)."""
    codes, uniques = _codes(column)
    done = work(pd.Series(uniques, dtype=object))
    return np.asarray(done.to_numpy() if hasattr(done, "to_numpy") else done,
                      dtype=object)[codes]


def _cat(column, work) -> pd.Categorical:
    """Like :func:`_each` for texts: the result as a categorical (codes, not a Python
    string per row). Numbers read as numbers are already clean text."""
    codes, uniques = _codes(column)
    if pd.api.types.is_numeric_dtype(pd.Series(column)) and work is _strip:
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    done = np.asarray(work(pd.Series(uniques, dtype=object)), dtype=object)
    again, distinct = pd.factorize(done, sort=False)
    return pd.Categorical.from_codes(again[codes], categories=pd.Index(distinct, dtype=object))


def _strip(values: pd.Series) -> pd.Series:
    return values.str.strip()


def _exclusive(classes: pd.Series) -> pd.Series:
    klass = parse.normalise(classes)
    return klass.str.contains("外|別", regex=True) & ~klass.str.contains("込|内", regex=True)


# -- detection ---------------------------------------------------------------------------------

def _first_line(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as error:
            text = head[:error.start].decode(encoding, errors="ignore")
    return text.splitlines()[0] if text.splitlines() else ""


def journal_format(path: Path) -> str | None:
    """``"yayoi"``, ``"mf"`` or None, from the file's first line."""
    if not path.is_file() or path.suffix.lower() not in (".csv", ".txt"):
        return None
    line = _first_line(path)
    fields = [f.strip().strip('"').strip() for f in line.split(",")]
    if fields and fields[0] in YAYOI_FLAGS and len(fields) >= 20:
        return "yayoi"
    if "取引No" in line.replace("取引No.", "取引No") and "借方勘定科目" in line:
        return "mf"
    return None


def find_journal(source: Path) -> tuple[Path, str] | None:
    """The journal file ``source`` is or holds (with its format), else None.

    Raises when a folder holds several journals (which one is the ledger is not guessed)."""
    if source.is_file():
        kind = journal_format(source)
        return (source, kind) if kind else None
    if not source.is_dir():
        return None
    names = {p.stem.strip().lower() for p in source.iterdir()}
    if "invoices" in names or "請求" in names:
        return None
    found = [(p, k) for p in sorted(source.iterdir())
             if p.stem.strip().lower() not in COMPANIONS and (k := journal_format(p))]
    if len(found) > 1:
        raise LedgerError([Problem(str(source), None, None, ", ".join(p.name for p, _ in found),
                                   "one journal file in the folder")])
    return found[0] if found else None


# -- the lines -----------------------------------------------------------------------------------

#: The 弥生 columns the reader uses (the others — 決算, 部門, 摘要, 生成元, 付箋 ... — are
#: skipped); those left to the parser's own number conversion (plain integers, as 弥生
#: writes them, need no Python object per cell; any other text falls back to the parsers).
YAYOI_USED = tuple(i for i, name in enumerate(YAYOI_COLUMNS)
                   if name in ("識別フラグ", "伝票No", "取引日付", "番号", "期日")
                   or name[2:] in ("勘定科目", "補助科目", "税区分", "金額", "税金額"))
YAYOI_NUMBERS = tuple(i for i, name in enumerate(YAYOI_COLUMNS)
                      if name in ("識別フラグ", "伝票No") or name[2:] in ("金額", "税金額"))


def _read_csv(text: str, file: str, header: bool) -> pd.DataFrame:
    """The file's cells: a header-row CSV as texts; 弥生's columns as numbers (amounts) or
    categories (texts that repeat; each distinct text made once)."""
    data = io.BytesIO(text.encode("utf-8"))  # bytes, not a StringIO: pandas re-encodes a
    # text stream chunk by chunk, which slows down more than linearly on Japanese text
    options = dict(keep_default_na=False, skip_blank_lines=True, index_col=False,
                   skipinitialspace=True,
                   low_memory=False, encoding="utf-8")
    if header:
        options.update(dtype=str, header=0)
    else:
        options.update(header=None, names=range(25), usecols=YAYOI_USED,
                       dtype={i: object if YAYOI_COLUMNS[i] == "番号" else "category"
                              for i in YAYOI_USED if i not in YAYOI_NUMBERS})
        # (番号 is mostly distinct: as a category it would parse slower, not faster)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(data, **options)
            # a column of digits only (補助科目 or 番号 written as codes) gets categories
            # read as numbers; read it again as text so "0012" keeps its zeros
            numeric = [i for i in frame.columns if isinstance(frame[i].dtype,
                                                              pd.CategoricalDtype)
                       and not pd.api.types.is_object_dtype(frame[i].cat.categories)
                       and not pd.api.types.is_string_dtype(frame[i].cat.categories)]
            for i in numeric:
                data.seek(0)
                frame[i] = pd.read_csv(data, **{**options, "usecols": [i],
                                                "dtype": {i: object}})[i]
    except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
        line = re.search(r"line (\d+), saw (\d+)", str(error))
        raise LedgerError([Problem(file, int(line.group(1)) if line else None, None, None,
                                   "as many fields as the format has" +
                                   (f", saw {line.group(2)}" if line else ""))]) from None
    return frame


def _yayoi_lines(text: str, file: str, problems: list[Problem]) -> pd.DataFrame:
    raw = _read_csv(text, file, header=False)
    raw.columns = [YAYOI_COLUMNS[i] for i in raw.columns]
    raw.index = raw.index + 1  # file lines, no header
    # 弥生: a line starting with # is a comment
    comment = _each(raw["識別フラグ"], lambda u: u.astype(str).str.startswith("#"))
    raw = raw[~comment.astype(bool)]
    flag = pd.Series(_cat(raw["識別フラグ"], _strip), index=raw.index)
    for line in raw.index[~flag.isin(YAYOI_FLAGS)]:
        problems.append(Problem(file, int(line), "識別フラグ", flag[line],
                                "a 識別フラグ 2000, 2111, 2110, 2100 or 2101"))
    previous = flag.shift(1)
    following = flag.shift(-1)
    inside = flag.isin(("2100", "2101"))
    for line in raw.index[inside & ~previous.isin(("2110", "2100"))]:
        problems.append(Problem(file, int(line), "識別フラグ", flag[line],
                                "a middle or last line (2100/2101) after a 2110 or 2100 line"))
    for line in raw.index[flag.isin(("2110", "2100")) & ~following.isin(("2100", "2101"))]:
        problems.append(Problem(file, int(line), "識別フラグ", flag[line],
                                "a multi-line 伝票 closed by a 2101 line"))
    starts = ~inside
    # 2000 lines are single entries; those whose side is 諸口 are resolved with the adjacent
    # 2000 lines of the same 伝票No and date that use 諸口 too (a compound entry's lines).
    accounts = {ja: pd.Series(_cat(raw[f"{ja}勘定科目"], parse.normalise), index=raw.index)
                for ja in ("借方", "貸方")}
    compound = accounts["借方"].isin(("諸口",)) | accounts["貸方"].isin(("諸口",))
    voucher = raw["伝票No"]  # numbers as 弥生 writes them (no text per row), else texts
    if not pd.api.types.is_integer_dtype(voucher):
        voucher = pd.Series(_cat(voucher, _strip), index=raw.index)
    date = pd.Series(_cat(raw["取引日付"], _strip), index=raw.index)
    joins = (flag == "2000") & compound & (previous == "2000") \
        & compound.shift(1, fill_value=False) \
        & (voucher != "") & (voucher == voucher.shift(1)) & (date == date.shift(1))
    starts &= ~joins
    starts = starts.to_numpy().copy()
    starts[:1] = True  # (a file opening with a 2100 line is reported above)
    group = np.cumsum(starts)
    lines = pd.DataFrame({
        "line": raw.index.to_numpy(), "group": group, "flag": flag.values,
        "voucher": voucher.values, "number": np.arange(len(raw)),  # row of raw 番号
        "date": date.values, "due": _cat(raw["期日"], _strip),
        "memo": "", "type": ""}, index=raw.index)
    for side, ja in (("dr", "借方"), ("cr", "貸方")):
        lines[f"{side}_account"] = accounts[ja].values
        lines[f"{side}_sub"] = _cat(raw[f"{ja}補助科目"], parse.normalise)
        lines[f"{side}_class"] = raw[f"{ja}税区分"].values
        lines[f"{side}_amount"] = raw[f"{ja}金額"]
        lines[f"{side}_tax"] = raw[f"{ja}税金額"]
    numbers = raw["番号"].to_numpy(dtype=object)
    return lines, numbers, {"date": "取引日付", "due": "期日", "dr_amount": "借方金額",
                   "dr_tax": "借方税金額", "cr_amount": "貸方金額", "cr_tax": "貸方税金額",
                   "memo": "摘要"}


def _mf_lines(text: str, file: str, problems: list[Problem]) -> pd.DataFrame:
    raw = _read_csv(text, file, header=True)
    headers = {parse.normalise(pd.Series([h])).iloc[0]: h for h in raw.columns}
    mapped = {}
    for key, names in MF_HEADERS.items():
        header = next((headers[parse.normalise(pd.Series([n])).iloc[0]] for n in names
                       if parse.normalise(pd.Series([n])).iloc[0] in headers), None)
        if header is not None:
            mapped[key] = header
        elif key in MF_REQUIRED:
            problems.append(Problem(file, 1, names[0], None, f"a column {names[0]}"))
    if any(key not in mapped for key in MF_REQUIRED):
        raise LedgerError(problems)
    raw.index = raw.index + 2  # the header is line 1

    def column(key: str) -> np.ndarray:
        if key in mapped:
            return raw[mapped[key]].values
        return pd.Categorical.from_codes(np.zeros(len(raw), np.int8), [""])

    voucher = pd.Series(_cat(raw[mapped["voucher"]], _strip), index=raw.index)
    date = pd.Series(_cat(raw[mapped["date"]], _strip), index=raw.index)
    starts = (voucher != voucher.shift(1)) | (date != date.shift(1))
    lines = pd.DataFrame({
        "line": raw.index.to_numpy(), "group": np.cumsum(starts.to_numpy()),
        "flag": "", "voucher": voucher.values, "number": -1, "date": date.values,
        "due": "", "memo": column("memo"), "type": column("type")}, index=raw.index)
    for side in ("dr", "cr"):
        sub = pd.Series(_each(pd.Series(column(f"{side}_sub")), parse.normalise),
                        index=raw.index)
        partner = pd.Series(_each(pd.Series(column(f"{side}_partner")), parse.normalise),
                            index=raw.index)
        lines[f"{side}_account"] = _cat(pd.Series(column(f"{side}_account")),
                                        parse.normalise)
        lines[f"{side}_sub"] = pd.Categorical(np.where(sub != "", sub, partner))
        lines[f"{side}_class"] = column(f"{side}_class")
        lines[f"{side}_amount"] = column(f"{side}_amount")
        lines[f"{side}_tax"] = column(f"{side}_tax")
    names = {key: mapped.get(key, MF_HEADERS[key][0]) for key in MF_HEADERS}
    return lines, np.zeros(0, object), {
        "date": names["date"], "due": "摘要", "dr_amount": names["dr_amount"],
        "dr_tax": names["dr_tax"], "cr_amount": names["cr_amount"],
        "cr_tax": names["cr_tax"], "memo": names["memo"]}


def _parsed(lines: pd.DataFrame, key: str, parser, expected: str, file: str, header: str,
            problems: list[Problem], required: bool = False) -> pd.Series:
    """Parse one column of the lines, reporting every unreadable cell."""
    column = lines[key]
    if parser is parse.amounts and pd.api.types.is_numeric_dtype(column):
        return column.astype(float)  # already numbers
    codes, uniques = _codes(column)
    text = parse.normalise(pd.Series(uniques, dtype=object))
    values, bad = parser(text)
    bad = (bad & (text != "")).to_numpy(dtype=bool)
    blank = (text == "").to_numpy(dtype=bool)
    for line in lines.index[bad[codes]]:
        problems.append(Problem(file, int(line), header, lines.at[line, key], expected))
    if required:
        for line in lines.index[blank[codes]]:
            problems.append(Problem(file, int(line), header, None, expected + " (required)"))
    return pd.Series(values.where(~bad & ~blank).to_numpy()[codes], index=lines.index)


# -- reading ----------------------------------------------------------------------------------

@dataclass
class _Out:
    """What the 伝票 give: rows of the ledger's frames (plain lists, built once)."""

    invoices: list[pd.DataFrame] = field(default_factory=list)
    receipts: list[pd.DataFrame] = field(default_factory=list)
    balances: list[pd.DataFrame] = field(default_factory=list)


def read_journal(path: Path, kind: str, accounts: Accounts = Accounts(),
                 terms: Terms = Terms()) -> Ledger:
    """Read the journal ``path`` (format ``kind``) and its companion files as a Ledger."""
    file = path.name
    problems: list[Problem] = []
    text = decode(path.read_bytes(), file)
    reader = _yayoi_lines if kind == "yayoi" else _mf_lines
    lines, numbers, headers = reader(text, file, problems)

    date = _parsed(lines, "date", parse.dates, parse.EXPECTED["date"], file, headers["date"],
                   problems, required=True)
    # a multi-line 伝票 is dated by its first line
    first_date = date.groupby(lines["group"].to_numpy()).transform("first")
    lines["when"] = pd.to_datetime(first_date.to_numpy())
    if kind == "yayoi":
        lines["due_date"] = pd.to_datetime(_parsed(lines, "due", parse.dates,
                                                   parse.EXPECTED["date"], file, "期日",
                                                   problems).to_numpy())
    else:  # マネーフォワード: the maturity written in 摘要
        lines["due_memo"] = _each(lines["memo"], lambda u: parse.normalise(u).str.extract(
            MATURITY_IN_MEMO, expand=False).fillna(""))
        lines["due_date"] = pd.to_datetime(_parsed(lines, "due_memo", parse.dates,
                                                   parse.EXPECTED["date"], file, "摘要",
                                                   problems).to_numpy())
    for side in ("dr", "cr"):
        for part in ("amount", "tax"):
            lines[f"{side}_{part}_value"] = _parsed(
                lines, f"{side}_{part}", parse.amounts, parse.EXPECTED["amount"], file,
                headers[f"{side}_{part}"], problems).fillna(0.0).to_numpy(float)
    entries = _entries(lines, accounts, file, problems)
    _check_balanced(lines, entries, file, problems)
    out = _Out()
    customer_lines = _interpret(lines, numbers, entries, accounts, kind, file, problems, out)
    folder = path.parent
    invoices = _frame(out.invoices, ("invoice_id", "customer", "invoice_date", "amount",
                                     "due_date", "row"))
    receipts = _frame(out.receipts, ("receipt_date", "customer", "amount", "method",
                                     "maturity_date", "row", "line"))
    balances = _frame(out.balances, ("customer", "as_of", "amount", "due_date", "row"))
    customers, code_of = _customers(customer_lines, folder, terms, problems)
    receipts = _maturities(receipts, folder, kind, file, code_of, problems)
    sources = {"customers": file, "invoices": file, "receipts": file, "balances": file}
    if (folder / "customers.csv").is_file():
        sources["customers"] = "customers.csv"
    extra = _companion_balances(folder, code_of, problems)
    if extra is not None:
        sources["balances"] = "balances.csv"
    if problems:
        raise LedgerError(problems)
    invoices = _ids(invoices)
    invoices["customer_id"] = invoices.pop("customer").map(code_of).astype("string")
    receipts["customer_id"] = receipts.pop("customer").map(code_of).astype("string")
    receipts["method"] = receipts["method"].astype("string")
    balances["customer_id"] = balances.pop("customer").map(code_of).astype("string")
    if extra is not None:
        balances = pd.concat([balances, extra], ignore_index=True)
    invoices = invoices[invoices["amount"] != 0].reset_index(drop=True)
    receipts = receipts[receipts["amount"] != 0].drop(columns="line").reset_index(drop=True)
    balances = balances[balances["amount"] != 0].reset_index(drop=True)
    return Ledger(customers, invoices[["invoice_id", "customer_id", "invoice_date", "amount",
                                       "due_date", "row"]],
                  receipts[["receipt_date", "customer_id", "amount", "method", "maturity_date",
                            "row"]],
                  balances[["customer_id", "as_of", "amount", "due_date", "row"]],
                  sources=sources)


def _frame(parts: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    else:
        frame = pd.concat(parts, ignore_index=True)[list(columns)]
    for column in columns:
        if column.endswith("date") or column == "as_of":
            frame[column] = pd.to_datetime(frame[column])
        elif column == "amount":
            frame[column] = frame[column].astype(float)
        elif column in ("row", "line"):
            frame[column] = frame[column].astype(np.int64)
    if "row" in frame:
        frame = frame.sort_values(["row"], kind="stable").reset_index(drop=True)
    return frame


def _entries(lines: pd.DataFrame, accounts: Accounts, file: str,
             problems: list[Problem]) -> pd.DataFrame:
    """One row per side of each line that books an account: the 伝票's entries."""
    classes = accounts.classes()
    sides, accounts_, customers = [], [], []
    for s, (side, ja) in enumerate((("dr", "借方"), ("cr", "貸方"))):
        account = lines[f"{side}_account"]
        amount = lines[f"{side}_amount_value"]
        blank = (account == "").to_numpy(bool)
        for line in lines.index[blank & (amount != 0).to_numpy()]:
            problems.append(Problem(file, int(line), f"{ja}勘定科目", None,
                                    f"an account for the {ja}金額 {amount[line]:,.0f}"))
        names = account.cat.categories
        of_name = np.array([CLASSES.index(classes.get(str(c), "other")) for c in names] + [0],
                           dtype=np.int8)
        cls = of_name[account.cat.codes.to_numpy()]
        # 外税/別記 (their 金額 excludes the tax): 課税売上外10%, 課税売上別記10%, ...
        exclusive = _each(lines[f"{side}_class"], _exclusive).astype(bool)
        accounts_.append(account.values)
        customers.append(pd.Categorical(lines[f"{side}_sub"]))
        sides.append({
            "line": lines["line"].to_numpy(), "group": lines["group"].to_numpy(),
            "side": np.full(len(lines), s, np.int8), "cls": cls,
            "amount": amount.to_numpy(), "tax": lines[f"{side}_tax_value"].to_numpy(),
            "exclusive": exclusive, "blank": blank})
    # each 伝票's 借方 entries, then its 貸方 entries, in line order: both halves are in
    # 伝票 order already, so a stable sort only merges two runs
    group = lines["group"].to_numpy().astype(np.int64)
    order = np.argsort(np.concatenate([group * 2, group * 2 + 1]), kind="stable")
    entries = pd.DataFrame({name: np.concatenate([sides[0][name], sides[1][name]])[order]
                            for name in sides[0]})
    entries["account"] = union_categoricals(accounts_).take(order)
    customer = union_categoricals(customers)
    names = customer.categories.to_numpy(object).copy()
    codes = customer.codes.astype(np.int64)[order]
    codes[entries["cls"].to_numpy() != AR] = -1
    if "" in names:  # 売掛金 without a 補助科目
        if NO_SUB_ACCOUNT in names:
            codes[codes == list(names).index("")] = list(names).index(NO_SUB_ACCOUNT)
        else:
            names[list(names).index("")] = NO_SUB_ACCOUNT
    entries["customer"] = pd.Categorical.from_codes(codes, categories=pd.Index(names,
                                                                                dtype=object))
    return entries


def _check_balanced(lines: pd.DataFrame, entries: pd.DataFrame, file: str,
                    problems: list[Problem]) -> None:
    """Every 伝票's 借方 and 貸方 totals are equal."""
    n = int(lines["group"].iloc[-1]) if len(lines) else 0
    at = entries["group"].to_numpy().astype(np.int64) - 1
    amount = entries["amount"].to_numpy()
    debit, credit = (np.bincount(at[entries["side"].to_numpy() == s],
                                 weights=amount[entries["side"].to_numpy() == s],
                                 minlength=n) for s in (0, 1))
    off = np.flatnonzero(np.abs(debit - credit) > 0.5)
    if not len(off):
        return
    # a 伝票 with an unreadable amount is reported for that amount, not twice
    unread = set(lines.loc[lines["line"].isin({p.row for p in problems}), "group"] - 1)
    first = lines["line"].to_numpy()[np.r_[True, np.diff(lines["group"].to_numpy()) != 0]]
    for group in off:
        if group not in unread:
            problems.append(Problem(
                file, int(first[group]), "借方金額/貸方金額",
                f"{debit[group]:,.0f} / {credit[group]:,.0f}",
                "a 伝票 whose 借方 and 貸方 totals are equal"))


def _interpret(lines: pd.DataFrame, numbers: np.ndarray, entries: pd.DataFrame,
               accounts: Accounts, kind: str,
               file: str, problems: list[Problem], out: _Out) -> pd.DataFrame:
    """Sales, receipts, credit notes and opening balances of every 伝票 (section 10).

    Returns the customers' first lines (customer, line) in the order they appear."""
    entries = entries[~entries["blank"] & (entries["cls"] != COMPOUND)].reset_index(drop=True)
    ar = (entries["cls"] == AR).to_numpy()
    g = entries["group"].to_numpy()
    side = entries["side"].to_numpy()
    cls = entries["cls"].to_numpy()
    codes = entries["customer"].cat.codes.to_numpy().astype(np.int64)
    names = entries["customer"].cat.categories.to_numpy(object)

    def customer_at(positions) -> np.ndarray:
        return names[codes[positions]]
    # 伝票 are numbered 1..n in file order (a cumulative sum of their first lines)
    n = int(lines["group"].iloc[-1]) if len(lines) else 0
    at = g - 1

    def count(mask) -> np.ndarray:
        return np.bincount(at[np.asarray(mask)], minlength=n)

    dr_ar, cr_ar = count(ar & (side == 0)), count(ar & (side == 1))
    dr_other, cr_other = count(~ar & (side == 0)), count(~ar & (side == 1))
    money = np.isin(cls, MONEY)
    cr_money = count(~ar & (side == 1) & money)
    big = np.iinfo(np.int64).max
    low = np.full(n, big)
    np.minimum.at(low, at[ar], codes[ar])
    high = np.full(n, -1)
    np.maximum.at(high, at[ar], codes[ar])
    one = low == high
    head = lines[np.r_[True, np.diff(lines["group"].to_numpy()) != 0]]
    opening = head["type"].astype(str).str.contains("開始").to_numpy() \
        if kind == "mf" else np.zeros(n, bool)

    sale = ~opening & one & (dr_ar > 0) & (cr_ar == 0) & (cr_money == 0)
    refund = ~opening & one & (dr_ar > 0) & (cr_ar == 0) & (dr_other == 0) & \
        (cr_money == cr_other) & (cr_other > 0)
    receipt = ~opening & one & (cr_ar > 0) & (dr_ar == 0) & (cr_other == 0)
    slow = ~opening & ~sale & ~refund & ~receipt & ((dr_ar + cr_ar) > 0)

    when = head["when"].to_numpy()
    row = head["line"].to_numpy()
    at_raw = head["number"].to_numpy()  # 弥生's 番号 of the 伝票's first line (MF has none)
    number = numbers[at_raw] if len(numbers) else np.full(len(head), "", object)
    voucher = head["voucher"].to_numpy()
    voucher = voucher.astype(str).astype(object) if voucher.dtype.kind in "iu" else \
        np.asarray(voucher, dtype=object)
    ident = np.where(number != "", number, voucher)
    nameless = ident == ""
    ident[nameless] = ["L" + str(r) for r in row[nameless]]
    # a 2000 line is not a 伝票: its 伝票No is shared, the line number tells them apart
    single = np.flatnonzero((np.asarray(head["flag"], dtype=object) == "2000") &
                            (number == "") & ~nameless)
    ident[single] = [f"{i}-{r}" for i, r in zip(ident[single], row[single])]

    e_at = at
    # sales: each customer's 借方 売掛金, plus the 外税/別記 tax not booked on its own line
    tax_lines = count((cls == TAX) & (side == 1))
    exclusive_tax = np.bincount(at, weights=np.where(
        (side == 1) & ~ar & entries["exclusive"].to_numpy() & (cls != TAX),
        entries["tax"].to_numpy(), 0.0), minlength=n)
    add_tax = np.where(tax_lines > 0, 0.0, exclusive_tax)
    sale_ar = ar & (side == 0) & sale[e_at]
    if sale_ar.any():
        sums = np.bincount(at[sale_ar], weights=entries["amount"].to_numpy()[sale_ar],
                           minlength=n)
        idx = np.flatnonzero(sale)
        first = _first_of(at, sale_ar, n)[idx]
        # 期日 on the 売掛金 line, when present, is the agreed due date
        due = _due(lines, entries["line"].to_numpy()[first])
        out.invoices.append(pd.DataFrame({
            "invoice_id": ident[idx], "customer": customer_at(first),
            "invoice_date": when[idx], "amount": sums[idx] + add_tax[idx],
            "due_date": due if kind == "yayoi" else pd.NaT, "row": row[idx]}))
    # returned transfers: 借方 売掛金 / 貸方 a bank, cash or notes -> negative receipts
    part = refund[e_at] & ~ar & (side == 1)
    if part.any():
        customer = customer_at(_first_of(at, ar & refund[e_at], n))
        out.receipts.append(pd.DataFrame({
            "receipt_date": when[at[part]], "customer": customer[at[part]],
            "amount": -entries["amount"].to_numpy()[part],
            "method": METHOD_BY_CLASS[cls[part]],
            "maturity_date": _due(lines, entries["line"].to_numpy()[part]),
            "row": row[at[part]], "line": entries["line"].to_numpy()[part]}))
    # receipts: 貸方 売掛金 of one customer, split across the 伝票's 借方 lines
    part = receipt[e_at] & ~ar & (side == 0)
    if part.any():
        customer = customer_at(_first_of(at, ar & receipt[e_at], n))
        _receipt_parts(entries[part], customer[at[part]], when[at[part]], row[at[part]],
                       ident[at[part]], count(part & np.isin(cls, CREDIT_NOTE))[at[part]] > 0,
                       lines, out)
    # opening entries (マネーフォワード's 開始仕訳, dated the first day of the year):
    # balances carried in as of the day before, so they open that month, not sales of it
    part = opening[e_at] & ar & (side == 0)
    if part.any():
        out.balances.append(pd.DataFrame({
            "customer": customer_at(np.flatnonzero(part)),
            "as_of": when[at[part]] - np.timedelta64(1, "D"),
            "amount": entries["amount"].to_numpy()[part], "due_date": pd.NaT,
            "row": entries["line"].to_numpy()[part]}))
    if slow.any():
        mixed = np.flatnonzero(slow[e_at])
        for group, positions in pd.Series(mixed).groupby(at[mixed]).indices.items():
            _split(entries.iloc[mixed[positions]], when[group], row[group], ident[group],
                   tax_lines[group] > 0, lines, file, problems, out)
    first = pd.Series(codes[ar]).drop_duplicates()
    return pd.DataFrame({"customer": names[first.to_numpy()]})


def _due(lines: pd.DataFrame, line) -> np.ndarray:
    """期日 (or the maturity in 摘要) of the file lines ``line``."""
    position = np.searchsorted(lines["line"].to_numpy(), np.asarray(line))
    return lines["due_date"].to_numpy()[position]


def _first_of(at: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """For each group, the position of its first entry in ``mask`` (0 when none)."""
    first = np.zeros(n, np.int64)
    positions = np.flatnonzero(mask)
    groups = at[positions]  # entries are in 伝票 order: each group's first is where it starts
    starts = np.r_[True, groups[1:] != groups[:-1]] if len(groups) else np.zeros(0, bool)
    first[groups[starts]] = positions[starts]
    return first


def _receipt_parts(debits: pd.DataFrame, customer, when, row, ident, has_credit_note,
                   lines: pd.DataFrame, out: _Out) -> None:
    """The parts of receipts: money by method (the fee first), credit notes, offsets."""
    cls = debits["cls"].to_numpy()
    amount = debits["amount"].to_numpy()
    line = debits["line"].to_numpy()
    note = np.isin(cls, CREDIT_NOTE) | ((cls == TAX) & has_credit_note)
    if note.any():
        out.invoices.append(pd.DataFrame({
            "invoice_id": ident[note], "customer": customer[note], "invoice_date": when[note],
            "amount": -amount[note], "due_date": pd.NaT, "row": row[note]}))
    paid = ~note
    if paid.any():
        maturity = _due(lines, line[paid])
        frame = pd.DataFrame({
            "receipt_date": when[paid], "customer": customer[paid], "amount": amount[paid],
            "method": METHOD_BY_CLASS[cls[paid]],
            "maturity_date": maturity, "row": row[paid], "line": line[paid],
            "fee_first": cls[paid] != FEE})
        frame = frame.sort_values(["row", "fee_first"], kind="stable").drop(columns="fee_first")
        out.receipts.append(frame)


def _runs(units: list[tuple[str, float]], others: pd.DataFrame) -> list[pd.DataFrame] | None:
    """Each unit's run of consecutive entries of the other side whose sum equals it."""
    amounts = others["amount"].to_numpy()
    runs, start = [], 0
    for _, total in units:
        acc, end = 0.0, start
        while end < len(amounts) and acc + 0.5 < total:
            acc += amounts[end]
            end += 1
        if abs(acc - total) > 0.5:
            return None
        runs.append(others.iloc[start:end])
        start = end
    return runs if start == len(amounts) else None


def _split(entries: pd.DataFrame, when, row, ident, tax_booked, lines: pd.DataFrame,
           file: str, problems: list[Problem], out: _Out) -> None:
    """A 伝票 that mixes customers or sides: each customer's 売掛金 takes a run of
    consecutive lines of the other side, or the 伝票 is reported (never guessed)."""
    credited = entries[(entries["side"] == 1) & (entries["cls"] == AR)]
    unit_side = 1 if len(credited) else 0
    mine = entries[entries["side"] == unit_side]
    others = entries[entries["side"] != unit_side]
    units = []  # each AR customer's total, and every other entry of the side, in order
    for _, e in mine.iterrows():
        key = e["customer"] if e["cls"] == AR else f"\0{e.name}"
        if units and e["cls"] == AR and units[-1][0] == key:
            units[-1] = (key, units[-1][1] + e["amount"])
        else:
            units.append((key, e["amount"]))
    runs = _runs(units, others)
    if runs is None:
        problems.append(Problem(file, int(row), "貸方補助科目" if unit_side else "借方補助科目",
                                ", ".join(dict.fromkeys(mine.loc[mine["cls"] == AR,
                                                                 "customer"].astype(str))),
                                "a 伝票 whose split between customers is determined (each "
                                "customer's 売掛金 the sum of consecutive lines of the other "
                                "side)"))
        return
    count = 0
    for (key, total), run in zip(units, runs):
        if key.startswith("\0"):
            continue
        count += 1
        name = ident if len(units) == 1 else f"{ident}-{count}"
        if unit_side == 1:  # money received from ``key``; another customer's 売掛金 moves
            moved = run[run["cls"] == AR]
            for _, e in moved.iterrows():
                out.invoices.append(pd.DataFrame({
                    "invoice_id": [f"{name}-振替", f"{name}-振替"],
                    "customer": [key, e["customer"]], "invoice_date": [when, when],
                    "amount": [-e["amount"], e["amount"]], "due_date": [pd.NaT, pd.NaT],
                    "row": [row, row]}))
            rest = run[run["cls"] != AR]
            size = len(rest)
            _receipt_parts(rest, np.full(size, key, object), np.full(size, when),
                           np.full(size, row), np.full(size, name, object),
                           bool(np.isin(rest["cls"], CREDIT_NOTE).any()), lines, out)
        else:
            classes = run["cls"].to_numpy()
            if np.isin(classes, MONEY).all():
                size = len(run)
                out.receipts.append(pd.DataFrame({
                    "receipt_date": np.full(size, when), "customer": key,
                    "amount": -run["amount"].to_numpy(),
                    "method": METHOD_BY_CLASS[classes],
                    "maturity_date": _due(lines, run["line"].to_numpy()),
                    "row": row, "line": run["line"].to_numpy()}))
            elif not np.isin(classes, MONEY).any():
                tax = 0.0 if tax_booked else float(
                    run.loc[run["exclusive"] & (run["cls"] != TAX), "tax"].sum())
                out.invoices.append(pd.DataFrame({
                    "invoice_id": [name], "customer": [key], "invoice_date": [when],
                    "amount": [total + tax], "due_date": [pd.NaT], "row": [row]}))
            else:
                problems.append(Problem(file, int(row), "貸方勘定科目",
                                        ", ".join(run["account"].astype(str)),
                                        "a 借方 売掛金 against either sales or money "
                                        "accounts, not both"))


def _ids(invoices: pd.DataFrame) -> pd.DataFrame:
    """Invoice ids made unique: a repeated 番号 gets -2, -3, ... in file order."""
    ids = invoices["invoice_id"].astype(str)
    if not ids.duplicated().any():
        invoices["invoice_id"] = ids.astype("string")
        return invoices
    repeat = ids.groupby(ids).cumcount()
    invoices["invoice_id"] = ids.where(repeat == 0, ids + "-" + (repeat + 1).astype(str)) \
        .astype("string")
    return invoices


def _maturities(receipts: pd.DataFrame, folder: Path, kind: str, file: str,
                code_of: dict[str, str], problems: list[Problem]) -> pd.DataFrame:
    """Notes and でんさい: the maturity from the journal, else from notes.csv (whose 得意先
    is a 補助科目, a 得意先コード or a 得意先名)."""
    notes = receipts["method"].isin(("note", "densai")) & (receipts["amount"] > 0)
    missing = notes & receipts["maturity_date"].isna()
    table = _companion(folder, NOTES, problems)
    if table is not None and missing.any() and len(table):
        key = table.assign(customer=table["customer"].astype(str).map(
            lambda c: code_of.get(c, c)))
        key = key.drop_duplicates(["customer", "received", "amount"]).set_index(
            ["customer", "received", "amount"])["maturity"]
        wanted = pd.MultiIndex.from_arrays([receipts.loc[missing, "customer"].astype(str).map(
                                                lambda c: code_of.get(c, c)),
                                            receipts.loc[missing, "receipt_date"],
                                            receipts.loc[missing, "amount"]])
        receipts.loc[missing, "maturity_date"] = key.reindex(wanted).to_numpy()
        missing = notes & receipts["maturity_date"].isna()
    for line in receipts.loc[missing, "line"]:
        problems.append(Problem(file, int(line), "期日" if kind == "yayoi" else "摘要", None,
                                "the maturity of the 手形 / でんさい (期日, 期日2025/12/26 in "
                                "摘要, or notes.csv)"))
    return receipts


def _companion(folder: Path, part: Part, problems: list[Problem]) -> pd.DataFrame | None:
    from .read import _frame_from_csv

    path = next((folder / f"{n}.csv" for n in part.names if (folder / f"{n}.csv").is_file()),
                None)
    if path is None:
        return None
    try:
        return _part(part, _frame_from_csv(path), path.name, problems)
    except LedgerError as error:
        problems.extend(error.problems)
        return None


def _cut(name: str) -> str:
    """The name as 弥生 keeps a 補助科目: its first 24 half-width bytes (CP932)."""
    try:
        data = name.encode("cp932")
    except UnicodeEncodeError:
        return name
    return data[:YAYOI_NAME_BYTES].decode("cp932", errors="ignore")


def _customers(seen: pd.DataFrame, folder: Path, terms: Terms,
               problems: list[Problem]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The customer master: the 補助科目 of the receivables account, joined to
    customers.csv for codes, terms, limits, salespeople and kana."""
    subs = list(seen["customer"])
    listed = _companion(folder, JOURNAL_CUSTOMERS, problems)
    matched: dict[str, int] = {}
    if listed is not None and len(listed):
        listed = listed.reset_index(drop=True)
        if "sub_account" in listed and listed["sub_account"].notna().any():
            by = {str(s): i for i, s in listed["sub_account"].items() if pd.notna(s)}
            matched = {s: by[s] for s in subs if s in by}
        else:
            names = listed.get("customer_name", pd.Series(dtype="string"))
            exact = {str(v): i for i, v in names.items() if pd.notna(v)}
            cut: dict[str, list[int]] = {}
            for i, v in names.items():
                if pd.notna(v):
                    cut.setdefault(_cut(str(v)), []).append(i)
            for sub in subs:
                if sub in exact:
                    matched[sub] = exact[sub]
                elif len(cut.get(sub, ())) == 1:
                    matched[sub] = cut[sub][0]
                elif sub in cut:  # two names whose first 24 bytes are the same: not guessed
                    problems.append(Problem(
                        "customers.csv", None, "得意先名",
                        ", ".join(str(names[i]) for i in cut[sub]),
                        f"one 得意先名 for the 補助科目 {sub!r} (or a 補助科目 column)"))
    code_of: dict[str, str] = {}
    # the master's order: customers.csv's rows, then the journal's other customers
    frames = []
    if listed is not None and len(listed):
        first_sub = pd.Series(dict(reversed(list((i, sub) for sub, i in matched.items()))),
                              dtype=object).reindex(listed.index)
        master = listed.copy()
        for column in ("customer_id", "customer_name", "sub_account"):
            if column not in master:
                master[column] = pd.Series(pd.NA, index=master.index, dtype="string")
            master[column] = master[column].astype(object).where(master[column].notna(), None)
        master["sub_account"] = master["sub_account"].where(master["sub_account"].notna(),
                                                            first_sub)
        code = master["customer_id"].where(master["customer_id"].notna(),
                                           master["sub_account"])
        code = code.where(code.notna(), master["customer_name"])
        master["customer_id"] = code
        master["customer_name"] = master["customer_name"].where(
            master["customer_name"].notna(), code)
        master = master[code.notna()]
        frames.append(master)
        codes = dict(zip(master.index, master["customer_id"].astype(str)))
        for sub, i in matched.items():
            code_of[sub] = codes[i]
        for column in ("sub_account", "customer_name", "customer_id"):
            for key, value in zip(master[column], master["customer_id"]):
                if key is not None:
                    code_of.setdefault(str(key), str(value))
    others = [sub for sub in subs if sub not in matched]
    frames.append(pd.DataFrame({"customer_id": others, "customer_name": others,
                                "sub_account": others}))
    code_of.update({sub: sub for sub in others})
    frame = pd.concat([f for f in frames if len(f)] or frames[-1:], ignore_index=True)
    for column in ("customer_id", "customer_name", "salesperson", "sub_account"):
        if column not in frame:
            frame[column] = pd.Series(dtype="string")
        frame[column] = frame[column].astype("string")
    terms_given = pd.Series(True, index=frame.index)
    for column, default in (("closing_day", terms.closing_day),
                            ("payment_months", terms.payment_months),
                            ("payment_day", terms.payment_day)):
        if column not in frame:
            frame[column] = None
        terms_given &= frame[column].notna()
        frame[column] = frame[column].where(frame[column].notna(), default).astype(object)
    if "credit_limit" not in frame:
        frame["credit_limit"] = np.nan
    frame["credit_limit"] = frame["credit_limit"].astype(float)
    notice = np.where((frame["sub_account"] == NO_SUB_ACCOUNT).fillna(False).to_numpy(bool),
                      NO_SUB_ACCOUNT, "")
    notice = np.where(~terms_given, np.char.add(notice.astype(str),
                                                np.where(notice != "", " ", "")) + TERMS_UNSET,
                      notice)
    frame["notice"] = pd.Series(notice, index=frame.index).astype("string")
    frame["row"] = frame["row"].fillna(0).astype(np.int64) if "row" in frame else 0
    dupes = frame["customer_id"].duplicated()
    for code in frame.loc[dupes, "customer_id"]:
        problems.append(Problem("customers.csv", None, "得意先コード", code,
                                "one customer per 得意先コード"))
    return frame, code_of


def _companion_balances(folder: Path, code_of: dict[str, str],
                        problems: list[Problem]) -> pd.DataFrame | None:
    table = _companion(folder, JOURNAL_BALANCES, problems)
    if table is None:
        return None
    known = set(code_of.values())
    codes = table["customer_id"].astype(str).map(lambda c: c if c in known else code_of.get(c))
    for row in table.index[codes.isna()]:
        problems.append(Problem("balances.csv", int(row), "得意先コード",
                                table.at[row, "customer_id"],
                                "a customer of the journal or of customers.csv"))
    table["customer_id"] = codes.astype("string")
    if "due_date" not in table:
        table["due_date"] = pd.NaT
    return table[["customer_id", "as_of", "amount", "due_date", "row"]]
