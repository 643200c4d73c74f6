"""LibreOffice headless: recalculate workbooks and render them, for tests and pictures."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable


class EngineMissing(RuntimeError):
    """LibreOffice (``soffice``) is not installed."""


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        raise EngineMissing("LibreOffice is not installed: run scripts/setup")
    return path


def convert(paths: Iterable[Path], outdir: Path, target: str = "xlsx",
            timeout: float = 300) -> list[Path]:
    """Open each workbook in LibreOffice (which computes every formula) and save it as
    ``target`` into ``outdir``; returns the new files in the order given."""
    paths = [Path(p).resolve() for p in paths]
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kaishu-lo-") as profile:
        subprocess.run(
            [soffice(), "--headless", "--norestore", "--nologo",
             f"-env:UserInstallation={Path(profile).as_uri()}",
             "--convert-to", target, "--outdir", str(outdir), *map(str, paths)],
            check=True, capture_output=True, timeout=timeout,
            env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    results = [outdir / f"{p.stem}.{target.split(':')[0]}" for p in paths]
    missing = [r.name for r in results if not r.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {', '.join(missing)}")
    return results
