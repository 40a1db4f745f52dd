"""The fast path (portcli.entry, issue 16): `list` and `overdue` run without typer when the command line
is one it fully understands, and say exactly what typer's path says, byte for byte and exit code for
exit code; every other command line goes to typer.

Each command line runs twice through the installed console script: as it comes, and with
PORTCLI_NO_FAST_PATH=1, which sends it to typer. Which path the first run takes is asserted too
(entry.plan), so that the comparison covers the fast path where it is meant to be taken and the
hand-over where it is not.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import varied
from test_plans import MEASURES as PLAN_MEASURES
from test_plans import NEW, PLAN_FILES

import portcli
from portcli import entry

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "portcli"
SHIPPED = ROOT / "measures"
AS_OF = varied.AS_OF  # 2022-06-15


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """{ship}: the shipped measures; {varied}: eleven measures that tell filters apart; {plans}: two
    plans; {broken}: the shipped measures with one file that is not YAML; {missing}: no folder."""
    base = tmp_path_factory.mktemp("fast-path")
    shutil.copytree(SHIPPED, base / "ship")
    varied.write(base / "varied")
    for name, text in PLAN_FILES.items():
        (base / "plans" / name).mkdir(parents=True)
        (base / "plans" / name / "_plan.yaml").write_text(text, encoding="utf-8")
    for (name, id_), text in PLAN_MEASURES.items():
        (base / "plans" / name / f"{id_}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(SHIPPED, base / "broken")
    (base / "broken" / "07.yaml").write_text("id: 7\ntask: [unclosed\n", encoding="utf-8")
    return {name: base / name for name in ("ship", "varied", "plans", "broken")} | {"missing": base / "nothing"}


def environment(extra: dict[str, str | None] | None = None) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PORTCLI_LANG": "en"}
    for name in ("PORTCLI_DIR", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "PORTCLI_NO_FAST_PATH", "_PORTCLI_COMPLETE"):
        env.pop(name, None)
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def both(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """(as it comes, through typer): typer's first, so that the fast path reads the cache, as everyday."""
    typer = subprocess.run([str(SCRIPT), *args], capture_output=True, timeout=120,
                           env={**env, "PORTCLI_NO_FAST_PATH": "1"})
    fast = subprocess.run([str(SCRIPT), *args], capture_output=True, timeout=120, env=env)
    return fast, typer


def expand(line: tuple[str, ...], folders: dict[str, Path]) -> list[str]:
    return [part.format(**folders) for part in line]


# Command lines the fast path takes: its happy path, and the errors the command itself says.
FAST = [
    ("overdue", "--as-of", AS_OF, "--format", "json", "--dir", "{ship}"),
    ("overdue", "--as-of", AS_OF, "--dir", "{ship}"),
    ("overdue", "--as-of", AS_OF, "--dir", "{varied}"),
    ("overdue", "--as-of", AS_OF, "--dir", "{varied}", "-u", "天津海关", "-f", "json"),
    ("overdue", "--as-of", AS_OF, "--dir", "{varied}", "--limit", "1"),
    ("list", "--unit", "天津海关", "--format", "json", "--dir", "{ship}"),
    ("list", "--dir", "{ship}"),
    ("list", "--dir", "{ship}", "--limit", "0"),
    ("list", "--dir={varied}", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "-u", "海关", "--lead", "-f", "json", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--status", "in_progress", "-s", "blocked", "--format=json"),
    ("list", "--dir", "{varied}", "--status", "进行中", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--task", "4", "-t", "5", "-f", "json"),
    ("list", "--dir", "{varied}", "--due-before", "2022-06-20", "--due-after", "2022/5/1", "-f", "json"),
    ("list", "--dir", "{varied}", "--due-after", "2022年6月1日", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--overdue", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--due-soon", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--due-soon", "5", "--as-of", AS_OF, "-f", "json"),
    ("list", "--dir", "{varied}", "--due-soon=36500", "--as-of", AS_OF, "-f", "json"),
    ("list", "--dir", "{varied}", "--stale", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--stale", "0", "--as-of", AS_OF, "-f", "json"),
    ("list", "--dir", "{varied}", "--search", "对接", "-f", "json"),
    ("list", "--dir", "{varied}", "-q", "第1", "-q", "项", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--format", "json", "--format", "table", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--limit", "3", "--limit", "2", "--as-of", AS_OF),
    ("list", "--dir", "{varied}", "--unit=", "-f", "json"),
    ("list", "--dir", "{varied}", "--lang", "zh", "--as-of", AS_OF),
    ("list", "--lang=zh", "--dir", "{varied}", "--overdue", "--as-of", AS_OF),
    ("overdue", "--lang", "en_US.UTF-8", "--dir", "{varied}", "--as-of", AS_OF),
    ("list", "--dir", "{plans}", "-f", "json", "--as-of", "2023-06-20"),
    ("list", "--dir", "{plans}", "--as-of", "2023-06-20"),
    ("list", "--dir", "{plans}", "-u", "天津海关", "-p", NEW, "-f", "json"),
    ("overdue", "--dir", "{plans}", "--as-of", "2023-06-20"),
    ("overdue", "--dir", "{plans}", "--plan", NEW, "--as-of", "2023-06-20", "-f", "json"),
    # errors the commands say themselves
    ("list", "--dir", "{missing}"),
    ("overdue", "--dir", "{missing}", "-f", "json"),
    ("list", "--dir", "{ship}", "--unit", "无此单位"),
    ("list", "--dir", "{ship}", "--unit", "海"),
    ("overdue", "--dir", "{ship}", "--unit", "nosuch", "--lang", "zh"),
    ("list", "--dir", "{ship}", "--lead"),
    ("list", "--dir", "{ship}", "--status", "finished"),
    ("list", "--dir", "{ship}", "--task", "99"),
    ("list", "--dir", "{plans}", "--plan", "2024-计划"),
    ("list", "--dir", "{ship}", "--plan", "2022"),
    ("overdue", "--dir", "{broken}", "--as-of", AS_OF, "-f", "json"),
    ("list", "--dir", "{broken}", "--as-of", AS_OF),
    ("list", "--dir", "{broken}", "--lang", "zh", "-f", "json"),
    # a folder spelled with doubled slashes, `.` and `..`: each path spells it as pathlib would
    ("list", "--dir", "{broken}//./", "--as-of", AS_OF),
    ("overdue", "--dir", "{plans}/../plans/.", "--as-of", "2023-06-20"),
    ("list", "--dir", "{missing}/./", "-f", "json"),
]

# Command lines the fast path hands to typer: help, completion, usage errors, other commands.
TYPER = [
    ("list", "--help"), ("overdue", "--help"), ("list", "--dir", "{ship}", "--help"),
    ("list", "--dir", "{ship}", "--lang", "zh", "--help"),
    ("list", "--limit", "-1", "--dir", "{ship}"), ("list", "--limit", "1000000000", "--dir", "{ship}"),
    ("list", "--due-soon", "36501", "--dir", "{ship}"), ("list", "--stale", "-3", "--dir", "{ship}"),
    ("list", "--limit", " 5", "--dir", "{ship}"), ("overdue", "--limit", "5_0", "--dir", "{ship}", "-f", "json"),
    ("list", "--format", "xml", "--dir", "{ship}"), ("list", "--format", "JSON", "--dir", "{ship}"),
    ("list", "--as-of", "not a date", "--dir", "{ship}"), ("overdue", "--as-of", "1800-01-01", "--dir", "{ship}"),
    ("list", "--as-of", "2022-02-30", "--dir", "{ship}"), ("list", "--task", "one", "--dir", "{ship}"),
    ("list", "extra", "--dir", "{ship}"), ("list", "--bogus", "--dir", "{ship}"), ("list", "--unit"),
    ("list", "--dir", "{ship}", "--lead=1", "-u", "天津海关"), ("list", "-fjson", "--dir", "{ship}"),
    ("list", "--dir", "{ship}", "--", "--unit"), ("list", "--unit", "--lead", "--dir", "{ship}"),
    ("list", "--lang", "fr", "--dir", "{ship}"), ("list", "--lang", "--dir", "{ship}"),
    ("--lang", "zh", "list", "--dir", "{ship}"), ("--version",), ("list", "--version"),
    ("show", "2", "--dir", "{ship}", "-f", "json"), ("show", f"{NEW}:1", "--dir", "{plans}", "-f", "json"),
    ("units", "--dir", "{ship}"), ("lists",), (),
]


def test_the_option_table_is_the_one_typer_declares():
    """fastpath_options is what tools/fastpath_manifest.py reads from the typer commands now: an
    option added to `list` or `overdue` without rewriting it fails here."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import fastpath_manifest
    finally:
        sys.path.pop(0)
    from portcli.fastpath_options import COMMANDS

    assert COMMANDS == fastpath_manifest.manifest()
    assert fastpath_manifest.main(["--check"]) == 0
    # every parameter of the typer commands is there, and the fast path knows each kind
    assert set(COMMANDS["overdue"]["params"]) == {"unit", "as_of", "limit", "directory", "plan", "lang", "format"}
    assert all(kind != "unknown" for spec in COMMANDS.values() for kind, *_ in spec["params"].values())


def test_an_option_the_table_does_not_know_goes_to_typer(monkeypatch, folders):
    from portcli import fastpath_options

    args = ["list", "--dir", str(folders["ship"]), "--status", "done"]
    assert entry.plan(args, environment()) is not None
    trimmed = {**fastpath_options.COMMANDS["list"], "options": {
        k: v for k, v in fastpath_options.COMMANDS["list"]["options"].items() if k != "--status"}}
    monkeypatch.setitem(fastpath_options.COMMANDS, "list", trimmed)
    assert entry.plan(args, environment()) is None


@pytest.mark.parametrize("line", FAST, ids=" ".join)
def test_the_fast_path_says_what_typer_says(line, folders):
    args = expand(line, folders)
    env = environment()
    assert entry.plan(args, env) is not None, "the fast path should take this command line"
    fast, typer = both(args, env)
    assert (fast.returncode, fast.stderr.decode(), fast.stdout.decode()) == \
           (typer.returncode, typer.stderr.decode(), typer.stdout.decode())
    assert fast.stdout or fast.stderr  # something was said to compare
    assert b"Traceback" not in fast.stderr


@pytest.mark.parametrize("line", TYPER, ids=lambda line: " ".join(line) or "(nothing)")
def test_what_the_fast_path_leaves_to_typer_is_typers_answer(line, folders):
    args = expand(line, folders)
    env = environment()
    assert entry.plan(args, env) is None, "typer should answer this command line"
    fast, typer = both(args, env)
    assert (fast.returncode, fast.stderr.decode(), fast.stdout.decode()) == \
           (typer.returncode, typer.stderr.decode(), typer.stdout.decode())


@pytest.mark.parametrize("variables", [
    {"PORTCLI_LANG": "zh"}, {"PORTCLI_LANG": None, "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None,
                             "LANG": "en_US.UTF-8"},
    {"PORTCLI_LANG": None, "LANGUAGE": None, "LC_ALL": "C.UTF-8", "LC_MESSAGES": None, "LANG": None},
    {"PORTCLI_LANG": "fr"}, {"PORTCLI_LANG": "zh_CN.UTF-8"},
], ids=str)
def test_the_language_comes_from_the_environment_as_on_typers_path(variables, folders):
    args = ["list", "--dir", str(folders["ship"]), "--unit", "无此单位"]
    env = environment(variables)
    taken = entry.plan(args, env)
    assert (taken is None) == (variables.get("PORTCLI_LANG") == "fr")  # a language portcli does not speak: typer
    fast, typer = both(args, env)
    assert (fast.returncode, fast.stderr.decode(), fast.stdout.decode()) == \
           (typer.returncode, typer.stderr.decode(), typer.stdout.decode())
    assert fast.returncode == 2


def test_completion_goes_to_typer(folders):
    env = environment({"_PORTCLI_COMPLETE": "complete_bash", "COMP_WORDS": "portcli list --st", "COMP_CWORD": "2"})
    args = ["list", "--st"]
    assert entry.plan(args, env) is None
    fast, typer = both(args, env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (typer.returncode, typer.stdout, typer.stderr)
    assert b"--status" in fast.stdout and b"--stale" in fast.stdout


def test_overdue_on_the_fast_path_answers_from_the_data(folders):
    """Worked out by hand from tests/varied.py: on 2022-06-15, 4 (46 days), 1 (15) and 10 (5) are late."""
    result = subprocess.run([str(SCRIPT), "overdue", "--dir", str(folders["varied"]), "--as-of", AS_OF, "-f", "json"],
                            capture_output=True, timeout=120, env=environment())
    assert result.returncode == 0, result.stderr
    assert [m["id"] for m in json.loads(result.stdout)] == [4, 1, 10]


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "typer's path"])
@pytest.mark.parametrize("collecting", [True, False], ids=["collector on", "collector off"])
def test_the_modules_are_imported_with_the_collector_off_and_the_command_runs_as_the_caller_had_it(
        fast, collecting, folders):
    """entry.main turns the cyclic garbage collector off while it imports what the command needs (issue 16),
    and the command runs with it as it was: on for a process that had it on, off for a caller that had
    turned it off. Watched in a fresh interpreter, where the imports happen: the state when portcli.commands
    (and on typer's path typer) is imported, and when the command itself imports its JSON renderer."""
    code = ("import gc, json, sys\n"
            "seen = {}\n"
            "class Watch:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        seen.setdefault(name, gc.isenabled())\n"
            "sys.meta_path.insert(0, Watch())\n"
            f"{'' if collecting else 'gc.disable()'}\n"
            "from portcli import entry\n"
            "try:\n"
            "    entry.main(sys.argv[1:])\n"
            "except SystemExit as end:\n"
            "    assert not end.code, end.code\n"
            "sys.stdout.flush()\n"
            "wanted = ('portcli.commands', 'typer', 'portcli.render.json')\n"
            "sys.stderr.write('\\nSEEN ' + json.dumps([{n: seen.get(n) for n in wanted}, gc.isenabled()]))\n")
    args = ["overdue", "--dir", str(folders["varied"]), "--as-of", AS_OF, "-f", "json"]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, timeout=120,
                            env=environment(None if fast else {"PORTCLI_NO_FAST_PATH": "1"}))
    assert result.returncode == 0, result.stderr
    assert [m["id"] for m in json.loads(result.stdout)] == [4, 1, 10]  # as test_overdue_on_the_fast_path… works out
    imported, after = json.loads(result.stderr.decode().rpartition("\nSEEN ")[2])
    assert imported == {"portcli.commands": False, "typer": None if fast else False, "portcli.render.json": collecting}
    assert after is collecting


LAUNCHER = Path(__file__).parents[1] / "scripts" / "portcli"  # the `portcli` command setup.py installs


def loaded_modules(args: list[str], env: dict[str, str], whole_names: bool = False, settled: bool = False,
                   launcher: bool = False) -> set[str]:
    """The top-level modules (or, with `whole_names`, every module and submodule) a run of
    `portcli ARGS` through the entry point (with `launcher`, through the code of the installed
    command) had imported at its end. `settled`: the run happens 10 s after the files were written
    (the cache's clock moved on), so that it caches them and the next such run reads them from the
    cache; and in an interpreter without `site` (-S), portcli found on PYTHONPATH, so that nothing but
    portcli imports anything (an editable install's finder imports pathlib, contextlib and importlib.util)."""
    settle = "import time, portcli.cache\nportcli.cache.clock = lambda: time.time_ns() + 10**10\n"
    if settled:
        env = {**env, "PYTHONPATH": str(Path(portcli.__file__).parents[1])}
    run = (LAUNCHER.read_text(encoding="utf-8") if launcher else "from portcli.entry import main\nmain(sys.argv[1:])\n")
    # at exit, as the launcher (entry.console) ends the process without unwinding to a `finally`
    code = ((settle if settled else "") + "import atexit, sys\n"
            "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules))))\n" + run)
    result = subprocess.run([sys.executable, *(["-S"] if settled else []), "-c", code, *args], capture_output=True,
                            timeout=120, env=env)
    assert result.stdout, result.stderr
    names = set(result.stderr.decode().rpartition("\nMODULES ")[2].split())
    return names if whole_names else {name.split(".")[0] for name in names}


def test_the_everyday_queries_import_neither_typer_nor_click(folders):
    ship = str(folders["ship"])
    for args in (["overdue", "--as-of", AS_OF, "--format", "json", "--dir", ship],
                 ["list", "--unit", "天津海关", "--format", "json", "--dir", ship]):
        modules = loaded_modules(args, environment())
        assert "portcli" in modules
        assert not modules & {"typer", "click", "rich", "yaml", "dateutil", "shellingham"}, args
        # nor what the value classes and the type hints would bring: ~25 ms of a ~60 ms run (values.py)
        assert not modules & {"typing", "dataclasses", "inspect"}, args
    # a listing is drawn without rich (render/terminal.py, render/grid.py): in 200 columns, and in 80 in
    # Chinese, where it is wider than the terminal and every line, the rule under the header too, is cut
    # at its edge (in English there its headers fold: rich draws a folded header)
    for extra in ({"COLUMNS": "200"}, {"COLUMNS": "80", "PORTCLI_LANG": "zh"}):
        modules = loaded_modules(["list", "--dir", ship], environment(extra))
        assert not modules & {"typer", "click", "rich"}, extra
    # and the switch that the comparisons above rely on really sends a run to typer
    assert {"typer", "click"} <= loaded_modules(["list", "--dir", ship, "-f", "json"],
                                               environment({"PORTCLI_NO_FAST_PATH": "1"}))


def test_a_cached_query_imports_only_what_it_uses(folders):
    """What a JSON query on cached measures leaves out, each ~0.5-5 ms of a ~30 ms run (issue 16):
    datetime.py (the C type is the date), json's package and decoder (its C encoder writes),
    contextlib, importlib.util, pathlib (folders are spelled as str), the readers of files, and
    deadline's patterns for an ISO --as-of."""
    ship = str(folders["ship"])
    for args in (["overdue", "--as-of", AS_OF, "--format", "json", "--dir", ship],
                 ["list", "--unit", "天津海关", "--format", "json", "--dir", ship, "--due-before", "2022-12-31"]):
        loaded_modules(args, environment(), settled=True)  # the first run reads the files and fills the cache
        modules = loaded_modules(args, environment(), whole_names=True, settled=True)
        assert "portcli.render.json" in modules, args
        assert not modules & {"datetime", "json", "contextlib", "importlib.util", "pathlib", "portcli.deadline",
                              "portcli.yamlread", "portcli.check"}, args
        # nor re, enum, functools or collections (with enum ~5 ms: values.cache, patterns.Lazy), and
        # through the installed command neither: pip's launcher would import re before portcli starts
        for launcher in (False, True):
            modules = loaded_modules(args, environment(), whole_names=True, settled=True, launcher=launcher)
            assert "portcli.render.json" in modules and not modules & {"re", "enum", "functools", "collections"}, \
                (args, launcher)
        # nor operator.py (the C _operator gives attrgetter), reprlib (until a value is quoted in a problem)
        # or, unless a unit's name is compared (--unit), unicodedata: ~0.3-0.4 ms each
        assert not modules & {"operator", "reprlib", *(["unicodedata"] if args[0] == "overdue" else [])}, args
    # the same run with an --as-of that is no ISO date reads it with deadline, and answers the same
    iso = subprocess.run([str(SCRIPT), "overdue", "--as-of", AS_OF, "--format", "json", "--dir", ship],
                         capture_output=True, env=environment())
    year, month, day = AS_OF.split("-")
    spelled = f"{year}年{int(month)}月{int(day)}日"
    assert "portcli.deadline" in loaded_modules(["overdue", "--as-of", spelled, "--format", "json", "--dir", ship],
                                                environment(), whole_names=True, settled=True)
    chinese = subprocess.run([str(SCRIPT), "overdue", "--as-of", spelled, "--format", "json", "--dir", ship],
                             capture_output=True, env=environment())
    assert iso.returncode == chinese.returncode == 0 and json.loads(iso.stdout) == json.loads(chinese.stdout)
    assert json.loads(iso.stdout), "the shipped measures are overdue on AS_OF: an empty answer proves nothing"


def test_a_command_line_the_fast_path_fails_to_read_goes_to_typer(monkeypatch, folders, capsys):
    def broken(args, environ=None):
        raise RuntimeError("a bug in reading the command line")

    monkeypatch.setattr(entry, "plan", broken)
    monkeypatch.delenv("PORTCLI_NO_FAST_PATH", raising=False)
    with pytest.raises(SystemExit) as ended:
        entry.main(["overdue", "--dir", str(folders["varied"]), "--as-of", AS_OF, "-f", "json"])
    out, err = capsys.readouterr()
    assert (ended.value.code, err) == (0, "")
    assert [m["id"] for m in json.loads(out)] == [4, 1, 10]  # typer's answer, worked out as above


# --- how the command ends (entry.console) -------------------------------------------------------------

ENDINGS = ["None", "0", "3", "256 + 7", "True", "'a message of its own'"]


@pytest.mark.parametrize("ending, to", [(ending, to) for ending in ENDINGS for to in ("pipe", "/dev/full")]
                         + [("closed", "pipe")])  # closing stdout on a full disk raises at once: no ending to compare
def test_the_command_ends_as_python_would(ending, to, tmp_path):
    """entry.console ends the process without freeing every object, but as Python itself ends it: the
    exit handlers run (after the command's last output, before stdout and stderr are flushed), what
    is still buffered on stdout and stderr comes out, the status and a SystemExit's message are
    Python's, and a stdout that cannot take the rest (a full disk) is status 120. The same program
    ended by Python is the measure."""
    if to == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    command = ("import atexit, sys\n"
               # a handler writes after the command, and leaves part of a line on stderr (line-buffered)
               "atexit.register(lambda: (print('handler', file=sys.stderr), sys.stderr.write('a line unended'),"
               " sys.stdout.closed or sys.stdout.write(' and the handler')))\n"
               "sys.stdout.write('still buffered')\n"  # not flushed: the ending must
               + ("sys.stdout.close()\nsys.exit(0)\n" if ending == "closed" else f"sys.exit({ending})\n"))
    console = ("import sys\nfrom portcli import entry\n"
               f"entry.main = lambda: exec({command!r})\n"
               "entry.console()\n"
               "print('console() returned', file=sys.stderr)\n")

    buffered = environment({"PYTHONUNBUFFERED": None})  # stdout buffered, as it is unless told otherwise

    def ended(program: str):
        if to == "pipe":
            result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60, env=buffered)
            return result.returncode, result.stdout, result.stderr
        with open(to, "wb") as full:
            result = subprocess.run([sys.executable, "-c", program], stdout=full, stderr=subprocess.PIPE, timeout=60,
                                    env=buffered)
        # Python also reports the failed flush, in two lines (the first after the line stderr left
        # unended): console() does not
        return result.returncode, b"", [line.split(b"Exception ignored in")[0] for line in result.stderr.splitlines()
                                        if not line.startswith((b"Exception ignored in", b"OSError: [Errno 28]"))]

    python = ended(command)
    assert python[0] == (120 if to == "/dev/full" else
                         {"None": 0, "0": 0, "3": 3, "256 + 7": 7, "True": 1, "closed": 0}.get(ending, 1))
    assert ended(console) == python


def test_under_a_profiler_the_command_ends_as_python_does_so_the_profile_is_written(folders, tmp_path):
    """`python -m cProfile -o FILE -m portcli ...` (benchmarks/run.py profiles so) writes its statistics
    once the program returns: console() then leaves the ending to Python. Same output, same status."""
    import pstats

    args = ["overdue", "--dir", str(folders["varied"]), "--as-of", AS_OF, "-f", "json"]
    plain = subprocess.run([sys.executable, "-m", "portcli", *args], capture_output=True, timeout=60, env=environment())
    stats = tmp_path / "run.prof"
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "portcli", *args],
                              capture_output=True, timeout=60, env=environment())
    assert (profiled.returncode, profiled.stdout, profiled.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert [m["id"] for m in json.loads(plain.stdout)] == [4, 1, 10]  # as test_a_command_line_the_fast_path… works out
    ran = {name for (_file, _line, name) in pstats.Stats(str(stats)).stats}
    assert "overdue_measures" in ran


def test_under_a_tracer_the_command_ends_as_python_does_so_the_trace_is_written(folders, tmp_path):
    """A tracer (coverage, pdb, the standard library's trace: sys.settrace, no profiler) writes what it
    saw once the program returns: console() leaves the ending to Python there too. `python -m trace
    --count` then writes a .cover file for each module run; same output, same status."""
    args = ["overdue", "--dir", str(folders["varied"]), "--as-of", AS_OF, "-f", "json"]
    plain = subprocess.run([sys.executable, "-m", "portcli", *args], capture_output=True, timeout=60, env=environment())
    counts = tmp_path / "counts"
    traced = subprocess.run([sys.executable, "-m", "trace", "--count", "--coverdir", str(counts), "--module", "portcli",
                             *args], capture_output=True, timeout=120, env=environment())
    assert (traced.returncode, traced.stdout, traced.stderr) == (plain.returncode, plain.stdout, plain.stderr)
    assert [m["id"] for m in json.loads(plain.stdout)] == [4, 1, 10]  # as test_a_command_line_the_fast_path… works out
    # named by the module's path under sys.path: "portcli.entry.cover", or (an editable install) by its whole path
    names = {path.name for path in counts.iterdir()}
    assert all(any(name.endswith(module) for name in names) for module in ("portcli.entry.cover", "portcli.commands.cover"))
