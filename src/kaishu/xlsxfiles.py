"""Saving and comparing generated workbooks."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomically(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place, so a
    failure midway leaves the old file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=path.suffix, dir=path.parent,
                                         prefix=f".{path.stem}.")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, path.stat().st_mode if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
