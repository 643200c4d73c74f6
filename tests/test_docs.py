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
    assert setup == "bash scripts/setup && kaishu demo"
    assert tests == "python3 -m pytest"


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    _, tests = first_screen_commands()
    assert "bash scripts/setup" in script
    assert script[-1] == tests
