"""Writing one file per unit into a folder (`remind --output-dir`, `export --per-unit`): names made
safe from the data, and a set of files that lands whole or not at all.

A unit's name comes from `_plan.yaml`, which anyone with a pull request can edit: `../x`, `/etc/x`, a
NUL, `CON`, 300 characters. `safe_name` turns any text into one file name that every common system
accepts (Windows' reserved names and characters, trailing dots and spaces, 255-byte limits), so a
file can only land inside the folder asked for; `write_all` checks that once more before writing.

All or nothing: every file is written into a fresh temporary folder first — inside the target when
it exists (the same file system, and proof that it can be written), else beside it, which then
becomes it by one rename — and only once all are written are they renamed into place. A failure
before that removes the temporary folder and leaves the target as it was.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

TEMP_SUFFIX = ".portcli-tmp"  # as write.TEMP_SUFFIX: ignored by the .gitignore portcli init writes
# Windows refuses these as a file's name, with or without an extension, in any case (COM¹ … too).
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                      *(f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³"))})
# Characters Windows refuses in a name, the path separators among them, and every control character.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]')
# 255 bytes is the limit of a name on Linux and macOS (Windows: 255 UTF-16 units, fewer); a Chinese
# character takes three. The stem stays well below, leaving room for a suffix and a -2.
MAX_STEM_BYTES = 150


class OutputFolderError(Exception):
    """A folder the files cannot be written to (`error`: why, as the OS said it; None: it is a file).
    Nothing was written."""

    def __init__(self, folder: Path, error: OSError | None = None):
        super().__init__(folder, error)
        self.folder, self.error = folder, error


def safe_name(text: str) -> str:
    """`text` as a file name's stem that is safe on Windows, macOS and Linux alike: forbidden and
    control characters become `_`, a leading dot `_` (no hidden files, no `.` or `..`), outer spaces
    and trailing dots go, a reserved name gets a `_` (CON → CON_, nul.txt → nul_.txt), and a long
    name is cut at a character."""
    name = unicodedata.normalize("NFC", text)
    name = _FORBIDDEN.sub("_", name).strip(" ")
    if name.startswith("."):
        name = "_" + name[1:]
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_STEM_BYTES:
        name = encoded[:MAX_STEM_BYTES].decode("utf-8", errors="ignore")
    name = name.rstrip(" .")
    base, dot, rest = name.partition(".")
    if _reserved(base):  # NUL.txt is NUL to Windows too: the mark goes before the first dot
        name = base + "_" + dot + rest
    return name or "_"


def _reserved(base: str) -> bool:
    return base.rstrip(" ").upper() in RESERVED


def is_safe(name: str) -> bool:
    """Whether `name` is one plain file name that every common system takes as it is."""
    return (bool(name) and not _FORBIDDEN.search(name) and not name.startswith((".", " "))
            and not name.endswith((".", " ")) and not _reserved(name.partition(".")[0])
            and len(name.encode("utf-8", errors="replace")) <= 255)


def unique_names(stems: list[str], suffix: str) -> list[str]:
    """`stem + suffix` for each stem made safe, distinct even where case is ignored (Windows, macOS):
    a second 天津海关 (or a `a/b` beside an `a_b`) becomes 天津海关-2."""
    taken: set[str] = set()
    names = []
    for stem in stems:
        base = safe_name(stem)
        name, n = base + suffix, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}{suffix}"
        taken.add(name.casefold())
        names.append(name)
    return names


def check_folder(folder: Path) -> None:
    """Refuse, before anything is rendered, a folder that is a file (or a link to one)."""
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(folder)


def write_all(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write `contents` (file name → bytes, names from `unique_names`) into `folder`, all or none;
    returns the paths written, in order. `folder` and its missing parents are created."""
    check_folder(folder)
    for name in contents:
        if not is_safe(name):
            raise ValueError(f"not a safe file name: {name!r}")  # portcli's bug, not the user's
    exists = folder.is_dir()
    try:
        if not exists:
            folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".", suffix=TEMP_SUFFIX,
                                        dir=folder if exists else folder.parent))
    except OSError as exc:
        raise OutputFolderError(folder, exc) from None
    try:
        for name, data in contents.items():
            path = staging / name
            if path.resolve().parent != staging.resolve():  # safe_name makes this impossible; never write outside
                raise ValueError(f"{name!r} would leave the folder")
            with open(path, "xb") as out:
                out.write(data)
        if not exists:
            os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's 0700 is for a temporary folder, not the result
            os.rename(staging, folder)
            return [folder / name for name in contents]
        for name in contents:  # a rename cannot replace a folder: find one before renaming any
            if (folder / name).is_dir() and not (folder / name).is_symlink():
                raise OutputFolderError(folder / name, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
        for name in contents:
            os.replace(staging / name, folder / name)
    except OSError as exc:
        raise OutputFolderError(folder, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in contents]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

