"""`portcli init`: the files a new tracking repository starts from.

A measures folder (an empty plan, or an imported table), a .gitignore for what portcli leaves
beside the files, and a CI workflow that validates every file and publishes the report on each
push. Nothing existing is ever written over: every path is checked before the first is written.
"""
from __future__ import annotations

from pathlib import Path

from . import edit, write
from .files import PLAN_FILE
from .values import date

GITIGNORE = """\
# portcli's write lock, and the temp file a killed writer leaves (the next write removes it)
.portcli.lock
*.portcli-tmp
"""

# Until portcli is on PyPI (or the reusable action.yml lands), CI installs it from its repository.
INSTALL = "git+https://github.com/OWNER/portcli.git"  # placeholder: the repository portcli comes from

WORKFLOW = f"""\
# portcli: on every push, check every measure file and publish the report.
# Problems show on their file and line; the Markdown report lands on the run's summary page.
name: portcli

on:
  push:

jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install portcli
        run: pip install "{INSTALL}"
      - name: Validate every measure file
        run: portcli validate --format github
      - name: Report (add --fail-on overdue to turn late measures into a red build)
        if: ${{{{ !cancelled() }}}}
        run: portcli report --format github
"""

WORKFLOW_PATH = Path(".github/workflows/portcli.yml")


def empty_plan(title: str, year: int) -> str:
    """A plan with one key task and one unit: a plan needs both (SPEC §2), and these show the shape."""
    return "\n".join([
        "# The plan: title, year, key tasks (重点任务) and the units (责任单位) its measures name.",
        "# Replace the examples, or start from the document itself: portcli import 分工表.docx --dir measures",
        f"title: {edit.scalar(title)}",
        f"year: {year}",
        "tasks:",
        "  - {id: 1, numeral: 一, title: 重点任务一}",
        "units:",
        "  - name: 牵头单位",
        "    full_name: 牵头单位全称",
        "    english: Lead unit",
        "    aliases: []",
    ]) + "\n"


def targets(root: Path) -> list[Path]:
    return [root / "measures", root / ".gitignore", root / WORKFLOW_PATH]


def existing(root: Path) -> list[Path]:
    """What init would write that is already there (a measures folder counts if it holds anything)."""
    found = []
    for path in targets(root):
        if path.is_dir() and path.name == "measures":
            if any(path.iterdir()):
                found.append(path)
        elif path.exists() or path.is_symlink():
            found.append(path)
    return found


def write_repository_files(root: Path) -> list[Path]:
    """.gitignore and the CI workflow; the caller has checked that neither exists."""
    written = []
    for path, text in ((root / ".gitignore", GITIGNORE), (root / WORKFLOW_PATH, WORKFLOW)):
        path.parent.mkdir(parents=True, exist_ok=True)
        write.atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written


def write_empty_plan(root: Path, title: str | None, year: int | None) -> Path:
    folder = root / "measures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PLAN_FILE
    write.atomic_write(path, empty_plan(title or "重点任务措施分工表", year or date.today().year).encode("utf-8"))
    return path
