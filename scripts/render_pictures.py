"""Render the README's pictures of the templates from the committed files.

LibreOffice prints each workbook to PDF (formulas computed, one page per sheet at A4), and
pdftoppm turns the pages into PNG files in docs/images/. Run:
``python3 scripts/render_pictures.py`` (needs LibreOffice, poppler-utils and a Japanese
font: scripts/setup installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kaishu.libreoffice import convert
from kaishu.templates import WORKBOOKS

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("*.png"):
        old.unlink()
    books = [ROOT / "xlsx_templates" / spec.file for spec in WORKBOOKS]
    with tempfile.TemporaryDirectory() as work:
        for spec, pdf in zip(WORKBOOKS, convert(books, Path(work) / "pdf", "pdf")):
            stem = Path(spec.file).stem
            subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "80",
                            str(pdf), str(IMAGES / stem)], check=True)
        bank_matching(Path(work))
    for image in sorted(IMAGES.glob("*.png")):
        print(image.relative_to(ROOT))


def bank_matching(work: Path) -> None:
    """The 入金消込 sheet as ``kaishu demo`` leaves it: the sample statements matched."""
    from openpyxl import load_workbook

    from kaishu.bank.run import run_match, statement_files

    ledger = work / "ledger"
    shutil.copytree(ROOT / "samples" / "ledger_utf8", ledger)
    (ledger / "receipts_bank.csv").unlink(missing_ok=True)
    book = work / "bank_matching.xlsx"
    shutil.copy(ROOT / "xlsx_templates" / "collection_check.xlsx", book)
    run_match(ledger, statement_files(ROOT / "samples" / "bank"), book)
    loaded = load_workbook(book)
    for sheet in list(loaded.worksheets):
        if sheet.title != "入金消込":
            loaded.remove(sheet)
    loaded.save(book)
    (pdf,) = convert([book], work / "bank_pdf", "pdf")
    # the top of the page, large enough to read: the title, 仮受金 and the first lines
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "120", "-singlefile",
                    "-x", "0", "-y", "0", "-W", "1403", "-H", "470", str(pdf),
                    str(IMAGES / "bank_matching")], check=True)


if __name__ == "__main__":
    main()
