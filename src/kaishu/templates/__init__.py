"""The ready-made workbooks: declarative specs and one openpyxl builder."""

from __future__ import annotations

from pathlib import Path

from ..xlsxfiles import save_atomically
from .builder import Builder
from .collection import COLLECTION_CHECK
from .credit import CREDIT_LIMITS
from .spec import WorkbookSpec

LANGS = ("ja", "en")
WORKBOOKS: tuple[WorkbookSpec, ...] = (CREDIT_LIMITS, COLLECTION_CHECK)


def file_name(spec: WorkbookSpec, lang: str) -> str:
    """``credit_limits.xlsx`` in Japanese, ``credit_limits_en.xlsx`` in English."""
    return spec.file if lang == "ja" else spec.file.replace(".", f"_{lang}.", 1)


def write_templates(out: Path, lang: str = "ja") -> list[Path]:
    """Generate every template into ``out``; returns the files written."""
    paths = []
    for spec in WORKBOOKS:
        path = out / file_name(spec, lang)
        save_atomically(path, lambda p, spec=spec: Builder(spec, lang).build().save(p))
        paths.append(path)
    return paths
