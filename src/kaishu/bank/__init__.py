"""入金消込: bank statements to receipts (DOMAIN.md section 9).

``zengin`` and ``csvstatement`` read statements, ``names`` normalises payer names,
``match`` decides customers and invoices by the contract's rules, ``files`` reads and
writes ``receipts_bank.csv`` and ``payers.csv``.
"""

from .read import read_statements
from .statement import Problem, StatementError

__all__ = ["Problem", "StatementError", "read_statements"]
