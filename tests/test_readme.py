"""The README's set-up: exactly two commands, and CI runs the test one verbatim."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def set_up_section() -> str:
    match = re.search(r"^## Set up\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, "README has no '## Set up' section"
    return match.group(1)


def set_up_commands() -> list[str]:
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", set_up_section(), flags=re.S | re.M)
    assert [lang for lang, _ in blocks] == ["sh", "sh"], blocks
    commands = [body.strip() for _, body in blocks]
    assert all("\n" not in command for command in commands), commands  # one command line each
    return commands


def test_set_up_has_exactly_two_sh_commands():
    main, tests = set_up_commands()
    assert ".venv/bin/pip install ." in main and "portcli report" in main
    assert "'.[test]'" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = set_up_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]

