"""Broken and hostile workbooks: ``kaishu refresh`` says what is wrong in one line, exits 1,
writes nothing and stays within bounded memory; XML written with other prefixes, quotes or
attribute order is read as Excel reads it. (issue 7, item 6)"""

from __future__ import annotations

import re
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kaishu import safezip, workbook as applier
from kaishu.cli import main
from kaishu.errors import FileError
from kaishu.templates import write_templates

from ledgers import write_ledger
from test_monthly import BALANCES, CUSTOMERS, INVOICES, RECEIPTS

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CALC_CHAIN_TYPE = (b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                   b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>')
CALC_CHAIN_RELATIONSHIP = (b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                           b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>')
BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                           else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']>\n<workbook xmlns="' + MAIN + b'"><sheets/><x>&lol9;</x></workbook>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY xxe SYSTEM '
                   b'"file:///etc/passwd">]>\n<workbook xmlns="' + MAIN + b'"><sheets/>'
                   b'<x>&xxe;</x></workbook>')


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    (path,) = [p for p in write_templates(folder) if p.name == "collection_check.xlsx"]
    return path


@pytest.fixture
def book(template, tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    return Path(shutil.copy(template, folder / template.name))


@pytest.fixture
def ledger(tmp_path):
    return write_ledger(tmp_path / "ledger", CUSTOMERS, INVOICES, RECEIPTS, BALANCES)


def refresh(book, ledger, month="2025-06"):
    return CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledger),
                                     "--month", month])


def one_line(result) -> str:
    """The error of a refused refresh: exit 1 from a handled error (no crash), one line."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line != "refreshing"]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def rezip(source: Path, target: Path, replace: dict | None = None, drop=()) -> Path:
    """A copy of a workbook with parts replaced or added (bytes, or a function of the old
    bytes) or dropped."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old:
        parts = {i.filename: old.read(i.filename) for i in old.infolist()}
    parts.update({name: b"" for name in replace if name not in parts})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            if name in drop:
                continue
            change = replace.get(name, data)
            new.writestr(name, change(data) if callable(change) else change)
    return target


def refused_untouched(book: Path, ledger: Path, *words: str, month="2025-06") -> str:
    """Refresh ``book``: it must be refused with one line holding ``words``, and nothing
    beside it or in it may change."""
    before = book.read_bytes()
    listing = sorted(p.name for p in book.parent.iterdir())
    line = one_line(refresh(book, ledger, month))
    for word in words:
        assert word in line, line
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == listing  # no lock, no temporary
    return line


# -- not a workbook -------------------------------------------------------------------------

def test_a_file_that_is_no_zip(book, ledger):
    book.write_text("得意先コード,得意先名\nC1,青葉\n", encoding="utf-8")  # a CSV renamed
    refused_untouched(book, ledger, "collection_check.xlsx", "zip 形式でないか")


def test_a_truncated_workbook(book, ledger):
    data = book.read_bytes()
    book.write_bytes(data[:len(data) // 2])
    refused_untouched(book, ledger, "collection_check.xlsx", "途中で切れています")


def test_an_encrypted_workbook(book, ledger):
    # Excel saves a book with a password to open as a Compound File (CFB), not a zip
    book.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + b"EncryptedPackage")
    refused_untouched(book, ledger, "パスワードで暗号化", "パスワードを解除")


@pytest.mark.parametrize("part, words", [
    ("xl/workbook.xml", ("xl/workbook.xml", "必要な部品がありません")),
    ("[Content_Types].xml", ("[Content_Types].xml", "必要な部品がありません")),
    ("xl/worksheets/sheet8.xml", ("シート「設定」", "xl/worksheets/sheet8.xml", "ありません")),
    ("xl/tables/table1.xml", ("xl/tables/table1.xml", "シート「月次回収チェック」のテーブル")),
])
def test_a_missing_part(book, ledger, tmp_path, part, words):
    rezip(book, tmp_path / "broken.xlsx", drop={part})
    shutil.copy(tmp_path / "broken.xlsx", book)
    refused_untouched(book, ledger, *words)


def test_a_damaged_part(book, ledger):
    """A part whose bytes do not match its checksum (a damaged download)."""
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as archive:
        info = archive.getinfo("xl/worksheets/sheet8.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20:start + 60] = bytes(40)  # inside the compressed data
    book.write_bytes(bytes(data))
    refused_untouched(book, ledger, "xl/worksheets/sheet8.xml", "壊れていて読めません")


# -- hostile packages -----------------------------------------------------------------------

def bomb(book: Path, size: int) -> None:
    """Replace the 設定 sheet with one that inflates to ``size`` bytes (blanks inside the
    sheet element: to a parser, the same sheet), written in pieces."""
    with zipfile.ZipFile(book) as old:
        parts = {i.filename: old.read(i.filename) for i in old.infolist()}
    sheet = parts["xl/worksheets/sheet8.xml"]
    cut = sheet.index(b"<sheetData")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet8.xml":
                new.writestr(name, data)
                continue
            with new.open(name, "w", force_zip64=True) as stream:
                stream.write(sheet[:cut])
                blank = b" " * 2**20
                for _ in range((size - len(sheet)) // len(blank)):
                    stream.write(blank)
                stream.write(sheet[cut:])


def test_a_zip_bomb_is_refused_before_it_is_read(book, ledger):
    bomb(book, 2**30)  # a 1 GB sheet
    assert book.stat().st_size < 2 * 2**20  # in a file of about 1 MB
    tracemalloc.start()
    try:
        line = refused_untouched(book, ledger, "xl/worksheets/sheet8.xml", "zip 爆弾")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 * 2**20, peak  # nothing of it was inflated
    assert re.search(r"[0-9,]+ 倍に展開されます（上限 200 倍", line), line


def test_many_small_bombs(book, ledger):
    """Parts under 1 MB each are not checked one by one for their ratio, but together."""
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(300):
            archive.writestr(f"customXml/item{i}.xml", b" " * 500_000)
    refused_untouched(book, ledger, "collection_check.xlsx: 全体で", "倍に展開されます（上限 200 倍")


def test_a_part_over_the_size_limit(book, ledger, monkeypatch):
    monkeypatch.setattr(safezip, "MAX_PART_BYTES", 10_000)  # 1 GB really: a small one here
    with zipfile.ZipFile(book) as archive:
        first = next(i for i in archive.infolist() if i.file_size > 10_000)
    refused_untouched(book, ledger, f"の部品 {first.filename}: 展開すると {first.file_size:,} "
                      "バイトになり、上限 10,000 バイトを超えます")


def test_a_part_larger_than_the_zip_says(book, ledger):
    """Sizes in the zip's directory that lie: a reader stops at the declared size and the
    checksum fails; the memory is bounded by what the zip declares."""
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as archive:
        info = archive.getinfo("xl/worksheets/sheet8.xml")
    declared = (100).to_bytes(4, "little")
    data[info.header_offset + 22:info.header_offset + 26] = declared  # the local header
    end = data.rindex(b"PK\x05\x06")  # the end record says where the directory starts
    position = int.from_bytes(data[end + 16:end + 20], "little")
    while data[position:position + 4] == b"PK\x01\x02":  # the directory's entries
        name, extra, comment = (int.from_bytes(data[position + i:position + i + 2], "little")
                                for i in (28, 30, 32))
        if data[position + 46:position + 46 + name] == info.filename.encode():
            data[position + 24:position + 28] = declared
        position += 46 + name + extra + comment
    book.write_bytes(bytes(data))
    refused_untouched(book, ledger, "xl/worksheets/sheet8.xml", "壊れていて読めません")


def test_too_many_parts(book, ledger, tmp_path):
    extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(safezip.MAX_PARTS + 1)}
    rezip(book, tmp_path / "many.xlsx", replace={})
    with zipfile.ZipFile(tmp_path / "many.xlsx", "a") as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    shutil.copy(tmp_path / "many.xlsx", book)
    refused_untouched(book, ledger, "上限 10,000 個")


def test_duplicate_part_names(book, ledger):
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(book, "a") as archive:
            archive.writestr("xl/workbook.xml", b"<workbook/>")
    refused_untouched(book, ledger, "xl/workbook.xml", "同じ名前の部品")


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY],
                         ids=["billion laughs", "external entity"])
def test_xml_entity_tricks_in_a_parsed_part(book, ledger, tmp_path, xml):
    rezip(book, tmp_path / "x.xlsx", replace={"xl/workbook.xml": xml})
    shutil.copy(tmp_path / "x.xlsx", book)
    refused_untouched(book, ledger, "xl/workbook.xml", "DTD")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/tables/table1.xml",
                                  "xl/worksheets/_rels/sheet1.xml.rels"])
def test_xml_entity_tricks_in_any_part_read(book, ledger, tmp_path, part):
    """Sheets are read by patterns, not by a parser: a DTD there is refused as well."""
    doctype = (b'<!DOCTYPE w [<!ENTITY a "' + b"A" * 100 + b'">'
               b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')

    def with_doctype(data: bytes) -> bytes:
        end = data.index(b"?>") + 2 if data.startswith(b"<?") else 0
        return data[:end] + doctype + data[end:]

    rezip(book, tmp_path / "x.xlsx", replace={part: with_doctype})
    shutil.copy(tmp_path / "x.xlsx", book)
    refused_untouched(book, ledger, part, "DTD")


def test_broken_xml(book, ledger, tmp_path):
    rezip(book, tmp_path / "x.xlsx",
          replace={"xl/workbook.xml": lambda data: data[:len(data) // 2]})
    shutil.copy(tmp_path / "x.xlsx", book)
    refused_untouched(book, ledger, "xl/workbook.xml", "XML が壊れています")


def test_parse_xml_refuses_entities_directly():
    for xml in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        with pytest.raises(FileError, match="DTD"):
            safezip.parse_xml(xml, "xl/workbook.xml", "book.xlsx")
    assert safezip.parse_xml(b"<a x='1'/>").get("x") == "1"


def test_the_limits_admit_the_workbooks_kaishu_writes(book, ledger):
    """Ratios of real parts stay far under the limit (in the benchmark's workbook after a
    refresh, 17 at most: see safezip.MAX_RATIO)."""
    assert refresh(book, ledger).exit_code == 0
    with zipfile.ZipFile(book) as archive:
        ratios = [i.file_size / i.compress_size for i in archive.infolist() if i.compress_size]
    assert max(ratios) < safezip.MAX_RATIO / 4


# -- XML as other tools write it ------------------------------------------------------------

def oddly(xml: bytes) -> bytes:
    """XML as some tools write it: a prefix ``x:`` for the namespace that was the default
    one (SpreadsheetML, content types, relationships), attributes single-quoted with
    spaces around ``=``, in reverse order."""
    xml = re.sub(rb'xmlns="([^"]*)"', rb'xmlns:x="\1"', xml, count=1)

    def tag(match: re.Match[bytes]) -> bytes:
        closing, name, attributes, end = match.groups()
        if b":" not in name:
            name = b"x:" + name
        pairs = re.findall(rb'([\w:.\-]+)="([^"]*)"', attributes)[::-1]
        body = b"".join(b" " + key + b" = '" + value.replace(b"'", b"&apos;") + b"'"
                        for key, value in pairs)
        return b"<" + closing + name + body + end

    return re.sub(rb'<(/?)([A-Za-z_][\w.:\-]*)((?:\s+[\w:.\-]+="[^"]*")*)\s*(/?>)', tag, xml)


def test_oddly_is_the_same_xml():
    plain = b'<worksheet xmlns="' + MAIN + b'"><c r="A1" s="2" t="s"><v>0</v></c></worksheet>'
    odd = oddly(plain)
    assert odd == (b"<x:worksheet xmlns:x = '" + MAIN + b"'><x:c t = 's' s = '2' r = 'A1'>"
                   b"<x:v>0</x:v></x:c></x:worksheet>")
    assert safezip.canonical_xml(odd) == b'<worksheet xmlns:x="' + MAIN + b'" xmlns="' + \
        MAIN + b'"><c r="A1" t="s" s="2"><v>0</v></c></worksheet>'
    assert safezip.canonical_xml(plain) is plain  # the usual file: untouched


def test_canonical_xml_leaves_texts_and_other_namespaces_alone():
    text = (b'<sst xmlns="' + MAIN + b'"><si><t>x = \'y\' &lt;c s="1" r="A1"&gt;</t></si>'
            b'</sst>')
    assert safezip.canonical_xml(text) is text  # what looks like markup in a text is text
    chart = (b"<c:chartSpace xmlns:c='http://schemas.openxmlformats.org/drawingml/2006/chart'>"
             b"<c:f>'Sheet 1'!$A$2:$A$9</c:f></c:chartSpace>")
    assert safezip.canonical_xml(chart) == chart.replace(
        b"'http://schemas.openxmlformats.org/drawingml/2006/chart'",
        b'"http://schemas.openxmlformats.org/drawingml/2006/chart"')  # c: stays c:
    clash = b'<x:worksheet xmlns:x="' + MAIN + b'" xmlns="urn:other"><x:c r="A1"/></x:worksheet>'
    with pytest.raises(FileError, match="既定の名前空間"):
        safezip.canonical_xml(clash, "xl/worksheets/sheet1.xml", "book.xlsx")


def values(path: Path) -> dict:
    loaded = load_workbook(path)
    return {(s.title, c.coordinate): c.value for s in loaded.worksheets
            for row in s.iter_rows() for c in row if c.value is not None}


def test_prefixes_quotes_and_attribute_order_are_read(book, ledger, tmp_path, recalculate):
    """The same workbook written with other prefixes, quotes and attribute order (all of its
    SpreadsheetML parts, content types and relationships) refreshes to the same workbook,
    twice, and LibreOffice computes it without an error cell. Its calcChain (which Excel
    writes) is dropped with every reference to it. The workbook is first saved by
    LibreOffice (shared strings, LibreOffice's XML)."""
    recalculate(book)
    book = Path(shutil.copy(tmp_path / "recalculated" / book.name, book))
    with zipfile.ZipFile(book) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    with_chain = rezip(book, tmp_path / "chain.xlsx", replace={
        "[Content_Types].xml": lambda data: data.replace(b"</Types>", CALC_CHAIN_TYPE + b"</Types>"),
        "xl/_rels/workbook.xml.rels": lambda data: data.replace(
            b"</Relationships>", CALC_CHAIN_RELATIONSHIP + b"</Relationships>"),
        "xl/calcChain.xml": b'<calcChain xmlns="' + MAIN + b'"><c r="A1" i="1"/></calcChain>'})
    with zipfile.ZipFile(with_chain) as archive:
        assert "xl/calcChain.xml" in archive.namelist()
        defaults = {n: oddly for n in archive.namelist()
                    if any(b'xmlns="' + ns + b'"' in archive.read(n) for ns in safezip.DEFAULTS)}
    assert {"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/tables/table1.xml",
            "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
            "xl/worksheets/_rels/sheet1.xml.rels", "xl/sharedStrings.xml"} <= set(defaults)
    (tmp_path / "odd").mkdir()
    odd = rezip(with_chain, tmp_path / "odd" / book.name, replace=defaults)
    with zipfile.ZipFile(odd) as archive:
        assert b"<x:c t = " in archive.read("xl/worksheets/sheet1.xml")
        assert b"<x:Override ContentType = " in archive.read("[Content_Types].xml")
    assert values(odd) == values(book)  # the fixture says what the plain file says
    for month in ("2025-06", "2025-06", "2025-07"):
        assert refresh(book, ledger, month).exit_code == 0
        result = refresh(odd, ledger, month)
        assert result.exit_code == 0, result.output
        assert values(odd) == values(book), month
    with zipfile.ZipFile(odd) as archive:
        assert b'fullCalcOnLoad="1"' in archive.read("xl/workbook.xml")
        assert "xl/calcChain.xml" not in archive.namelist()
        for name in archive.namelist():
            assert b"calcChain" not in archive.read(name), name
    (tmp_path / "recalculated" / book.name).unlink()
    (computed,) = recalculate(odd)
    for sheet in computed.worksheets:
        for cells in sheet.iter_rows():
            assert not any(isinstance(c.value, str) and c.value.startswith("#")
                           for c in cells), sheet.title


# -- the workbook's own content -------------------------------------------------------------

def rename_header(book: Path, old: str, new: str) -> None:
    loaded = load_workbook(book)
    for sheet in loaded.worksheets:
        for table in sheet.tables.values():
            for column in table.tableColumns:
                if column.name == old:
                    column.name = new
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    loaded.save(book)


def test_a_renamed_key_header(book, ledger):
    rename_header(book, "得意先コード", "顧客コード")
    line = refused_untouched(book, ledger, "シート「月次回収チェック」のテーブル Collection",
                             "見出し「得意先コード」がありません", "顧客コード",
                             "テーブル Plan")  # every table at fault, at once
    assert "見出しを元に戻して" in line


def set_setting(book: Path, name: str, value) -> str:
    loaded = load_workbook(book)
    ((sheet, cell),) = loaded.defined_names[name].destinations
    cell = cell.replace("$", "").split(":")[0]
    loaded[sheet][cell] = value
    loaded.save(book)
    return f"{sheet}!{cell}"


@pytest.mark.parametrize("text, expected", [("1,000円", 1000), ("￥２，５００", 2500),
                                            (" 800 ", 800)])
def test_a_threshold_typed_as_text_is_read_as_the_ledger_reads_amounts(
        book, ledger, monkeypatch, text, expected):
    seen = []
    original = applier.compute_month
    monkeypatch.setattr(applier, "compute_month",
                        lambda *a: seen.append(a[2]) or original(*a))
    set_setting(book, "FeeTolerance", text)
    result = refresh(book, ledger)
    assert result.exit_code == 0, result.output
    assert seen[0].fee_tolerance == expected


@pytest.mark.parametrize("value, words", [
    ("=500*2", ("数式 =500*2 に値がありません",)),  # openpyxl writes no computed value
    ("千円", ("'千円' は 0 以上の数値として読めません",)),
    (-5, ("-5 は 0 以上の数値として読めません",)),
])
def test_a_threshold_that_is_no_number_names_its_cell(book, ledger, value, words):
    cell = set_setting(book, "FeeTolerance", value)
    assert cell == "設定!B10"
    refused_untouched(book, ledger, "設定!B10（振込手数料の許容額）", *words)


def test_every_bad_setting_at_once(book, ledger):
    set_setting(book, "FeeTolerance", "たくさん")
    set_setting(book, "NoteLookback", 2.5)
    refused_untouched(book, ledger, "設定!B10", "設定!B11（手形化の判定期間(月)）: 2.5 は 1 以上の整数")


def test_a_threshold_formula_saved_by_an_engine_is_read_by_its_value(
        book, ledger, recalculate, monkeypatch):
    set_setting(book, "FeeTolerance", "=500*2")
    (saved,) = recalculate(book)  # LibreOffice computes and stores 1000
    saved_path = book.parent.parent / "recalculated" / book.name
    assert saved["設定"]["B10"].value == 1000
    seen = []
    original = applier.compute_month
    monkeypatch.setattr(applier, "compute_month",
                        lambda *a: seen.append(a[2]) or original(*a))
    result = refresh(saved_path, ledger)
    assert result.exit_code == 0, result.output
    assert seen[0].fee_tolerance == 1000
    assert load_workbook(saved_path)["設定"]["B10"].value == "=500*2"  # the formula stays


def test_a_hostile_credit_limit_workbook(book, ledger, tmp_path):
    limits = tmp_path / "limits.xlsx"
    limits.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    result = CliRunner().invoke(main, ["refresh", str(book), "--ledger", str(ledger),
                                       "--month", "2025-06", "--limits", str(limits)])
    assert "limits.xlsx: パスワードで暗号化" in one_line(result)


def test_a_hostile_ledger_workbook(book, tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    bomb_source = tmp_path / "source.xlsx"
    shutil.copy(book, bomb_source)
    bomb(bomb_source, 2**30)
    shutil.copy(bomb_source, ledger)
    before = book.read_bytes()
    assert "ledger.xlsx の部品 xl/worksheets/sheet8.xml" in one_line(refresh(book, ledger))
    assert book.read_bytes() == before


def test_a_bad_threshold_in_the_open_workbook_names_its_cell(book, ledger):
    """The 今月を更新 button reads the settings the same way (through xlwings)."""
    from datetime import datetime

    from xlwings_standin import Book

    from kaishu import excel
    from kaishu.workbook import WorkbookError

    set_setting(book, "LedgerFolder", str(ledger))
    set_setting(book, "TargetMonth", datetime(2025, 6, 1))
    set_setting(book, "FeeTolerance", "たくさん")
    with pytest.raises(WorkbookError, match=r"設定!B10（振込手数料の許容額）: 'たくさん' は"):
        excel.refresh_open_book(Book(book))
    set_setting(book, "FeeTolerance", "1,500円")
    excel.refresh_open_book(Book(book))
