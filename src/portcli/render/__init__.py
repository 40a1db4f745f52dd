"""One module per output format; each is imported only when its format is asked for."""
from __future__ import annotations

import re

# C0 and C1 controls and DEL, except newline and tab: data must never drive the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with terminal control characters shown as escapes (ESC → \\x1b)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# Texts every report format shows the same way (imports stay inside: this module must stay light).

def summary(m) -> str:
    """One line that says what a measure is: its first local item, else the national measure."""
    return (m.local[0] if m.local else m.national) or ""


def local_text(m) -> str:
    """The 天津市细化落实措施 as the document writes them: numbered lines when there are several."""
    if len(m.local) > 1:
        return "\n".join(f"{i}.{item}" for i, item in enumerate(m.local, 1))
    return m.local[0] if m.local else ""


def units_line(m) -> str:
    """The 责任单位 cell as the document writes it: 市商务局、天津海关按照职责分工负责."""
    return "、".join(m.units) + (m.units_note or "")


def latest_progress(m) -> str:
    """The newest progress entry as one line (date, unit, note), or '' when there is none."""
    if not m.progress:
        return ""
    from ..model import STATUSES

    p = m.progress[-1]
    by = f" {p.by}" if p.by else ""
    return f"{p.date.isoformat()}{by}：{p.note or STATUSES[p.status]}"
