"""Each XML transform of the file editor, pinned by an exact test: reading text and
formulas as Excel means them, rewriting a row, and inserting rows the way Excel does."""

from __future__ import annotations

import pytest

from kaishu.plan import Formula, Resize, Text
from kaishu.xlsxinsert import (
    Blocked, Insertion, shift_chart, shift_comments, shift_defined_names, shift_drawing,
    shift_formula, shift_ref, shift_sheet, shift_table, shift_vml,
)
from kaishu.xlsxpatch import (
    _cell, _renumber, _row_xml, _sqrefs, escape_text, expand_shared_formulas, string_item,
    unescape_text, with_defined_name, without_defined_name,
)

AT = Insertion("月次", 12, 2)
GROWING = Insertion("月次", 12, 2, edge=(7, 11))


# -- reading ------------------------------------------------------------------------------

def test_a_shared_string_without_its_reading():
    assert string_item('<si><t>社長と面談</t><rPh sb="0" eb="2"><t>シャチョウ</t></rPh>'
                       '<rPh sb="3" eb="5"><t>メンダン</t></rPh><phoneticPr fontId="1"/></si>'
                       ) == "社長と面談"


def test_rich_text_runs_are_joined():
    assert string_item('<si><r><t>a</t></r><r><rPr><b/></rPr><t xml:space="preserve">bc '
                       '</t></r><rPh sb="0" eb="1"><t>ア</t></rPh></si>') == "abc "


def test_escaped_characters_are_read_and_written_as_excel_does():
    assert unescape_text("a_x000B_b_x005F_x0041_") == "a\x0bb_x0041_"
    assert escape_text("a\x0bb_x0041_<") == "a_x000B_b_x005F_x0041_&lt;"
    assert unescape_text(escape_text("x\x01_x0001_\ttab")) == "x\x01_x0001_\ttab"


def test_shared_formulas_are_written_out_per_cell():
    xml = (b'<sheetData><row r="7"><c r="P7"><f t="shared" ref="P7:P9" si="0">E7*2</f>'
           b'<v>2</v></c></row><row r="8"><c r="P8"><f t="shared" si="0"/><v>4</v></c></row>'
           b'<row r="9"><c r="P9" s="3"><f t="shared" si="0"/></c></row></sheetData>')
    assert expand_shared_formulas(xml) == (
        b'<sheetData><row r="7"><c r="P7"><f>E7*2</f><v>2</v></c></row><row r="8"><c r="P8">'
        b'<f>E8*2</f><v>4</v></c></row><row r="9"><c r="P9" s="3"><f>E9*2</f></c></row>'
        b'</sheetData>')


# -- writing ------------------------------------------------------------------------------

def test_a_formula_stays_a_formula_and_text_stays_text():
    assert _cell("N8", Formula("=E8*2"), "4") == '<c r="N8" s="4"><f>E8*2</f></c>'
    assert _cell("B8", Text("=E8*2"), None) == \
        '<c r="B8" t="inlineStr"><is><t xml:space="preserve">=E8*2</t></is></c>'


def test_a_rewritten_row_keeps_its_attributes():
    old = b'<row r="9" spans="1:14" ht="30" customHeight="1" x14ac:dyDescent="0.4"><c r="A9"/>'
    assert _row_xml(9, ['<c r="A9"><v>1</v></c>'], old, (1, 36)) == (
        b'<row r="9" spans="1:36" ht="30" customHeight="1" x14ac:dyDescent="0.4">'
        b'<c r="A9"><v>1</v></c></row>')
    assert _row_xml(9, [], b'<row r="9" hidden="1" outlineLevel="1"/>', (1, 3)) == \
        b'<row r="9" hidden="1" outlineLevel="1"></row>'


def test_a_carried_row_takes_its_formulas_along():
    assert _renumber(b'<row r="4" spans="1:3"><c r="A4"><v>1</v></c><c r="Q4"><f>J4/1000</f>'
                     b'</c></row>', 10) == \
        b'<row r="10" spans="1:3"><c r="A10"><v>1</v></c><c r="Q10"><f>J10/1000</f></c></row>'


def test_x14_ranges_stretch_with_the_table():
    resize = Resize("月次", "Collection", 6, 1, 35, 8)
    assert _sqrefs(b'<xm:sqref>E7:E11</xm:sqref><dataValidation sqref="N7:N11 P3">',
                   resize, 11) == b'<xm:sqref>E7:E14</xm:sqref><dataValidation sqref="N7:N14 P3">'


def test_a_defined_name_added_and_removed():
    xml = b'<workbook><sheets/><definedNames><definedName name="X">1</definedName></definedNames>' \
          b'</workbook>'
    added = with_defined_name(xml, "M", "TRUE")
    assert added == b'<workbook><sheets/><definedNames><definedName name="X">1</definedName>' \
                    b'<definedName name="M" hidden="1">TRUE</definedName></definedNames>' \
                    b'</workbook>'
    assert without_defined_name(added, "M") == xml


# -- inserting rows -----------------------------------------------------------------------

@pytest.mark.parametrize("ref, shifted", [
    ("E11", "E11"), ("E12", "E14"), ("$E$13", "$E$15"), ("E7:E11", "E7:E11"),
    ("E7:E12", "E7:E14"), ("E12:E20", "E14:E22"), ("A:A", "A:A"), ("12:12", "14:14"),
    ("$3:$20", "$3:$22"),
])
def test_references_move_as_an_inserted_row_moves_them(ref, shifted):
    assert shift_ref(ref, AT) == shifted


def test_ranges_ending_on_a_growing_table_grow_with_it():
    assert shift_ref("E7:E11", GROWING) == "E7:E13"
    assert shift_ref("E8:E11", GROWING) == "E8:E13"
    assert shift_ref("E11", GROWING) == "E11"  # a cell is no range
    assert shift_ref("E3:E11", GROWING) == "E3:E11"  # it starts above the table


def test_formulas_move_only_references_to_the_sheet():
    assert shift_formula("SUM(E7:E11)+E12+'設定'!B12+Collection[与信残高]+OverLimit", "月次",
                         GROWING) == "SUM(E7:E13)+E14+'設定'!B12+Collection[与信残高]+OverLimit"
    assert shift_formula("'月次'!E12*2+E12", "設定", AT) == "'月次'!E14*2+E12"
    assert shift_formula('"E12"&E12', "月次", AT) == '"E12"&E14'  # text stays text
    with pytest.raises(Blocked):
        shift_formula('"E12', "月次", AT)  # a text that never ends


def test_the_sheet_moves_its_rows_merges_formats_validations_and_links():
    xml = ('<worksheet><dimension ref="A1:E13"/><sheetData><row r="11"><c r="E11"><v>1</v></c>'
           '</row><row r="12" ht="20"><c r="A12" t="s"><v>0</v></c><c r="E12"><f>SUM(E7:E11)'
           '</f></c></row></sheetData><mergeCells count="1"><mergeCell ref="A13:C13"/>'
           '</mergeCells><conditionalFormatting sqref="E7:E11 E12"><cfRule><formula>$E12&gt;0'
           '</formula></cfRule></conditionalFormatting><hyperlinks><hyperlink ref="A12" '
           'r:id="rId1"/></hyperlinks><extLst><x14:conditionalFormatting><x14:cfRule><xm:f>'
           '$E12&gt;1</xm:f></x14:cfRule><xm:sqref>E7:E11</xm:sqref></x14:conditionalFormatting>'
           '</extLst></worksheet>').encode()
    assert shift_sheet(xml, "月次", GROWING).decode() == (
        '<worksheet><sheetData><row r="11"><c r="E11"><v>1</v></c></row><row r="14" ht="20">'
        '<c r="A14" t="s"><v>0</v></c><c r="E14"><f>SUM(E7:E13)</f></c></row></sheetData>'
        '<mergeCells count="1"><mergeCell ref="A15:C15"/></mergeCells><conditionalFormatting '
        'sqref="E7:E13 E14"><cfRule><formula>$E14&gt;0</formula></cfRule>'
        '</conditionalFormatting><hyperlinks><hyperlink ref="A14" r:id="rId1"/></hyperlinks>'
        '<extLst><x14:conditionalFormatting><x14:cfRule><xm:f>$E14&gt;1</xm:f></x14:cfRule>'
        '<xm:sqref>E7:E13</xm:sqref></x14:conditionalFormatting></extLst></worksheet>')


def test_another_sheet_moves_only_its_formulas_to_the_sheet():
    xml = b'<worksheet><sheetData><row r="12"><c r="A12"><f>\'\xe6\x9c\x88\xe6\xac\xa1\'!E12' \
          b'+A13</f></c></row></sheetData></worksheet>'
    assert shift_sheet(xml, "other", AT) == xml.replace(b"!E12", b"!E14")


def test_defined_names_tables_comments_charts():
    assert shift_defined_names(
        "<definedNames><definedName name=\"Total\">'月次'!$E$12</definedName>"
        "<definedName name=\"T\">'設定'!$B$3</definedName></definedNames>".encode(), AT) == \
        "<definedNames><definedName name=\"Total\">'月次'!$E$14</definedName>" \
        "<definedName name=\"T\">'設定'!$B$3</definedName></definedNames>".encode()
    assert shift_table(b'<table ref="A13:C20"><autoFilter ref="A13:C20"/></table>', AT) == \
        b'<table ref="A15:C22"><autoFilter ref="A15:C22"/></table>'
    assert shift_comments(b'<comment ref="A12" authorId="0"/><comment ref="B9"/>', AT) == \
        b'<comment ref="A14" authorId="0"/><comment ref="B9"/>'
    assert shift_chart("<c:f>'月次'!$E$7:$E$11</c:f>".encode(), GROWING) == \
        "<c:f>'月次'!$E$7:$E$13</c:f>".encode()


def test_comment_shapes_and_drawings_move_by_zero_based_rows():
    vml = (b'<x:ClientData ObjectType="Note"><x:Anchor>\n    1, 15, 11, 10, 3, 15, 15, 4'
           b'</x:Anchor><x:Row>11</x:Row><x:Column>0</x:Column></x:ClientData>'
           b'<x:ClientData><x:Anchor>1, 15, 2, 10, 3, 15, 6, 4</x:Anchor><x:Row>2</x:Row>'
           b'</x:ClientData>')
    assert shift_vml(vml, AT) == (
        b'<x:ClientData ObjectType="Note"><x:Anchor>1, 15, 13, 10, 3, 15, 17, 4</x:Anchor>'
        b'<x:Row>13</x:Row><x:Column>0</x:Column></x:ClientData><x:ClientData><x:Anchor>'
        b'1, 15, 2, 10, 3, 15, 6, 4</x:Anchor><x:Row>2</x:Row></x:ClientData>')
    drawing = (b'<xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:row>4</xdr:row>'
               b'</xdr:from><xdr:to><xdr:col>5</xdr:col><xdr:row>20</xdr:row></xdr:to>'
               b'</xdr:twoCellAnchor><xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col>'
               b'<xdr:row>11</xdr:row></xdr:from></xdr:oneCellAnchor>')
    assert shift_drawing(drawing, AT) == drawing.replace(b"<xdr:row>20", b"<xdr:row>22") \
        .replace(b"<xdr:row>11", b"<xdr:row>13")


def test_cells_are_read_as_excel_means_them():
    from kaishu.xlsxpatch import Package

    package = Package.__new__(Package)
    package._strings = ["共有の文字列"]
    read = package._value
    assert read(' t="b"', "<v>1</v>", {}) is True
    assert read(' t="e"', "<v>#N/A</v>", {}) == "#N/A"
    assert read(' t="s"', "<v>0</v>", {}) == "共有の文字列"
    assert read(' t="inlineStr"', '<is><t>面談</t><rPh sb="0" eb="2"><t>メンダン</t></rPh>'
                '</is>', {}) == "面談"
    formula = read(' t="str"', "<f>A1&amp;B1</f><v>ab</v>", {})
    assert isinstance(formula, Formula) and formula == "=A1&B1"
    assert read(' t="str"', "<f>A1&amp;B1</f><v>ab</v>", {}, cached=True) == "ab"
    assert read("", "<f>1+1</f><v>2</v>", {}, cached=True) == 2
