"""Printouts a manager reads: the committed workbooks exported to PDF by LibreOffice (with
Carlito, the metric twin of Calibri, and IPAGothic for Japanese — scripts/setup installs
both), measured page by page: A4 landscape, text at least 8 pt as printed (font size × print
scale: the PDF holds the scaled size), no number too wide for its cell (####), the monthly
sheet's key columns on its first page with the header row on every page, and every chart on
a page of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from kaishu.libreoffice import convert

ROOT = Path(__file__).resolve().parents[1]
A4_LANDSCAPE = (841.9, 595.3)  # points
MIN_PT = 8.0
# (headers that wrap onto two lines are extracted in pieces: these do not wrap)
KEY_HEADERS = {"ja": ("得意先名", "信用限度額", "与信残高", "使用率", "回収率", "警告", "対応メモ"),
               "en": ("Customer", "Exposure", "Utilisation", "Scheduled", "Warnings",
                      "Follow-up")}
# the start of each chart's title (a long title may wrap)
CHART_TITLES = {"ja": ("与信枠の使用率 (", "延滞額 (", "担当者別 売上と回収基準売上"),
                "en": ("Credit limit utilisation (", "Overdue amounts (",
                       "Billed and collection-based sales")}


def pages(pdf_path: Path) -> list[dict]:
    with pdfplumber.open(pdf_path) as pdf:
        return [{"size": (page.width, page.height),
                 "smallest": min((c["size"] for c in page.chars if c["text"].strip()),
                                 default=None),
                 "text": page.extract_text() or ""} for page in pdf.pages]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, libreoffice):
    out = tmp_path_factory.mktemp("pdf")
    names = ("credit_limits.xlsx", "collection_check.xlsx", "credit_limits_en.xlsx",
             "collection_check_en.xlsx")
    done = convert([ROOT / "xlsx_templates" / n for n in names], out, "pdf")
    return {name: pages(path) for name, path in zip(names, done)}


@pytest.mark.parametrize("name", ["credit_limits.xlsx", "collection_check.xlsx",
                                  "credit_limits_en.xlsx", "collection_check_en.xlsx"])
def test_every_page_is_a4_landscape_with_readable_text(printed, name):
    for number, page in enumerate(printed[name], start=1):
        assert page["size"] == pytest.approx(A4_LANDSCAPE, abs=1), (name, number)
        if page["smallest"] is not None:
            assert page["smallest"] >= MIN_PT - 0.05, (name, number, page["smallest"])
        assert "###" not in page["text"], (name, number)  # a number wider than its cell


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_monthly_sheet_prints_key_columns_first_with_headers_on_every_page(printed, lang):
    book = printed["collection_check.xlsx" if lang == "ja" else "collection_check_en.xlsx"]
    first = book[0]["text"]
    assert all(header in first for header in KEY_HEADERS[lang]), first[:300]
    # the committed workbook holds the sample month's 60 customers: C0001 ... C0060
    monthly = [p for p in book if "C0060" in p["text"] or "C0001" in p["text"]]
    assert len(monthly) >= 2
    for page in monthly:
        assert KEY_HEADERS[lang][0] in page["text"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_chart_has_a_page_of_its_own(printed, lang):
    book = printed["collection_check.xlsx" if lang == "ja" else "collection_check_en.xlsx"]
    def lines(page):
        return {line.replace(" ", "") for line in page["text"].splitlines()}

    where = [[i for i, p in enumerate(book)
              if any(line.startswith(title.replace(" ", "")) for line in lines(p))]
             for title in CHART_TITLES[lang]]
    assert all(len(found) == 1 for found in where), where
    first = where[0][0]
    assert [w[0] for w in where] == [first, first + 1, first + 2]
    # the page after the last chart is the next sheet's, not the rest of a chart frame
    following = book[first + 3]["text"]
    assert ("担当者別の回収状況" if lang == "ja" else "Collection by salesperson") in following


def test_the_details_print_after_the_key_columns_with_code_and_name(tmp_path, libreoffice):
    # a user who shows the detail columns ([+]) prints them on the following pages
    book_path = tmp_path / "collection_check.xlsx"
    shutil.copy(ROOT / "xlsx_templates" / "collection_check.xlsx", book_path)
    book = load_workbook(book_path)
    sheet = book["月次回収チェック"]
    for dimension in sheet.column_dimensions.values():
        dimension.hidden = False
    book.save(book_path)
    (pdf,) = convert([book_path], tmp_path / "pdf", "pdf")
    printed = pages(pdf)
    first = printed[0]["text"]
    assert "対応メモ" in first and "前月残高" not in first
    details = next(p for p in printed if "前月残高" in p["text"])
    assert "得意先名" in details["text"]
    assert "C0001" in details["text"]
    assert details["smallest"] >= MIN_PT - 0.05
