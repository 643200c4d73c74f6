"""Small accounting journals written as their makers export them, for tests."""

from __future__ import annotations

from pathlib import Path

MF_HEADER = ("取引No,取引日,借方勘定科目,借方補助科目,借方部門,借方取引先,借方税区分,借方インボイス,"
             "借方金額(円),借方税額,貸方勘定科目,貸方補助科目,貸方部門,貸方取引先,貸方税区分,"
             "貸方インボイス,貸方金額(円),貸方税額,摘要,仕訳メモ,タグ,MF仕訳タイプ,決算整理仕訳,"
             "作成日時,作成者,最終更新日時,最終更新者")


def yayoi(flag, no, date, dr, dr_sub, dr_amount, cr, cr_sub, cr_amount, *, memo="", number="",
          due="", dr_class="対象外", cr_class="対象外", dr_tax=0, cr_tax=0) -> str:
    """One line of 弥生インポート形式 (25 columns)."""
    fields = [flag, no, "", date, dr, dr_sub, "", dr_class if dr else "", dr_amount, dr_tax,
              cr, cr_sub, "", cr_class if cr else "", cr_amount, cr_tax, memo, number, due,
              "0", "", "", "0", "0", "no"]
    return ",".join(f'"{f}"' if "," in str(f) else str(f) for f in fields)


def write_yayoi(path: Path, lines, encoding: str = "cp932") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def mf(no, date, dr, dr_sub, dr_amount, cr, cr_sub, cr_amount, *, memo="", kind="",
       dr_partner="", cr_partner="", dr_class="対象外", cr_class="対象外", dr_tax="",
       cr_tax="") -> str:
    """One row of マネーフォワード クラウド会計's 仕訳帳 CSV."""
    fields = [no, date, dr, dr_sub, "", dr_partner, dr_class if dr else "", "", dr_amount,
              dr_tax, cr, cr_sub, "", cr_partner, cr_class if cr else "", "", cr_amount,
              cr_tax, memo, "", "", kind, "", "2025/10/01 10:00", "経理", "2025/10/01 10:00",
              "経理"]
    return ",".join(f'"{f}"' if "," in str(f) else str(f) for f in fields)


def write_mf(path: Path, rows, encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([MF_HEADER, *rows]) + "\r\n").encode(encoding))
    return path
