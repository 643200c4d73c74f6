"""Saving, replacing and comparing workbooks.

A refresh replaces a file that people use: the file is handled the way they expect.
:func:`exclusive` finds the real file behind a symbolic link, refuses a file that cannot be
replaced without harm (read-only, hard-linked, open in Excel or LibreOffice), holds a lock
beside it for the whole refresh, and removes temporary files an earlier, killed run left;
:func:`save_atomically` writes a temporary file beside it, keeps mode and (where permitted)
owner, flushes it to disk, renames it over the old one and flushes the folder, so the file is
always either the old or the new workbook.

The decisions are plain functions of facts (:class:`FileFacts`, :func:`refusals`,
:func:`replace_refusal`), so what only Windows shows (an Excel owner file, a file another
process holds) is tested as well as what every system shows.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from .errors import FileError
from xml.etree import ElementTree
from xml.etree.ElementTree import canonicalize

#: openpyxl stamps the save time here; it is not part of what a workbook says.
_VOLATILE = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def normalised(path: str | os.PathLike[str]) -> dict[str, str]:
    """Every part of an xlsx as canonical XML (binary parts as hex), timestamps removed."""
    parts = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            if name == "[Content_Types].xml":  # a set of declarations: order means nothing
                root = ElementTree.fromstring(data)
                root[:] = sorted(root, key=lambda e: (e.tag, sorted(e.attrib.items())))
                data = ElementTree.tostring(root)
            if name.endswith((".xml", ".rels", ".vml")):
                parts[name] = canonicalize(_VOLATILE.sub(b"", data).decode("utf-8"),
                                           strip_text=True)
            else:
                parts[name] = data.hex()
    return parts


def differences(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> list[str]:
    """Names of the parts that differ between two workbooks (empty if they say the same)."""
    left, right = normalised(a), normalised(b)
    return sorted(n for n in left.keys() | right.keys() if left.get(n) != right.get(n))


#: Seconds a refresh waits for another one on the same workbook before it stops.
LOCK_WAIT = 5.0
#: Marks of the files a refresh makes beside the workbook (hidden on Unix by the dot).
TEMPORARY_MARK = ".kaishu-tmp-"
LOCK_MARK = ".kaishu-lock"


def temporary_prefix(path: Path) -> str:
    """How the temporary files of a save of ``path`` begin: ``.<name>.kaishu-tmp-``."""
    return f".{path.name}{TEMPORARY_MARK}"


def lock_file(path: Path) -> Path:
    """The lock a refresh of ``path`` holds: ``.<name>.kaishu-lock`` beside it."""
    return path.with_name(f".{path.name}{LOCK_MARK}")


def excel_owner_file(path: Path) -> Path:
    """The owner file Excel keeps beside a workbook it has open: ``~$<name>``."""
    return path.with_name("~$" + path.name)


def libreoffice_lock_file(path: Path) -> Path:
    """The lock file LibreOffice keeps beside a document it has open."""
    return path.with_name(f".~lock.{path.name}#")


@dataclass(frozen=True)
class FileFacts:
    """What the system says about a workbook about to be replaced."""

    name: str  # the file as given
    real: str  # the file replaced: symbolic links followed
    links: int  # hard links to it (st_nlink)
    read_only: bool  # its write permission is off (Windows: the read-only attribute)
    folder_writable: bool  # a file can be created beside it
    open_in: tuple[tuple[str, str], ...] = ()  # (program, marker file found beside it)


def facts(path: str | os.PathLike[str]) -> FileFacts:
    """The facts of ``path`` (raises :class:`FileError` if it is not there)."""
    given = Path(path)
    try:
        real = given.resolve(strict=True)
        status = real.stat()
    except (OSError, RuntimeError) as error:
        raise FileError(f"{given.name}: 開けません（{getattr(error, 'strerror', None) or error}）"
                        ) from None
    markers = []
    for place in dict.fromkeys((given.absolute(), real)):  # beside the link and the file
        for program, marker in (("Excel", excel_owner_file(place)),
                                ("LibreOffice", libreoffice_lock_file(place))):
            if os.path.lexists(marker):
                markers.append((program, marker.name))
    return FileFacts(str(given), str(real), status.st_nlink,
                     not status.st_mode & stat.S_IWUSR or not os.access(real, os.W_OK),
                     os.access(real.parent, os.W_OK | os.X_OK), tuple(markers))


def refusals(found: FileFacts) -> list[str]:
    """Why the workbook must not be replaced now (empty: it may be).

    >>> refusals(FileFacts("book.xlsx", "/data/book.xlsx", 2, True, True))
    ['読み取り専用です: 書き込みを許可してから実行してください', 'ほかに 1 個のハードリンクがあります: 置き換えるとリンクが切れるため更新しません（コピーを作り、そちらを更新してください）']
    """
    out = []
    for program, marker in found.open_in:
        out.append(f"{program} で開いています（{marker} があります）: {program} で閉じてから実行して"
                   f"ください（開いていないのなら {marker} を削除してください）")
    if found.read_only:
        out.append("読み取り専用です: 書き込みを許可してから実行してください")
    if found.links > 1:
        out.append(f"ほかに {found.links - 1} 個のハードリンクがあります: 置き換えるとリンクが切れる"
                   "ため更新しません（コピーを作り、そちらを更新してください）")
    if not found.folder_writable:
        out.append(f"フォルダ {Path(found.real).parent.name or found.real} に書き込めません: "
                   "書き込みを許可してから実行してください")
    return out


def check_replaceable(path: str | os.PathLike[str]) -> Path:
    """The real file behind ``path``, if it may be replaced now; else one line saying why."""
    found = facts(path)
    refused = refusals(found)
    if refused:
        raise FileError(f"{Path(found.name).name}: " + " / ".join(refused))
    return Path(found.real)


def replace_refusal(name: str, error: OSError) -> FileError | None:
    """What a failed rename of the temporary file over the workbook means to a user (None
    when it is not about the workbook being held). On Windows a file that another process
    holds open (Excel, a viewer, a virus scanner, a sync client) cannot be replaced, and
    the rename fails with access denied or a sharing violation (Windows errors 5, 32, 33).

    >>> str(replace_refusal("book.xlsx", PermissionError(13, "Access is denied")))
    'book.xlsx: ほかのプログラムがこのファイルを開いているため置き換えられません: そのプログラム（Excel など）で閉じてから、もう一度実行してください'
    """
    if isinstance(error, PermissionError) or getattr(error, "winerror", None) in (5, 32, 33):
        return FileError(f"{name}: ほかのプログラムがこのファイルを開いているため置き換えられません: "
                         "そのプログラム（Excel など）で閉じてから、もう一度実行してください")
    return None


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files an earlier, killed save of ``path`` left beside it (only
    those: named ``.<name>.kaishu-tmp-...``). Call it holding the lock. Returns them."""
    prefix = temporary_prefix(path)
    stale = [p for p in path.parent.iterdir() if p.name.startswith(prefix)]
    for leftover in stale:
        with suppress(FileNotFoundError):
            leftover.unlink()
    return stale


@contextmanager
def exclusive(path: str | os.PathLike[str], wait: float | None = None) -> Iterator[Path]:
    """Hold the workbook ``path`` for a refresh: yields the real file (symbolic links
    followed), checked (:func:`refusals`), locked against a second refresh (which waits
    ``wait`` seconds, :data:`LOCK_WAIT` by default, then stops with one line), with stale
    temporary files removed. The lock file is removed when the refresh ends."""
    wait = LOCK_WAIT if wait is None else wait
    real = check_replaceable(path)
    lock = FileLock(lock_file(real), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise FileError(f"{Path(path).name}: 別の kaishu refresh がこのブックを更新中です"
                        f"（{wait:g} 秒待ちました）: 終わってから実行してください") from None
    try:
        remove_stale_temporaries(real)
        yield real
    finally:
        with suppress(OSError):  # while held: a waiting refresh then locks a fresh file
            lock_file(real).unlink()
        lock.release()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _keep_mode_and_owner(temporary: Path, old: os.stat_result | None) -> None:
    if old is None:
        os.chmod(temporary, 0o666 & ~_umask())
        return
    os.chmod(temporary, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        new = temporary.stat()
        for owner in ((old.st_uid, old.st_gid), (-1, old.st_gid)):  # the group alone, if not
            if (new.st_uid, new.st_gid) == (old.st_uid, old.st_gid):
                break
            try:
                os.chown(temporary, *owner)
                break
            except PermissionError:
                continue
        os.chmod(temporary, stat.S_IMODE(old.st_mode))  # chown may clear setgid bits


def _flush(path: Path) -> None:
    """Flush a written file to the disk (not only to the system's cache)."""
    with open(path, "r+b") as stream:
        os.fsync(stream.fileno())


def _flush_folder(folder: Path) -> None:
    """Flush a rename to the disk (where the system can open a folder: not Windows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def save_atomically(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place, so a
    failure (or a kill) midway leaves the old file as it was.

    The temporary file is named ``.<name>.kaishu-tmp-...`` (so a later run can remove it,
    see :func:`remove_stale_temporaries`), gets the mode and, where permitted, the owner
    and group of the file it replaces, and is flushed to the disk before the rename; the
    folder is flushed after it. ``path`` must be the real file (see :func:`exclusive`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old = path.stat()
    except FileNotFoundError:
        old = None
    handle, temporary = tempfile.mkstemp(suffix=path.suffix, dir=path.parent,
                                         prefix=temporary_prefix(path))
    os.close(handle)
    temporary = Path(temporary)
    try:
        write(temporary)
        _keep_mode_and_owner(temporary, old)
        _flush(temporary)
        try:
            os.replace(temporary, path)
        except OSError as error:
            refused = replace_refusal(path.name, error)
            if refused is None:
                raise
            raise refused from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _flush_folder(path.parent)
