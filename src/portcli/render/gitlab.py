"""GitLab Code Quality (`artifacts: reports: codequality`): the findings GitHub gets as annotations,
as the JSON array GitLab shows in a merge request and on the pipeline's Code quality tab.

Each entry has what GitLab requires: description, check_name, fingerprint, severity and
location.path with location.lines.begin. GitLab tells new findings from fixed ones by comparing
fingerprints between the merge request's head and its target, so a fingerprint depends only on
what names the finding (check, file, the measure's id or the problem's text), never on a line
number or the days overdue.
"""
from __future__ import annotations

import hashlib

from ..query import Report
from ..problem import Problem
from . import json
from .findings import ERROR, Finding, of_problems, of_report

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import IO, Any, Iterable, Iterator

# GitLab's scale: info, minor, major, critical, blocker. A broken file fails the build.
SEVERITY = {ERROR: "critical", "warning": "major"}


def fingerprint(f: Finding, occurrence: int) -> str:
    key = "\0".join((f.check, f.path, f.identity, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def entries(findings: Iterable[Finding]) -> Iterator[dict[str, Any]]:
    seen = {}
    for f in findings:
        # The same text twice in one file is two findings: GitLab would merge equal fingerprints.
        key = (f.check, f.path, f.identity)
        seen[key] = occurrence = seen.get(key, 0) + 1
        yield {"description": f.message, "check_name": f.check, "fingerprint": fingerprint(f, occurrence),
               "severity": SEVERITY[f.level], "location": {"path": f.path, "lines": {"begin": f.line or 1}}}


def problems(ps: Iterable[Problem], out: IO[str]) -> None:
    json.dump_items(entries(of_problems(ps)), out)


def report(r: Report, ps: Iterable[Problem], out: IO[str]) -> None:
    json.dump_items(entries(of_report(r, ps)), out)
