"""Insert sheet rows in an xlsx package the way Excel does.

When a table must grow into rows a user filled below it, rows are inserted at ``at``
(1-based) on one sheet: every reference to a cell at or below ``at`` moves down by
``count``, and a range that spans ``at`` (top above it, bottom at or below it) grows. A
table that grows takes the ranges that end on its last row with it (``edge``: the first and
last data rows of the growing table): a ``=SUM(E7:E66)`` of its column, a conditional
format or a chart series over it grow with the table instead of stopping short.

What moves, and nothing else (a closed list): cell formulas on every sheet, defined
names, table ranges, merged ranges, data validations and conditional formats (their
ranges and formulas, the newer x14 ones in ``extLst`` too), comments (the comments part
and the anchors of their VML shapes, threaded comments), hyperlinks, drawing anchors and
chart series. Anything else that refers to the sheet's cells (a pivot cache) is a
:class:`Blocked` insertion: nothing is changed, and the caller says which cells to move.

Each function rewrites one kind of XML and is tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from xml.sax.saxutils import escape

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils import column_index_from_string

Edge = tuple[int, int] | None


@dataclass(frozen=True)
class Insertion:
    """``count`` rows inserted above row ``at`` of ``sheet``; ``edge`` is (first, last)
    data row of the table that grows, whose ranges ending on ``last`` grow with it."""

    sheet: str
    at: int
    count: int
    edge: Edge = None

    def row(self, number: int) -> int:
        """Where row ``number`` goes."""
        return number + self.count if number >= self.at else number

    def rows(self, top: int, bottom: int) -> tuple[int, int]:
        """Where the rows ``top``..``bottom`` of a range go (it grows when it spans the
        insertion, or ends on the growing table's last row)."""
        if self.edge and bottom == self.edge[1] and self.edge[0] <= top <= bottom and \
                top < self.at:
            return top, bottom + self.count
        return self.row(top), self.row(bottom)


class Blocked(Exception):
    """The rows cannot be inserted: something outside the closed list refers to them."""


#: Something that may be an A1 reference (a letter then a digit, or rows like 3:5): a
#: formula without one (structured references, names, numbers) is left as it is.
REF_HINT = re.compile(r"[A-Za-z]\$?\d|\d\s*:\s*\$?\d")
CELL_REF = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
ROW_REF = re.compile(r"^(\$?)(\d+)$")


def _split_sheet(operand: str) -> tuple[str | None, str]:
    """'Sheet name'!A1:B2 -> ("Sheet name", "A1:B2"); A1 -> (None, "A1")."""
    if "!" not in operand:
        return None, operand
    prefix, _, ref = operand.rpartition("!")
    if prefix.startswith("'") and prefix.endswith("'"):
        prefix = prefix[1:-1].replace("''", "'")
    return prefix, ref


def _corner(text: str) -> tuple[str, str, str, int] | None:
    """A cell (``$A$1``) as (column part, row dollar, column letters, row); or a row."""
    found = CELL_REF.match(text)
    if found:
        return found.group(1) + found.group(2).upper(), found.group(3), "", int(found.group(4))
    found = ROW_REF.match(text)
    if found:
        return "", found.group(1), "", int(found.group(2))
    return None


def shift_ref(ref: str, insertion: Insertion) -> str:
    """An A1 reference (cell, range, whole rows; whole columns stay) after the insertion.

    >>> i = Insertion("S", 67, 3)
    >>> shift_ref("E68", i), shift_ref("$E$8:E66", i), shift_ref("E8:$E$70", i)
    ('E71', '$E$8:E66', 'E8:$E$73')
    >>> shift_ref("A:A", i), shift_ref("$67:70", i)
    ('A:A', '$70:73')
    >>> shift_ref("E7:E66", Insertion("S", 67, 3, edge=(7, 66)))
    'E7:E69'
    """
    first, colon, second = ref.partition(":")
    a = _corner(first)
    b = _corner(second) if colon else a
    if a is None or b is None:
        return ref  # whole columns, names, or something that is no reference
    if not colon:
        return f"{a[0]}{a[1]}{insertion.row(a[3])}"
    top, bottom = insertion.rows(a[3], b[3]) if a[3] <= b[3] else \
        reversed(insertion.rows(b[3], a[3]))
    return f"{a[0]}{a[1]}{top}:{b[0]}{b[1]}{bottom}"


def shift_sqref(sqref: str, insertion: Insertion) -> str:
    """A space-separated list of ranges (``sqref``) after the insertion."""
    return " ".join(shift_ref(r, insertion) for r in sqref.split())


def shift_formula(formula: str, home: str, insertion: Insertion) -> str:
    """A formula (without its '=') written on sheet ``home``, after the insertion: only
    references to the insertion's sheet change; structured references and names do not.

    >>> i = Insertion("月次", 67, 2)
    >>> shift_formula("SUM(E8:E66)+E68", "月次", i)
    'SUM(E8:E66)+E70'
    >>> shift_formula("'月次'!A70*2+Other!A70", "設定", i)
    "'月次'!A72*2+Other!A70"

    Raises :class:`Blocked` when the formula cannot be read."""
    if not REF_HINT.search(formula):
        return formula
    try:
        tokens = Tokenizer("=" + formula)
    except TokenizerError:
        raise Blocked(f"a formula kaishu cannot read: ={formula}") from None
    changed = False
    for token in tokens.items:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        if token.value.startswith("[") or "[" in token.value.partition("!")[0]:
            continue  # another workbook, or a structured reference
        parts = token.value.split(":")
        sheet, _ = _split_sheet(parts[0])
        if (sheet or home) != insertion.sheet:
            continue
        if len(parts) == 2 and "!" in parts[1]:  # Sheet!A1:Sheet!B2
            prefix = parts[0].rpartition("!")[0] + "!"
            ref = parts[0].rpartition("!")[2] + ":" + parts[1].rpartition("!")[2]
            new = shift_ref(ref, insertion)
            first, _, second = new.partition(":")
            value = f"{prefix}{first}:{parts[1].rpartition('!')[0]}!{second}"
        else:
            prefix, ref = token.value.rpartition("!")[0], token.value.rpartition("!")[2]
            value = (prefix + "!" if prefix else "") + shift_ref(ref, insertion)
        if value != token.value:
            token.value = value
            changed = True
    return tokens.render()[1:] if changed else formula


FORMULA_ELEMENT = re.compile(
    r"(<(?:\w+:)?(?:f|formula|formula1|formula2))(\b[^>]*?)(?<!/)>(.*?)"
    r"(</(?:\w+:)?(?:f|formula|formula1|formula2)>)", re.S)


def _formula_texts(xml: str, home: str, insertion: Insertion) -> str:
    """Every formula in a part's XML shifted: cells' ``<f>``, conditional formats'
    ``<formula>``, validations' ``<formula1>``/``<formula2>``, x14 ``<xm:f>``, charts'
    ``<c:f>``."""
    def one(match: re.Match[str]) -> str:
        text = unescape(match.group(3))
        shifted = shift_formula(text, home, insertion)
        if shifted == text:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}>{escape(shifted)}{match.group(4)}"

    return FORMULA_ELEMENT.sub(one, xml)


def _attribute_refs(xml: str, names: str, insertion: Insertion) -> str:
    """The references in attributes ``names`` (a regex alternation) shifted."""
    return re.sub(rf'(\b(?:{names})=")([^"]*)(")',
                  lambda m: m.group(1) + shift_sqref(m.group(2), insertion) + m.group(3), xml)


def shift_sheet(xml: bytes, home: str, insertion: Insertion) -> bytes:
    """A worksheet part after the insertion. On the insertion's own sheet its rows and
    cells are renumbered and its merged ranges, conditional formats, validations (x14 too),
    hyperlinks and array-formula ranges move; on every sheet formulas follow."""
    text = xml.decode("utf-8")
    text = _formula_texts(text, home, insertion)
    if home == insertion.sheet:
        text = _attribute_refs(text, "sqref|ref", insertion)  # merges, formats, links, <f ref>
        text = re.sub(r"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)",
                      lambda m: m.group(1) + shift_sqref(m.group(2), insertion) + m.group(3),
                      text)
        text = re.sub(r'(<(?:\w+:)?(?:row|c)\b[^>]*?\br=")([A-Z]*)(\d+)(")',
                      lambda m: f"{m.group(1)}{m.group(2)}{insertion.row(int(m.group(3)))}"
                                f"{m.group(4)}", text)
        text = re.sub(r'(topLeftCell=")([^"]*)(")',
                      lambda m: m.group(1) + shift_ref(m.group(2), insertion) + m.group(3), text)
        text = re.sub(r"<dimension\b[^>]*/>", "", text)
    return text.encode("utf-8")


def shift_defined_names(xml: bytes, insertion: Insertion) -> bytes:
    """workbook.xml's defined names after the insertion (a name without a sheet in its
    formula refers to no cell and stays)."""
    text = xml.decode("utf-8")

    def one(match: re.Match[str]) -> str:
        body = unescape(match.group(2))
        shifted = shift_formula(body, "", insertion)
        return match.group(0) if shifted == body else \
            f"{match.group(1)}{escape(shifted)}{match.group(3)}"

    return re.sub(r"(<(?:\w+:)?definedName\b[^>]*>)(.*?)(</(?:\w+:)?definedName>)", one, text,
                  flags=re.S).encode("utf-8")


def shift_table(xml: bytes, insertion: Insertion) -> bytes:
    """A table part of the insertion's sheet: its range and its filter's range."""
    return _attribute_refs(xml.decode("utf-8"), "ref", insertion).encode("utf-8")


def shift_comments(xml: bytes, insertion: Insertion) -> bytes:
    """A comments part (legacy or threaded) of the insertion's sheet: each ``ref``."""
    return _attribute_refs(xml.decode("utf-8"), "ref", insertion).encode("utf-8")


def shift_vml(xml: bytes, insertion: Insertion) -> bytes:
    """The VML shapes that show a sheet's comments: ``<x:Row>`` (0-based) and the rows of
    ``<x:Anchor>`` (left column, offset, top row, offset, right column, offset, bottom
    row, offset; rows 0-based)."""
    text = xml.decode("utf-8", errors="surrogateescape")

    def row0(number: int) -> int:
        return insertion.row(number + 1) - 1

    text = re.sub(r"(<x:Row>)\s*(\d+)\s*(</x:Row>)",
                  lambda m: f"{m.group(1)}{row0(int(m.group(2)))}{m.group(3)}", text)

    def anchor(match: re.Match[str]) -> str:
        values = [v.strip() for v in match.group(2).split(",")]
        if len(values) == 8 and all(v.lstrip("-").isdigit() for v in values):
            top, bottom = insertion.rows(int(values[2]) + 1, int(values[6]) + 1)
            values[2], values[6] = str(top - 1), str(bottom - 1)
            return f"{match.group(1)}{', '.join(values)}{match.group(3)}"
        return match.group(0)

    text = re.sub(r"(<x:Anchor>)(.*?)(</x:Anchor>)", anchor, text, flags=re.S)
    return text.encode("utf-8", errors="surrogateescape")


def shift_drawing(xml: bytes, insertion: Insertion) -> bytes:
    """A drawing part of the insertion's sheet: each anchor's ``<xdr:from>``/``<xdr:to>``
    row (0-based); a shape spanning the insertion grows."""
    text = xml.decode("utf-8")

    def anchor(match: re.Match[str]) -> str:
        body = match.group(0)
        rows = re.findall(r"<(?:\w+:)?(from|to)>.*?<(?:\w+:)?row>(\d+)</", body, flags=re.S)
        found = {kind: int(row) + 1 for kind, row in rows}
        if "from" not in found:
            return body
        top = found["from"]
        bottom = found.get("to", top)
        new_top, new_bottom = insertion.rows(top, bottom) if "to" in found else \
            (insertion.row(top), insertion.row(top))

        def put(kind: str, value: int, piece: str) -> str:
            return re.sub(rf"(<(?:\w+:)?{kind}>.*?<(?:\w+:)?row>)(\d+)(</)",
                          lambda m: f"{m.group(1)}{value - 1}{m.group(3)}", piece, count=1,
                          flags=re.S)

        body = put("from", new_top, body)
        return put("to", new_bottom, body) if "to" in found else body

    return re.sub(r"<(?:\w+:)?(?:twoCellAnchor|oneCellAnchor)\b.*?"
                  r"</(?:\w+:)?(?:twoCellAnchor|oneCellAnchor)>", anchor, text,
                  flags=re.S).encode("utf-8")


def shift_chart(xml: bytes, insertion: Insertion) -> bytes:
    """A chart part: the references of its series (``<c:f>``) to the insertion's sheet."""
    return _formula_texts(xml.decode("utf-8"), "", insertion).encode("utf-8")


def column_span(ref: str) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of an A1 range or cell."""
    first, _, second = ref.replace("$", "").partition(":")
    second = second or first
    a, b = re.match(r"([A-Z]+)(\d+)", first), re.match(r"([A-Z]+)(\d+)", second)
    return (column_index_from_string(a.group(1)), int(a.group(2)),
            column_index_from_string(b.group(1)), int(b.group(2)))
