"""Values as accounting exports write them, parsed a whole column at a time.

Each parser takes a column of strings (already NFKC-normalised: full-width digits and
signs are ASCII) and returns the parsed values and a mask of the cells it could not read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import serials
from ..errors import InputError
from ..formulas.terms import closing_day_number, holiday_rule_previous, payment_months_number
from .schema import METHODS

#: Era name (and its initial) -> the Gregorian year before its first year.
ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988, "昭和": 1925, "S": 1925}
EXCEL_EPOCH = pd.Timestamp(serials.EXCEL_EPOCH)
SERIALS = (serials.FIRST_SERIAL, 2958465)  # 1900-03-01 .. 9999-12-31

_WESTERN = r"^(?P<y>\d{4})[/\-.年](?P<m>\d{1,2})[/\-.月](?P<d>\d{1,2})日?(?:[ T].*)?$"
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_ERA = (r"^(?P<era>令和|平成|昭和|R|H|S)\.?\s*(?P<y>\d{1,2}|元)[/\-.年](?P<m>\d{1,2})[/\-.月]"
        r"(?P<d>\d{1,2})日?$")


def normalise(column: pd.Series) -> pd.Series:
    """NFKC (full-width digits, ￥ and parentheses to ASCII) and trimmed."""
    return column.astype("string").str.normalize("NFKC").str.strip().fillna("")


def amounts(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``1,234,567``, ``¥1,234,567``, ``\\1,234,567``, ``1,234,567円``; negatives as
    ``-1,234``, ``△1,234``, ``▲1,234`` or ``(1,234)``."""
    text = column.str.replace(r"[¥\\円,\s]", "", regex=True)
    negative = text.str.match(r"^(?:-|△|▲|\(.*\)$)")
    digits = text.str.replace(r"^(?:-|△|▲)|^\(|\)$", "", regex=True)
    ok = digits.str.fullmatch(r"\d+(?:\.\d+)?")
    values = pd.to_numeric(digits.where(ok), errors="coerce")
    values = values.where(~negative, -values)
    return values.astype(float), ~ok.fillna(False).astype(bool)


def numbers(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = pd.to_numeric(column.where(column != ""), errors="coerce")
    return values.astype(float), values.isna()


def dates(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``2025/04/01``, ``2025-04-01``, ``20250401``, Excel serials, ``R7.4.1``,
    ``R.07/04/01`` (弥生), ``令和7年4月1日`` (元年 too)."""
    parts = column.str.extract(_WESTERN)
    compact = column.str.extract(_COMPACT)
    parts = parts.fillna(compact)
    era = column.str.extract(_ERA)
    era_year = pd.to_numeric(era["y"].replace("元", "1"), errors="coerce") + \
        era["era"].map(ERAS)
    parts["y"] = parts["y"].fillna(era_year.astype("string").str.replace(r"\.0$", "", regex=True))
    parts["m"] = parts["m"].fillna(era["m"])
    parts["d"] = parts["d"].fillna(era["d"])
    iso = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
    found = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(column.where(column.str.fullmatch(r"\d{2,7}(?:\.\d+)?")),
                           errors="coerce")
    serial = serial.where(serial.between(*SERIALS))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    values = found.fillna(from_serial).dt.normalize()
    return values, values.isna()


def _vocabulary(column: pd.Series, parse) -> tuple[pd.Series, pd.Series]:
    """Apply a core parser to the distinct values only, then spread the results."""
    codes, uniques = pd.factorize(column)
    parsed = np.empty(len(uniques), dtype=object)
    bad = np.zeros(len(uniques), bool)
    for i, word in enumerate(uniques):  # one call per distinct word, not per row
        try:
            parsed[i] = parse(float(word) if _is_number(word) else word)
        except InputError:
            bad[i] = True
    values = pd.Series(parsed[codes], index=column.index)
    return values, pd.Series(bad[codes], index=column.index)


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def days(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """締め日 / 支払日: 1-31, or 0 / 末 / 月末 for the month end."""
    return _vocabulary(column, lambda w: int(closing_day_number(w)))


def months(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """支払月: 0, 1, 2, ... or 当月 / 翌月 / 翌々月."""
    return _vocabulary(column, lambda w: int(payment_months_number(w)))


def rules(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """休日区分: 翌営業日 (default when blank) or 前営業日."""
    return _vocabulary(column, lambda w: bool(holiday_rule_previous(w or None)))


_METHOD_WORDS = {word.lower(): key for key, words in METHODS.items() for word in words}


def methods(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = column.str.lower().map(_METHOD_WORDS)
    return values, values.isna()


def texts(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    return column, pd.Series(False, index=column.index)


PARSERS = {"amount": amounts, "number": numbers, "date": dates, "day": days,
           "months": months, "rule": rules, "method": methods, "text": texts}
EXPECTED = {
    "amount": "an amount such as 1,234,567 or △1,234",
    "number": "a number",
    "date": "a date such as 2025/04/01, R7.4.1 or an Excel serial",
    "day": "a day 1-31 or 末",
    "months": "0/1/2 or 当月/翌月/翌々月",
    "rule": "翌営業日 or 前営業日",
    "method": "現金/振込/手形/でんさい/相殺/手数料/その他",
    "text": "a value",
}
