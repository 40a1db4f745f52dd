"""Reading and editing measure files as plain text, independently of the portcli package.

Tests derive their expected results from the files through these helpers (yaml.safe_load and
line-by-line text), never through portcli's own loader, so a loader bug cannot hide itself.
"""
from __future__ import annotations

from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[1] / "measures"


def measure_files(directory: Path = SHIPPED) -> dict[int, tuple[Path, dict]]:
    """id -> (path, data) of each measure file, read with yaml.safe_load."""
    out = {}
    for path in sorted(directory.glob("*.yaml")):
        if not path.name.startswith("_"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            out[data["id"]] = (path, data)
    return out


def measure_data(directory: Path = SHIPPED) -> dict[int, dict]:
    """id -> the data of each measure file, read with yaml.safe_load."""
    return {id_: data for id_, (_, data) in measure_files(directory).items()}


def plan_data(directory: Path = SHIPPED) -> dict:
    return yaml.safe_load((directory / "_plan.yaml").read_text(encoding="utf-8"))


def line_of(path: Path, prefix: str) -> int:
    """The 1-based number of the first line of `path` that starts with `prefix`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line starting with {prefix!r} in {path}")


def replace_line(path: Path, prefix: str, new: str) -> None:
    """Replace the first line starting with `prefix` by `new` (which may hold several lines)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = line_of(path, prefix)
    lines[number - 1: number] = new.splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def insert_before(path: Path, prefix: str, new: str) -> None:
    """Insert `new` (one or more lines) before the first line starting with `prefix`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = line_of(path, prefix)
    lines[number - 1: number - 1] = new.splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
