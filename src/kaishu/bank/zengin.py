"""全銀協制定フォーマット statements: 振込入金通知 (種別コード 01) and 入出金取引明細 (03).

Fixed-length records of 200 bytes, with or without CR/LF after each, half-width katakana in
JIS X 0201 as CP932 encodes it. Record kinds (データ区分): 1 header, 2 data, 8 trailer, 9 end.
Numbers are right-aligned and zero-filled, texts left-aligned and space-filled. Dates are
和暦 YYMMDD (DOMAIN.md section 9 says which era).

Field positions (1-based, inclusive) of the 全銀協 layouts, as published by banks (cited
below). Checked against those pages: both headers, and the 振込入金通知 data record up to
振込依頼人コード (the parts of the pages that could be read). The other data-record positions
are the standard layout's; they agree with the field lengths of two independent public
implementations of these layouts, and each record's lengths add up to 200 (tested). Confirm
them against a bank's full page when one is at hand:

* 振込入金通知 — 阿波銀行「振込入金通知(全銀協制定フォーマット)」(法人向けFBサービスの
  ファイル仕様ページ): header 1 データ区分, 2-3 種別コード, 4 コード区分 (0 JIS, 1 EBCDIC),
  5-10 作成日, 11-16 勘定日(自), 17-22 勘定日(至), 23-26 銀行コード, 27-41 銀行名,
  42-44 支店コード, 45-59 支店名, 60 預金種目, 61-67 口座番号, 68-107 口座名, 108-200
  ダミー; data 1 データ区分, 2-7 照会番号, 8-13 勘定日, 14-19 起算日, 20-29 金額, 30-39
  うち他店券金額, 40-49 振込依頼人コード, 50-97 振込依頼人名 (48), 98-112 仕向銀行名,
  113-127 仕向店名, 128 取消区分, 129-148 EDI情報, 149-200 ダミー.
* 入出金取引明細 — きらぼし銀行「入出金明細(全銀)明細ファイル・フォーマット(全銀協規定形式・
  改行なし)」(2018-05-01): header 1, 2-3, 4, 5-10 作成日, 11-16, 17-22, 23-26 銀行コード,
  27-41 銀行名, 42-44 支店コード, 45-59 支店名, 60-62 ダミー, 63 預金種目, 64-73 口座番号
  (10), 74-113 口座名, 114 貸越区分, 115 通帳・証書区分, 116-129 取引前残高, 130-200
  ダミー; data 1 データ区分, 2-9 照会番号 (8), 10-15 勘定日, 16-21 預入・払出日, 22 入払区分
  (1 入金, 2 出金), 23-24 取引区分 (10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替,
  18 その他, 19 訂正), 25-36 取引金額 (12), 37-48 うち他店券金額, 49-54 交換呈示日,
  55-60 不渡返還日, 61 手形・小切手区分, 62-68 手形・小切手番号, 69-71 僚店番号, 72-81
  振込依頼人コード, 82-129 振込依頼人名又は契約者番号 (48), 130-144 仕向銀行名, 145-159
  仕向店名, 160-179 摘要内容, 180-199 EDI情報, 200 ダミー.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .statement import Problem, StatementError, frame

RECORD = 200
Field = tuple[int, int]  # 1-based first and last byte

HEADER = {  # the fields both kinds share, and each kind's account
    "data": (1, 1), "kind": (2, 3), "code": (4, 4), "created": (5, 10),
    "bank_code": (23, 26), "branch_code": (42, 44),
}
ACCOUNT = {"01": (61, 67), "03": (64, 73)}
DATA = {
    "01": {"inquiry": (2, 7), "date": (8, 13), "amount": (20, 29), "payer_code": (40, 49),
           "payer": (50, 97), "bank": (98, 112), "cancel": (128, 128)},
    "03": {"inquiry": (2, 9), "date": (10, 15), "direction": (22, 22), "type": (23, 24),
           "amount": (25, 36), "payer_code": (72, 81), "payer": (82, 129),
           "bank": (130, 144)},
}
#: 取引区分 of 入出金取引明細 read as customer payments: 現金, 振込, その他 (DOMAIN.md 9).
PAYMENT_TYPES = {"10", "11", "18"}
LABELS = {"inquiry": "照会番号", "date": "勘定日", "amount": "金額", "created": "作成日",
          "direction": "入払区分", "type": "取引区分", "cancel": "取消区分", "kind": "種別コード",
          "data": "データ区分", "code": "コード区分"}
KINDS = {"01": "振込入金通知", "03": "入出金取引明細"}


def _field(record: bytes, span: Field) -> str:
    return record[span[0] - 1:span[1]].decode("cp932", errors="replace")


def records(data: bytes) -> list[bytes]:
    """The 200-byte records of a file, with or without CR/LF (and a trailing EOF mark)."""
    data = data.rstrip(b"\x1a")
    if b"\n" in data or b"\r" in data:
        return [r for r in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
                if r.strip(b" ")]
    return [data[i:i + RECORD] for i in range(0, len(data), RECORD)]


def wareki(text: str, created: dt.date | None = None) -> dt.date:
    """和暦 YYMMDD: a 令和 year (令和 1 = 2019) unless that date would lie more than a year
    after ``created`` (the file's 作成日, read the same way), then a 平成 year.

    >>> wareki("070910"), wareki("310425", dt.date(2019, 5, 7))
    (datetime.date(2025, 9, 10), datetime.date(2019, 4, 25))
    """
    if len(text) != 6 or not text.isdigit():
        raise ValueError(text)
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    date = dt.date(2018 + year, month, day)
    if created is not None and date > created + dt.timedelta(days=366):
        date = dt.date(1988 + year, month, day)
    return date


def read_zengin(path: Path, problems: list[Problem]) -> list[dict]:
    """The deposit lines of one 全銀 file; problems are added to ``problems``."""
    name = path.name
    rows: list[dict] = []
    kind = created = account = None
    for number, record in enumerate(records(path.read_bytes()), start=1):
        if number == 1 and record[:1] == b"\xf1":  # '1' in EBCDIC
            problems.append(Problem(name, number, "コード区分", None,
                                    "JIS/CP932 records (EBCDIC files are not supported)"))
            return []
        if len(record) != RECORD:
            problems.append(Problem(name, number, None, None,
                                    f"a record of {RECORD} bytes (found {len(record)})"))
            continue
        data = _field(record, HEADER["data"])
        if data == "1":
            kind, code = _field(record, HEADER["kind"]), _field(record, HEADER["code"])
            if kind not in KINDS:
                problems.append(Problem(name, number, "種別コード", kind,
                                        "01 (振込入金通知) or 03 (入出金取引明細)"))
                kind = None
                continue
            if code != "0":
                problems.append(Problem(name, number, "コード区分", code,
                                        "0 (JIS; EBCDIC files are not supported)"))
                kind = None
                continue
            try:
                created = wareki(_field(record, HEADER["created"]))
            except ValueError:
                problems.append(Problem(name, number, "作成日", _field(record, HEADER["created"]),
                                        "a 和暦 date YYMMDD"))
                created = None
            account = "-".join(_field(record, span).strip() for span in
                               (HEADER["bank_code"], HEADER["branch_code"], ACCOUNT[kind]))
        elif data == "2":
            if kind is None:
                if not any(p.file == name and p.field in ("種別コード", "コード区分")
                           for p in problems):
                    problems.append(Problem(name, number, "データ区分", data,
                                            "a header record (1) before the data records"))
                continue
            line = _data(record, kind, created, name, number, problems)
            if line is not None:
                rows.append(line | {"kind": kind, "account": account})
        elif data in ("8", "9"):
            continue
        else:
            problems.append(Problem(name, number, "データ区分", data, "1, 2, 8 or 9"))
    return _cancel(rows)


def _data(record: bytes, kind: str, created: dt.date | None, file: str, number: int,
          problems: list[Problem]) -> dict | None:
    spans = DATA[kind]
    values = {key: _field(record, span) for key, span in spans.items()}
    bad = []
    if kind == "03":
        if values["direction"] not in ("1", "2"):
            bad.append(("direction", "1 (入金) or 2 (出金)"))
        elif values["direction"] == "2":
            return None  # withdrawals are ignored
        if not values["type"].isdigit():
            bad.append(("type", "a 取引区分 of two digits"))
    if not values["amount"].isdigit():
        bad.append(("amount", "an amount in digits"))
    if not values["inquiry"].strip().isdigit():
        bad.append(("inquiry", "a 照会番号 in digits"))
    try:
        date = wareki(values["date"], created)
    except ValueError:
        bad.append(("date", "a 和暦 date YYMMDD"))
    if kind == "01" and values["cancel"] not in (" ", "0", "1"):
        bad.append(("cancel", "blank, 0 or 1 (取消)"))
    for key, expected in bad:
        problems.append(Problem(file, number, LABELS[key], values[key], expected))
    if bad:
        return None
    if kind == "03" and values["type"] not in PAYMENT_TYPES:
        return None  # collections of notes and でんさい are receipts already
    return {"file": file, "record": number, "inquiry": values["inquiry"].strip(),
            "date": date, "amount": int(values["amount"]), "payer": values["payer"].rstrip(),
            "payer_code": values["payer_code"].strip(), "bank": values["bank"].rstrip(),
            "cancelled": kind == "01" and values["cancel"] == "1"}


def _cancel(rows: list[dict]) -> list[dict]:
    """A cancellation notice (取消区分 1) cancels the earlier notice of its account with the
    same 照会番号: that notice is marked cancelled and the cancellation itself dropped. A
    cancellation whose notice is not in the file stays, marked, to cancel it by identity."""
    kept: list[dict] = []
    for row in rows:
        if row["cancelled"]:
            earlier = next((k for k in reversed(kept) if not k["cancelled"] and
                            (k["account"], k["inquiry"]) == (row["account"], row["inquiry"])),
                           None)
            if earlier is not None:
                earlier["cancelled"] = True
                continue
            row["reversal"] = True
        kept.append(row)
    return kept


def read_zengin_files(paths: list[Path]):
    """Statement frame of several 全銀 files; raises :class:`StatementError` listing every
    bad record of every file."""
    problems: list[Problem] = []
    rows = [row for path in paths for row in read_zengin(path, problems)]
    if problems:
        raise StatementError(problems)
    return frame(rows)
