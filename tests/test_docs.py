"""The README's commands are the ones CI runs."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def first_screen_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, flags=re.DOTALL).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_first_screen_has_setup_and_test_commands():
    setup, tests = first_screen_commands()
    assert setup == "bash scripts/setup && .venv/bin/kaishu demo"
    assert tests == ".venv/bin/python -m pytest"


def test_ci_runs_the_readme_commands():
    script = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    setup, tests = first_screen_commands()
    assert setup.split(" && ")[0] in script
    assert script[-1] == tests


def test_setup_installs_into_the_checkouts_venv():
    script = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    assert '-m venv "$venv"' in script and "venv=.venv" in script
    assert '"$venv/bin/python" -m pip install' in script
    assert "python3 -m pip" not in script  # never into the system's Python
    assert ".venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def section_blocks(heading: str, language: str = "sh") -> list[str]:
    """The code blocks of one README section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_the_monthly_refresh_examples_run_as_written(tmp_path, libreoffice):
    # In a copy of the checkout's samples and templates, with `kaishu` being this kaishu
    # and a LibreOffice profile of its own; the committed workbooks stay as they are.
    (block,) = section_blocks("Monthly refresh")[:1]
    work = tmp_path / "checkout"
    for folder in ("xlsx_templates", "samples"):
        shutil.copytree(ROOT / folder, work / folder)
    committed = digests(work / "xlsx_templates")
    script = (f'kaishu() {{ "{sys.executable}" -m kaishu.cli "$@"; }}\n'
              "set -euo pipefail\n" + block)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SAL_USE_VCLPLUGIN": "svp",
           "PYTHONPATH": str(ROOT / "src")}  # this checkout's kaishu, from any folder
    done = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert digests(work / "xlsx_templates") == committed
    assert digests(ROOT / "xlsx_templates") == committed
    summaries = [line for line in done.stdout.splitlines() if ": 60 customers" in line]
    assert [line[:7] for line in summaries] == ["2025-09", "2025-09", "2025-08"]
    assert done.stdout.count("wrote try/my_check.xlsx") == 3
