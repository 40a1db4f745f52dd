"""The command line itself: version, entry points, help, completion, and the README's commands."""
from __future__ import annotations

import json
import os
import re
import shutil
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
    """Named, the shell does not depend on how pytest was started (it failed with no shell among
    pytest's parents, under setsid)."""
    help_text = run("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    result = run("--show-completion", "bash")
    assert result.exit_code == 0, result.stderr
    assert "complete -o default -F _portcli_completion portcli" in result.stdout
    assert "_PORTCLI_COMPLETE=complete_bash" in result.stdout


# Runs a command as an orphan in a session of its own (as `setsid` starts one): once its parent
# has exited, init adopts it, so no shell is left among the command's parents. Prints the exit
# code, stdout, stderr and the names of the command's parents, as JSON.
ORPHAN = """
import json, os, subprocess, sys, time
parent = os.getpid()
if os.fork():
    os._exit(0)
os.setsid()
while os.getppid() == parent:
    time.sleep(0.01)
names, pid = [], os.getpid()
while pid > 1:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read()
    names.append(fields[fields.index("(") + 1:fields.rindex(")")])
    pid = int(fields[fields.rindex(")") + 2:].split()[1])
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps([done.returncode, done.stdout, done.stderr, names]))
"""
SHELL_NAMES = {"sh", "bash", "dash", "zsh", "fish", "ksh", "tcsh", "csh", "pwsh", "powershell", "xonsh", "nu"}


def _without_shell_parents(*args: str, shell: str | None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHELL"} | ({"SHELL": shell} if shell else {})
    done = subprocess.run([sys.executable, "-c", ORPHAN, *args], capture_output=True, text=True, env=env, timeout=120)
    code, stdout, stderr, parents = json.loads(done.stdout)
    if SHELL_NAMES & set(parents):
        pytest.skip(f"a shell adopts orphans here: {parents}")
    return code, stdout, stderr


pytestmark_linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytestmark_linux
def test_show_completion_without_a_shell_parent_or_shell_says_how_to_name_one():
    code, stdout, stderr = _without_shell_parents(str(SCRIPT), "--show-completion", shell=None)
    assert (code, stdout) == (2, "")
    assert stderr == ("portcli: cannot tell which shell to complete for (no shell among the parent processes "
                      "and $SHELL unset); name it, e.g. `portcli --show-completion bash`\n")


@pytestmark_linux
@pytest.mark.parametrize(("shell", "line"), [("/usr/bin/zsh", "compdef _portcli_completion portcli"),
                                             ("/bin/bash", "complete -o default -F _portcli_completion portcli")])
def test_show_completion_without_a_shell_parent_takes_shell_from_the_environment(shell, line):
    code, stdout, stderr = _without_shell_parents(str(SCRIPT), "--show-completion", shell=shell)
    assert (code, stderr) == (0, "")
    assert line in stdout.splitlines()


@pytestmark_linux
def test_show_completion_of_a_shell_it_cannot_complete_names_the_ones_it_can():
    code, stdout, stderr = _without_shell_parents(str(SCRIPT), "--show-completion", shell="/bin/sh")
    assert (code, stdout) == (2, "")
    assert stderr == ("portcli: cannot tell which shell to complete for (the shell found (sh) has no completion: "
                      "portcli completes bash, zsh, fish, powershell or pwsh); name it, "
                      "e.g. `portcli --show-completion bash`\n")


@pytestmark_linux
def test_a_named_shell_needs_no_shell_parent():
    code, stdout, stderr = _without_shell_parents(str(SCRIPT), "--show-completion", "fish", shell=None)
    assert (code, stderr) == (0, "")
    assert stdout.startswith("complete --command portcli --no-files")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_parent_shell_comes_before_the_environment():
    # `; exit $?` keeps bash from exec-ing portcli in its own place: bash stays its parent
    done = subprocess.run(["bash", "-c", f"'{SCRIPT}' --show-completion; exit $?"], capture_output=True, text=True,
                          env={**os.environ, "SHELL": "/usr/bin/zsh"}, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert "complete -o default -F _portcli_completion portcli" in done.stdout.splitlines()


def test_an_unknown_shell_is_refused_by_name(run):
    for option in ("--show-completion", "--install-completion"):
        result = run(option, "tcsh")
        assert (result.exit_code, result.stdout) == (2, "")
        assert "portcli completes bash, zsh, fish, powershell or pwsh, not 'tcsh'" in result.stderr


def test_install_completion_writes_the_named_shells_start_up_file(run, tmp_path):
    result = run("--install-completion", "bash", env={"HOME": str(tmp_path)})
    assert result.exit_code == 0, result.stderr
    script = tmp_path / ".bash_completions" / "portcli.sh"
    assert f"bash completion installed in {script}" in result.stdout
    assert "complete -o default -F _portcli_completion portcli" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


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
