"""Argument checks shared by the formula modules.

Each check looks at a whole array at once and raises one :class:`InputError` that marks
every element breaking the rule.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import InputError


def _is_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))


def elementwise(predicate: Callable[[Any], bool], values: Any) -> np.ndarray:
    """``predicate`` applied to every element of an object array, as a boolean array."""
    return np.asarray(np.frompyfunc(predicate, 1, 1)(values), dtype=bool)


def number(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array; text, booleans, blanks, NaN and infinities are rejected."""
    probe = np.asarray(value)
    if probe.dtype.kind not in "iuf":
        mixed = np.asarray(value, dtype=object)
        ok = elementwise(_is_number, mixed)
        if not ok.all():
            raise InputError(name, "must be a number", mixed, ~ok, code="#VALUE!")
    array = probe.astype(float)
    finite = np.isfinite(array)
    if not finite.all():
        raise InputError(name, "must be a finite number", array, ~finite, code="#NUM!")
    return array


def require(name: str, values: np.ndarray, ok: np.ndarray, rule: str,
            code: str = "#NUM!") -> None:
    """Raise for every element where ``ok`` is false."""
    ok = np.asarray(ok, bool)
    if not ok.all():
        raise InputError(name, rule, values, ~ok, code=code)


def nonnegative(name: str, value: Any) -> np.ndarray:
    array = number(name, value)
    require(name, array, array >= 0, "must be ≥ 0")
    return array


def positive(name: str, value: Any) -> np.ndarray:
    array = number(name, value)
    require(name, array, array > 0, "must be > 0")
    return array


def fraction(name: str, value: Any) -> np.ndarray:
    """A ratio input: 0-1, so that 70 typed for 70% is refused instead of used."""
    array = number(name, value)
    require(name, array, (array >= 0) & (array <= 1), "must be a ratio between 0 and 1")
    return array


def out(result: np.ndarray) -> Any:
    """A Python float for scalar results, the array otherwise."""
    if np.ndim(result) == 0:
        return result.item() if hasattr(result, "item") else result
    return result


#: How a yes/no is written: はい/いいえ (Japanese workbooks), TRUE/FALSE, 1/0.
YES_WORDS = frozenset(("はい", "true", "1"))
NO_WORDS = frozenset(("いいえ", "false", "0"))
FLAG_RULE = "must be はい/いいえ, TRUE/FALSE or 1/0"


def _flag(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in YES_WORDS else False if word in NO_WORDS else None
    return None


def flag(name: str, value: Any) -> np.ndarray:
    """A yes/no as booleans: はい/いいえ, TRUE/FALSE (booleans or text) and 1/0 are read.

    >>> flag("higher_is_better", [True, "はい", "いいえ", 0, "FALSE"]).tolist()
    [True, True, False, False, False]
    """
    values = np.asarray(value, dtype=object)
    read = np.frompyfunc(_flag, 1, 1)(values)
    ok = np.asarray(np.frompyfunc(lambda v: v is not None, 1, 1)(read), dtype=bool)
    require(name, values, ok, FLAG_RULE, code="#VALUE!")
    return np.asarray(read, dtype=bool)
