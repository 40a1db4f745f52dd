"""Opening a text in the user's editor ($VISUAL, else $EDITOR, else vi), as git does."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from .i18n import _


class EditorError(Exception):
    pass


def draft_file(text: str) -> Path:
    """A file in the temp folder holding `text`, for the editor or for keeping a rejected draft."""
    fd, name = tempfile.mkstemp(prefix="portcli-new-", suffix=".yaml")
    with open(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    return Path(name)


def edit(path: Path) -> bool:
    """Let the person edit `path`; False when they quit without saving it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    before = path.stat().st_mtime_ns
    try:
        # Through the shell, so EDITOR="code --wait" works as it does for git.
        done = subprocess.run(["sh", "-c", f'{editor} "$@"', editor, str(path)], check=False)
    except OSError as exc:
        raise EditorError(_("cannot start the editor {editor!r}: {reason}").format(
            editor=editor, reason=exc.strerror or exc)) from None
    if done.returncode != 0:
        raise EditorError(_("the editor {editor!r} exited with status {code}").format(editor=editor, code=done.returncode))
    return path.stat().st_mtime_ns != before
