"""How ``kaishu refresh`` handles the workbook file (issue 7, item 5, and the kill test of
item 7): symbolic links, mode and owner, read-only and hard-linked files, the lock, the
Excel owner file, stale temporary files, flushing, and SIGKILL at any moment.

What only Windows shows (an Excel owner file made by Excel, a file another process holds)
is proven by the decision functions, fed the facts Windows would give."""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaishu import workbook as applier, xlsxfiles
from kaishu.errors import FileError
from kaishu.xlsxfiles import FileFacts, differences, refusals, replace_refusal

from test_safezip import book, ledger, one_line, refresh, template  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
KAISHU = [sys.executable, "-c", "from kaishu.cli import run; run()"]
TEMPORARY = ".kaishu-tmp-"




def months(path: Path) -> set:
    loaded = load_workbook(path)
    sheet = next(s for s in loaded.worksheets if "History" in s.tables)
    return {row[0].value for row in sheet[sheet.tables["History"].ref][1:]}


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- symbolic links, mode, owner --------------------------------------------------------------

def test_the_real_target_of_a_symbolic_link_is_refreshed(book, ledger, tmp_path):
    elsewhere = tmp_path / "desk"
    elsewhere.mkdir()
    link = elsewhere / "今月.xlsx"
    link.symlink_to(book)
    assert refresh(link, ledger).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(book)  # still the link
    assert "2025-06" in months(book)  # the real file holds the month
    assert listing(elsewhere) == ["今月.xlsx"] and listing(book.parent) == [book.name]


def test_mode_and_owner_are_kept(book, ledger):
    os.chmod(book, 0o640)
    if os.geteuid() == 0:  # only root may give a file away: then the owner is checked too
        os.chown(book, 4321, 4322)
    before = book.stat()
    assert refresh(book, ledger).exit_code == 0
    after = book.stat()
    assert after.st_ino != before.st_ino  # replaced, not rewritten in place
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_an_owner_that_may_not_be_set_is_left(tmp_path, monkeypatch):
    """A user who does not own the workbook (but may write it) cannot give the new file
    its owner: the group is tried alone, then the refresh goes on; the mode is kept."""
    temporary = tmp_path / "new.xlsx"
    temporary.write_bytes(b"PK")
    mine = temporary.stat()
    old = os.stat_result((stat.S_IFREG | 0o604, 1, 1, 1, mine.st_uid + 1, mine.st_gid + 1,
                          2, 0, 0, 0))
    tried = []

    def chown(path, uid, gid):
        tried.append((uid, gid))
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(xlsxfiles.os, "chown", chown)
    xlsxfiles._keep_mode_and_owner(temporary, old)
    assert tried == [(mine.st_uid + 1, mine.st_gid + 1), (-1, mine.st_gid + 1)]
    assert stat.S_IMODE(temporary.stat().st_mode) == 0o604


# -- refused before anything is read -----------------------------------------------------------

def test_a_read_only_workbook_is_refused(book, ledger):
    os.chmod(book, 0o444)
    before = book.read_bytes()
    line = one_line(refresh(book, ledger))
    assert "collection_check.xlsx: 読み取り専用です" in line
    assert book.read_bytes() == before and listing(book.parent) == [book.name]


def test_a_hard_linked_workbook_is_refused(book, ledger, tmp_path):
    twin = tmp_path / "twin.xlsx"
    os.link(book, twin)
    before = book.read_bytes()
    line = one_line(refresh(book, ledger))
    assert "ほかに 1 個のハードリンクがあります" in line
    assert book.read_bytes() == before
    assert book.stat().st_ino == twin.stat().st_ino and book.stat().st_nlink == 2


@pytest.mark.parametrize("marker, program", [("~$collection_check.xlsx", "Excel"),
                                             (".~lock.collection_check.xlsx#", "LibreOffice")])
def test_a_workbook_open_in_excel_is_refused(book, ledger, marker, program):
    (book.parent / marker).write_bytes(b"\x0bTaro Yamada")  # as Excel leaves it
    before = book.read_bytes()
    line = one_line(refresh(book, ledger))
    assert f"{program} で開いています（{marker} があります）: {program} で閉じてから実行して" in line
    assert book.read_bytes() == before
    assert listing(book.parent) == sorted([book.name, marker])


def test_an_owner_file_beside_the_symbolic_link_counts_too(book, ledger, tmp_path):
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "book.xlsx").symlink_to(book)
    (desk / "~$book.xlsx").write_bytes(b"")
    assert "Excel で開いています" in one_line(refresh(desk / "book.xlsx", ledger))


def test_a_workbook_opened_in_excel_during_the_refresh_is_not_replaced(book, ledger,
                                                                       monkeypatch):
    original = applier.compute_month

    def opened_meanwhile(*args):
        (book.parent / ("~$" + book.name)).write_bytes(b"")
        return original(*args)

    monkeypatch.setattr(applier, "compute_month", opened_meanwhile)
    before = book.read_bytes()
    assert "Excel で開いています" in one_line(refresh(book, ledger))
    assert book.read_bytes() == before
    assert listing(book.parent) == sorted([book.name, "~$" + book.name])  # no temporary


def test_the_refusals_decided_from_facts():
    """The decision, for the facts each system gives (Windows: the read-only attribute
    clears the write bits, Excel's owner file ``~$name``)."""
    plain = FileFacts("book.xlsx", "/d/book.xlsx", 1, False, True)
    assert refusals(plain) == []
    excel = FileFacts("book.xlsx", "/d/book.xlsx", 1, False, True,
                      (("Excel", "~$book.xlsx"),))
    assert refusals(excel) == ["Excel で開いています（~$book.xlsx があります）: Excel で閉じてから"
                               "実行してください（開いていないのなら ~$book.xlsx を削除してください）"]
    everything = FileFacts("book.xlsx", "/d/book.xlsx", 3, True, False,
                           (("Excel", "~$book.xlsx"),))
    assert [r.split(":")[0] for r in refusals(everything)] == [
        "Excel で開いています（~$book.xlsx があります）", "読み取り専用です",
        "ほかに 2 個のハードリンクがあります", "フォルダ d に書き込めません"]


def test_a_file_another_process_holds_decided_from_the_error():
    """Windows refuses to replace a file another process has open: access denied (5) or a
    sharing violation (32, 33), raised as PermissionError or OSError with ``winerror``."""
    denied = PermissionError(13, "Access is denied")
    sharing = OSError(22, "The process cannot access the file")
    sharing.winerror = 32
    for error in (denied, sharing):
        refused = replace_refusal("book.xlsx", error)
        assert isinstance(refused, FileError)
        assert str(refused).startswith("book.xlsx: ほかのプログラムがこのファイルを開いているため")
    assert replace_refusal("book.xlsx", OSError(28, "No space left on device")) is None


def test_a_held_file_leaves_the_workbook_and_no_temporary(book, ledger, monkeypatch):
    def held(source, target):
        raise PermissionError(13, "Access is denied", str(target))

    monkeypatch.setattr(xlsxfiles.os, "replace", held)
    before = book.read_bytes()
    assert "ほかのプログラムがこのファイルを開いているため置き換えられません" in \
        one_line(refresh(book, ledger))
    assert book.read_bytes() == before and listing(book.parent) == [book.name]


def test_a_disk_error_is_one_line(book, ledger, monkeypatch):
    def full(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(xlsxfiles.os, "replace", full)
    assert one_line(refresh(book, ledger)) == \
        "Error: collection_check.xlsx: No space left on device"
    assert listing(book.parent) == [book.name]


# -- what happens around the replace -------------------------------------------------------------

def _open_files() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with_target = f"/proc/self/fd/{fd}"
        try:
            found.add(os.readlink(with_target))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_the_zip_is_closed_and_the_file_flushed_before_the_replace(book, ledger,
                                                                   monkeypatch):
    """At the rename, no file of the process refers to the workbook (Windows could not
    replace it); the temporary file was flushed before it and the folder after it."""
    events = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(source, target):
        assert str(book) not in _open_files()
        events.append(("replace", Path(source).name))
        real_replace(source, target)

    def fsync(fd):
        events.append(("fsync", Path(os.readlink(f"/proc/self/fd/{fd}")).name))
        real_fsync(fd)

    monkeypatch.setattr(xlsxfiles.os, "replace", replace)
    monkeypatch.setattr(xlsxfiles.os, "fsync", fsync)
    assert refresh(book, ledger).exit_code == 0
    temporary = events[0][1]
    assert temporary.startswith(".collection_check.xlsx.kaishu-tmp-")
    assert events == [("fsync", temporary), ("replace", temporary), ("fsync", book.parent.name)]


def test_stale_temporaries_are_removed_and_only_those(book, ledger):
    stale = [".collection_check.xlsx.kaishu-tmp-k3j2h1.xlsx",
             ".collection_check.xlsx.kaishu-tmp-0"]
    others = [".collection_check.xlsx.backup", ".other.xlsx.kaishu-tmp-9.xlsx",
              "collection_check.xlsx.kaishu-tmp-1", "memo.txt"]
    for name in stale + others:
        (book.parent / name).write_bytes(b"PK partial")
    assert refresh(book, ledger).exit_code == 0
    assert listing(book.parent) == sorted([book.name] + others)


# -- the lock ----------------------------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from kaishu.xlsxfiles import exclusive
    with exclusive(sys.argv[1]):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _hold(book: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(book), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_second_refresh_waits_then_stops_with_one_line(book, ledger, monkeypatch):
    monkeypatch.setattr(xlsxfiles, "LOCK_WAIT", 0.5)
    with _hold(book, 30) as holder:
        try:
            before = book.read_bytes()
            started = time.monotonic()
            line = one_line(refresh(book, ledger))
            assert 0.5 <= time.monotonic() - started < 10
            assert "別の kaishu refresh がこのブックを更新中です（0.5 秒待ちました）" in line
            assert book.read_bytes() == before
        finally:
            holder.kill()


def test_a_second_refresh_waits_for_the_first_to_end(book, ledger):
    with _hold(book, 1.0):
        result = refresh(book, ledger)  # waits up to LOCK_WAIT (5 s)
        assert result.exit_code == 0, result.output
    assert listing(book.parent) == [book.name]  # the lock file is gone


COUNTER = textwrap.dedent("""
    import os, sys, time
    from kaishu.xlsxfiles import exclusive
    log = sys.argv[2]
    for _ in range(int(sys.argv[3])):
        with exclusive(sys.argv[1], wait=60):
            with open(log, "a") as out:
                out.write(f"in {os.getpid()}\\n")
            time.sleep(0.01)
            with open(log, "a") as out:
                out.write(f"out {os.getpid()}\\n")
""")


def test_the_lock_excludes_even_as_its_file_is_removed(book, tmp_path):
    """Each holder removes the lock file before it lets go, so none is left behind; three
    processes taking the lock over and over are still never inside at once."""
    log = tmp_path / "log.txt"
    workers = [subprocess.Popen([sys.executable, "-c", COUNTER, str(book), str(log), "15"])
               for _ in range(3)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0]
    lines = log.read_text().splitlines()
    assert len(lines) == 90
    for entering, leaving in zip(lines[::2], lines[1::2]):  # strictly one at a time
        assert entering.split()[0] == "in" and leaving == "out " + entering.split()[1]
    assert listing(book.parent) == [book.name]


# -- SIGKILL at any moment ---------------------------------------------------------------------

def test_a_killed_refresh_leaves_the_old_or_the_new_workbook(book, ledger, tmp_path):
    """``kaishu refresh`` killed (SIGKILL) at moments spread over a whole run, mid-write and
    right after the replace: the workbook is each time either the old or the new file and
    opens; the next normal run leaves no temporary or lock file beside it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}

    def command(path: Path) -> list[str]:
        return KAISHU + ["refresh", str(path), "--ledger", str(ledger), "--month", "2025-07"]

    old = book.read_bytes()
    reference = tmp_path / "reference"
    reference.mkdir()
    new = Path(shutil.copy(book, reference / book.name))
    started = time.monotonic()
    subprocess.run(command(new), env=env, check=True, capture_output=True)
    whole = time.monotonic() - started
    rng = random.Random(7)
    outcomes, leftovers = [], set()
    trials = 8
    moments = [whole * (0.2 + 0.9 * (trial + rng.random()) / trials) for trial in range(trials)]
    # spread over a run (the machine may be slower now than when it was measured); then
    # as soon as the temporary file is there (mid-write); then as soon as it has replaced
    # the workbook (before the lock file is removed)
    for moment in moments + ["writing", "writing", "replaced"]:
        inode = book.stat().st_ino
        process = subprocess.Popen(command(book), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        if moment == "writing":
            while process.poll() is None and not any(
                    TEMPORARY in name for name in listing(book.parent)):
                time.sleep(0.002)
        elif moment == "replaced":
            while process.poll() is None and book.stat().st_ino == inode:
                time.sleep(0.002)
        else:
            time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if book.read_bytes() == old:
            outcomes.append("old")
        else:
            assert differences(book, new) == [], f"killed at {moment}: neither file"
            outcomes.append("new")
            book.write_bytes(old)  # the next trial starts from the old file again
        load_workbook(book)  # opens
        leftovers |= {name for name in listing(book.parent) if name != book.name}
    assert any(TEMPORARY in name for name in leftovers)  # a kill mid-write left one ...
    subprocess.run(command(book), env=env, check=True, capture_output=True)
    assert differences(book, new) == []
    assert listing(book.parent) == [book.name]  # ... and the next run removed it
    assert outcomes[-1] == "new" and "old" in outcomes, outcomes
