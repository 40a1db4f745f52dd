"""A measure whose texts try to break out of every output format, and what it must look like.

It is written as a measure file of its own (id 26) into a copy of the shipped measures, due
2022-05-31 and so overdue on AS_OF, with a progress note filed by hand (no `update` command needed).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

AS_OF = "2022-06-15"
ID = 26
FILE = "26.yaml"
# The pieces every format must keep as plain text.
PIPE_AND_NEWLINE = "a|b\nc"
INJECT_ANNOTATION = "%0A::error::x"
FORMULA = '=HYPERLINK("http://x")'
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
PIECES = (PIPE_AND_NEWLINE, INJECT_ANNOTATION, FORMULA, IMG, SCRIPT)

NOTE = f"{PIPE_AND_NEWLINE} {INJECT_ANNOTATION}\n{FORMULA} {IMG} {SCRIPT} 100% done, a:b"
LOCAL = (
    f"{FORMULA} | first item {IMG}\n{INJECT_ANNOTATION} {SCRIPT}",  # starts with = (formula injection)
    f"@SUM(1+1) second item {SCRIPT} [link](http://x) *bold* `code` $x$ \\",
)
NATIONAL = f"+1 national {PIPE_AND_NEWLINE} {IMG}"
PROGRESS_BY = "天津海关"
PROGRESS_DATE = date(2022, 6, 1)
LATEST = f"{PROGRESS_DATE.isoformat()} {PROGRESS_BY}：{NOTE}"  # the "latest progress" line every report shows
LEAD = "市商务局"
UNITS = [LEAD, PROGRESS_BY]
DUE = date(2022, 5, 31)
DAYS_OVERDUE = (date.fromisoformat(AS_OF) - DUE).days


def write(measures_dir: Path) -> Path:
    """Add the hostile measure to `measures_dir`; the path of its file."""
    data = {
        "id": ID, "task": 11, "national": NATIONAL, "local": list(LOCAL), "units": UNITS, "units_note": None,
        "deadline": "5月底前", "status": "in_progress",
        "progress": [{"date": PROGRESS_DATE, "status": "in_progress", "by": PROGRESS_BY, "note": NOTE}],
    }
    path = measures_dir / FILE
    path.write_text("# a measure written to attack every output format\n"
                    + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def local_text() -> str:
    """The local items as reports show them: numbered lines (as the source document numbers them)."""
    return "\n".join(f"{i}.{item}" for i, item in enumerate(LOCAL, 1))
