"""The README's commands are the ones CI runs."""

import re
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
