"""The ready-made workbooks: declarative specs and one openpyxl builder."""

from __future__ import annotations

from pathlib import Path

from .collection import COLLECTION_CHECK
from .credit import CREDIT_LIMITS
from .spec import WorkbookSpec

LANGS = ("ja", "en")
WORKBOOKS: tuple[WorkbookSpec, ...] = (CREDIT_LIMITS, COLLECTION_CHECK)


def file_name(spec: WorkbookSpec, lang: str) -> str:
    """``credit_limits.xlsx`` in Japanese, ``credit_limits_en.xlsx`` in English."""
    return spec.file if lang == "ja" else spec.file.replace(".", f"_{lang}.", 1)


MODULE = '''"""Called by the {button} button of {workbook} (xlwings' SampleCall imports the
module named like the workbook and runs its main()). If you rename the workbook, copy this
file to the new name with .py."""

from kaishu.excel import refresh_caller


def main() -> None:
    refresh_caller()
'''


def write_templates(out: Path, lang: str = "ja") -> list[Path]:
    """Generate every template into ``out``; returns the files written: the workbooks,
    the macro-enabled collection check and the Python module its button imports."""
    from ..xlsxfiles import save_atomically  # the writers load openpyxl and XlsxWriter
    from .builder import Builder
    from .macro import write_macro_workbook

    paths = []
    for spec in WORKBOOKS:
        path = out / file_name(spec, lang)
        save_atomically(path, lambda p, spec=spec: Builder(spec, lang).build().save(p))
        paths.append(path)
    macro = out / file_name(COLLECTION_CHECK, lang).replace(".xlsx", ".xlsm")
    save_atomically(macro, lambda p: write_macro_workbook(p, lang))
    module = macro.with_suffix(".py")
    module.write_text(MODULE.format(button="今月を更新" if lang == "ja" else "Refresh this month",
                                    workbook=macro.name), encoding="utf-8")
    return paths + [macro, module]
