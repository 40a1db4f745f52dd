"""Finding the measures folder, listing its files, and reading a file's bytes safely.

Only an ordinary file inside the folder is read, never more than MAX_FILE_BYTES, and a file that
cannot be read is a Problem, not an exception: a pull request must not make CI hang on a FIFO,
print /etc/passwd through a link, or stop at one bad file.
"""
from __future__ import annotations

import codecs
import errno
import os
import stat

from .i18n import Message, os_reason
from .problem import Problem

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from pathlib import Path

PLAN_FILE = "_plan.yaml"


class DirectoryNotFound(Exception):
    pass


# A folder is spelled as pathlib spells it, in messages and in the names of its files, on every
# path through portcli; but as a str: the everyday queries do without pathlib, whose import
# (with urllib.parse and ipaddress) was 5 ms of a 35 ms cached query (issue 16).

def spelled(folder: str | os.PathLike) -> str:
    """`folder` as str(Path(folder)) spells it: on POSIX, repeated slashes and `.` parts gone, no
    trailing slash, "." for nothing; `..` kept, and a leading "//" (which POSIX leaves to the system)."""
    folder = os.fspath(folder)  # a Path spells itself already; a DirEntry's path need not
    if os.sep != "/":
        from pathlib import Path

        return str(Path(folder))
    root = "//" if folder.startswith("//") and not folder.startswith("///") else "/" if folder.startswith("/") else ""
    return root + "/".join([part for part in folder.split("/") if part and part != "."]) or "."


def join(folder: str, name: str) -> str:
    """A name in a spelled folder, as Path(folder) / name spells it: "x", not "./x", in "."."""
    return name if folder == "." else os.path.join(folder, name)


def find_directory(explicit: str | os.PathLike | None = None, start: str | None = None) -> str:
    """--dir, else $PORTCLI_DIR, else measures/ in the current folder or its nearest parent; spelled."""
    if explicit is None and os.environ.get("PORTCLI_DIR"):
        explicit = os.environ["PORTCLI_DIR"]
    if explicit is not None:
        explicit = spelled(explicit)
        try:
            is_folder = stat.S_ISDIR(os.stat(explicit).st_mode)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):  # there, or not, but not to be opened
                raise DirectoryNotFound(Message("{folder}: cannot open the measures folder: {reason}", folder=explicit,
                                                reason=os_reason(exc))) from None
            is_folder = False
        except ValueError:  # a NUL in the name: no folder has it
            is_folder = False
        if not is_folder:
            raise DirectoryNotFound(Message("{folder}: no such measures folder", folder=explicit))
        return explicit
    here = os.path.realpath(start or os.getcwd())
    while True:
        found = os.path.join(here, "measures")
        if os.path.isdir(found):
            # relative to the current folder as it is spelled (Path.relative_to): when links make the
            # real path another spelling, the real path itself
            current = os.path.join(os.getcwd(), "")
            inside = os.path.normcase(found).startswith(os.path.normcase(current))  # Windows: whatever the case
            return found[len(current):] if inside else found
        if os.path.dirname(here) == here:
            break
        here = os.path.dirname(here)
    raise DirectoryNotFound(Message("no measures/ folder here or in any parent folder; pass --dir PATH or set "
                                    "PORTCLI_DIR"))


def measure_names(directory: str | Path) -> list[str]:
    """The names of the measure files, and of the files meant as one but misnamed (26.yml,
    26.YAML), so that they are reported, not silently skipped; sorted as text. Hidden files
    (.#26.yaml, an Emacs lock; ._26.yaml, macOS metadata) are editors' and systems' own, not
    measures. Names, not paths: 10,000 Path objects cost more than the cache's whole lookup."""
    names = os.listdir(directory)
    names.sort()
    return [name for name in names if not name.startswith(("_", "."))
            and (name.endswith(".yaml") or name[-5:].lower() == ".yaml" or name[-4:].lower() == ".yml")]


MAX_FILE_BYTES = 1 << 20  # a measure is a few KB: a bigger file is not a measure, and is not read whole


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it being read."""
    raw, problem = read_bytes(path)
    return (None, problem) if problem else decode(str(path), raw)


def read_bytes(path: Path) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or the problem that stops them being read.

    Only an ordinary file is read (a FIFO named x.yaml must not hang the run), only up to
    MAX_FILE_BYTES, and a symbolic link only when it stays inside the file's own folder: a
    pull request must not make CI print /etc/passwd or a secret through our messages.
    """
    trouble = _link_problem(path)
    if trouble is None:
        raw, trouble = read_ordinary_file(path)
    if trouble is not None:  # about the file as a whole: line 1 is where an editor opens it
        return None, Problem(str(path), 1, *trouble)
    return raw, None


def decode(file: str, raw: bytes) -> tuple[str | None, Problem | None]:
    """Bytes as the text of a portcli file (UTF-8, a BOM allowed), or the problem with them: the
    same rule for a file on disk, a past version from git, and a text about to be written."""
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(file, 1, *_too_big(len(raw)))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(file, line, "not-utf8", Message("not UTF-8 (byte {byte}); {hint}", byte=f"{raw[exc.start]:#04x}",
                                                 hint=_encoding_hint(file, raw)))


Trouble = tuple[str, Message]  # why a file cannot be read: a problem's code and message


def read_ordinary_file(path: Path) -> tuple[bytes, Trouble | None]:
    """The bytes of an ordinary file of at most MAX_FILE_BYTES, or what it is instead."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return b"", _os_problem(path, exc)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return b"", _FOLDER
        if not stat.S_ISREG(info.st_mode):
            return b"", ("not-a-file", Message("is not an ordinary file (a pipe, socket or device); remove it and "
                                               "save the measure as an ordinary file"))
        if info.st_size > MAX_FILE_BYTES:
            return b"", _too_big(info.st_size)
        raw = _read_at_most(fd, MAX_FILE_BYTES + 1)  # it may have grown since fstat
    except OSError as exc:
        return b"", _os_problem(path, exc)
    finally:
        os.close(fd)
    return (b"", _too_big(len(raw))) if len(raw) > MAX_FILE_BYTES else (raw, None)


_FOLDER = "not-a-file", Message("is a folder, not a file; only measure files may be named *.yaml in the measures folder: "
                  "rename the folder or move it out")


def _too_big(size: int) -> Trouble:
    return "too-big", Message("is {size} MiB; a measure file holds one measure (a few KB) and may be at most 1 MiB: is this "
                   "the right file?", size=f"{size / (1 << 20):.1f}")


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit and (chunk := os.read(fd, limit - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _link_problem(path: Path) -> Trouble | None:
    if not path.is_symlink():
        return None
    try:
        os.stat(path)
    except OSError as exc:
        return _os_problem(path, exc)
    from pathlib import Path  # here: only a link needs it

    target = Path(os.path.realpath(path))
    if not target.is_relative_to(Path(os.path.realpath(path.parent))):
        return "link-outside", Message("is a symbolic link to {target}, outside its folder {folder}; portcli reads only files "
                       "inside the measures folder: replace the link with the file itself", target=str(target),
                       folder=str(path.parent))
    return None


def _os_problem(path: Path, exc: OSError) -> Trouble:
    if exc.errno == errno.ELOOP:
        return "link-loop", Message("is a symbolic link that loops (it leads back to itself); remove it")
    if exc.errno == errno.ENOENT and path.is_symlink():
        return "broken-link", Message("is a symbolic link to {target}, which does not exist; remove the link or restore its target",
                       target=os.readlink(path))
    if exc.errno == errno.EISDIR or path.is_dir():  # Windows cannot open a folder: it says EACCES
        return _FOLDER
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "unreadable", Message("cannot read: permission denied; make the file readable (chmod a+r)")
    return "unreadable", Message("cannot read: {reason}", reason=exc.strerror or str(exc))


def _encoding_hint(file: str, raw: bytes) -> Message:
    """What the file probably is, and the command that makes it UTF-8."""
    import shlex  # here, not at the top: a read-only command on good files never needs it

    name = shlex.quote(file)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found = Message("UTF-16 (what Windows Notepad calls \"Unicode\")")
        source = "UTF-16"
    else:
        for source in ("GBK", "GB18030"):  # GBK first: it is what Chinese Windows saves, and iconv knows both
            try:
                decoded = raw.decode(source)
            except UnicodeDecodeError:
                continue
            # GB18030 decodes nearly any bytes: believe it only for Chinese text (a CJK ideograph).
            if any("\u4e00" <= character <= "\u9fff" for character in decoded):
                found = Message("{encoding}-encoded", encoding=source)
                break
        else:
            return Message("save it as UTF-8 (in your editor: Save As, encoding UTF-8)")
    return Message("the file looks {found}; convert it with `{command}`, or save it as UTF-8 in your editor",
                   found=found, command=f"iconv -f {source} -t UTF-8 {name} > {name}.tmp && mv {name}.tmp {name}")
