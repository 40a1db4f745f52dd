"""One module per output format; each is imported only when its format is asked for."""
from __future__ import annotations

import re

# C0 and C1 controls and DEL, except newline and tab: data must never drive the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with terminal control characters shown as escapes (ESC → \\x1b)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
