"""portcli against Taskwarrior on the same measures: times, ratios, peak memory, scaling, goals.

    python benchmarks/run.py              # N = 25 … 100,000 (1,000 plans × 100); writes RESULTS.md
    python benchmarks/run.py --quick      # N = 25 … 10,000
    python benchmarks/run.py --resume     # after an interruption: sizes already measured are kept

For each N it writes the measures into benchmarks/data/ (the 25 shipped ones copied, 100,000 as
1,000 plan folders of 100), builds the same items as Taskwarrior tasks in a private TASKDATA/TASKRC
under benchmarks/work/, checks that both tools hold the same items, then runs every command as
fresh processes, --runs times (default 7), portcli and its Taskwarrior counterpart alternating:
medians, ratios, µs per measure and peak memory (GNU time's maximum resident set size). Tables go
to a pseudo-terminal, as a person sees them; everything else to /dev/null. Each size's runs are
saved under benchmarks/work/results/ as soon as they are done. For each goal not met, the run
profiles the command (python -X importtime, cProfile) and says where its time went.

Taskwarrior's +OVERDUE means "due before now", portcli's overdue takes --as-of. So that both
find the same measures, every Taskwarrior due date is moved by (today - AS_OF) and set to the end
of its day. It installs nothing: Taskwarrior comes from `apt-get install taskwarrior`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import pty
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
WORK = HERE / "work"
RESULTS = WORK / "results"
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py)

AS_OF = date(2022, 6, 15)
UNIT = "天津海关"
TERMINAL = (40, 120)  # rows, columns of the pseudo-terminal tables are drawn on
RACY_WAIT = 3.5  # seconds: portcli's cache re-reads files younger than 3 s (src/portcli/cache.py)
SIZES = (25, 100, 1_000, 10_000, 100_000)
QUICK = 10_000  # --quick stops here
LAYOUT = {100_000: (1_000, 100)}  # N written as P plan folders × M measures; other N as one plan
SMALL = (25, 100, 1_000)  # "near the interpreter's floor"
BIG = 100_000
PEAK_MIB = 256

# Peak memory: a child's own ru_maxrss starts at its parent's size when it forks (Linux keeps the
# high-water mark across exec), so it is read from GNU time, whose children start small.
def _gnu_time() -> str | None:
    try:
        found = subprocess.run(["/usr/bin/time", "--version"], capture_output=True, text=True)
    except OSError:
        return None
    return "/usr/bin/time" if "GNU" in found.stdout + found.stderr else None


GNU_TIME = _gnu_time()

INSTALL_HINT = """Taskwarrior (the `task` command) is not installed, and this benchmark compares against it.
Install it, then run this script again:
    Debian/Ubuntu:  sudo apt-get install taskwarrior
    Fedora:         sudo dnf install task
    macOS:          brew install task
"""


@dataclass
class Run:
    seconds: float
    max_rss_kib: int
    exit_code: int
    stdout: bytes = b""


@dataclass
class Pair:
    """A portcli command and what it is weighed against (Taskwarrior, or nothing), run alternately."""
    key: str  # the command's name in the tables
    ours: list[str]
    theirs: list[str] | None = None
    tty: bool = False
    cold: bool = False  # portcli starts with no cache, every run
    ours_runs: list[Run] = field(default_factory=list)
    theirs_runs: list[Run] = field(default_factory=list)

    def median(self, side: str = "ours") -> float:
        return statistics.median(r.seconds for r in getattr(self, f"{side}_runs"))

    def peak_mib(self, side: str = "ours") -> float:
        return max(r.max_rss_kib for r in getattr(self, f"{side}_runs")) / 1024

    @property
    def ratio(self) -> float | None:
        return self.median("ours") / self.median("theirs") if self.theirs_runs else None

    def saved(self) -> dict:
        return {"key": self.key, "ours": self.ours, "theirs": self.theirs, "tty": self.tty,
                "ours_runs": [[r.seconds, r.max_rss_kib] for r in self.ours_runs],
                "theirs_runs": [[r.seconds, r.max_rss_kib] for r in self.theirs_runs]}

    @classmethod
    def restored(cls, data: dict) -> "Pair":
        pair = cls(data["key"], data["ours"], data["theirs"], data.get("tty", False))
        pair.ours_runs = [Run(s, k, 0) for s, k in data["ours_runs"]]
        pair.theirs_runs = [Run(s, k, 0) for s, k in data["theirs_runs"]]
        return pair


def measure(argv: list[str], env: dict[str, str], tty: bool = False, keep_output: bool = False,
            ok: tuple[int, ...] = ()) -> Run:
    """Run argv once as a fresh process: wall time, peak resident memory, exit code."""
    chunks: list[bytes] = []
    reader = None
    if tty:
        master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", TERMINAL[0], TERMINAL[1], 0, 0))

        def drain() -> None:
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                if keep_output:
                    chunks.append(data)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        stdout = slave
    else:
        stdout = subprocess.PIPE if keep_output else subprocess.DEVNULL
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as peak:
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=errors)
        if keep_output and not tty:
            chunks.append(proc.stdout.read())
            proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if tty:
            os.close(slave)
            reader.join()
            os.close(master)
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace")
        max_rss = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    if proc.returncode not in (0, 1, *ok):  # Taskwarrior says 1 for "no matches"
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{message}")
    return Run(seconds, max_rss, proc.returncode, b"".join(chunks))


# --- the data ---------------------------------------------------------------------------------

def portcli_command() -> list[str]:
    script = Path(sys.executable).with_name("portcli")
    found = str(script) if script.exists() else shutil.which("portcli")
    if not found:
        raise SystemExit("portcli is not installed in this Python: pip install -e . (see README)")
    return [found]


def taskwarrior_tasks(measures: list[dict], today: date) -> list[dict]:
    """The measures as Taskwarrior tasks: units as tags, effective due dates, progress as annotations."""
    shift = today - AS_OF

    def stamp(day: str, end_of_day: bool = False) -> str:
        moment = datetime.combine(date.fromisoformat(day) + shift, clock(23, 59, 59) if end_of_day else clock(9))
        return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    tasks = []
    for m in measures:
        task = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"portcli:{m['file']}")),
            "description": (m["local"] or [m["national"]])[0],
            "project": f"task{m['task']}",
            "tags": m["units"],
            "deadline": m["deadline"],
            "entry": stamp("2022-03-01"),
            "status": "completed" if m["status"] == "done" else "pending",
            "annotations": [{"entry": stamp(p["date"]), "description": f"{p['status']} {p['by']}: {p['note']}"}
                            for p in m["progress"]],
        }
        if m["status"] == "done":
            task["end"] = stamp(m["progress"][-1]["date"] if m["progress"] else "2022-06-01")
        # A milestone reached (status ongoing) is not overdue in portcli: its date no longer binds.
        if m["due"] and not (m["deadline_kind"] == "milestone" and m["status"] == "ongoing"):
            task["due"] = stamp(m["due"], end_of_day=True)
        tasks.append(task)
    return tasks


def taskwarrior_env(where: Path, env: dict[str, str]) -> dict[str, str]:
    """`env` for Taskwarrior with the database in `where` (build_taskwarrior)."""
    return {**env, "TASKRC": str(where / "taskrc"), "TASKDATA": str(where / "data")}


def build_taskwarrior(measures: list[dict], where: Path, env: dict[str, str]) -> dict[str, str]:
    """A Taskwarrior database of the same items. One that an earlier run imported from the very same
    tasks is kept: importing 100,000 tasks takes Taskwarrior 12 minutes or more here, and the
    benchmark only reads it."""
    rc = where / "taskrc"
    tasks = where / "tasks.json"
    imported = where / "imported"  # written once the import and the first `task list` have finished
    text = json.dumps(taskwarrior_tasks(measures, date.today()), ensure_ascii=False)
    env = taskwarrior_env(where, env)
    if imported.exists() and tasks.exists() and tasks.read_text(encoding="utf-8") == text:
        return env
    if where.exists():
        shutil.rmtree(where)
    (where / "data").mkdir(parents=True)
    rc.write_text("\n".join([
        f"data.location={where / 'data'}",
        "confirmation=off",
        "news.version=2.6.0",  # no "please run task news" footnote
        "uda.deadline.type=string",
        "uda.deadline.label=完成时限",
    ]) + "\n", encoding="utf-8")
    tasks.write_text(text, encoding="utf-8")
    subprocess.run(["task", "rc.verbose=nothing", "import", str(tasks)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["task", "list"], env=env, check=True, stdout=subprocess.DEVNULL,  # first-run GC, once
                   stderr=subprocess.DEVNULL)
    imported.touch()
    return env


def seconds(value: float) -> str:
    return f"{value:.3f}"


def took(value: float) -> str:
    """A duration to read in a sentence: milliseconds below a second, where "0.00 s" said nothing."""
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.1f} ms"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass

    def version(module: str) -> str:
        from importlib.metadata import PackageNotFoundError, version as get

        try:
            return get(module)
        except PackageNotFoundError:
            return "not installed"

    task = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores (shared with other work)"),
        ("memory", memory),
        ("system", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("portcli", version("portcli")),
        ("typer / PyYAML / rich / python-dateutil",
         f"{version('typer')} / {version('PyYAML')} / {version('rich')} / {version('python-dateutil')}"),
        ("PyYAML C loader", "yes" if _has_cloader() else "no"),
        ("Taskwarrior", task),
        ("peak memory from", "GNU time's %M (maximum resident set size)" if GNU_TIME else
         "wait4's ru_maxrss, which counts the benchmark's own size at fork: an upper bound "
         "(install GNU time for exact figures)"),
    ]


def _has_cloader() -> bool:
    import yaml

    return hasattr(yaml, "CSafeLoader")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# --- the data ---------------------------------------------------------------------------------

def folder_of(n: int) -> Path:
    """N measures as the benchmark lays them out, written afresh (writes during a run change them)."""
    if n == 25:
        target = DATA / "m25"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(REPO / "measures", target)
        return target
    if n in LAYOUT:
        plans, each = LAYOUT[n]
        return generate.generate_plans(plans, each, DATA / f"p{plans}x{each}")
    return generate.generate(n, DATA / f"m{n}")


def layout(n: int) -> str:
    return f"{LAYOUT[n][0]:,} plans × {LAYOUT[n][1]}" if n in LAYOUT else ("shipped" if n == 25 else "one plan")


def a_measure(folder: Path, n: int) -> str:
    """The measure `update` writes to: PLAN:ID in a folder of several plans."""
    if n in LAYOUT:
        plans = sorted(p.name for p in folder.iterdir() if (p / "_plan.yaml").is_file())
        return f"{plans[len(plans) // 2]}:{LAYOUT[n][1] // 2}"
    return str(max(1, n // 2))


# --- running ----------------------------------------------------------------------------------

def run_pairs(pairs: list[Pair], runs: int, env_ours: dict[str, str], env_theirs: dict[str, str],
              cache: Path, say) -> None:
    for pair in pairs:  # one untimed run each: the OS's file cache warm, portcli's cache written
        if not pair.cold:
            measure(pair.ours, env_ours, pair.tty, ok=(2,))
        if pair.theirs:
            measure(pair.theirs, env_theirs, pair.tty)
    for i in range(runs):
        started = time.monotonic()
        for pair in pairs:
            order = ("ours", "theirs") if i % 2 == 0 else ("theirs", "ours")
            for side in order:
                if side == "theirs" and not pair.theirs:
                    continue
                if side == "ours" and pair.cold:
                    shutil.rmtree(cache, ignore_errors=True)
                argv, env = (pair.ours, env_ours) if side == "ours" else (pair.theirs, env_theirs)
                getattr(pair, f"{side}_runs").append(measure(argv, env, pair.tty, ok=(2,)))
        say(f"  run {i + 1}/{runs} done ({time.monotonic() - started:.0f} s)")


def run_writes(update: Pair, after: Pair, runs: int, env: dict[str, str], say) -> None:
    """`update` then, once the written file is older than the racy window, the first read: each run."""
    for i in range(runs):
        update.ours_runs.append(measure(update.ours, env))
        time.sleep(RACY_WAIT)
        after.ours_runs.append(measure(after.ours, env, ok=(2,)))
        say(f"  write {i + 1}/{runs} done")


def count_items(argv: list[str], env: dict[str, str]) -> int:
    return len(json.loads(measure(argv, env, keep_output=True, ok=(2,)).stdout))


def measure_size(n: int, runs: int, portcli: list[str], base_env: dict[str, str], say) -> dict:
    """Every command at N: the pairs' runs, the items both tools hold, the folder's layout."""
    say(f"N = {n:,} ({layout(n)}): writing the measures …")
    folder = folder_of(n)
    cache = WORK / f"cache-{n}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**base_env, "PORTCLI_CACHE_DIR": str(cache)}
    d = ["--dir", str(folder)]
    say(f"N = {n:,}: the same items as Taskwarrior tasks …")
    listing = json.loads(measure([*portcli, "list", "--format", "json", *d], env, keep_output=True, ok=(2,)).stdout)
    if len(listing) != n:
        raise SystemExit(f"portcli lists {len(listing)} measures in {folder}, not {n}")
    tw = build_taskwarrior(listing, WORK / f"task{n}", base_env)
    as_of = ["--as-of", AS_OF.isoformat()]
    counts = {
        "all": (n, count_items(["task", "export"], tw)),
        "overdue": (count_items([*portcli, "overdue", *as_of, "--format", "json", *d], env),
                    count_items(["task", "+OVERDUE", "export"], tw)),
        UNIT: (count_items([*portcli, "list", "--unit", UNIT, "--format", "json", *d], env),
               count_items(["task", f"+{UNIT}", "export"], tw)),
    }
    for what, (ours, theirs) in counts.items():
        if ours != theirs:
            raise SystemExit(f"N = {n}: portcli has {ours} {what} items, Taskwarrior {theirs}: not the same items")
    time.sleep(RACY_WAIT)  # files younger than this are re-read by design; a real folder is older
    xlsx = WORK / f"export-{n}.xlsx"
    pairs = [
        Pair("python -c pass", [sys.executable, "-c", "pass"]),
        Pair("overdue json", [*portcli, "overdue", *as_of, "--format", "json", *d], ["task", "+OVERDUE", "export"]),
        Pair("list --unit json", [*portcli, "list", "--unit", UNIT, "--format", "json", *d],
             ["task", f"+{UNIT}", "export"]),
        Pair("list table", [*portcli, "list", *as_of, *d], ["task", "list"], tty=True),
        Pair("list --limit 0", [*portcli, "list", "--limit", "0", *as_of, *d], ["task", "list"], tty=True),
        Pair("report", [*portcli, "report", *as_of, *d], ["task", "summary"], tty=True),
        Pair("report markdown", [*portcli, "report", "--format", "markdown", *as_of, *d], ["task", "summary"]),
        Pair("report html", [*portcli, "report", "--format", "html", *as_of, *d], ["task", "summary"]),
        Pair("report json", [*portcli, "report", "--format", "json", *as_of, *d], ["task", "summary"]),
        Pair("export xlsx", [*portcli, "export", "--format", "xlsx", "-o", str(xlsx), *d]),
        Pair("validate", [*portcli, "validate", *d]),
        Pair("first run", [*portcli, "list", *as_of, *d], ["task", "list"], tty=True, cold=True),
    ]
    say(f"N = {n:,}: {len(pairs)} commands × {runs} runs …")
    run_pairs(pairs, runs, env, tw, cache, say)
    update = Pair("update", [*portcli, "update", a_measure(folder, n), "--note", "基准测试", "--date",
                             "2022-06-20", "--force", *d])
    after = Pair("first read after a write", [*portcli, "overdue", *as_of, "--format", "json", *d])
    say(f"N = {n:,}: {runs} writes, each followed by a read …")
    run_writes(update, after, runs, env, say)
    pairs += [update, after]
    return {"n": n, "runs": runs, "layout": layout(n), "folder": str(folder), "counts": counts,
            "pairs": [p.saved() for p in pairs]}


# --- why a goal is missed: measured, not told --------------------------------------------------

def import_us(argv: list[str], env: dict[str, str]) -> int:
    """The microseconds of a run's top-level imports, as -X importtime counts them."""
    imports = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
    total_us = 0
    for line in imports.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if found and not found.group(2).startswith(" "):  # a top-level import: its cumulative time
            total_us += int(found.group(1))
    return total_us


def profile(argv: list[str], env: dict[str, str], python: str) -> str:
    """Where one run of a portcli command spends its time: imports (-X importtime), loading the
    folder and the functions with the most own time (cProfile)."""
    module_argv = argv[1:]  # argv[0] is the console script; run it as `python -m portcli`
    # What the command imports, as users run it (the console script: no runpy), beyond what the
    # interpreter imports for `python -c pass` (site, encodings).
    total_us = import_us([python, "-X", "importtime", *argv], env) \
        - import_us([python, "-X", "importtime", "-c", "pass"], env)
    with tempfile.NamedTemporaryFile(suffix=".prof") as out:
        subprocess.run([python, "-m", "cProfile", "-o", out.name, "-m", "portcli", *module_argv], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            stats = pstats.Stats(out.name)
        except Exception:
            return f"imports {took(total_us / 1e6)} (cProfile gave nothing)"
    entries = stats.stats  # {(file, line, name): (calls, primitive, tottime, cumtime, callers)}
    total = max((v[3] for v in entries.values()), default=0.0)
    loading = max((v[3] for (file, _, name), v in entries.items()
                   if file.endswith(os.path.join("portcli", "load.py")) and name in ("load_tree", "load", "load_plans")),
                  default=0.0)
    top = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:5]
    named = ", ".join(f"`{Path(file).name}:{name}` {took(v[2])}" for (file, _, name), v in top)
    return (f"imports {took(total_us / 1e6)} beyond `python -c pass`'s (-X importtime, runs of their own); "
            f"under cProfile {took(total)} in all, {took(loading)} of it loading the folder (`load_tree`; or part of it, `load_plans`, while a "
            f"child loads the rest); most own time: {named}")


def terminal_output(pair: Pair, env: dict[str, str], env_theirs: dict[str, str]) -> str:
    """What a command drawn on the pseudo-terminal writes there, against its counterpart, and what
    writing those bytes costs the terminal alone (`cat` of them): time no renderer can save."""
    ours = measure(pair.ours, env, tty=True, keep_output=True, ok=(2,)).stdout.replace(b"\r\n", b"\n")
    theirs = measure(pair.theirs, env_theirs, tty=True, keep_output=True).stdout if pair.theirs else b""
    with tempfile.NamedTemporaryFile() as written:
        written.write(ours)
        written.flush()
        cat = statistics.median(measure(["cat", written.name], env, tty=True).seconds for _ in range(5))
    versus = f" (`{' '.join(pair.theirs)}`: {len(theirs) / 1e3:,.1f} kB)" if pair.theirs else ""
    lines = ours.count(b"\n")
    return (f"; its output: {len(ours) / 1e6:.1f} MB in {lines:,} lines{versus}, and `cat` of those "
            f"bytes on the same pseudo-terminal takes {took(cat)} (median of 5)")


# --- the goals --------------------------------------------------------------------------------

def goals(sizes: dict[int, dict[str, Pair]]) -> list[tuple[str, bool, str, int, str | None]]:
    """(goal, met, measured, N, the command to profile when missed)."""
    out = []
    for n in SMALL:
        if n not in sizes:
            continue
        p = sizes[n]
        floor = p["python -c pass"].median()
        for key, bound in (("overdue json", 2), ("list --unit json", 2), ("list table", 5)):
            ratio = p[key].median() / floor
            out.append((f"{n:,}: `{key}` ≤ {bound}× `python -c pass`", ratio <= bound, f"{ratio:.2f}×", n, key))
    big = max(sizes)
    at = sizes[big]
    label = f"{big:,}" + ("" if big == BIG else f" (the goal is at {BIG:,}; --quick stops at {big:,})")

    def against(key: str, other: Pair | None, bound: float, name: str) -> None:
        ratio = at[key].median() / (other.median() if other else at[key].median("theirs"))
        out.append((f"{label}: `{key}` ≤ {bound}× {name}", ratio <= bound, f"{ratio:.2f}×", big, key))

    against("overdue json", None, 0.5, "`task +OVERDUE export`")
    against("list --unit json", None, 0.5, f"`task +{UNIT} export`")
    for key in ("report", "report markdown", "report html", "report json"):
        against(key, None, 1.0, "`task summary`")
    against("list --limit 0", None, 1.0, "`task list`")
    against("export xlsx", at["report html"], 3.0, "`report --format html`")
    against("first run", None, 1.5, "`task list`")
    if 25 in sizes:
        against("update", sizes[25]["update"], 2.0, "`update` on the 25 shipped")
    worst = max(at.values(), key=lambda p: p.peak_mib())
    out.append((f"{label}: peak memory of every command ≤ {PEAK_MIB} MiB", worst.peak_mib() <= PEAK_MIB,
                f"{worst.peak_mib():.0f} MiB (`{worst.key}`)", big, worst.key))
    return out


# --- the report -------------------------------------------------------------------------------

def render(sizes: dict[int, dict[str, Pair]], saved: dict[int, dict], runs: int, load_before: str,
           load_after: str, missed_why: dict[str, str], met: list) -> str:
    out = [
        "# Benchmark: portcli against Taskwarrior",
        "",
        f"Produced by `python benchmarks/run.py` on {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}. "
        f"Every time is the median of {runs} runs as fresh processes, portcli and its Taskwarrior "
        "counterpart alternating; a ratio is portcli's median over the other's. Tables are drawn on a "
        f"pseudo-terminal ({TERMINAL[1]}×{TERMINAL[0]}), everything else goes to /dev/null. Load average "
        f"(1, 5, 15 min): {load_before} before, {load_after} after; the machine is shared, so absolute "
        "times drift and the ratios are the figures to read.",
        "",
        "## Goals (issue 16)",
        "",
        "| goal | met | measured |",
        "|---|---|---|",
        *[f"| {goal} | {'yes' if ok else '**no**'} | {value} |" for goal, ok, value, _, _ in met],
        "",
    ]
    if missed_why:
        out += ["### Not met, and why (profiled in this run)", ""]
        out += [f"- {goal}: {why}" for goal, why in missed_why.items()]
        out.append("")
    keys = list(next(iter(sizes.values())).keys())
    ns = sorted(sizes)
    out += ["## Scaling: µs per measure", "",
            "Median seconds ÷ N. A row that grows from left to right grows faster than linearly.", "",
            "| command | " + " | ".join(f"{n:,}" for n in ns) + " |",
            "|---|" + "---:|" * len(ns)]
    for key in keys:
        if key == "python -c pass":
            continue
        out.append(f"| {key} | " + " | ".join(f"{sizes[n][key].median() / n * 1e6:,.0f}" for n in ns) + " |")
    for n in ns:
        out += ["", f"## N = {n:,} ({saved[n]['layout']})", "",
                "| command | portcli s | Taskwarrior | other s | ratio | portcli peak MiB | other peak MiB |",
                "|---|---:|---|---:|---:|---:|---:|"]
        for key, p in sizes[n].items():
            other = " ".join(p.theirs) if p.theirs_runs else "—"
            out.append(f"| {key} | {p.median():.3f} | {other} | "
                       f"{p.median('theirs'):.3f} | {p.ratio:.2f}× | {p.peak_mib():.0f} | {p.peak_mib('theirs'):.0f} |"
                       if p.theirs_runs else f"| {key} | {p.median():.3f} | — | — | — | {p.peak_mib():.0f} | — |")
        out += ["", "Both tools hold the same items: " + "; ".join(
            f"{what}: portcli {a:,}, Taskwarrior {b:,}" for what, (a, b) in saved[n]["counts"].items()) + "."]
    out += ["", "## Machine and versions", "", "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in machine()], ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="portcli against Taskwarrior on the same measures.")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (default 7)")
    parser.add_argument("--quick", action="store_true", help=f"stop at N = {QUICK:,}")
    parser.add_argument("--sizes", help="the N to run, comma-separated (default 25,100,1000,10000,100000)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the sizes a previous run measured with as many runs (benchmarks/work/results/)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    wanted = [int(n) for n in args.sizes.split(",")] if args.sizes else list(SIZES)
    if args.quick:
        wanted = [n for n in wanted if n <= QUICK]

    if not shutil.which("task"):
        sys.stderr.write(INSTALL_HINT)
        return 2
    portcli = portcli_command()
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    # Python as users have it: bytecode cached (no PYTHONDONTWRITEBYTECODE), output buffered.
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("PORTCLI_", "TASK")) and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
    base_env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    load_before = load_average()
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved: dict[int, dict] = {}
    for n in wanted:
        where = RESULTS / f"n{n}.json"
        if args.resume and where.exists():
            kept = json.loads(where.read_text(encoding="utf-8"))
            if kept.get("runs") == args.runs:
                say(f"N = {n:,}: kept from {where}")
                saved[n] = kept
                continue
        saved[n] = measure_size(n, args.runs, portcli, base_env, say)
        where.write_text(json.dumps(saved[n], ensure_ascii=False), encoding="utf-8")
    sizes = {n: {p["key"]: Pair.restored(p) for p in s["pairs"]} for n, s in saved.items()}
    met = goals(sizes)
    missed_why: dict[str, str] = {}
    for goal, ok, _, n, key in met:
        if not ok and key:
            say(f"profiling `{key}` at N = {n:,} …")
            pair = sizes[n][key]
            env = {**base_env, "PORTCLI_CACHE_DIR": str(WORK / f"cache-{n}")}
            if pair.cold:
                env["PORTCLI_NO_CACHE"] = "1"
            floor = sizes[n]["python -c pass"].median()
            missed_why[goal] = (f"median {pair.median():.3f} s, peak {pair.peak_mib():.0f} MiB (`python -c pass` "
                                f"{floor:.3f} s at this N); one run profiled: "
                                + profile(pair.ours, env, sys.executable)
                                + (terminal_output(pair, env, taskwarrior_env(WORK / f"task{n}", base_env))
                                   if pair.tty else ""))
    report = render(sizes, saved, args.runs, load_before, load_average(), missed_why, met)
    print(report)
    if not args.no_write:
        args.out.write_text(report, encoding="utf-8")
        say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
