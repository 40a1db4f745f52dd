"""How a measures folder is found and spelled. The load path spells folders as strings, without
pathlib (issue 16); every message and file name must still spell them as pathlib did."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portcli import files
from portcli.load import load

posix_only = pytest.mark.skipif(os.sep != "/", reason="elsewhere files.spelled asks pathlib itself")

_SPELLINGS = st.lists(st.sampled_from(["/", "//", "///", ".", "..", "a", "b.c", " ", "测试", "~"]), max_size=8).map("".join)


@posix_only
@given(_SPELLINGS, st.sampled_from(["01.yaml", "_plan.yaml", "x"]))
@example("", "x")
@example("//", "x")
@example("///a//./b/", "x")
@example("./", "x")
@example("//./a", "x")
def test_a_folder_is_spelled_as_pathlib_spells_it(spelling, name):
    assert files.spelled(spelling) == str(PurePosixPath(spelling))
    assert files.join(files.spelled(spelling), name) == str(PurePosixPath(spelling) / name)
    assert files.spelled(_Spelled(spelling)) == str(PurePosixPath(spelling))  # a DirEntry's path is not normal


class _Spelled:
    """An os.PathLike that hands its spelling back as given, as os.DirEntry does."""

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling

    def __fspath__(self) -> str:
        return self.spelling


def test_a_problem_names_its_file_as_pathlib_would(measures_dir):
    """The folder spelled with a doubled slash and `.`, as the fast path hands it on (a str): the
    files and the folder are named in its plain spelling."""
    (measures_dir / "07.yaml").write_text("id: 7\ntask: [unclosed\n", encoding="utf-8")
    loaded = load(f"{measures_dir}//./")
    assert loaded.directory == str(measures_dir)
    assert [p.file for p in loaded.problems] == [f"{measures_dir}/07.yaml"]
    assert loaded.measures[0].file == f"{measures_dir}/01.yaml"


def _found(start: Path | None = None) -> str:
    return files.find_directory(None, str(start) if start else None)


def test_the_measures_folder_found_from_where_portcli_runs(tmp_path, monkeypatch):
    """Found in the current folder: named relative to it. Found in a parent: its absolute real path
    (pathlib's relative_to does not climb with ..)."""
    monkeypatch.delenv("PORTCLI_DIR", raising=False)
    (tmp_path / "repo" / "measures").mkdir(parents=True)
    (tmp_path / "repo" / "notes" / "june").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo")
    assert _found() == "measures"
    monkeypatch.chdir(tmp_path / "repo" / "notes" / "june")
    assert _found() == str((tmp_path / "repo" / "measures").resolve())
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "link")  # the system's current folder is the real one: found in it
    assert _found() == "measures"
    monkeypatch.chdir("/")  # from a start below the current folder "/": relative to "/"
    assert _found(tmp_path / "repo" / "notes") == str((tmp_path / "repo" / "measures").resolve())[1:]


def test_an_explicit_folder_is_spelled_and_checked(tmp_path, monkeypatch):
    (tmp_path / "m").mkdir()
    monkeypatch.chdir(tmp_path)
    assert files.find_directory("./m//") == "m"
    monkeypatch.setenv("PORTCLI_DIR", f"{tmp_path}//m/.")
    assert files.find_directory() == f"{tmp_path}/m"
    with pytest.raises(files.DirectoryNotFound, match=r"^nowhere: no such measures folder"):
        files.find_directory("./nowhere/")
    (tmp_path / "m" / "01.yaml").write_text("id: 1\n", encoding="utf-8")
    with pytest.raises(files.DirectoryNotFound, match=r"^m/01.yaml: no such measures folder"):
        files.find_directory("m/01.yaml")  # a file, not a folder


def test_a_folder_that_cannot_be_opened_is_told_as_such(run, tmp_path):
    """A name too long for the system (or a folder one may not enter) is no missing folder: the
    reason is given, and it is one line and exit 2, not a traceback."""
    long = "x" * 300
    result = run("list", "--dir", str(tmp_path / long))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert f"{long}: cannot open the measures folder: File name too long" in result.stderr
    # the system's reason in the user's language too, as every other OS error portcli tells
    chinese = run("list", "--dir", str(tmp_path / long), env={"PORTCLI_LANG": "zh"})
    assert chinese.exit_code == 2 and f"{long}：无法打开措施文件夹：文件名过长" in chinese.stderr


def test_no_measures_folder_anywhere_is_said_with_what_to_do(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("list")
    assert result.exit_code == 2
    assert result.stderr == ("portcli: no measures/ folder here or in any parent folder; pass --dir PATH or set "
                             "PORTCLI_DIR\n")
