"""Read bank statements of any supported kind (the kind is detected from the file)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .csvstatement import read_csv_statement
from .statement import Problem, StatementError, frame, identify
from .zengin import RECORD, read_zengin


def is_zengin(head: bytes) -> bool:
    """A 全銀 file starts with a header record: データ区分 1 and 種別コード 01/03 (or the
    same in EBCDIC, which is reported as not supported)."""
    first = head.split(b"\n")[0].rstrip(b"\r")
    if head[:1] == b"\xf1":
        return True
    return head[:1] == b"1" and head[1:3].isdigit() and len(first) >= RECORD


def read_statements(paths: list[str | os.PathLike[str]], date: str | None = None,
                    amount: str | None = None, payer: str | None = None) -> pd.DataFrame:
    """Every deposit line of the statements ``paths`` (全銀 files and CSV downloads), each
    deposit once, with its 明細ID; raises :class:`StatementError` listing every record of
    every file that cannot be read (nothing is returned from half-read statements)."""
    problems: list[Problem] = []
    rows: list[dict] = []
    for path in map(Path, paths):
        if not path.is_file():
            problems.append(Problem(str(path), None, None, None, "a statement file"))
            continue
        with path.open("rb") as handle:
            head = handle.read(RECORD + 2)
        if is_zengin(head):
            rows += read_zengin(path, problems)
        else:
            rows += read_csv_statement(path, problems, date, amount, payer)
    if problems:
        raise StatementError(problems)
    return identify(frame(rows))
