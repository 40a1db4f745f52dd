"""Shared fixtures: a private copy of the shipped measures, and the real CLI run in-process."""
from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner  # the translated click command, not the Typer app, is invoked

from portcli import i18n
from portcli.cli import command_for, complete_args, speak_for
from portcli.deadline import parse_deadline

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "measures"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test its own portcli cache, so tests never share one or fill the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("portcli-cache")
    monkeypatch.setenv("PORTCLI_CACHE_DIR", str(folder))
    monkeypatch.delenv("PORTCLI_NO_CACHE", raising=False)
    return folder


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """Tests read portcli's messages in English unless they ask for Chinese (`PORTCLI_LANG=zh`), those
    of a portcli they start as a process too, whatever the locale the suite runs under."""
    monkeypatch.setenv("PORTCLI_LANG", "en")
    i18n.use("en")
    yield
    i18n.use("en")


@pytest.fixture(autouse=True)
def unfrozen_gc():
    """The CLI freezes what it loaded (gc.freeze), as a one-shot process may; a test session runs it
    hundreds of times, so each test hands the frozen objects back to the collector."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def deadlines_read_afresh():
    """parse_deadline keeps what it read (lru_cache): each test reads its phrases afresh, so none
    passes on what an earlier test in the process parsed. A mutation run (docs/RELIABILITY.md)
    forks every mutant's tests from a process that has already parsed them all."""
    parse_deadline.cache_clear()


@pytest.fixture(autouse=True)
def exits_only_in_children(monkeypatch):
    """os._exit is how a forked child (portcli.child) leaves. In the test run's own process it would end
    the run there and then with the status it was given, 0 after a child's part done well: a run cut
    short that passes (a fork whose two sides took each other's branch, docs/RELIABILITY.md). Here it
    fails the test instead; and a forked process that came back into the test leaves when the test
    ends, never running on as a second test run."""
    run = os.getpid()
    real = os._exit

    def _exit(status: int):
        if os.getpid() == run:
            raise AssertionError(f"os._exit({status}) in the test run's own process: only a forked child leaves so")
        real(status)

    monkeypatch.setattr(os, "_exit", _exit)
    yield
    if os.getpid() != run:
        real(0)


@pytest.fixture
def measures_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped measures/ folder."""
    target = tmp_path / "measures"
    shutil.copytree(SHIPPED, target)
    return target


@pytest.fixture
def run(monkeypatch):
    """run(*args, input=None) -> click Result, with stdout and stderr kept apart.

    The arguments pass through `complete_args` exactly as the console script passes them.
    A wide terminal keeps table rows on one line; no env var from the developer's
    shell leaks in.
    """
    monkeypatch.delenv("PORTCLI_DIR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        argv = complete_args([str(a) for a in args])
        env = {"COLUMNS": "200", "NO_COLOR": "1", "PORTCLI_LANG": "en", **(env or {})}
        with monkeypatch.context() as m:  # the language is chosen from the environment the command sees
            for name, value in env.items():
                m.setenv(name, value) if value is not None else m.delenv(name, raising=False)
            speak_for(argv)
        return runner.invoke(command_for(argv), argv, input=input, env=env)

    return invoke


@pytest.fixture
def run_in_chinese(run):
    """`run`, speaking Chinese unless the test's env says otherwise: for tests that read the words the
    reports have always had in Chinese (编号, 逾期, 第 1 页). A module overrides `run` with it."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return run(*args, input=input, env={"PORTCLI_LANG": "zh", **(env or {})})

    return invoke
