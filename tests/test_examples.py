"""The worked examples: each worksheet function, called as Excel calls it, gives the value
of the article or of the hand calculation written beside the example."""

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaishu import udfs
from kaishu.cli import main
from kaishu.examples import EXAMPLES
from kaishu.registry import BY_NAME

ROOT = Path(__file__).resolve().parents[1]


def excel(value):
    # DATE(2025,4,10) reaches Python as its serial number
    return float((value - dt.date(1899, 12, 30)).days) if isinstance(value, dt.date) else value


def test_every_function_has_an_example():
    assert sorted(e.function for e in EXAMPLES) == sorted(BY_NAME)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.function)
def test_example_through_the_udf(example):
    result = getattr(udfs, example.function)(*map(excel, example.args))
    expected = example.expected
    if isinstance(expected, dt.date):
        assert result == dt.datetime.combine(expected, dt.time())
    elif isinstance(expected, str):
        assert result == expected
    else:
        assert result == pytest.approx(expected, rel=1e-12)


def test_article_figures_as_displayed():
    shown = {e.function: e.expected for e in EXAMPLES}
    assert round(shown["COLLECTION_SITE"]) == 66
    assert f"{shown['COLLECTION_RATE']:.1%}" == "88.9%"
    assert f"{shown['COLLECTION_EFFICIENCY']:.1%}" == "93.3%"
    assert shown["CREDIT_LIMIT_TARGET"] == 6_000_000


def test_sample_workbook_is_current():
    result = CliRunner().invoke(main, ["samples", "--out", str(ROOT / "samples"), "--check"])
    assert result.exit_code == 0, result.output


def test_samples_check_fails_on_a_stale_workbook(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["samples", "--out", str(tmp_path)]).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "kaishu_functions.xlsx")
    book.active["D2"] = "=CREDIT_LIMIT_CASHFLOW(1,1)"
    book.save(tmp_path / "kaishu_functions.xlsx")
    result = runner.invoke(main, ["samples", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "kaishu_functions.xlsx" in result.output and "sheet1.xml" in result.output


def test_demo_prints_every_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # any folder: the sample ledger ships in the package
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert all(e.function in result.output for e in EXAMPLES)
    assert "66.0000" in result.output and (tmp_path / "kaishu_functions.xlsx").exists()
    assert "2025-09: 60 customers" in result.output and "over limit: 5" in result.output
    assert (tmp_path / "collection_check.xlsx").exists()
