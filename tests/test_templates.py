"""The ready-made workbooks, read back as files: layout, formulas Excel 2016 can run,
protection, validation, formats. Their values are proven in test_templates_engine.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kaishu.cli import main
from kaishu.templates import LANGS, WORKBOOKS, file_name, write_templates
from kaishu.xlsxfiles import differences

ROOT = Path(__file__).resolve().parents[1]

# Functions of Excel 2007 and earlier, stored as they are.
EXCEL_2007 = set("""
ABS AND AVERAGE AVERAGEIF AVERAGEIFS CHOOSE COLUMN COLUMNS CONCATENATE COUNT COUNTA
COUNTBLANK COUNTIF COUNTIFS DATE DATEDIF DATEVALUE DAY EDATE EOMONTH EXACT FALSE FIND FLOOR
HLOOKUP IF IFERROR INDEX INDIRECT INT ISBLANK ISERROR ISNA ISNUMBER ISTEXT LARGE LEFT LEN
LOOKUP LOWER MATCH MAX MEDIAN MID MIN MOD MONTH N NA NETWORKDAYS NOT NOW OFFSET OR RANK
RIGHT ROUND ROUNDDOWN ROUNDUP ROW ROWS SMALL SUBSTITUTE SUBTOTAL SUM SUMIF SUMIFS
SUMPRODUCT TEXT TODAY TRIM TRUE UPPER VALUE VLOOKUP WEEKDAY WORKDAY YEAR
""".split())
# Functions Excel 2010-2016 added: stored with the _xlfn. prefix.
EXCEL_2010_2016 = set("""
AGGREGATE DAYS FORMULATEXT IFNA ISFORMULA ISOWEEKNUM NETWORKDAYS.INTL NUMBERVALUE SHEET
SHEETS WORKDAY.INTL XOR
""".split())
STRING = re.compile(r'"(?:[^"]|"")*"')
CALL = re.compile(r"(?<![\w.\]])((?:_xlfn\.)?[A-Z][A-Z0-9.]*)\(")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("templates")
    return {(spec.file, lang): load_workbook(path)
            for lang in LANGS for spec, path in zip(WORKBOOKS, write_templates(out, lang))}


def formulas(book):
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield sheet, cell


def test_committed_templates_are_current():
    for lang in LANGS:
        result = CliRunner().invoke(main, ["templates", "--out", str(ROOT / "xlsx_templates"),
                                           "--lang", lang, "--check", "--sample",
                                           str(ROOT / "samples" / "ledger_utf8")])
        assert result.exit_code == 0, result.output


def test_the_committed_collection_check_shows_the_sample_month():
    book = load_workbook(ROOT / "xlsx_templates" / "collection_check.xlsx")
    sheet = book["月次回収チェック"]
    codes = [r[0].value for r in sheet[sheet.tables["Collection"].ref]][1:]
    assert codes.pop() == "合計"  # the table's totals row
    assert len(codes) == 60 and codes[0] == "C0001"
    assert book["設定"]["B3"].value.strftime("%Y-%m") == "2025-09"


def test_the_sample_ledger_is_what_its_generator_makes(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "samples" / "generate_ledger.py"), "--out",
                    str(tmp_path), "--package-out", str(tmp_path / "package")],
                   check=True, capture_output=True)
    shipped = ROOT / "src" / "kaishu" / "data" / "samples" / "ledger"
    for folder, encoding in (("ledger_utf8", "utf-8"), ("ledger_cp932", "cp932")):
        for made in sorted((tmp_path / folder).iterdir()):
            committed = ROOT / "samples" / folder / made.name
            assert made.read_bytes() == committed.read_bytes(), committed
            assert committed.read_bytes().decode(encoding) == \
                (ROOT / "samples" / "ledger_utf8" / made.name).read_bytes().decode("utf-8")
    # the copy shipped in the package (what `kaishu demo` refreshes from) is the same ledger
    made = sorted(p.name for p in (tmp_path / "package" / "ledger").iterdir())
    assert made == sorted(p.name for p in shipped.iterdir())
    for name in made:
        assert (tmp_path / "package" / "ledger" / name).read_bytes() == \
            (shipped / name).read_bytes(), name


def test_check_fails_on_a_changed_template(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["templates", "--out", str(tmp_path), "--sample",
                                "none"]).exit_code == 0
    book = load_workbook(tmp_path / "credit_limits.xlsx")
    book["設定"]["B4"] = 360
    book.save(tmp_path / "credit_limits.xlsx")
    result = runner.invoke(main, ["templates", "--out", str(tmp_path), "--check", "--sample",
                                  "none"])
    assert result.exit_code == 1 and "credit_limits.xlsx" in result.output


def test_generation_is_deterministic(tmp_path):
    first = write_templates(tmp_path / "a")
    second = write_templates(tmp_path / "b")
    assert [differences(a, b) if a.suffix != ".py" else a.read_text() != b.read_text()
            for a, b in zip(first, second)] == [[], [], [], False]


def test_formulas_use_only_what_excel_2016_has(books):
    used = set()
    for book in books.values():
        for sheet, cell in formulas(book):
            for name in CALL.findall(STRING.sub('""', cell.value)):
                used.add(name)
                if name.startswith("_xlfn."):
                    assert name[6:] in EXCEL_2010_2016, f"{sheet.title}!{cell.coordinate}: {name}"
                else:
                    assert name in EXCEL_2007, f"{sheet.title}!{cell.coordinate}: {name} " \
                        "is not in Excel 2016 (or needs the _xlfn. prefix)"
    assert {"SUMPRODUCT", "EXACT", "INDEX", "MATCH", "ROUNDDOWN"} <= used
    # criteria functions read * ? ~ and a leading = < > in a name as a pattern: names and
    # codes are matched with EXACT instead
    assert not used & {"SUMIF", "SUMIFS", "COUNTIF", "COUNTIFS", "AVERAGEIF", "AVERAGEIFS"}


def test_lookups_match_exactly(books):
    for book in books.values():
        for sheet, cell in formulas(book):
            for match in re.finditer(r"MATCH\(([^,]*),", cell.value):
                assert match.group(1) == "TRUE", f"{sheet.title}!{cell.coordinate}"


def test_samples_workbook_prefixes_newer_functions():
    book = load_workbook(ROOT / "samples" / "kaishu_functions.xlsx")
    texts = [c.value for _, c in formulas(book) if "FORMULATEXT" in c.value]
    assert texts and all("_xlfn.FORMULATEXT(" in t for t in texts)


def test_structured_references_are_stored_in_the_long_form(books):
    long_form = 0
    for book in books.values():
        for sheet, cell in formulas(book):
            assert "[@" not in cell.value, f"{sheet.title}!{cell.coordinate}"
            long_form += "[[#This Row]," in cell.value
    assert long_form > 500


def test_no_worksheet_function_of_kaishu_in_templates(books):
    from kaishu.registry import BY_NAME

    for book in books.values():
        for sheet, cell in formulas(book):
            assert not set(CALL.findall(cell.value)) & set(BY_NAME), cell.coordinate


def table_headers(book):
    return {t.displayName: [c.name for c in t.tableColumns]
            for sheet in book for t in sheet.tables.values()}


def test_credit_tables_have_the_articles_headers(books):
    headers = table_headers(books["credit_limits.xlsx", "ja"])
    assert headers["CL_Target"] == ["得意先コード", "得意先名", "担当者", "年間売上目標",
                                    "回収期間目標(日)", "信用限度額", "設定日", "次回見直し日"]
    assert headers["CL_Cashflow"][2:] == ["年間売上高", "資金固定期間(日)", "信用限度額"]
    assert headers["CL_Purchase"][2:] == ["得意先売上見積高", "得意先売上総利益見積高",
                                          "得意先仕入見積高", "自社仕入れ比率", "回収期間(日)",
                                          "信用限度額"]
    assert headers["CL_Composite"][2:] == ["月間売上高", "原価率", "1ヶ月販売基準",
                                           "標準信用期間(月)", "比率指数値", "経営者評価値",
                                           "その他評価値", "信用指数", "信用限度額"]
    assert "比率指数値" in headers["CL_Ratios"]


def test_collection_table_has_the_monthly_headers(books):
    headers = table_headers(books["collection_check.xlsx", "ja"])["Collection"]
    for name in ("前月残高", "当月売上", "当月回収予定額", "当月回収額", "現金", "振込", "手形",
                 "でんさい", "相殺", "手数料", "その他", "回収サイト", "回収期間", "与信残高",
                 "延滞1-30", "延滞121-", "前受金", "回収率", "回収基準比率", "当月残高", "使用率",
                 "警告"):
        assert name in headers
    english = table_headers(books["collection_check.xlsx", "en"])["Collection"]
    assert "Collection rate" in english and len(english) == len(headers)


def test_input_cells_unlocked_formula_cells_protected(books):
    for (file, lang), book in books.items():
        for sheet in book:
            assert sheet.protection.sheet and not sheet.protection.password, sheet.title
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        assert cell.protection.locked, f"{file} {sheet.title}!{cell.coordinate}"
        for sheet in book:
            for table in sheet.tables.values():
                first = sheet[table.ref.split(":")[0]]
                for column in table.tableColumns:
                    cell = sheet.cell(first.row + 1, first.column + column.id - 1)
                    assert cell.protection.locked == bool(column.calculatedColumnFormula), \
                        f"{file} {table.displayName}.{column.name}"


def test_inputs_are_validated_and_formatted(books):
    book = books["credit_limits.xlsx", "ja"]
    rules = {str(r.sqref): r for s in book for r in s.data_validations.dataValidation}
    ratio = [r for ref, r in rules.items() if r.type == "decimal" and r.formula2 == "1"]
    assert ratio, "ratio inputs (0-1) are validated"
    assert any(r.type == "date" for r in rules.values())
    assert any(r.type == "list" and "0.6,0.8,1,1.2,1.4" in r.formula1 for r in rules.values())
    target = book["方法3 売上目標"]
    header = next(r for r in target.iter_rows() if r[0].value == "得意先コード")[0].row
    assert target.cell(header + 1, 4).number_format == "#,##0"
    assert target.cell(header + 1, 6).number_format == "#,##0"
    collection = books["collection_check.xlsx", "ja"]["月次回収チェック"]
    formats = {c.number_format for row in collection.iter_rows() for c in row}
    assert {"#,##0", "0.0%", '0.0"日"'} <= formats


def test_sheets_print_on_a4_landscape_with_frozen_headers(books):
    for book in books.values():
        for sheet in book:
            assert int(sheet.page_setup.paperSize) == 9  # A4
            if sheet.tables:
                assert sheet.freeze_panes
            assert sheet.page_setup.orientation == "landscape", sheet.title


def test_conditional_formats_and_charts(books):
    monthly = books["collection_check.xlsx", "ja"]["月次回収チェック"]
    rules = [r.formula[0] for cf in monthly.conditional_formatting for r in cf.rules]
    assert any("OverLimit" in r for r in rules) and any("NearLimit" in r for r in rules)
    assert any("RateTarget" in r for r in rules)
    charts = books["collection_check.xlsx", "ja"]["グラフ"]
    assert len(charts._charts) == 3
    summary = books["credit_limits.xlsx", "ja"]["集計"]
    assert any("BaseDate" in r.formula[0] for cf in summary.conditional_formatting
               for r in cf.rules)


def test_english_and_japanese_share_formulas_and_names(books):
    for spec in WORKBOOKS:
        ja, en = books[spec.file, "ja"], books[spec.file, "en"]
        assert set(ja.defined_names) == set(en.defined_names)
        assert [len(s.tables) for s in ja] == [len(s.tables) for s in en]
        assert file_name(spec, "en").endswith("_en.xlsx")
