"""The README's samples are real output: each block marked `<!-- sample -->` is run again here.

A marked block holds `$ portcli …` commands and what they print, on the shipped measures in a
100-column terminal. A change that alters the output fails here until the README says the same;
`PORTCLI_UPDATE_README=1 pytest tests/test_readme_samples.py` rewrites the blocks from the real
output (then read the diff before committing it), as snapshot tools do.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil

import pytest

from measure_files import SHIPPED

README = SHIPPED.parent / "README.md"
MARK = "<!-- sample -->"
# A sample run in an empty folder holding only 分工表.docx, the shipped table as a Word document
# built by tests/table_documents.py (merged key tasks, a page break inside measure 14's row).
INIT_MARK = "<!-- sample: an empty folder with 分工表.docx -->"
# A sample run on a measures folder of two plans (two_plans_here): the shipped plan as 2022-跨境贸易, and
# a 2023 plan that carries three of its measures on, under the same ids, a year later.
PLANS_MARK = "<!-- sample: two plans -->"


def block_pattern(mark: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(mark)}\n```console\n(.*?)^```\n", re.S | re.M)


BLOCK = block_pattern(MARK)


def samples(text: str, mark: str = MARK) -> list[re.Match]:
    return list(block_pattern(mark).finditer(text))


def commands(block: str) -> list[tuple[str, str]]:
    """(command line, the output the README shows for it) for each `$ ` line of a block."""
    parts = re.split(r"^\$ (.*)\n", block, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


def tidy(output: str) -> str:
    lines = [line.rstrip() for line in output.rstrip("\n").splitlines()]
    return "".join(line + "\n" for line in lines)


@pytest.fixture
def shipped_here(tmp_path, monkeypatch):
    """A copy of the shipped measures/ as ./measures, so paths print as the README shows them."""
    shutil.copytree(SHIPPED, tmp_path / "measures")
    monkeypatch.chdir(tmp_path)


def real_block(run, block: str) -> str:
    out = []
    for line, _ in commands(block):
        args = shlex.split(line)
        assert args[0] == "portcli" and not {"|", ">", "<"} & set(args), f"not a plain portcli command: {line}"
        result = run(*args[1:], env={"COLUMNS": "100", "PORTCLI_LANG": "zh"})  # the README speaks the default
        out.append(f"$ {line}\n" + tidy(result.stdout + result.stderr))
    return "".join(out)


def test_the_readme_has_samples():
    assert len(samples(README.read_text(encoding="utf-8"))) >= 5


@pytest.fixture
def word_document_here(tmp_path, monkeypatch):
    import table_documents

    table_documents.write_docx(tmp_path / "分工表.docx", [table_documents.shipped_table()])
    monkeypatch.chdir(tmp_path)


def test_every_sample_is_what_portcli_prints(run, shipped_here):
    check_samples(run, MARK)


def test_the_init_sample_is_what_portcli_prints(run, word_document_here):
    assert len(samples(README.read_text(encoding="utf-8"), INIT_MARK)) == 1
    check_samples(run, INIT_MARK)


@pytest.fixture
def two_plans_here(tmp_path, monkeypatch):
    old, new = tmp_path / "measures" / "2022-跨境贸易", tmp_path / "measures" / "2023-跨境贸易"
    shutil.copytree(SHIPPED, old)
    new.mkdir()
    plan = (SHIPPED / "_plan.yaml").read_text(encoding="utf-8")
    (new / "_plan.yaml").write_text(plan.replace("2022", "2023"), encoding="utf-8")
    for name in ("13.yaml", "15.yaml", "16.yaml"):
        shutil.copy(SHIPPED / name, new / name)
    monkeypatch.chdir(tmp_path)


def test_the_two_plans_sample_is_what_portcli_prints(run, two_plans_here):
    assert len(samples(README.read_text(encoding="utf-8"), PLANS_MARK)) == 1
    check_samples(run, PLANS_MARK)


def check_samples(run, mark: str) -> None:
    text = README.read_text(encoding="utf-8")
    stale = []
    # Run in the README's order, as a reader would (a sample sees what the ones above it wrote), then
    # put each output in place from the last block up, so that the earlier blocks' offsets hold.
    found = [(match, real_block(run, match.group(1))) for match in samples(text, mark)]
    for match, real in reversed(found):
        if real != match.group(1):
            stale.append(real)
            text = text[:match.start(1)] + real + text[match.end(1):]
    if stale and os.environ.get("PORTCLI_UPDATE_README") == "1":
        README.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {len(stale)} README sample(s) from the real output; check the diff")
    assert not stale, "README samples differ from the real output:\n" + "\n".join(stale)
