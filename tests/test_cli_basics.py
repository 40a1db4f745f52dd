"""The command line itself: version, entry points, help, completion, and the README's commands."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "portcli"

# Each command's options as SPEC §4 lists them (and --as-of wherever "today" matters).
OPTIONS = {
    "list": ["--unit", "--lead", "--status", "--task", "--due-before", "--due-after", "--overdue", "--due-soon",
             "--search", "--as-of", "--dir", "--format"],
    "show": ["ID", "--as-of", "--dir", "--format"],
    "overdue": ["--unit", "--as-of", "--dir", "--format"],
    "report": ["--fail-on", "never", "overdue", "due-soon", "--as-of", "--dir", "--format"],
    "units": ["--dir", "--format"],
    "validate": ["--dir"],
}


def _real(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed program in a child process, as a user runs it."""
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"portcli {version('portcli')}"


def test_python_dash_m(run):
    result = _real(sys.executable, "-m", "portcli", "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"portcli {version('portcli')}"


def test_console_script_runs_a_query():
    assert SCRIPT.exists()
    result = _real(str(SCRIPT), "overdue", "--as-of", "2022-06-15", "--dir", "measures", "-f", "json")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.count('"days_overdue": 15') == 20


def test_console_script_bad_input_exits_2_without_traceback():
    result = _real(str(SCRIPT), "list", "--as-of", "2022-13-01", "--dir", "measures")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "2022-13-01" in result.stderr


def test_no_arguments_shows_help(run):
    result = run()
    assert "Usage" in result.stdout + result.stderr
    for command in OPTIONS:
        assert command in result.stdout + result.stderr


def _commands(help_text: str) -> list[str]:
    section = help_text[help_text.index("Commands:"):]
    return [line.split()[0] for line in section.splitlines()[1:] if line.startswith("  ") and line.split()]


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    assert set(OPTIONS) <= set(_commands(result.stdout))
    assert "--version" in result.stdout


@pytest.mark.parametrize("command", OPTIONS)
def test_help_of_every_command_mentions_its_options(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    for option in OPTIONS[command]:
        assert option in result.stdout, option


def test_a_command_runs_alone_as_it_runs_in_the_whole_app(run):
    """app_for builds only the command named (typer builds every command's options on each run):
    what a command says and does must not depend on that."""
    from typer.testing import CliRunner

    from portcli.cli import app, app_for

    commands = _commands(run("--help").stdout)
    assert len(commands) >= 10
    for command in commands:
        for argv in ([command, "--help"], [command, "--no-such-option"]):
            alone = app_for(argv)
            assert alone is not app and [c.callback for c in alone.registered_commands] != []
            whole, single = (CliRunner().invoke(a, argv, env={"COLUMNS": "200"}) for a in (app, alone))
            assert (single.exit_code, single.stdout, single.stderr) == (whole.exit_code, whole.stdout, whole.stderr)
    for argv in (["--help"], ["lsit"], [], ["--version"], ["--help", "list"], ["--", "list"]):
        assert app_for(argv) is app
    assert set(_commands(run("--help", "list").stdout)) == set(commands)
    assert "Did you mean 'list'" in run("lsit").stderr


def test_shell_completion_is_offered(run):
    assert "--install-completion" in run("--help").stdout
    result = run("--show-completion", env={"SHELL": "/bin/bash"})
    assert result.exit_code == 0
    assert "complete" in result.stdout and "portcli" in result.stdout


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("portcli ov", "1", {"overdue"}),
    ("portcli list --due", "2", {"--due-before", "--due-after", "--due-soon"}),
])
def test_shell_completion_completes(words, cword, expected):
    result = _real(str(SCRIPT), env={"_PORTCLI_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert result.returncode == 0
    assert set(result.stdout.split()) == expected


def test_every_command_in_the_readme_exists(run):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", readme, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", readme, flags=re.S | re.M))
    commands = re.findall(r"^\$ portcli ([a-z][a-z-]*)", "\n".join(blocks), flags=re.M)
    named = set(commands + re.findall(r"^portcli ([a-z][a-z-]*)", "\n".join(spans), flags=re.M))
    assert "report" in named  # the README does name commands; the check is not vacuous
    assert named <= set(_commands(run("--help").stdout))
