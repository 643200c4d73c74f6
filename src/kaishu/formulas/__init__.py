"""The pure formula core of kaishu: one function per worksheet function.

Imports nothing from Excel libraries, pandas or the CLI; every function broadcasts like an
Excel array formula and raises :class:`kaishu.errors.InputError` on bad input.
"""

from .collection import collection_efficiency, collection_rate, collection_site
from .credit import (
    credit_index,
    credit_limit_cashflow,
    credit_limit_composite,
    credit_limit_purchase,
    credit_limit_target,
    ratio_index,
)
from .metrics import (
    aging_bucket,
    aging_labels,
    average_days_delinquent,
    best_possible_dso,
    cei,
    credit_headroom,
    dso,
    working_capital,
)
from .terms import business_day, due_date

__all__ = [
    "aging_bucket", "aging_labels", "average_days_delinquent", "best_possible_dso",
    "business_day", "cei", "collection_efficiency", "collection_rate", "collection_site",
    "credit_headroom", "credit_index", "credit_limit_cashflow", "credit_limit_composite",
    "credit_limit_purchase", "credit_limit_target", "dso", "due_date", "ratio_index",
    "working_capital",
]
