"""Reading and validating ledger exports (CSV in UTF-8 or CP932, or one xlsx)."""

from .read import Ledger, LedgerError, Problem, read_ledger

__all__ = ["Ledger", "LedgerError", "Problem", "read_ledger"]
