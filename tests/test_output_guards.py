"""Where output goes and how a command ends, asked in-process (issue 16 made `_output` and `guarded`
classes, and `_reader_gone` poll only a pipe or a socket). test_pipes.py runs portcli in
subprocesses, which a mutation run never sees; these call the pieces themselves, with real pipes
and files, and say by hand what each must give."""
from __future__ import annotations

import errno
import io
import os
import sys

import pytest

from portcli import commands


def test_a_pipe_whose_reader_closed_is_a_reader_gone_and_nothing_else_is(tmp_path):
    reader, writer = os.pipe()
    with os.fdopen(writer, "w") as stream:
        assert commands._reader_gone(stream) is False  # the reader is still there
        os.close(reader)
        assert commands._reader_gone(stream) is True
    with open(tmp_path / "out.txt", "w") as plain:  # a file has no reader to lose
        assert commands._reader_gone(plain) is False
    assert commands._reader_gone(io.StringIO()) is False  # a test's capture: no descriptor at all
    closed = open(tmp_path / "closed.txt", "w")
    closed.close()
    assert commands._reader_gone(closed) is False  # fileno() of a closed file: ValueError


class _Stdout(io.StringIO):
    """A stdout whose flush fails as a full disk or a closed pipe makes it fail."""

    def __init__(self, error: OSError | None = None):
        super().__init__()
        self.error = error

    def flush(self):
        if self.error is not None:
            raise self.error


def _end(capsys, body):
    """The exit code `body` ends with inside `_output(None)` under `guarded`, and what stderr got."""
    with pytest.raises(SystemExit) as ended:
        with commands.guarded():
            body()
    return ended.value.code, capsys.readouterr().err


def test_stdout_that_fails_is_one_line_naming_the_written_file(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Stdout(OSError(errno.ENOSPC, "full")))

    def plain():
        with commands._output(None) as out:
            out.write("x")

    def after_a_write():
        with commands._output(None, written="measures/07.yaml") as out:
            out.write("x")

    assert _end(capsys, plain) == (2, "portcli: cannot write the output: No space left on device\n")
    assert _end(capsys, after_a_write) == (
        2, "portcli: measures/07.yaml is written, but cannot write the output: No space left on device\n")
    monkeypatch.setattr(sys, "stdout", _Stdout(BrokenPipeError(errno.EPIPE, "gone")))
    assert _end(capsys, plain) == (141, "")  # 128 + SIGPIPE, quietly, as `| head -1` leaves it
    monkeypatch.setattr(sys, "stdout", None)  # started with >&-
    assert _end(capsys, plain) == (2, "portcli: cannot write the output: stdout is closed\n")
    assert _end(capsys, after_a_write) == (
        2, "portcli: measures/07.yaml is written, but cannot write the output: stdout is closed\n")


def test_stdout_written_whole_ends_with_no_word_and_text_or_bytes_as_asked(capsys, monkeypatch):
    class Both(_Stdout):
        buffer = io.BytesIO()

    stdout = Both()
    monkeypatch.setattr(sys, "stdout", stdout)
    with commands._output(None) as out:
        out.write("文本")
    with commands._output(None, binary=True) as out:
        out.write(b"\x00bytes")
    assert stdout.getvalue() == "文本" and Both.buffer.getvalue() == b"\x00bytes"
    assert capsys.readouterr().err == ""


def test_an_output_file_is_written_or_its_failure_named(tmp_path, capsys):
    text, data = tmp_path / "out.md", tmp_path / "out.xlsx"
    with commands._output(text) as out:
        out.write("第一行\n")
    with commands._output(data, binary=True) as out:
        out.write(b"PK\x03\x04")
    assert text.read_bytes() == "第一行\n".encode() and data.read_bytes() == b"PK\x03\x04"
    missing = tmp_path / "no" / "out.md"

    def into_missing():
        with commands._output(missing) as out:
            out.write("x")

    assert _end(capsys, into_missing) == (2, f"portcli: cannot write {missing}: No such file or directory\n")

    def failing_midway():
        with commands._output(text) as out:
            out.write("half")
            raise OSError(errno.EFBIG, "big")

    assert _end(capsys, failing_midway) == (2, f"portcli: cannot write {text}: File too large\n")
    assert text.read_text(encoding="utf-8") == "half"  # closed all the same


def test_guarded_turns_each_ending_into_its_exit_code_and_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Stdout())

    def raising(exc):
        def body():
            raise exc
        return body

    assert _end(capsys, raising(commands.Exit(3))) == (3, "")
    assert _end(capsys, raising(OSError(errno.ENOSPC, "x"))) == (
        2, "portcli: cannot write the output: No space left on device\n")
    assert _end(capsys, raising(OSError(errno.EDQUOT, "x"))) == (
        2, "portcli: cannot write the output: Disk quota exceeded\n")
    assert _end(capsys, raising(OSError(errno.EFBIG, "x"))) == (2, "portcli: cannot write the output: File too large\n")
    # an OSError that writing cannot give is a bug of portcli, said so
    assert _end(capsys, raising(PermissionError(errno.EACCES, "denied"))) == (
        2, "portcli: internal error: PermissionError: [Errno 13] denied\n"
           "please report it with the command that caused it\n")
    assert _end(capsys, raising(KeyboardInterrupt())) == (130, "portcli: interrupted\n")
    assert _end(capsys, raising(ValueError("odd"))) == (
        2, "portcli: internal error: ValueError: odd\nplease report it with the command that caused it\n")
    assert _end(capsys, raising(SystemExit(4))) == (4, "")  # typer's own ending goes on as it came
    with commands.guarded() as nothing:
        pass
    assert nothing is None and capsys.readouterr().err == ""


def test_a_pipe_whose_reader_left_ends_quietly_even_with_nothing_left_to_flush(capsys, monkeypatch):
    """Nothing buffered, so the flush succeeds: only asking the pipe tells that its reader is gone."""
    reader, writer = os.pipe()
    os.close(reader)
    with os.fdopen(writer, "w") as stream:
        monkeypatch.setattr(sys, "stdout", stream)

        def nothing_to_say():
            with commands._output(None):
                pass

        assert _end(capsys, nothing_to_say) == (141, "")


def test_an_ending_inside_the_output_goes_on_as_it_came(capsys, monkeypatch, tmp_path):
    """A command that fails (Exit) while its output is open ends with its own code and its own
    words, not as a failure to write."""
    monkeypatch.setattr(sys, "stdout", _Stdout())
    target = tmp_path / "out.csv"

    def failing_command(path):
        def body():
            with commands._output(path) as out:
                out.write("x")
                raise commands.Exit(3)
        return body

    assert _end(capsys, failing_command(None)) == (3, "")
    assert _end(capsys, failing_command(target)) == (3, "")
    assert target.read_text(encoding="utf-8") == "x"


def test_a_file_whose_last_bytes_cannot_reach_the_disk_is_told(capsys):
    """/dev/full takes the open and the buffered write; the close, which flushes, fails."""
    def into_full_disk():
        with commands._output("/dev/full") as out:
            out.write("措施\n")

    assert _end(capsys, into_full_disk) == (2, "portcli: cannot write /dev/full: No space left on device\n")
