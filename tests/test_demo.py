"""`kaishu demo` works from an installed package in any folder: the sample ledger ships as
package data, and the demo says where it wrote everything."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from kaishu.cli import main
from kaishu.samples import copy_sample_data

ROOT = Path(__file__).resolve().parents[1]


def test_demo_writes_into_kaishu_demo_of_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "kaishu-demo"
    for name in ("kaishu_functions.xlsx", "credit_limits.xlsx", "collection_check.xlsx",
                 "collection_check.xlsm", "samples/ledger/customers.csv"):
        assert (out / name).is_file(), name
    assert f"everything is in {out}" in result.output
    assert "2025-09: 60 customers" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaishu-demo"]


def test_the_shipped_samples_are_copied_whole(tmp_path):
    shipped = ROOT / "src" / "kaishu" / "data" / "samples"
    copy_sample_data(tmp_path / "copy")
    made = sorted(p.relative_to(tmp_path / "copy") for p in (tmp_path / "copy").rglob("*"))
    assert made == sorted(p.relative_to(shipped) for p in shipped.rglob("*"))
    assert (tmp_path / "copy" / "ledger" / "invoices.csv").read_bytes() == \
        (ROOT / "samples" / "ledger_utf8" / "invoices.csv").read_bytes()


def test_demo_runs_from_the_built_wheel_outside_the_checkout(tmp_path):
    # Build the wheel from a copy of the project (the checkout is left as it is), unpack it
    # as pip would install it, and run the demo from an empty folder with only that copy of
    # kaishu importable.
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project)
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check",
                    "-w", str(tmp_path / "dist"), str(project)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel, = (tmp_path / "dist").glob("kaishu-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    shipped = ROOT / "src" / "kaishu" / "data" / "samples"
    for path in shipped.rglob("*.csv"):
        assert f"kaishu/data/samples/{path.relative_to(shipped).as_posix()}" in names
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run([sys.executable, "-c", "from kaishu.cli import run; run()", "demo"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "2025-09: 60 customers" in done.stdout
    assert (work / "kaishu-demo" / "collection_check.xlsx").is_file()
    check = subprocess.run([sys.executable, "-c", "import kaishu; print(kaishu.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True)
    assert check.stdout.startswith(str(tmp_path / "site"))
