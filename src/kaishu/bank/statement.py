"""What every statement reader returns: one row per deposit line, and the problems found.

A line's identity (明細ID, DOMAIN.md section 9) is (date, amount, normalised payer, its
occurrence among such lines on that day): the same deposit read twice, from one file or
from overlapping files of different kinds, has the same 明細ID and counts once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ProblemsError, format_value
from .names import normalise, payer_code, split_code

#: The columns of a statement frame.
COLUMNS = ("file", "record", "kind", "account", "inquiry", "date", "amount", "payer",
           "payer_code", "bank", "cancelled", "reversal")


@dataclass(frozen=True)
class Problem:
    """A record (全銀) or row (CSV) that cannot be read."""

    file: str
    record: int | None
    field: str | None
    value: object
    expected: str
    unit: str = "record"

    def __str__(self) -> str:
        where = self.file + (f" {self.unit} {self.record}" if self.record else "") + \
            (f", {self.field}" if self.field else "")
        got = "" if self.value is None else f": {format_value(self.value)}"
        return f"{where}{got} — expected {self.expected}"


class StatementError(ProblemsError):
    """A statement could not be read; ``problems`` lists every record at fault."""

    subject = "the bank statements"


def frame(rows: list[dict]) -> pd.DataFrame:
    """Statement lines as a frame of :data:`COLUMNS` (dates as datetime64)."""
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["reversal"] = out["reversal"].eq(True)
    out["date"] = pd.to_datetime(out["date"])
    out["amount"] = out["amount"].astype("int64")
    out["cancelled"] = out["cancelled"].astype(bool)
    return out


def identify(lines: pd.DataFrame) -> pd.DataFrame:
    """Add the normalised payer, the payer code (field, else digits before the name), and
    the 明細ID; drop repeats of the same deposit (keeping the first)."""
    lines = lines.copy()
    codes, payers = pd.factorize(lines["payer"].fillna(""))  # each distinct payer once
    split = [split_code(p) for p in payers]
    typed = np.array([c for c, _ in split] + [""], dtype=object)[codes]
    names = np.array([normalise(rest) for _, rest in split] + [""], dtype=object)[codes]
    field_code = lines["payer_code"].fillna("").map(payer_code)
    lines["payer_code"] = field_code.where(field_code != "", typed)
    lines["name"] = names
    key = lines["date"].dt.strftime("%Y-%m-%d") + "/" + lines["amount"].astype(str) + "/" \
        + lines["name"]
    # a cancellation whose notice came in an earlier file (a reversal) repeats that
    # notice: the n-th such of a day takes the identity of the n-th notice, so the rows of
    # that notice are replaced by nothing
    occurrence = lines.assign(key=key).groupby(["file", "key", "reversal"],
                                               sort=False).cumcount() + 1
    lines["line_id"] = key + "/" + occurrence.astype(str)
    cancelled = set(lines.loc[lines["cancelled"], "line_id"])
    lines["cancelled"] = lines["line_id"].isin(cancelled)
    lines = lines.drop_duplicates("line_id", keep="first").reset_index(drop=True)
    return lines.drop(columns="reversal")
