"""What a measures folder holds, to show that a refused or failed write changed nothing."""
from __future__ import annotations

from pathlib import Path

from portcli.write import LOCK_FILE, TEMP_SUFFIX


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, the lock file aside (taking the lock may create it)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != LOCK_FILE}


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{TEMP_SUFFIX}"))
