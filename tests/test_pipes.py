"""Output that cannot be delivered: a reader that goes away (`| head -1`) and a full disk (issue 10).

A reader that goes away ends portcli quietly with exit 141, what a shell shows for a program that
SIGPIPE ended (`yes | head -1`): not 1, the --fail-on code, and nothing on stderr. A full stdout is
one line on stderr and exit 2. Each case runs the installed program in a child process with a
real pipe, or with /dev/full as its stdout.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from measure_files import replace_line

SCRIPT = Path(sys.executable).parent / "portcli"
READER_GONE = 141
AS_OF = ("--as-of", "2022-06-15")
NO_ROOM = "portcli: cannot write the output: No space left on device\n"

# Every command that writes to stdout, in each of its formats; {dir} is the folder.
READS = [
    ("list",), ("list", "--limit", "0"), ("list", "-f", "json"),
    ("show", "14"), ("show", "14", "-f", "json"),
    ("overdue",), ("overdue", "--limit", "0"), ("overdue", "-f", "json"),
    ("report",), ("report", "--fail-on", "overdue"), ("report", "-f", "json"), ("report", "-f", "markdown"),
    ("report", "-f", "github"), ("report", "-f", "html"),
    ("units",), ("units", "-f", "json"),
    ("validate",), ("validate", "-f", "json"), ("validate", "-f", "github"),  # github: see below
    ("export",), ("export", "-f", "csv"), ("export", "-f", "xlsx"),
    ("history", "14"), ("history", "14", "-f", "json"),
]
NO_FOLDER = [("schema",), ("--version",), ("--help",), ("list", "--help"), ("--show-completion", "bash")]
WRITES = [
    ("update", "3", "--note", "周例会通报", "--date", "2022-05-20"),
    ("update", "3", "--note", "周例会通报", "--date", "2022-05-20", "-f", "json"),
    ("extend", "4", "--to", "2022-06-30", "--reason", "等待系统升级", "--date", "2022-05-25"),
    ("new", "--task", "1", "--unit", "市商务局", "--deadline", "年底前", "--national", "新增措施"),
]


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "120", "PORTCLI_DIR": "", "GITHUB_STEP_SUMMARY": "", "PORTCLI_LANG": "en"}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=王工", "-c", "user.email=wang@example.com", *args], cwd=repo,
                   check=True, capture_output=True, env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull,
                                                          "GIT_CONFIG_NOSYSTEM": "1"})


@pytest.fixture
def repo_folder(measures_dir: Path) -> Path:
    """The shipped measures, committed in a repository of their own (for history), with measure 3
    in progress and measure 5 due later, so that the report has every section."""
    replace_line(measures_dir / "05.yaml", "deadline:", "deadline: 6月20日前")
    replace_line(measures_dir / "03.yaml", "status:", "status: in_progress")
    git(measures_dir.parent, "init", "-q")
    git(measures_dir.parent, "add", "-A")
    git(measures_dir.parent, "commit", "-qm", "ship the measures")
    return measures_dir


def args_for(command: tuple[str, ...], folder: Path | None) -> list[str]:
    """The command with --dir, and --as-of where the command takes it."""
    if folder is None:
        return list(command)
    takes_as_of = command[0] in ("list", "show", "overdue", "report", "export", "update", "extend", "new")
    return [*command, "--dir", str(folder), *(AS_OF if takes_as_of else ())]


def whole_output(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, env=env(), timeout=120)


def run_with_closed_pipe(args: list[str]) -> subprocess.CompletedProcess:
    """stdout is a pipe whose reader is gone before portcli writes a byte."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([str(SCRIPT), *args], stdout=writer, stderr=subprocess.PIPE, env=env(), timeout=120)
    finally:
        os.close(writer)


def read_one_line_then_close(args: list[str]) -> tuple[int, bytes, bytes, int]:
    """`portcli … | head -1`: the reader takes one line and goes away. The pipe holds one page,
    so that portcli, with more than that left to write, must meet the closed end.
    Returns (exit code, the line, stderr, the pipe's size)."""
    reader, writer = os.pipe()
    size = fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)
    child = subprocess.Popen([str(SCRIPT), *args], stdout=writer, stderr=subprocess.PIPE, env=env())
    os.close(writer)
    line = b""
    while not line.endswith(b"\n") and (byte := os.read(reader, 1)):
        line += byte
    os.close(reader)
    stderr = child.stderr.read()
    child.stderr.close()
    return child.wait(timeout=120), line, stderr, size


# --- a reader that goes away ---------------------------------------------------------------------

def folder_for(command: tuple[str, ...], repo_folder: Path) -> Path | None:
    if command in NO_FOLDER:
        return None
    if command == ("validate", "-f", "github"):  # a valid folder gives no annotation at all
        (repo_folder / "99.yaml").write_text("id: 99\nstatus: started\n", encoding="utf-8")
    return repo_folder


@pytest.mark.parametrize("command", READS + NO_FOLDER, ids=" ".join)
def test_a_reader_gone_before_the_first_byte_ends_portcli_quietly(repo_folder, command):
    folder = folder_for(command, repo_folder)
    result = run_with_closed_pipe(args_for(command, folder))  # 141 only if it has something to write
    assert (result.returncode, result.stderr) == (READER_GONE, b"")


def test_report_fail_on_is_not_what_a_closed_pipe_gives(repo_folder):
    """The report does find overdue measures (exit 1 when read to the end); a reader gone is 141."""
    assert whole_output(args_for(("report", "--fail-on", "overdue"), repo_folder)).returncode == 1
    assert run_with_closed_pipe(args_for(("report", "--fail-on", "overdue"), repo_folder)).returncode == READER_GONE


@pytest.mark.parametrize("command", WRITES, ids=" ".join)
def test_a_write_is_done_when_its_reader_is_gone(repo_folder, command):
    before = {p.name: p.read_bytes() for p in repo_folder.glob("*.yaml")}
    result = run_with_closed_pipe(args_for(command, repo_folder))
    assert (result.returncode, result.stderr) == (READER_GONE, b"")
    after = {p.name: p.read_bytes() for p in repo_folder.glob("*.yaml")}
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"26.yaml" if command[0] == "new" else f"0{command[1]}.yaml"}


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """300 generated measures, and measure 90 with a 60 KB local text: every listing, and show 90,
    is many pages long."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import generate

    folder = generate.generate(300, tmp_path_factory.mktemp("big") / "measures")
    replace_line(folder / "090.yaml", "local:", "local:\n  - " + "推进“单一窗口”建设，" * 6000)
    return folder


HEAD_ONE = [  # the listings, the streaming JSON array and the --limit 0 table among them
    ("list", "--limit", "0"), ("list", "-f", "json"), ("overdue", "--limit", "0"), ("overdue", "-f", "json"),
    ("show", "90"), ("show", "90", "-f", "json"),
    ("report",), ("report", "--fail-on", "overdue"), ("report", "-f", "json"), ("report", "-f", "markdown"),
    ("report", "-f", "html"),  # not github: at most 10 annotations and a notice, less than a pipe holds
    ("export",), ("export", "-f", "csv"), ("export", "-f", "xlsx"), ("export", "-f", "ics"),
]


@pytest.mark.parametrize("command", HEAD_ONE, ids=" ".join)
def test_head_one(big_folder, command):
    args = args_for(command, big_folder)
    full = whole_output(args)
    code, line, stderr, pipe_size = read_one_line_then_close(args)
    if command[-1] == "xlsx":  # a zip, whose time stamps differ from one run to the next
        assert line.startswith(b"PK\x03\x04")
    else:
        assert line and full.stdout.startswith(line)
    assert len(full.stdout) > len(line) + 2 * pipe_size  # more than the pipe holds: it must meet the closed end
    said = full.stderr if command[-1] == "ics" else b""  # the calendar first says which measures it leaves out
    assert (code, stderr) == (READER_GONE, said)


def test_a_closed_stdout_is_one_line_and_exit_2(repo_folder):
    """Started with stdout closed (`portcli list >&-`), Python has no sys.stdout at all."""
    def no_stdout():
        os.close(1)

    for command, message in ((("list",), "portcli: cannot write the output: stdout is closed\n"),
                             (WRITES[0], f"portcli: {repo_folder / '03.yaml'} is written, but cannot write the output: "
                                         "stdout is closed\n")):
        result = subprocess.run([str(SCRIPT), *args_for(command, repo_folder)], stderr=subprocess.PIPE, env=env(),
                                preexec_fn=no_stdout, timeout=120)
        assert (result.returncode, result.stderr.decode()) == (2, message)


def test_a_read_only_stdout_is_one_line_and_exit_2(repo_folder):
    with open(os.devnull, "rb") as read_only:  # `portcli list 1</dev/null`
        result = subprocess.run([str(SCRIPT), *args_for(("list",), repo_folder)], stdout=read_only,
                                stderr=subprocess.PIPE, env=env(), timeout=120)
    assert (result.returncode, result.stderr.decode()) == (2, "portcli: cannot write the output: Bad file descriptor\n")


# --- a full disk ---------------------------------------------------------------------------------

def run_into_dev_full(args: list[str]) -> subprocess.CompletedProcess:
    with open("/dev/full", "wb") as full:
        return subprocess.run([str(SCRIPT), *args], stdout=full, stderr=subprocess.PIPE, env=env(), timeout=120)


@pytest.mark.parametrize("command", READS + NO_FOLDER, ids=" ".join)
def test_a_full_stdout_is_one_line_and_exit_2(repo_folder, command):
    folder = folder_for(command, repo_folder)
    result = run_into_dev_full(args_for(command, folder))
    assert (result.returncode, result.stderr.decode()) == (2, NO_ROOM)


@pytest.mark.parametrize("command", HEAD_ONE, ids=" ".join)
def test_a_full_stdout_mid_stream_is_one_line_and_exit_2(big_folder, command):
    result = run_into_dev_full(args_for(command, big_folder))
    said = whole_output(args_for(command, big_folder)).stderr.decode() if command[-1] == "ics" else ""
    assert (result.returncode, result.stderr.decode()) == (2, said + NO_ROOM)


@pytest.mark.parametrize("command", WRITES, ids=" ".join)
def test_a_full_stdout_after_a_write_says_the_write_is_done(repo_folder, command):
    """exit 2, but the message says the file is written: running it again would record it twice."""
    result = run_into_dev_full(args_for(command, repo_folder))
    file = repo_folder / ("26.yaml" if command[0] == "new" else f"0{command[1]}.yaml")
    assert result.returncode == 2
    assert result.stderr.decode() == f"portcli: {file} is written, but cannot write the output: No space left on device\n"
    assert file.exists()


pytestmark = pytest.mark.skipif(shutil.which("git") is None or not Path("/dev/full").exists(),
                                reason="needs git (history) and /dev/full")


# --- stderr that cannot be written ---------------------------------------------------------------

@pytest.mark.parametrize("stderr", ["full", "closed"])
@pytest.mark.parametrize("command", [("validate",), ("list", "-f", "json"), ("report", "--fail-on", "overdue"),
                                     ("list", "--as-of", "3000-01-01")], ids=" ".join)
def test_a_stderr_that_cannot_be_written_leaves_the_exit_code_alone(repo_folder, command, stderr):
    """A broken file is exit 2 whether or not stderr can say so: an exception while telling it
    ended portcli with 1, the --fail-on code. The usage error (3000-01-01) is 2 as well."""
    (repo_folder / "99.yaml").write_text("id: 99\nstatus: started\n", encoding="utf-8")

    def close_stderr():
        os.close(2)

    with open("/dev/full", "wb") as full:
        result = subprocess.run([str(SCRIPT), *command, "--dir", str(repo_folder)], stdout=subprocess.PIPE,
                                stderr=full if stderr == "full" else None,
                                preexec_fn=close_stderr if stderr == "closed" else None, env=env(), timeout=120)
    assert result.returncode == 2
    out = result.stdout.decode()
    if command == ("validate",):
        assert re.search(r" problems? in 1 file; 25 valid measures\n\Z", out)
    elif command[0] == "list" and "json" in command:
        assert len(json.loads(out)) == 25  # every valid measure, as ever
    elif command[0] == "report":
        assert "20 overdue" in out  # the report itself; exit 2, the broken file, over 1
    elif stderr == "full":  # (with stderr closed, click shows its usage error on stdout instead)
        assert out == ""
