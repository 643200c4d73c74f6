"""Read and rewrite table rows of an xlsx file at the XML level.

A refresh rewrites four tables and two cells; everything else in the file is copied byte
for byte, so nothing a user made is lost — not even what an openpyxl round trip drops
(shapes, pictures, slicers, sparklines, newer conditional formats) — and the cost grows
with the rows written, not with the size of the workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.formula.translate import Translator
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from . import safezip, xlsxinsert
from .errors import KaishuError
from .plan import Formula, Plan, Rename, Resize, TableState, Text, renamed, table_ends
from .serials import to_serial

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

ROW_START = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
CELL = re.compile(r'<c\b[^>]*?\br="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
ATTR = re.compile(r'\b([tsi]|si)="([^"]*)"')
FORMULA = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
VALUE = re.compile(r"<v>(.*?)</v>", re.S)
INLINE = re.compile(r"<t\b[^>]*>(.*?)</t>", re.S)
LAST_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"')
#: The parts read and rewritten with patterns (the others are copied as they are), with
#: the relationships (.rels).
EDITED = ("[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/",
          "xl/tables/", "xl/charts/")
PHONETIC = re.compile(r"<rPh\b.*?</rPh>", re.S)
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
#: What XML 1.0 cannot hold, and text that reads as one of Excel's _xHHHH_ escapes.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                        "|_(?=x[0-9A-Fa-f]{4}_)")
ROW_TAG = re.compile(rb"<row\b[^>]*?(/?)>")
SPANS = re.compile(rb'\sspans="[^"]*"')


def unescape_text(text: str) -> str:
    r"""A cell's text as Excel means it: ``_x0001_`` is the character U+0001.

    >>> unescape_text("a_x000B_b_x005F_x0041_")
    'a\x0bb_x0041_'
    """
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def escape_text(text: str) -> str:
    r"""Text safe in XML, as Excel writes it: a character XML forbids becomes ``_xHHHH_``,
    and an underscore that would start such an escape becomes ``_x005F_``.

    >>> escape_text("a\x0bb_x0041_ & <c>")
    'a_x000B_b_x005F_x0041_ &amp; &lt;c&gt;'
    """
    if ("_x" in text or not text.isprintable()) and NOT_IN_XML.search(text):
        text = NOT_IN_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return escape(text)


def string_item(xml: str) -> str:
    """The text of one ``<si>`` or ``<is>``: its own ``<t>``, or its runs' ``<t>`` joined;
    phonetic readings (``<rPh>``) are not part of it.

    >>> string_item('<si><t>社長と面談</t><rPh sb="0" eb="2"><t>シャチョウ</t></rPh></si>')
    '社長と面談'
    """
    return unescape_text(unescape("".join(INLINE.findall(PHONETIC.sub("", xml)))))


def string_element(si: ElementTree.Element) -> str:
    """The text of a parsed ``<si>``: its own ``<t>``, or its runs' ``<t>`` joined; the
    ``<t>`` of phonetic readings (``<rPh>``) are not part of it.

    >>> string_element(ElementTree.fromstring(
    ...     f'<si xmlns="{MAIN}"><t>社長と面談</t><rPh sb="0" eb="2"><t>シャチョウ</t></rPh></si>'))
    '社長と面談'
    """
    texts = si.findall(f"{{{MAIN}}}t") + si.findall(f"{{{MAIN}}}r/{{{MAIN}}}t")
    return unescape_text("".join(t.text or "" for t in texts))


def expand_shared_formulas(xml: bytes) -> bytes:
    """A sheet's shared formulas (``<f t="shared" ref=… si=…>`` and the cells that point
    at them) written out as each cell's own formula, so rows can move without orphaning
    a shared formula's other cells."""
    if b't="shared"' not in xml:
        return xml
    masters: dict[str, tuple[str, str]] = {}

    def cell(match: re.Match[str]) -> str:
        whole = match.group(0)
        formula = FORMULA.search(match.group(4) or "")
        if formula is None or 't="shared"' not in formula.group(1):
            return whole
        attrs = dict(re.findall(r'\b(\w+)="([^"]*)"', formula.group(1)))
        reference = match.group(1) + match.group(2)
        if formula.group(2):  # the master
            masters[attrs.get("si", "")] = (unescape(formula.group(2)), reference)
            text = unescape(formula.group(2))
        elif attrs.get("si", "") in masters:
            source, origin = masters[attrs["si"]]
            text = Translator("=" + source, origin=origin).translate_formula(reference)[1:] \
                if xlsxinsert.REF_HINT.search(source) else source  # no A1 reference: as is
        else:
            return whole
        return whole.replace(formula.group(0), f"<f>{escape(text)}</f>", 1)

    return CELL.sub(cell, xml.decode("utf-8")).encode("utf-8")



@dataclass(frozen=True)
class TablePart:
    name: str
    sheet: str
    sheet_part: str
    part: str
    ref: str
    totals: int = 0  # totalsRowCount: rows at the table's bottom that are not data


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if name not in archive.namelist():
        return {}
    root = safezip.parse_xml(safezip.read_part(archive, name), name, archive.filename)
    return {r.get("Id"): _target(part, r.get("Target")) for r in root.iter(f"{{{PKG}}}Relationship")}


class Package:
    """An xlsx/xlsm file: where its sheets, tables and defined names are."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.archive = safezip.open_package(self.path)  # checked; closed by close()
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        workbook = self.xml("xl/workbook.xml")
        rels = _rels(self.archive, "xl/workbook.xml")
        self.sheets = {}
        for sheet in workbook.iter(f"{{{MAIN}}}sheet"):
            part = rels.get(sheet.get(f"{{{REL}}}id"))
            if part not in self.archive.NameToInfo:
                raise safezip.problem(self.path, f"シート「{sheet.get('name')}」の部品 "
                                                 f"{part or '(r:id の指す先)'} がありません"
                                                 "（壊れたファイルです）")
            self.sheets[sheet.get("name")] = part
        properties = workbook.find(f"{{{MAIN}}}workbookPr")
        self.date1904 = properties is not None and \
            properties.get("date1904", "0").lower() in ("1", "true")
        self.names = {}
        for defined in workbook.iter(f"{{{MAIN}}}definedName"):
            found = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)(?::.*)?", defined.text or "")
            if found:
                sheet = found.group(1).replace("''", "'")
                self.names[defined.get("name")] = (sheet, int(found.group(3)),
                                                   column_index_from_string(found.group(2)))
        self.tables = {}
        for sheet, part in self.sheets.items():
            for target in _rels(self.archive, part).values():
                if "/tables/" in target:
                    table = self.xml(target, f"シート「{sheet}」のテーブル")
                    self.tables[table.get("displayName")] = TablePart(
                        table.get("displayName"), sheet, part, target, table.get("ref"),
                        int(table.get("totalsRowCount") or 0))
        self._strings: list[str] | None = None
        self._parts: dict[str, bytes] = {}
        self._rows: dict[str, dict[int, bytes]] = {}

    def close(self) -> None:
        """Close the file (before it is replaced: Windows cannot replace a held file)."""
        self.archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def xml(self, part: str, what: str | None = None) -> ElementTree.Element:
        """A part parsed (defusedxml: no DTD, no entities)."""
        return safezip.parse_xml(safezip.read_part(self.archive, part, what), part, self.path)

    def read(self, part: str) -> bytes:
        """A part's bytes as Excel writes them (see :func:`safezip.canonical_xml`)."""
        if part not in self._parts:
            data = safezip.read_part(self.archive, part)
            if part.endswith((".xml", ".rels")):
                safezip.check_prolog(data, part, self.path)
            if part.endswith(".rels") or part.endswith(".xml") and part.startswith(EDITED):
                data = safezip.canonical_xml(data, part, self.path)
            if part in getattr(self, "sheets", {}).values():
                data = expand_shared_formulas(data)
            self._parts[part] = data
        return self._parts[part]

    def row_index(self, part: str) -> dict[int, tuple[int, int]]:
        """Row number -> where the row's XML is in the sheet's XML (read once)."""
        if part not in self._rows:  # a row ends where the next one (or sheetData) begins
            xml = self.read(part)
            starts = [(m.start(), int(m.group(1))) for m in ROW_START.finditer(xml)]
            ends = [start for start, _ in starts[1:]] + [xml.rfind(b"</sheetData>")]
            self._rows[part] = {number: (start, end)
                                for (start, number), end in zip(starts, ends)}
        return self._rows[part]

    def row(self, part: str, number: int) -> bytes:
        start, end = self.row_index(part).get(number, (0, 0))
        return self.read(part)[start:end]

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if "xl/sharedStrings.xml" in self.archive.namelist():
                root = self.xml("xl/sharedStrings.xml")
                self._strings = [string_element(si) for si in root.iter(f"{{{MAIN}}}si")]
        return self._strings

    def rows(self, part: str, top: int, bottom: int, left: int, right: int,
             cached: bool = False) -> dict[int, list]:
        """Cell values of rows ``top``..``bottom``, columns ``left``..``right``; formulas as
        :class:`Formula` (or, with ``cached``, the value the formula had when saved)."""
        out, shared = {}, {}
        xml = self.read(part)
        if left == right and not cached:  # one column (the history's months): plain texts
            column = self._column(part, top, bottom, left)
            if column is not None:
                return column
        for number, (start, end) in self.row_index(part).items():
            if number < top or number > bottom:
                continue
            values = [None] * (right - left + 1)
            for cell in CELL.finditer(xml[start:end].decode("utf-8")):
                column = column_index_from_string(cell.group(1))
                if column > right:  # cells are in column order
                    break
                if column >= left:
                    values[column - left] = self._value(cell.group(3), cell.group(4) or "",
                                                        shared, cached)
            out[number] = values
        return out

    def _column(self, part: str, top: int, bottom: int, column: int) -> dict[int, list] | None:
        """The texts of one column, found by a single pattern; None if a cell there is not
        a plain string (then the general reader is used)."""
        letter = get_column_letter(column).encode()
        pattern = re.compile(rb'<c r="' + letter + rb'(\d+)"(?: s="\d+")?( t="(?:s|inlineStr)")'
                             rb'[^>]*>(?:<v>(\d+)</v>|<is><t[^>]*>([^<]*)</t></is>)</c>')
        found = {}
        for number, kind, shared, inline in pattern.findall(self.read(part)):
            row = int(number)
            if top <= row <= bottom:
                found[row] = [self.strings[int(shared)] if kind == b' t="s"'
                              else unescape_text(unescape(inline.decode("utf-8")))]
        return found if len(found) == sum(top <= r <= bottom for r in self.row_index(part)) \
            else None

    def _value(self, attributes: str, body: str, shared: dict[str, str],
               cached: bool = False) -> Any:
        if "t=" not in attributes and "<f" not in body:  # a plain number, the usual cell
            value = VALUE.search(body)
            if value is None:
                return None
            number = float(value.group(1))
            return int(number) if number.is_integer() else number
        attrs = dict(ATTR.findall(attributes))
        formula = FORMULA.search(body) if "<f" in body and not cached else None
        if formula:
            fattrs = dict(ATTR.findall(formula.group(1)))
            text = unescape(formula.group(2) or "")
            if "si" in fattrs:
                text = shared.setdefault(fattrs["si"], text) if text else shared.get(fattrs["si"], "")
            return Formula("=" + text)
        kind = attrs.get("t", "n")
        if kind == "inlineStr":
            return string_item(body)
        value = VALUE.search(body)
        if value is None:
            return None
        raw = unescape(value.group(1))
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind in ("str", "e"):
            return unescape_text(raw)
        number = float(raw)
        return int(number) if number.is_integer() else number

    def styles(self, part: str, row: int, left: int, right: int) -> list[str | None]:
        """The style of each column's cell in ``row`` (the template row of new rows)."""
        styles = [None] * (right - left + 1)
        for cell in CELL.finditer(self.row(part, row).decode("utf-8")):
            column = column_index_from_string(cell.group(1))
            if left <= column <= right:
                styles[column - left] = dict(ATTR.findall(cell.group(3))).get("s")
        return styles


def defined_name(xml: bytes, name: str) -> re.Match[bytes] | None:
    """The ``<definedName>`` element ``name`` of workbook.xml (a global one)."""
    return re.search(rb'<(?:\w+:)?definedName\b[^>]*?\bname="' + re.escape(name.encode())
                     + rb'"[^>]*?(?:/>|>.*?</(?:\w+:)?definedName>)', xml, re.S)


def without_defined_name(xml: bytes, name: str) -> bytes:
    """workbook.xml without the defined name ``name`` (and without an emptied list).

    >>> without_defined_name(b'<definedNames><definedName name="A">1</definedName>'
    ...                      b'</definedNames>', "A")
    b''
    """
    found = defined_name(xml, name)
    if found is None:
        return xml
    xml = xml[:found.start()] + xml[found.end():]
    return re.sub(rb"<(?:\w+:)?definedNames\s*>\s*</(?:\w+:)?definedNames>", b"", xml)


def with_defined_name(xml: bytes, name: str, value: str) -> bytes:
    """workbook.xml with a hidden defined name ``name`` = ``value`` (replacing one).

    >>> with_defined_name(b"<workbook><sheets/></workbook>", "A", "TRUE")
    b'<workbook><sheets/><definedNames><definedName name="A" hidden="1">TRUE</definedName></definedNames></workbook>'
    """
    xml = without_defined_name(xml, name)
    element = f'<definedName name="{escape(name)}" hidden="1">{escape(value)}</definedName>'
    if re.search(rb"<(?:\w+:)?definedNames\b", xml):
        return re.sub(rb"(</(?:\w+:)?definedNames>)", element.encode() + rb"\1", xml, count=1)
    return re.sub(rb"(</(?:\w+:)?sheets>|<(?:\w+:)?sheets\s*/>)",
                  rb"\1<definedNames>" + element.encode() + b"</definedNames>", xml, count=1)


def read_state(package: Package, names: tuple[str, ...],
               narrow: dict[str, int] | None = None) -> dict[str, TableState]:
    """The tables ``names``; for a table in ``narrow`` only its first columns are read
    (the history: its rows are carried over, only their month is looked at)."""
    states = {}
    for name in names:
        if name not in package.tables:
            continue
        table = package.tables[name]
        left, top, right, bottom = range_boundaries(table.ref)
        bottom -= table.totals  # the data rows end above the totals row
        width = right - left + 1
        headers = package.rows(table.sheet_part, top, top, left, right).get(top, [None] * width)
        totals = package.rows(table.sheet_part, bottom + 1, bottom + 1, left, right).get(
            bottom + 1, [None] * width) if table.totals else None
        last = left + (narrow or {}).get(name, width) - 1
        rows = package.rows(table.sheet_part, top + 1, bottom, left, last)
        empty = [None] * (last - left + 1)
        data = [rows.get(r, empty) for r in range(top + 1, bottom + 1)]
        if data and last < right:  # the first row in full: its formulas serve new rows
            data[0] = package.rows(table.sheet_part, top + 1, top + 1, left, right).get(
                top + 1, [None] * width)
        states[name] = TableState(table.sheet, name, top, left,
                                  ["" if h is None else str(h) for h in headers], data, totals)
    return states


# -- writing ----------------------------------------------------------------------------------

def _cell(reference: str, value: Any, style: str | None, date1904: bool = False) -> str:
    """One cell's XML: a value, a :class:`Formula`, or text (always as text)."""
    s = f' s="{style}"' if style is not None else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f'<c r="{reference}"{s}/>' if style is not None else ""
    if isinstance(value, bool):
        return f'<c r="{reference}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{reference}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{reference}"{s}><v>{to_serial(value, date1904):.10g}</v></c>'
    if isinstance(value, str) and value.startswith("=") and not isinstance(value, Text):
        return f'<c r="{reference}"{s}><f>{escape_text(value[1:])}</f></c>'
    return (f'<c r="{reference}"{s} t="inlineStr"><is><t xml:space="preserve">'
            f'{escape_text(str(value))}</t></is></c>')


CELL_STYLE = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="\w+")?/?>')


@lru_cache(maxsize=None)
def _column_of(letters: bytes) -> int:
    return column_index_from_string(letters.decode())


def _cell_styles(row: bytes) -> dict[int, str | None]:
    """The style of each cell of a row's XML, by column.

    >>> _cell_styles(b'<row r="9"><c r="A9" s="4"><v>1</v></c><c t="s" r="B9"/></row>')
    {1: '4', 2: None}
    >>> _cell_styles(b'<row r="9"><c r="A9" t="n" s="7"><v>1</v></c></row>')
    {1: '7'}
    """
    found = CELL_STYLE.findall(row)
    if len(found) == row.count(b"<c "):  # as kaishu and Excel write cells: r, s, t
        return {_column_of(c): s.decode() if s else None for c, s in found}
    out = {}
    for cell in re.finditer(rb"<c\b([^>]*)", row):
        attrs = dict(re.findall(rb'\b(r|s)="([^"]*)"', cell.group(1)))
        if b"r" in attrs:
            out[_column_of(attrs[b"r"].rstrip(b"0123456789"))] = \
                attrs[b"s"].decode() if b"s" in attrs else None
    return out


def _beyond(row: bytes, values: dict[int, Any], styles: dict[int, Any]) -> bool:
    """Whether an existing row has cells a write does not replace, or needs the style of
    a cell outside the tables (then its cells are parsed)."""
    columns = {column_index_from_string(c.decode()) for c in LAST_CELL.findall(row)}
    return bool(columns - set(values)) or any(c not in styles for c in values)


def _renumber(row: bytes, number: int) -> bytes:
    """The row's XML moved to row ``number`` (its r="7" and its cells' r="A7"); formulas
    in it move with it, as when rows are cut and pasted."""
    pieces = row.split(b' r="')
    new = str(number).encode()
    out = [pieces[0]]
    old = None
    for piece in pieces[1:]:
        end = piece.index(b'"')
        if old is None:
            old = int(piece[:end])
        out.append(piece[:end].rstrip(b"0123456789") + new + piece[end:])
    moved = b' r="'.join(out)
    if b"<f" in moved and old is not None and old != number:
        def shift(match: re.Match[str]) -> str:
            text = unescape(match.group(2))
            moved_text = Translator("=" + text, origin=f"A{old}").translate_formula(
                f"A{number}")[1:]
            return f"<f{match.group(1)}>{escape(moved_text)}</f>"
        moved = re.sub(r"<f\b([^>]*)>(.*?)</f>", shift, moved.decode("utf-8"),
                       flags=re.S).encode("utf-8")
    return moved


def _row_xml(number: int, cells: list[str], old: bytes = b"",
             columns: tuple[int, int] | None = None) -> bytes:
    """A row of ``cells``; an existing row keeps its attributes (height, hidden, outline
    level, …), its ``spans`` widened to ``columns`` (first, last) if they reach further."""
    tag = ROW_TAG.match(old) if old else None
    if tag is None:
        return f'<row r="{number}">{"".join(cells)}</row>'.encode("utf-8")
    opening = re.sub(rb'\br="\d+"', f'r="{number}"'.encode(),
                     tag.group(0).rstrip(b"/>").rstrip() + b">", 1)
    spans = re.search(rb'\sspans="(\d+):(\d+)"', opening)
    if spans and columns:
        low, high = min(int(spans.group(1)), columns[0]), max(int(spans.group(2)), columns[1])
        opening = SPANS.sub(f' spans="{low}:{high}"'.encode(), opening)
    elif columns:
        opening = SPANS.sub(b"", opening)
    return opening + "".join(cells).encode("utf-8") + b"</row>"


def _stretch(ref: str, resize: Resize, old_last: int) -> str:
    left, top, right, bottom = range_boundaries(ref)
    inside = resize.first_column <= left and right < resize.first_column + resize.columns
    if inside and top == resize.header_row + 1 and bottom in (old_last, top):
        return f"{get_column_letter(left)}{top}:{get_column_letter(right)}{resize.last_row}"
    return ref


def _sqrefs(xml: bytes, resize: Resize, old_last: int) -> bytes:
    """Ranges of conditional formats and validations over the table's column stretched
    with it: ``sqref`` attributes, and the ``<xm:sqref>`` of newer (x14) ones in extLst."""
    def stretch(match: re.Match[bytes]) -> bytes:
        refs = " ".join(_stretch(r, resize, old_last)
                        for r in match.group(2).decode().split())
        return match.group(1) + refs.encode() + match.group(3)

    xml = re.sub(rb'(\bsqref=")([^"]*)(")', stretch, xml)
    return re.sub(rb"(<(?:\w+:)?sqref>)([^<]*)(</(?:\w+:)?sqref>)", stretch, xml)


class GrowthRefused(KaishuError):
    """A table cannot grow: the rows below it hold the user's cells and cannot be moved."""


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _in_the_way(package: Package, resize: Resize, old_last: int, new_last: int) -> list[str]:
    """The user's cells (values, formulas, merged ranges) in the rows a growing table
    needs (``old_last`` + 1 to ``new_last``), within its columns."""
    if new_last <= old_last:
        return []
    part = package.sheets[resize.sheet]
    left, right = resize.first_column, resize.first_column + resize.columns - 1
    found = []
    for number, values in sorted(package.rows(part, old_last + 1, new_last, left,
                                              right).items()):
        found += [f"{get_column_letter(left + j)}{number}" for j, v in enumerate(values)
                  if v not in (None, "")]
    xml = package.read(part)
    after = xml[xml.rfind(b"</sheetData>"):]  # merged ranges follow the cells
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"', after):
        a, top, b, bottom = xlsxinsert.column_span(ref.decode())
        if a <= right and b >= left and top <= new_last and bottom > old_last:
            found.append(ref.decode())
    return found


def _blockers(package: Package, sheet: str) -> list[str]:
    """What refers to the sheet's cells and is outside the list of things that move."""
    found = []
    for name in package.archive.namelist():
        if name.startswith("xl/pivotCache/pivotCacheDefinition") and name.endswith(".xml"):
            source = re.search(rb"<(?:\w+:)?worksheetSource\b[^>]*>", package.read(name))
            if source is None or b"name=" in source.group(0) or \
                    f'sheet="{escape(sheet)}"'.encode() in source.group(0):
                found.append(f"the pivot table cache {posixpath.basename(name)}")
        if name.startswith("xl/externalLinks/") and name.endswith(".xml"):
            rels = f"xl/externalLinks/_rels/{posixpath.basename(name)}.rels"
            targets = re.findall(rb'Target="([^"]*)"', package.read(rels)) \
                if rels in package.archive.namelist() else []
            if any(unquote(t.decode()).replace("\\", "/").rsplit("/", 1)[-1] ==
                   package.path.name for t in targets):  # the workbook linked to itself
                found.append(f"the external link {posixpath.basename(name)}")
    return found


def insert_rows(package: Package, insertion: xlsxinsert.Insertion) -> None:
    """Insert rows in every part of the package that refers to the sheet's cells (see
    :mod:`kaishu.xlsxinsert`), in place of the parts read so far."""
    part = package.sheets[insertion.sheet]
    own = _rels(package.archive, part).values()
    mentions = {escape(insertion.sheet).encode(),
                escape(insertion.sheet.replace("'", "''")).encode()}

    def mentioned(xml: bytes) -> bool:  # a reference from elsewhere names the sheet
        return any(m in xml for m in mentions)

    for sheet, other in package.sheets.items():
        xml = package.read(other)
        if other == part or mentioned(xml):
            package._parts[other] = xlsxinsert.shift_sheet(xml, sheet, insertion)
            package._rows.pop(other, None)
    package._parts["xl/workbook.xml"] = xlsxinsert.shift_defined_names(
        package.read("xl/workbook.xml"), insertion)
    for target in own:
        if target not in package.archive.namelist():
            continue
        if "/tables/" in target:
            package._parts[target] = xlsxinsert.shift_table(package.read(target), insertion)
        elif target.endswith(".vml"):
            package._parts[target] = xlsxinsert.shift_vml(package.read(target), insertion)
        elif "comments" in posixpath.basename(target).lower():
            package._parts[target] = xlsxinsert.shift_comments(package.read(target), insertion)
        elif "/drawings/drawing" in target:
            package._parts[target] = xlsxinsert.shift_drawing(package.read(target), insertion)
    for name in package.archive.namelist():
        if name.startswith("xl/charts/chart") and name.endswith(".xml") and \
                mentioned(package.read(name)):
            package._parts[name] = xlsxinsert.shift_chart(package.read(name), insertion)


def make_room(package: Package, plan: Plan, states: dict[str, TableState]) -> dict[str, int]:
    """Rows inserted where each table must grow into the user's cells, or
    :class:`GrowthRefused` naming them (nothing is written then). The rows go in below the
    data rows, above a totals row (which moves down with every reference to it, as when a
    row is added to a table in Excel). Returns how many rows each table got."""
    inserted: dict[str, int] = {}
    for resize in plan.resizes:
        state = states[resize.table]
        old_last, new_last = table_ends(state, resize)
        cells = _in_the_way(package, resize, old_last, new_last)
        if not cells:
            continue
        where = f"{resize.sheet}!" + ", ".join(cells[:5]) + (" …" if len(cells) > 5 else "")
        blockers = _blockers(package, resize.sheet)
        if blockers:
            raise GrowthRefused(
                f"{where}: 表 {resize.table} は {new_last} 行目まで広がりますが、その"
                f"セルを移せません ({', '.join(blockers)} がこのシートを参照しています)。"
                f"それらのセルを {new_last} 行目より下へ移してから、もう一度更新して"
                f"ください (the table {resize.table} must grow to row {new_last}: move "
                f"those cells below row {new_last} and refresh again)")
        data_last = old_last - (0 if state.totals is None else 1)
        try:
            insert_rows(package, xlsxinsert.Insertion(
                resize.sheet, data_last + 1, new_last - old_last,
                (state.header_row + 1, data_last)))
        except xlsxinsert.Blocked as blocked:
            raise GrowthRefused(
                f"{where}: 表 {resize.table} は {new_last} 行目まで広がりますが、"
                f"行を挿入できません ({blocked})。それらのセルを {new_last} 行目より"
                f"下へ移してから、もう一度更新してください (move those cells below row "
                f"{new_last} and refresh again)") from None
        inserted[resize.table] = new_last - old_last
    return inserted


FORMULA_TEXT = re.compile(rb"(<(f|calculatedColumnFormula|definedName)\b[^>]*(?<!/)>)"
                          rb"([^<]*)(</\2>)")


def _rename_references(xml: bytes, renames: list[Rename]) -> bytes:
    """Formulas (cells, a table's calculated columns, defined names) with their structured
    references to renamed table columns updated."""
    def update(match: re.Match[bytes]) -> bytes:
        text = unescape(match.group(3).decode("utf-8"))
        for rename in renames:
            text = renamed(text, rename.table, [(rename.old, rename.new)])
        return match.group(1) + escape(text).encode("utf-8") + match.group(4)

    return FORMULA_TEXT.sub(update, xml)


def _rename_table_column(xml: bytes, rename: Rename) -> bytes:
    """A table part with the column ``rename.old`` named ``rename.new``."""
    old = escape(rename.old, {'"': "&quot;"}).encode("utf-8")
    new = escape(rename.new, {'"': "&quot;"}).encode("utf-8")
    return re.sub(rb'(<tableColumn\b[^>]*?\bname=")' + re.escape(old) + rb'"',
                  lambda m: m.group(1) + new + b'"', xml)


def _rename_chart_caches(xml: bytes, rename: Rename) -> bytes:
    """A chart part whose cached series names show the new header."""
    old, new = (escape(t).encode("utf-8") for t in (rename.old, rename.new))
    return xml.replace(b"<c:v>" + old + b"</c:v>", b"<c:v>" + new + b"</c:v>")


def _apply_renames(package: Package, plan: Plan, changed: dict) -> None:
    """Rename table columns in the table parts, in every formula and in charts' caches."""
    if not plan.renames:
        return
    for name in package.archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml") or name == \
                "xl/workbook.xml":
            data = changed.get(name, package.read(name))
            if isinstance(data, list):
                changed[name] = [_rename_references(piece, plan.renames) for piece in data]
            elif b"[" in data:
                updated = _rename_references(data, plan.renames)
                if updated != data:
                    changed[name] = updated
        elif name.startswith("xl/charts/chart") and name.endswith(".xml"):
            data = changed.get(name, package.read(name))
            for rename in plan.renames:
                data = _rename_chart_caches(data, rename)
            changed[name] = data
    for rename in plan.renames:
        part = package.tables[rename.table].part
        xml = changed.get(part, package.read(part))
        changed[part] = _rename_references(_rename_table_column(xml, rename), [rename])


def apply_plan(package: Package, plan: Plan,
               states: dict[str, TableState]) -> dict[str, bytes | list[bytes]]:
    """The new content of each part the plan changes (a sheet as a list of pieces)."""
    inserted = make_room(package, plan, states)
    changed: dict[str, bytes] = {}
    by_sheet: dict[str, dict[int, dict[int, Any]]] = {}
    for write in plan.writes:
        rows = by_sheet.setdefault(write.sheet, {})
        for i, values in enumerate(write.values):
            row = rows.setdefault(write.row + i, {})
            for j, value in enumerate(values):
                row[write.column + j] = value
    carried: dict[str, dict[int, int]] = {}  # sheet -> target row -> source row
    for carry in plan.carries:
        moves = carried.setdefault(carry.sheet, {})
        moves.update({carry.target_row + i: source for i, source in enumerate(carry.source_rows)})
        by_sheet.setdefault(carry.sheet, {})
    resizes = {r.sheet: [] for r in plan.resizes}
    for resize in plan.resizes:
        resizes[resize.sheet].append(resize)
    for sheet, rows in by_sheet.items():
        part = package.sheets[sheet]
        styles: dict[int, str | None] = {}
        for resize in resizes.get(sheet, []):
            model = package.styles(part, resize.header_row + 1, resize.first_column,
                                   resize.first_column + resize.columns - 1)
            styles.update({resize.first_column + i: s for i, s in enumerate(model)})
        totals_styles: dict[int, dict[int, str | None]] = {}  # a totals row keeps its look
        for resize in (r for r in resizes.get(sheet, []) if r.totals):
            model = package.styles(part, states[resize.table].header_row  # (moved down
                                   + len(states[resize.table].rows) + 1  # by rows inserted)
                                   + inserted.get(resize.table, 0), resize.first_column,
                                   resize.first_column + resize.columns - 1)
            totals_styles[resize.last_row + 1] = {resize.first_column + i: s
                                                  for i, s in enumerate(model)}
        xml = package.read(part)
        start = xml.index(b"<sheetData")
        opening = xml.index(b">", start) + 1
        if xml[opening - 2:opening] == b"/>":  # an empty sheet
            head, tail = xml[:start] + b"<sheetData>", b"</sheetData>" + xml[opening:]
        else:
            head, tail = xml[:opening], xml[xml.rindex(b"</sheetData>"):]
        existing = package.row_index(part)
        regions = {r for resize in resizes.get(sheet, []) for r in
                   range(resize.header_row + 1, resize.last_row + 1)}
        moves = carried.get(sheet, {})
        kept_styles = {r for resize in resizes.get(sheet, []) for r in
                       range(resize.header_row + 1, min(resize.last_row, states[
                           resize.table].header_row + len(states[resize.table].rows)) + 1)}
        headers = {resize.header_row for resize in resizes.get(sheet, [])}  # keep their style
        beyond = {r for resize in resizes.get(sheet, []) for r in  # (a totals row follows)
                  range(resize.last_row + 1 + resize.totals, states[resize.table].header_row
                        + len(states[resize.table].rows) + 1)}
        out = []
        for number in sorted(set(existing) | set(rows) | set(moves)):
            if number in moves:  # carried over; renumbered only if it moves
                source = moves[number]
                out.append(package.row(part, source) if source == number
                           else _renumber(package.row(part, source), number))
                continue
            if number not in rows:
                if number not in regions:
                    out.append(package.row(part, number))
                continue
            values = rows[number]
            old = {}
            previous = package.row(part, number) if number in existing else b""
            own = _cell_styles(previous) if previous and number in kept_styles else {}
            if previous and (number in beyond or _beyond(previous, values, styles)):
                old = {column_index_from_string(c.group(1)): c for c in
                       CELL.finditer(previous.decode("utf-8"))}
            cells = [(column, c.group(0)) for column, c in old.items() if column not in values]
            for column, value in values.items():
                # a row the table had keeps its cells' formats; a totals row keeps its look;
                # new rows take those of the table's first row; headers, other cells, and
                # cells a shrinking table leaves keep theirs
                style = totals_styles[number].get(column) if number in totals_styles else \
                    own[column] if column in own else \
                    styles[column] if column in styles and number not in beyond and \
                    number not in headers else \
                    dict(ATTR.findall(old[column].group(3))).get("s") if column in old else None
                cells.append((column, _cell(f"{get_column_letter(column)}{number}", value,
                                            style, package.date1904)))
            out.append(_row_xml(number, [c for _, c in sorted(cells)], previous,
                                (min(values), max(values))))
        for resize in resizes.get(sheet, []):
            old_last = states[resize.table].header_row + max(len(states[resize.table].rows), 1)
            head, tail = _sqrefs(head, resize, old_last), _sqrefs(tail, resize, old_last)
        head = re.sub(rb'<dimension ref="[^"]*"/>', b"", head)
        changed[part] = [head, *out, tail]  # written piece by piece
    for resize in plan.resizes:
        table = package.tables[resize.table]
        corner = f"{get_column_letter(resize.first_column)}{resize.header_row}:" \
                 f"{get_column_letter(resize.first_column + resize.columns - 1)}"
        ref = f"{corner}{resize.last_row + resize.totals}"  # a totals row is the table's
        xml = package.read(table.part)
        xml = re.sub(rb'(<table\b[^>]*?\bref=")[^"]*"', rb"\g<1>" + ref.encode() + b'"', xml, 1)
        data = f"{corner}{resize.last_row}".encode()  # the filter covers the data rows
        xml = re.sub(rb'(<autoFilter\b[^>]*?\bref=")[^"]*"', rb"\g<1>" + data + b'"', xml)
        changed[table.part] = xml
        old_last = states[resize.table].header_row + max(len(states[resize.table].rows), 1)
        pattern = re.compile(
            rf"((?:'{re.escape(resize.sheet)}'|{re.escape(resize.sheet)})!\$[A-Z]+\$)"
            rf"{resize.header_row + 1}(:\$[A-Z]+\$){old_last}\b".encode())
        for name in package.archive.namelist():
            if name.startswith("xl/charts/chart") and name.endswith(".xml"):
                xml = changed.get(name, package.read(name))
                changed[name] = pattern.sub(rb"\g<1>" + str(resize.header_row + 1).encode()
                                            + rb"\g<2>" + str(resize.last_row).encode(), xml)
    _apply_renames(package, plan, changed)
    return changed


def save(package: Package, changed: dict[str, bytes | list[bytes]], target: Path) -> None:
    """Write the package with its changed parts; Excel recomputes formulas on opening."""
    drop = {"xl/calcChain.xml"}  # lists formula cells; stale once rows change
    workbook = changed.get("xl/workbook.xml", package.read("xl/workbook.xml"))
    if b"<calcPr" in workbook:
        workbook = re.sub(rb"<calcPr\b([^>]*?)/>", lambda m: b"<calcPr" + re.sub(
            rb'\sfullCalcOnLoad="[^"]*"', b"", m.group(1)) + b' fullCalcOnLoad="1"/>', workbook)
    changed["xl/workbook.xml"] = workbook
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in package.archive.infolist():
            if info.filename in drop:
                continue
            data = changed.get(info.filename)
            if data is None:
                data = package.read(info.filename)
            if info.filename == "[Content_Types].xml" or info.filename.endswith(".rels"):
                data = re.sub(rb"<(?:Override|Relationship)\b[^>]*calcChain[^>]*/>", b"", data)
            with out.open(info, "w") as stream:
                for piece in (data if isinstance(data, list) else [data]):
                    stream.write(piece)
