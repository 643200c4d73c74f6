"""Shared fixtures: LibreOffice, the real spreadsheet engine of the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaishu.libreoffice import EngineMissing, convert, soffice


@pytest.fixture(scope="session")
def libreoffice() -> str:
    try:
        return soffice()
    except EngineMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI must have the engine)")
        pytest.skip(str(missing))


@pytest.fixture
def recalculate(libreoffice, tmp_path):
    """Recalculate workbooks in LibreOffice; returns them opened with computed values."""

    def run(*paths: Path):
        done = convert(paths, tmp_path / "recalculated")
        return [load_workbook(p, data_only=True) for p in done]

    return run
