"""One worked example per worksheet function: the articles' examples where they have one,
small hand calculations elsewhere. The sample workbook and ``kaishu demo`` show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .registry import BY_NAME, WorksheetFunction


@dataclass(frozen=True)
class Example:
    function: str
    args: tuple[Any, ...]  # scalars, or lists of rows for ranges
    expected: Any
    source: str

    @property
    def fn(self) -> WorksheetFunction:
        return BY_NAME[self.function]

    def formula(self) -> str:
        """The Excel formula, with array constants for ranges."""
        return f"={self.function}({','.join(map(_literal, self.args))})"


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return "{" + ";".join(",".join(map(_literal, row)) for row in value) + "}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return f"DATE({value.year},{value.month},{value.day})"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


ARTICLE = "記事の計算例"
HAND = "手計算"

EXAMPLES: tuple[Example, ...] = (
    # 12,000,000 x 73 / 365
    Example("CREDIT_LIMIT_CASHFLOW", (12_000_000, 73), 2_400_000, HAND),
    # (100,000,000 - 27,000,000) x 0.5 x 90 / 365
    Example("CREDIT_LIMIT_PURCHASE", (100_000_000, 27_000_000, 0.5, 90), 9_000_000, HAND),
    Example("CREDIT_LIMIT_TARGET", (36_500_000, 60), 6_000_000, ARTICLE),
    # 5,000,000 x 0.7 x 2 x 1.1
    Example("CREDIT_LIMIT_COMPOSITE", (5_000_000, 0.7, 2, 1.1), 7_700_000, HAND),
    # (1.2 x 50 + 0.8 x 30 + 1.0 x 20) / 100
    Example("CREDIT_INDEX", ([[1.2, 0.8, 1.0]], [[50, 30, 20]]), 1.04, HAND),
    # scores 0.30/0.25 = 1.2, 1.8/1.5 = 1.2, 0.30/0.40 = 0.75; (48 + 36 + 22.5) / 100
    Example("RATIO_INDEX", ([[0.3, 1.8, 0.4]], [[0.25, 1.5, 0.3]], [[40, 30, 30]],
                            [[True, True, False]]), 1.065, HAND),
    Example("COLLECTION_SITE", ([[300_000], [300_000], [400_000]], [[0], [60], [120]]), 66,
            ARTICLE),
    Example("COLLECTION_RATE", (32_000_000, 36_000_000), 32 / 36, ARTICLE),
    Example("COLLECTION_EFFICIENCY", (2_100, 2_500, 90), 0.84 / 90 * 100, ARTICLE),
    # 80,000,000 + 30,000,000 - 50,000,000
    Example("WORKING_CAPITAL", (80_000_000, 30_000_000, 50_000_000), 60_000_000, HAND),
    # 20,000,000 - (6,000,000 + 2,400,000 + 9,000,000)
    Example("CREDIT_HEADROOM", ([[6_000_000], [2_400_000], [9_000_000]], 20_000_000),
            2_600_000, HAND),
    # 12,000,000 / 18,000,000 x 90
    Example("DSO", (12_000_000, 18_000_000, 90), 60, HAND),
    # 9,000,000 / 18,000,000 x 90
    Example("BEST_POSSIBLE_DSO", (9_000_000, 18_000_000, 90), 45, HAND),
    # 60 - 45
    Example("AVERAGE_DAYS_DELINQUENT", (12_000_000, 9_000_000, 18_000_000, 90), 15, HAND),
    # (10M + 18M - 12M) / (10M + 18M - 9M) = 16 / 19
    Example("CEI", (10_000_000, 18_000_000, 12_000_000, 9_000_000), 16 / 19, HAND),
    Example("AGING_BUCKET", (45,), "31-60", HAND),
    # 月末締め翌月末払い: closes 30 April, 31 May 2025 is a Saturday -> Monday 2 June
    Example("DUE_DATE", (dt.date(2025, 4, 10), "末", "翌月", "末"), dt.date(2025, 6, 2), HAND),
)
