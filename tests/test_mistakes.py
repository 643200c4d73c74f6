"""Common mistakes get one clear line, exit 1 and nothing written; suspicious but possible
inputs are written and warned about in the summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from kaishu.cli import main

from test_safezip import template  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ledger_utf8"


@pytest.fixture
def book(template, tmp_path):
    return Path(shutil.copy(template, tmp_path / "collection_check.xlsx"))


@pytest.fixture
def ledger(tmp_path):
    return Path(shutil.copytree(SAMPLE, tmp_path / "ledger"))


def refresh(*args):
    return CliRunner().invoke(main, ["refresh", *map(str, args)])


def refused(result, book: Path, before: bytes) -> str:
    """The one line of a refused refresh; the workbook is as it was."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, never a traceback
    assert book.read_bytes() == before
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    return errors[0]


def limits_workbook(path: Path, codes: list[str]) -> Path:
    """A credit-limit workbook as Excel saves it: the summary table holds values."""
    book = Workbook()
    sheet = book.active
    sheet.append(["得意先コード", "得意先名", "採用限度額"])
    for code in codes:
        sheet.append([code, f"{code} 商事", 5_000_000])
    sheet.add_table(Table(displayName="CL_Summary", ref=f"A1:C{len(codes) + 1}"))
    book.save(path)
    return path


def test_a_month_before_the_ledger_is_refused_naming_the_range(book, ledger):
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2019-01"), book, before)
    # the sample ledger's first balance is carried in on 2024/03/31, its last receipt is
    # dated 2025/09/30 (see samples/generate_ledger.py: April 2024 - September 2025)
    assert "2019-01" in line and "2024/03/31 – 2025/09/30" in line and "--force" in line


def test_a_month_after_the_ledger_is_refused(book, ledger):
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2026-01"), book, before)
    assert "2026-01" in line and "2025/09/30" in line


def test_force_writes_a_month_outside_the_ledger(book, ledger):
    before = book.read_bytes()
    result = refresh(book, "--ledger", ledger, "--month", "2019-01", "--force")
    assert result.exit_code == 0, result.output
    assert book.read_bytes() != before
    assert "2019-01: 60 customers" in result.output


@pytest.mark.parametrize("name", ["customers.csv", "invoices.csv", "receipts.csv"])
def test_an_empty_file_is_named(book, ledger, name):
    (ledger / name).write_bytes(b"")
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2025-09"), book, before)
    assert name in line and "empty" in line


@pytest.mark.parametrize("name", ["customers.csv"])
def test_a_customer_master_with_only_its_header_is_named(book, ledger, name):
    # (invoices with only a header are read: a ledger may start from carried-in balances)
    header = (ledger / name).read_bytes().splitlines(keepends=True)[0]
    (ledger / name).write_bytes(header)
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2025-09"), book, before)
    assert name in line and "none" in line


@pytest.mark.parametrize("name", ["customers.csv", "invoices.csv"])
def test_a_missing_required_file_is_named(book, ledger, name):
    (ledger / name).unlink()
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2025-09"), book, before)
    assert name in line and str(ledger) in line


def test_limits_of_other_customers_are_refused_naming_codes_on_each_side(book, ledger,
                                                                         tmp_path):
    limits = limits_workbook(tmp_path / "limits.xlsx", ["A-001", "A-002"])
    before = book.read_bytes()
    line = refused(refresh(book, "--ledger", ledger, "--month", "2025-09", "--limits", limits),
                   book, before)
    assert "limits.xlsx" in line and "A-001, A-002" in line
    assert "C0001, C0002, C0003, C0004, C0005, … (60 in all)" in line


def test_limits_matching_some_customers_are_used(book, ledger, tmp_path):
    limits = limits_workbook(tmp_path / "limits.xlsx", ["C0001", "X-9"])
    result = refresh(book, "--ledger", ledger, "--month", "2025-09", "--limits", limits)
    assert result.exit_code == 0, result.output


def test_receipts_with_only_a_header_are_written_with_a_warning(book, ledger):
    header = (ledger / "receipts.csv").read_bytes().splitlines(keepends=True)[0]
    (ledger / "receipts.csv").write_bytes(header)
    before = book.read_bytes()
    result = refresh(book, "--ledger", ledger, "--month", "2025-09")
    assert result.exit_code == 0, result.output
    assert book.read_bytes() != before
    assert "警告: receipts.csv has no receipts" in result.output


def test_no_receipts_file_at_all_is_written_with_a_warning(book, ledger):
    (ledger / "receipts.csv").unlink()
    result = refresh(book, "--ledger", ledger, "--month", "2025-09")
    assert result.exit_code == 0, result.output
    assert "警告: receipts has no receipts" in result.output


def test_a_month_without_a_single_receipt_is_written_with_a_warning(book, ledger):
    lines = (ledger / "receipts.csv").read_bytes().decode("utf-8").splitlines(keepends=True)
    kept = [line for line in lines[1:] if not line.startswith("2025/09/")]
    assert 0 < len(kept) < len(lines) - 1
    (ledger / "receipts.csv").write_bytes("".join(lines[:1] + kept).encode("utf-8"))
    result = refresh(book, "--ledger", ledger, "--month", "2025-09")
    assert result.exit_code == 0, result.output
    assert "警告: not a single receipt is dated in 2025-09" in result.output


def test_a_normal_month_has_no_warning(book, ledger):
    result = refresh(book, "--ledger", ledger, "--month", "2025-09")
    assert result.exit_code == 0, result.output
    assert "警告" not in result.output
