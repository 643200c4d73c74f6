"""The vocabulary of declarative sheet specs: labels, fields, table columns, blocks.

A spec says what a sheet holds; :mod:`kaishu.templates.builder` writes it with openpyxl.
Formulas are written once, language-free, with placeholders the builder resolves:

``{@key}``         this row's cell of column ``key`` of the current table
``{@a..b}``        this row's cells from column ``a`` to column ``b``
``{Table:key}``    the whole data column ``key`` of table ``Table``
``{$key}``         (conditional formatting only) the A1 cell of ``key`` in the range's first row
``{fn:NAME(arg=..., ...)}`` is not used: registry functions are expanded by :func:`native`.

Defined names (``DaysInYear``, ``TaxRate``, ...) are written as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import BY_NAME


@dataclass(frozen=True)
class L:
    """A label in Japanese and English."""

    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def text(value: Any, lang: str) -> Any:
    """A cell value: labels in the workbook's language, anything else as it is."""
    return value(lang) if isinstance(value, L) else value


# Number formats
YEN = "#,##0"
RATIO = "0.0%"
INDEX = "0.00"
DATE = "yyyy/mm/dd"
MONTH = 'yyyy"年"m"月"'
DAYS = L('0.0"日"', '0.0" days"')
WHOLE_DAYS = L('0"日"', '0" days"')
MONTHS = L('0.0"ヶ月"', '0.0" months"')
COUNT = "0"
GENERAL = "General"


@dataclass(frozen=True)
class Validation:
    """Data validation of an input: ``kind`` is decimal, whole, date, list or any."""

    kind: str
    low: Any = None
    high: Any = None
    choices: tuple[Any, ...] = ()  # texts or labels
    message: L | None = None


RATIO_0_1 = Validation("decimal", 0, 1, message=L("0〜1の比率で入力 (70% は 0.7)",
                                                    "A ratio 0-1 (70% is 0.7)"))
MONEY = Validation("decimal", 0, 1e15, message=L("0以上の金額(円)", "An amount in yen, 0 or more"))
POSITIVE_DAYS = Validation("decimal", 0.0001, 3650, message=L("0より大きい日数", "Days, above 0"))
A_DATE = Validation("date", 1, 2958465, message=L("日付を入力", "A date"))
GRADE = Validation("list", choices=("0.6", "0.8", "1", "1.2", "1.4"),
                   message=L("5段階評価: 0.6 / 0.8 / 1.0 / 1.2 / 1.4",
                             "Five grades: 0.6 / 0.8 / 1.0 / 1.2 / 1.4"))
#: A yes/no input: はい/いいえ in Japanese workbooks, TRUE/FALSE in English ones (kaishu and
#: the formulas read either, and 1/0).
YES, NO = L("はい", True), L("いいえ", False)
FLAG = Validation("list", choices=(L("はい", "TRUE"), L("いいえ", "FALSE")),
                  message=L("はい または いいえ", "TRUE or FALSE"))


def is_yes(ref: str) -> str:
    """A native test that the yes/no cell ``ref`` says yes (はい, TRUE or 1)."""
    return f'OR({ref}=TRUE,{ref}=1,{ref}="はい")'


@dataclass(frozen=True)
class Column:
    """A table column: an ``input`` the user types, a ``value`` the refresh writes, or a
    ``formula`` the sheet computes."""

    key: str
    label: L
    role: str = "input"
    formula: str | L = ""
    format: Any = GENERAL
    width: float = 0
    validation: Validation | None = None
    wrap: bool = False  # long text wraps within the column (the row grows)

    @property
    def computed(self) -> bool:
        return self.role == "formula"


@dataclass(frozen=True)
class Highlight:
    """Conditional formatting over some columns of a table's data rows."""

    keys: tuple[str, ...]
    formula: str  # with {$key} placeholders, true where the format applies
    fill: str
    font: str = "000000"


@dataclass(frozen=True)
class Table:
    """An Excel table (ListObject): one row per customer (or salesperson, ...)."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...] = ()  # illustrative rows: column key -> value
    size: int = 0  # data rows, at least len(rows)
    highlights: tuple[Highlight, ...] = ()
    style: str = "TableStyleMedium2"
    details_from: str = ""  # this column and those after it are grouped and collapsed
    totals: tuple[tuple[str, Any], ...] = ()  # the table's totals row: (key, label or "sum")

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Field:
    """A labelled single cell, reachable by its defined name."""

    name: str
    label: L
    value: Any = None  # a constant, or a formula starting with "=" (or an L of formulas)
    format: Any = GENERAL
    validation: Validation | None = None
    note: L | None = None
    span: int = 1  # columns the value cell spans (merged), for a text that needs the room

    @property
    def computed(self) -> bool:
        value = self.value.ja if isinstance(self.value, L) else self.value
        return isinstance(value, str) and value.startswith("=")


@dataclass(frozen=True)
class FieldRow:
    """Several labelled input cells side by side (e.g. the weights of the criteria), one
    defined name over the whole row."""

    name: str
    label: L
    headers: tuple[L, ...]
    values: tuple[Any, ...]
    format: Any = GENERAL
    validation: Validation | None = None


@dataclass(frozen=True)
class Ranking:
    """A chart's data: the ``size`` largest values of a table column, largest first (ties in
    the table's order), each with the label of its row, computed by native formulas
    (LARGE, and SUMPRODUCT/SMALL/INDEX to find the row). ``positive_only`` leaves out zeros
    and blanks; ``rest`` adds one row summing what the ranking leaves out; ``split`` (a
    defined name) also lays the values out in two columns, up to it and above it, so a
    chart shows the values above it in another colour."""

    name: str
    table: str
    label: str  # column key of the labels
    value: str  # column key of the values
    headers: tuple[L, ...]  # rank, label, value (+ up to split, above split)
    size: int = 20
    positive_only: bool = True
    rest: L | None = None
    split: str = ""
    format: Any = YEN

    @property
    def rows(self) -> int:
        return self.size + (1 if self.rest else 0)


@dataclass(frozen=True)
class Chart:
    """A bar chart of some columns of a table, by the values of its ``category`` column; or
    (``ranking``) of a :class:`Ranking`, largest first, with its values above the ranking's
    split in the warning colour and a gridline every ``gridline`` (e.g. at 100%)."""

    title: L
    table: str = ""
    category: str = ""
    series: tuple[str, ...] = ()
    y_format: str = YEN
    stacked: bool = False
    horizontal: bool = True
    ranking: str = ""
    gridline: float = 0


@dataclass(frozen=True)
class Sheet:
    name: L
    title: L
    blocks: tuple[Any, ...]  # Fields, FieldRows, Tables, Rankings, Charts and L notes
    protect: bool = True
    pages_tall: int = 0  # 0: as many as the rows need; 1: shrink to one page
    scale: int = 0  # print scale in %; 0: fit to the page width
    hidden: bool = False  # helper data (chart rankings): not shown, not printed
    widths: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookSpec:
    file: str
    sheets: tuple[Sheet, ...]


def native(function: str, **refs: str) -> str:
    """The registry's native formula of ``function`` (without "="), over placeholders."""
    return BY_NAME[function].native(**refs)[1:]


def when_filled(keys: tuple[str, ...], expression: str) -> str:
    """``expression`` where every ``keys`` cell of the row is filled, else blank."""
    test = ",".join(f'{{@{k}}}=""' for k in keys)
    return f'IF(OR({test}),"",{expression})'
