"""A bank's CSV download (ネットバンキングの入出金明細): a header row, then one row per
transaction. The date, deposit amount and payer columns are found by their usual names or
named by the user; rows without a deposit (withdrawals) are ignored."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pandas as pd

from ..ledger import values as parse
from .statement import Problem

#: Usual header names, tried in order (compared after NFKC, without spaces).
DATE_NAMES = ("勘定日", "取引日", "日付", "お取引日", "年月日", "入金日", "date")
AMOUNT_NAMES = ("入金額", "入金金額", "お預り金額", "お預入金額", "預入金額", "入金(円)",
                "入金額(円)", "お預り金額(円)", "deposit")
PAYER_NAMES = ("振込依頼人名", "振込依頼人", "依頼人名", "摘要", "お取引内容", "取引内容",
               "内容", "摘要内容", "payer")
CODE_NAMES = ("振込依頼人コード", "依頼人コード")
BANK_NAMES = ("仕向銀行名", "仕向銀行", "振込元銀行", "金融機関名")
ENCODINGS = ("utf-8-sig", "cp932")
#: Words a bank puts before the payer in a 摘要 column.
PREFIXES = ("振込 ", "振込　", "フリコミ ", "ﾌﾘｺﾐ ", "振込")


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def _decode(data: bytes) -> str | None:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _find(headers: list[str], named: str | None, usual: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in headers]
    for name in ((named,) if named else usual):
        if _key(name) in keys:
            return keys.index(_key(name))
    return None


def read_csv_statement(path: Path, problems: list[Problem], date: str | None = None,
                       amount: str | None = None, payer: str | None = None) -> list[dict]:
    """The deposit lines of one CSV download; problems are added to ``problems``."""
    name = path.name
    text = _decode(path.read_bytes())
    if text is None:
        problems.append(Problem(name, None, None, None, "text in UTF-8 or CP932/Shift_JIS"))
        return []
    rows = list(csv.reader(io.StringIO(text)))
    # the header is the first row naming a date and a deposit column (banks put the
    # account and period above it)
    for top, headers in enumerate(rows):
        found = [_find(headers, date, DATE_NAMES), _find(headers, amount, AMOUNT_NAMES)]
        if None not in found:
            break
    else:
        problems.append(Problem(name, None, None, None,
                                f"a header row with a date column ({date or '日付/取引日/勘定日'})"
                                f" and a deposit column ({amount or '入金額/お預り金額/入金金額'})",
                                "row"))
        return []
    at_payer = _find(headers, payer, PAYER_NAMES)
    if at_payer is None:
        problems.append(Problem(name, top + 1, None, None,
                                f"a payer column ({payer or '振込依頼人名/摘要/お取引内容/内容'})",
                                "row"))
        return []
    at_date, at_amount = found
    at_code, at_bank = _find(headers, None, CODE_NAMES), _find(headers, None, BANK_NAMES)
    body = [(top + 2 + i, r) for i, r in enumerate(rows[top + 1:]) if any(c.strip() for c in r)]

    def cell(row: list[str], at: int | None) -> str:
        return row[at].strip() if at is not None and at < len(row) else ""

    amounts_text = pd.Series([cell(r, at_amount) for _, r in body], dtype=object)
    dates_text = pd.Series([cell(r, at_date) for _, r in body], dtype=object)
    amounts, bad_amount = parse.amounts(parse.normalise(amounts_text))
    dates, bad_date = parse.dates(parse.normalise(dates_text))
    out = []
    for i, (number, row) in enumerate(body):
        if amounts_text[i] == "" or amounts[i] == 0:
            continue  # a withdrawal (its amount is in the other column)
        bad = False
        if bad_amount[i] or amounts[i] < 0 or amounts[i] != int(amounts[i]):
            problems.append(Problem(name, number, headers[at_amount], amounts_text[i],
                                    "a deposit amount in yen", "row"))
            bad = True
        if bad_date[i] or dates_text[i] == "":
            problems.append(Problem(name, number, headers[at_date], dates_text[i] or None,
                                    "a date (2025/09/10, 2025-09-10, R7.9.10)", "row"))
            bad = True
        if bad:
            continue
        sent = cell(row, at_payer)
        for prefix in PREFIXES:
            if sent.startswith(prefix):
                sent = sent[len(prefix):].strip()
                break
        out.append({"file": name, "record": number, "kind": "csv", "account": "",
                    "inquiry": "", "date": pd.Timestamp(dates[i]).date(),
                    "amount": int(amounts[i]), "payer": sent,
                    "payer_code": cell(row, at_code), "bank": cell(row, at_bank),
                    "cancelled": False})
    return out
