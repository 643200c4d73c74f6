"""Errors raised by kaishu.

Every error names the argument (or file, row and column), the rule that was broken and the
value found, and carries the Excel error code a worksheet function shows for it.
"""

from __future__ import annotations

from typing import Any


def format_value(value: Any) -> str:
    """Show a value the way a user typed it: ``0``, ``0.5``, ``'abc'``, ``blank``.

    >>> format_value(70.0), format_value(0.25), format_value("7割"), format_value(None)
    ('70', '0.25', "'7割'", 'blank')
    """
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and type(value).__module__ == "numpy":
        return format_value(item())
    return str(value)


def describe(argument: str, rule: str, value: Any) -> str:
    """The one way a broken rule is told: ``collection_days must be > 0 (got 0)``."""
    return f"{argument} {rule} (got {format_value(value)})"


#: The most problems a :class:`ProblemsError` lists (the count says how many more).
MAX_REPORTED = 200


class KaishuError(ValueError):
    """Base of every error kaishu raises on bad input."""

    code = "#VALUE!"


class ProblemsError(KaishuError):
    """Every problem found in one input, reported at once: one line for one problem, else a
    count and a line each (at most :data:`MAX_REPORTED` shown). ``subject`` names the input
    in the message ("the ledger", "the bank statements")."""

    subject = "the input"

    def __init__(self, problems: list[Any]) -> None:
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_REPORTED]]
        more = len(problems) - len(shown)
        lines = shown + ([f"... and {more} more"] if more else [])
        if len(problems) == 1:  # one problem, one line
            super().__init__(f"1 problem in {self.subject}: {lines[0]}")
        else:
            super().__init__(f"{len(problems)} problem(s) in {self.subject}:\n  "
                             + "\n  ".join(lines))


class InputError(KaishuError):
    """An argument broke a rule.

    ``bad`` marks the offending elements (a boolean array of the argument's shape, or of the
    broadcast shape of the arguments a rule compares), so that a worksheet function can put
    the message into those cells only and still compute the others.
    """

    def __init__(self, argument: str, rule: str, values: Any, bad: Any = None,
                 code: str = "#NUM!") -> None:
        import numpy as np

        self.argument = argument
        self.rule = rule
        self.code = code
        self.values = np.asarray(values, dtype=object)
        self.bad = np.ones(self.values.shape, bool) if bad is None else np.asarray(bad, bool)
        first = np.broadcast_to(self.values, self.bad.shape)[self.bad]
        self.value = first[0] if first.size else None
        super().__init__(self.describe(self.value))

    def describe(self, value: Any) -> str:
        """The message for one offending value."""
        return describe(self.argument, self.rule, value)


class TermsError(InputError):
    """Payment terms that cannot produce a due date (e.g. paid before the books close)."""


class ShapeError(KaishuError):
    """Ranges whose sizes do not fit together; the whole call fails."""


class FileError(KaishuError):
    """A file that cannot be read or replaced safely (broken, hostile, encrypted, locked,
    open in Excel, read-only, hard-linked): one line naming it and what to do."""
