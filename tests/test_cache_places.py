"""Where the cache lives and what its file is called (issue 16 moved cache_dir, cache_file and the
PyYAML stamp off pathlib and importlib.util). Each name is worked out here by hand from SPEC's rule:
the folder's real name, every character but letters, digits, `-` and `_` as `_`, at most 40 of
them, `-`, the CRC-32 of the real path in 8 hex digits, `.cache`."""
from __future__ import annotations

import os
import shutil
import sys
import zlib
from pathlib import Path

import pytest

from portcli import cache
from test_cache import later  # noqa: F401  (the fixture: the cache's clock 10 s ahead, files settled and stored)
from varied import SHIPPED

pytestmark = pytest.mark.usefixtures("later")


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _crc(folder: Path) -> str:
    return f"{zlib.crc32(os.path.realpath(folder).encode()):08x}"


def test_the_cache_file_is_named_after_the_folders_real_name(run, tmp_path, private_cache):
    folder = tmp_path / "年度 plan.v2!"
    shutil.copytree(SHIPPED, folder)
    assert run("list", "--dir", folder).exit_code == 0
    assert _names(private_cache) == [f"年度_plan_v2_-{_crc(folder)}.cache"]
    # through a link, and spelled with `./`: the same real folder, the same one file
    (tmp_path / "link").symlink_to(folder)
    assert run("list", "--dir", f"{tmp_path}/./link/").exit_code == 0
    assert _names(private_cache) == [f"年度_plan_v2_-{_crc(folder)}.cache"]


def test_a_long_folder_name_is_cut_to_40_characters(run, tmp_path, private_cache):
    folder = tmp_path / ("措施" * 5 + "m" * 45)  # 55 characters
    shutil.copytree(SHIPPED, folder)
    assert run("list", "--dir", folder).exit_code == 0
    assert _names(private_cache) == ["措施" * 5 + "m" * 30 + f"-{_crc(folder)}.cache"]


@pytest.fixture
def no_cache_settings(monkeypatch, tmp_path):
    for name in ("PORTCLI_CACHE_DIR", "XDG_CACHE_HOME", "PORTCLI_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_the_cache_folder_is_chosen_as_spec_says(run, measures_dir, no_cache_settings, monkeypatch):
    base = no_cache_settings
    name = f"measures-{_crc(measures_dir)}.cache"
    assert run("list", "--dir", measures_dir).exit_code == 0  # HOME's .cache
    assert _names(base / "home" / ".cache" / "portcli") == [name]
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # empty: as if unset
    assert cache.cache_dir() == str(base / "home" / ".cache" / "portcli")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg"))
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert _names(base / "xdg" / "portcli") == [name]
    monkeypatch.setenv("PORTCLI_CACHE_DIR", f"{base}//own/./")  # spelled as pathlib spells it
    assert cache.cache_dir() == str(base / "own")
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert _names(base / "own") == [name]
    monkeypatch.setenv("PORTCLI_CACHE_DIR", "relative")  # would land in the working folder: none
    assert cache.cache_dir() is None
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert _names(base / "work") == []


@pytest.mark.parametrize("value, on", [("", True), ("0", True), ("1", False), ("yes", False), ("00", False)])
def test_portcli_no_cache_turns_it_off_unless_empty_or_0(run, measures_dir, private_cache, monkeypatch, value, on):
    monkeypatch.setenv("PORTCLI_NO_CACHE", value)
    assert (cache.cache_dir() == str(private_cache)) is on and (cache.cache_dir() is None) is not on
    assert run("list", "--dir", measures_dir).exit_code == 0
    assert len(_names(private_cache)) == (1 if on else 0)


def test_the_stamp_names_the_pyyaml_that_would_be_imported(monkeypatch):
    """The file `import yaml` runs, by size, mtime, ctime and inode; a finder without find_spec
    (an old-style one) is passed over, and a yaml with no file (a namespace package) gives None."""
    import yaml

    st = os.stat(yaml.__file__)
    expected = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    assert cache._pyyaml_signature() == expected

    class OldStyle:
        pass

    monkeypatch.setattr(sys, "meta_path", [OldStyle(), *sys.meta_path])
    assert cache._pyyaml_signature() == expected
    assert cache.code_stamp()[3] == expected

    class NoFile:
        @staticmethod
        def find_spec(name, path, target=None):
            from importlib.machinery import ModuleSpec

            return ModuleSpec(name, None) if name == "yaml" else None

    monkeypatch.setattr(sys, "meta_path", [NoFile(), *sys.meta_path])
    assert cache._pyyaml_signature() is None
    monkeypatch.setattr(sys, "meta_path", [OldStyle()])
    assert cache._pyyaml_signature() is None  # no finder finds it


def test_the_code_stamp_is_the_version_and_every_source_file(monkeypatch):
    import portcli

    here = Path(portcli.__file__).parent
    sources = sorted(p.name for p in here.iterdir() if p.name.endswith(".py"))
    assert "cache.py" in sources and "__init__.py" in sources
    stamp = cache.code_stamp()
    assert stamp[0] == cache.FORMAT and stamp[1] == portcli.__version__ and stamp[4] == sys.version_info[:2]
    expected = []
    for name in sources:
        st = os.stat(here / name)
        expected.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    assert stamp[2] == tuple(expected) and len(stamp) == 5


def test_a_folder_whose_name_is_not_utf8_has_its_cache_too(run, tmp_path, private_cache):
    """A name with bytes no UTF-8 decodes (0xff 0xfe, then "plan"): the key is the CRC of its bytes."""
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xff\xfeplan"))
    shutil.copytree(SHIPPED, folder)
    assert run("list", "--dir", folder).exit_code == 0
    key = f"{zlib.crc32(os.fsencode(os.path.realpath(folder))):08x}"
    assert _names(private_cache) == [f"__plan-{key}.cache"]  # each undecodable byte a _
