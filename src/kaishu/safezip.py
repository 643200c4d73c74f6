"""Open a workbook package (an .xlsx or .xlsm zip) without trusting it.

A workbook comes from anywhere: a mail attachment, a shared folder, a tool that writes
xlsx its own way. Before anything of it is used, the package is checked as a whole, and
each part is checked as it is read, so that a broken or hostile file ends in one line that
names the file, the part and what is wrong (:class:`~kaishu.errors.FileError`), never in a
traceback or in gigabytes of memory:

* not a zip, or a truncated one (:class:`zipfile.BadZipFile`);
* an encrypted workbook: Excel saves a password-protected book as a Compound File
  (CFB/OLE, magic bytes ``D0 CF 11 E0``), as is an old .xls;
* more parts than :data:`MAX_PARTS`, a part larger than :data:`MAX_PART_BYTES`
  uncompressed, all parts larger than :data:`MAX_TOTAL_BYTES`, or a part (or all parts
  together) that inflates more than :data:`MAX_RATIO` times (a zip bomb, or many small
  ones); the sizes are those the zip declares,
  and reading a part never yields more than its declared size (:mod:`zipfile` stops there
  and then checks the CRC);
* encrypted or unusually compressed entries, duplicate entry names;
* missing required parts (``[Content_Types].xml``, the workbook, a part a relationship
  names);
* XML with a document type declaration (entity expansion, external entities: OOXML never
  has one), or XML that does not parse.

:func:`parse_xml` parses with defusedxml; :func:`canonical_xml` rewrites the rare XML that
uses a prefix for SpreadsheetML (``<x:c>``) or the package's namespaces, single-quoted
attributes, spaces around ``=`` or another attribute order into the form Excel writes,
which the file editor reads with its patterns.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from .errors import FileError

#: At most this many parts (Excel's own files have a few dozen).
MAX_PARTS = 10_000
#: One part, uncompressed. The benchmark's workbook (20,000 customers, 480,000 history
#: rows) has a largest part of 333 MB after a refresh (its history sheet); 36 months of
#: history, the most a refresh keeps, about 500 MB.
MAX_PART_BYTES = 1024 * 1024**2
#: All parts together, uncompressed.
MAX_TOTAL_BYTES = 2 * 1024**3
#: Uncompressed / compressed size of a part larger than RATIO_FLOOR. In the benchmark's
#: workbook after a refresh, the largest ratio is 17 (its 64 MB monthly sheet; the
#: history sheet 7); deflate reaches about 1,000 on repeated bytes (a zip bomb).
MAX_RATIO = 200
RATIO_FLOOR = 1024**2
#: A Compound File (CFB/OLE): an encrypted OOXML workbook, or a .xls.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Namespaces Excel writes as the default one: SpreadsheetML, the package's content types
#: and relationships.
DEFAULTS = (MAIN, b"http://schemas.openxmlformats.org/package/2006/content-types",
            b"http://schemas.openxmlformats.org/package/2006/relationships")
_DTD = ("DTD（<!DOCTYPE>、実体宣言）があります: xlsx では使われないため、不正なファイルとして"
        "読みません")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _bytes(size: int) -> str:
    return f"{size:,} バイト"


def problem(file: str | os.PathLike[str], rule: str, part: str | None = None) -> FileError:
    """The one-line error for ``file`` (and ``part`` of it)."""
    where = Path(file).name + (f" の部品 {part}" if part else "")
    return FileError(f"{where}: {rule}")


def check_limits(infos: list[zipfile.ZipInfo], file: str | os.PathLike[str]) -> None:
    """Refuse a package whose declared sizes, entries or compression are not a workbook's."""
    if len(infos) > MAX_PARTS:
        raise problem(file, f"部品が {len(infos):,} 個あり、上限 {MAX_PARTS:,} 個を超えます"
                            "（不正なファイルとして読みません）")
    duplicated = sorted(n for n, k in Counter(i.filename for i in infos).items() if k > 1)
    if duplicated:
        raise problem(file, "同じ名前の部品が二つ以上あります（不正なファイルとして読みません）",
                      duplicated[0])
    total = packed = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise problem(file, "暗号化されています: Excel でパスワードを解除して保存してから"
                                "実行してください", info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise problem(file, f"圧縮方式 {info.compress_type} は xlsx のものではありません",
                          info.filename)
        if info.file_size > MAX_PART_BYTES:
            raise problem(file, f"展開すると {_bytes(info.file_size)}になり、上限 "
                                f"{_bytes(MAX_PART_BYTES)}を超えます（不正なファイルとして読みません）",
                          info.filename)
        if info.file_size > RATIO_FLOOR and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise problem(file, f"{ratio:,.0f} 倍に展開されます（上限 {MAX_RATIO} 倍、"
                                "zip 爆弾の疑い: 不正なファイルとして読みません）", info.filename)
        total += info.file_size
        packed += info.compress_size
    if total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):  # many small bombs
        raise problem(file, f"全体で {total / max(packed, 1):,.0f} 倍に展開されます（上限 "
                            f"{MAX_RATIO} 倍、zip 爆弾の疑い: 不正なファイルとして読みません）")
    if total > MAX_TOTAL_BYTES:
        raise problem(file, f"展開すると全体で {_bytes(total)}になり、上限 {_bytes(MAX_TOTAL_BYTES)}"
                            "を超えます（不正なファイルとして読みません）")


def open_package(path: str | os.PathLike[str]) -> zipfile.ZipFile:
    """The workbook's zip, checked (see the module's description); the caller closes it."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            magic = stream.read(len(CFB_MAGIC))
    except OSError as error:
        raise problem(path, f"開けません（{error.strerror}）") from None
    if magic == CFB_MAGIC:
        raise problem(path, "パスワードで暗号化されたブック（または古い .xls 形式）です: Excel で"
                            "パスワードを解除し、.xlsx または .xlsm で保存してから実行してください")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        raise problem(path, "xlsx / xlsm として読めません（zip 形式でないか、途中で切れています）"
                      ) from None
    try:
        check_limits(archive.infolist(), path)
        names = set(archive.namelist())
        for required in (CONTENT_TYPES, WORKBOOK):
            if required not in names:
                raise problem(path, "必要な部品がありません（壊れたファイルです）", required)
    except BaseException:
        archive.close()
        raise
    return archive


def read_part(archive: zipfile.ZipFile, part: str, what: str | None = None) -> bytes:
    """One part's bytes; a missing or damaged part is one line naming it (``what``: what
    refers to it, e.g. the sheet)."""
    file = archive.filename or "workbook"
    try:
        return archive.read(part)
    except KeyError:
        raise problem(file, "ありません（" + (f"{what}です。" if what else "")
                      + "壊れたファイルです）", part) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError):
        raise problem(file, "壊れていて読めません（途中で切れているか、中身が合いません）",
                      part) from None


def check_prolog(data: bytes, part: str, file: str | os.PathLike[str]) -> None:
    """Refuse XML with a document type declaration (where entities are declared): it can
    only stand before the root element."""
    root = _FIRST_ELEMENT.search(data)
    if b"<!DOCTYPE" in data[:root.start() if root else len(data)]:
        raise problem(file, _DTD, part)


def parse_xml(data: bytes, part: str = "XML", file: str | os.PathLike[str] = "workbook"
              ) -> Element:
    """Parse a part's XML; entity declarations and external references are refused."""
    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise problem(file, _DTD, part) from None
    except ParseError as error:
        line, column = error.position
        raise problem(file, f"XML が壊れています（{line} 行 {column + 1} 文字目）", part
                      ) from None


# -- XML as Excel writes it -------------------------------------------------------------------

_NAME = rb"[A-Za-z_][\w.\-]*"
_TAG = re.compile(rb"<(/?)(?:(" + _NAME + rb"):)?(" + _NAME + rb")"
                  rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTRIBUTE = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROOT = re.compile(rb"<(?:(" + _NAME + rb"):)?" + _NAME + rb"\b([^>]*)>")
_SPACED = re.compile(rb"='|\s=|=\s")
#: Parts larger than this are sampled (their start and end) by :func:`_unusual`.
SAMPLED = 16 * 1024**2


def _unusual(data: bytes) -> bool:
    """Whether ``data`` has what Excel never writes: a single-quoted attribute or one with
    spaces around ``=``, a cell or row whose first attribute is not its reference.

    A tool writes its whole file one way, so of a part larger than :data:`SAMPLED` (a
    sheet of hundreds of thousands of rows) the first 4 MB and the last 1 MB are looked
    at: a full scan would take seconds on every refresh."""
    if len(data) > SAMPLED:
        head, tail = data.rfind(b"<", 0, 4 * 1024**2), data.find(b"<", len(data) - 1024**2)
        return _unusual(data[:head]) or _unusual(data[tail:])  # cut where a tag begins
    for tag in (b"<c", b"<row"):
        if data.count(tag + b" ") != data.count(tag + b' r="') or \
                any(tag + blank in data for blank in (b"\n", b"\r", b"\t")):
            return True
    for hit in _SPACED.finditer(data):  # inside a tag, or only in a text?
        if data.rfind(b"<", 0, hit.start()) > data.rfind(b">", 0, hit.start()):
            return True
    return False


def canonical_xml(data: bytes, part: str = "XML",
                  file: str | os.PathLike[str] = "workbook") -> bytes:
    """``data`` as Excel writes it: SpreadsheetML (or the package's content types and
    relationships) unprefixed, attributes double-quoted with no space around ``=``, the
    reference ``r`` first. The same XML to any parser (the prefix stays declared, for
    whatever else names it), and returned unchanged when it already is (the usual case).

    >>> xml = b'<x:row xmlns:x="' + MAIN + b'" spans=\\'1:2\\' r = "3"><x:c t="s" r="A3"/></x:row>'
    >>> canonical_xml(xml).replace(MAIN, b"...")
    b'<row r="3" xmlns:x="..." xmlns="..." spans="1:2"><c r="A3" t="s"/></row>'
    """
    first = _FIRST_ELEMENT.search(data)
    root = _ROOT.match(data, first.start()) if first else None
    prefix = uri = None
    if root and root.group(1):
        declared = re.search(rb"\bxmlns:" + re.escape(root.group(1)) + rb"\s*=\s*[\"']([^\"']*)",
                             root.group(2))
        if declared and declared.group(1) in DEFAULTS:
            prefix, uri = root.group(1), declared.group(1)
    if prefix is None and not _unusual(data):
        return data
    if prefix is not None and re.search(rb"\bxmlns\s*=", root.group(2)):
        raise problem(file, "要素に接頭辞を使い、既定の名前空間に別のものを宣言しています: 読めない"
                            "形です（Excel で開いて保存し直してください）", part)

    def tag(match: re.Match[bytes]) -> bytes:
        closing, own, name, attributes, empty = match.groups()
        if own is not None and own != prefix:
            name = own + b":" + name
        if closing:
            return b"</" + name + b">"
        pairs = []
        for key, double, single in _ATTRIBUTE.findall(attributes):
            value = double if double or not single else single.replace(b'"', b"&quot;")
            pairs.append((key, value))
            if prefix is not None and key == b"xmlns:" + prefix and value == uri:
                pairs.append((b"xmlns", uri))  # the default namespace, for the unprefixed
        pairs.sort(key=lambda pair: pair[0] != b"r")  # stable: only r moves to the front
        body = b"".join(b" " + key + b'="' + value + b'"' for key, value in pairs)
        return b"<" + name + body + (b"/>" if empty else b">")

    return _TAG.sub(tag, data)
