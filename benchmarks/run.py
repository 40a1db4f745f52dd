"""portcli against Taskwarrior on the same measures: times, ratios, peak memory, scaling.

    python benchmarks/run.py                 # everything; writes benchmarks/RESULTS.md
    python benchmarks/run.py --runs 3 --sizes 100,1000 --no-write

It generates N measures (benchmarks/generate.py) into benchmarks/data/, builds the same N items
as Taskwarrior tasks in a private TASKDATA/TASKRC under benchmarks/work/, then runs each pair
of commands alternately, several times, as fresh processes: medians, ratios and peak memory
(the child's ru_maxrss). Tables go to a pseudo-terminal, as a person sees them; JSON goes to
/dev/null. It installs nothing: Taskwarrior comes from `apt-get install taskwarrior`.

Taskwarrior's +OVERDUE means "due before now", portcli's overdue takes --as-of. So that both
find the same measures, every Taskwarrior due date is moved by (today - AS_OF) and set to the end
of its day; the script checks that both tools return the same number of items.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
WORK = HERE / "work"
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py)

AS_OF = date(2022, 6, 15)
UNIT = "天津海关"
BASELINE = "import typer, yaml, rich.console, rich.table, dateutil.parser"
TERMINAL = (40, 120)  # rows, columns of the pseudo-terminal tables are drawn on
RACY_WAIT = 3.5  # seconds: portcli's cache re-reads files younger than 3 s (src/portcli/cache.py)

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
    """A portcli command and what it is weighed against, run alternately."""
    label: str
    ours: list[str]
    theirs: list[str] | None  # None: an absolute goal, nothing to compare with
    tty: bool = False
    cold: bool = False  # portcli starts with no cache, every run
    ours_runs: list[Run] = field(default_factory=list)
    theirs_runs: list[Run] = field(default_factory=list)

    def median(self, side: str) -> float:
        return statistics.median(r.seconds for r in getattr(self, f"{side}_runs"))

    def peak_mib(self, side: str) -> float:
        return max(r.max_rss_kib for r in getattr(self, f"{side}_runs")) / 1024

    @property
    def ratio(self) -> float | None:
        return self.median("ours") / self.median("theirs") if self.theirs_runs else None

    @property
    def wins(self) -> int:
        return sum(a.seconds < b.seconds for a, b in zip(self.ours_runs, self.theirs_runs))


def measure(argv: list[str], env: dict[str, str], tty: bool = False, keep_output: bool = False) -> Run:
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
    if proc.returncode not in (0, 1):  # Taskwarrior says 1 for "no matches"
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


def build_taskwarrior(measures: list[dict], where: Path, env: dict[str, str]) -> dict[str, str]:
    if where.exists():
        shutil.rmtree(where)
    (where / "data").mkdir(parents=True)
    rc = where / "taskrc"
    rc.write_text("\n".join([
        f"data.location={where / 'data'}",
        "confirmation=off",
        "news.version=2.6.0",  # no "please run task news" footnote
        "uda.deadline.type=string",
        "uda.deadline.label=完成时限",
    ]) + "\n", encoding="utf-8")
    tasks = where / "tasks.json"
    tasks.write_text(json.dumps(taskwarrior_tasks(measures, date.today()), ensure_ascii=False), encoding="utf-8")
    env = {**env, "TASKRC": str(rc), "TASKDATA": str(where / "data")}
    subprocess.run(["task", "rc.verbose=nothing", "import", str(tasks)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["task", "list"], env=env, check=True, stdout=subprocess.DEVNULL,  # first-run GC, once
                   stderr=subprocess.DEVNULL)
    return env


# --- running ----------------------------------------------------------------------------------

def run_pairs(pairs: list[Pair], runs: int, env_ours: dict[str, str], env_theirs: dict[str, str],
              cache: Path, progress) -> None:
    for pair in pairs:  # one untimed run each: the OS's file cache warm, portcli's cache written
        if not pair.cold:
            measure(pair.ours, env_ours, pair.tty)
        if pair.theirs:
            measure(pair.theirs, env_theirs, pair.tty)
    for i in range(runs):
        for pair in pairs:
            order = ("ours", "theirs") if i % 2 == 0 else ("theirs", "ours")
            for side in order:
                if side == "theirs" and not pair.theirs:
                    continue
                if side == "ours" and pair.cold:
                    shutil.rmtree(cache, ignore_errors=True)
                argv, env = (pair.ours, env_ours) if side == "ours" else (pair.theirs, env_theirs)
                getattr(pair, f"{side}_runs").append(measure(argv, env, pair.tty))
        progress(f"  run {i + 1}/{runs} done")


def count_items(argv: list[str], env: dict[str, str]) -> int:
    return len(json.loads(measure(argv, env, keep_output=True).stdout))


def seconds(value: float) -> str:
    return f"{value:.3f}"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="portcli against Taskwarrior on the same measures.")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each command (default 7)")
    parser.add_argument("--sizes", default="100,1000,10000", help="the N of the scaling table")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--plans", default="100x100", metavar="PxN",
                        help="the folder of several plans: P plan folders of N measures each (default 100x100)")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")]
    plans, per_plan = (int(n) for n in args.plans.lower().split("x"))
    big = max(sizes)

    if not shutil.which("task"):
        sys.stderr.write(INSTALL_HINT)
        return 2
    portcli = portcli_command()
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    cache = WORK / "cache"
    # Python as users have it: bytecode cached (no PYTHONDONTWRITEBYTECODE), output buffered.
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("PORTCLI_", "TASK")) and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
    base_env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    env_ours = {**base_env, "PORTCLI_CACHE_DIR": str(cache)}
    load_before = load_average()

    folders: dict[int, Path] = {}
    tw_env: dict[int, dict[str, str]] = {}
    for n in sizes:
        say(f"generating {n} measures and {n} Taskwarrior tasks …")
        folders[n] = generate.generate(n, DATA / f"m{n}")
        listing = measure([*portcli, "list", "--format", "json", "--dir", str(folders[n])], env_ours,
                          keep_output=True)
        tw_env[n] = build_taskwarrior(json.loads(listing.stdout), WORK / f"task{n}", base_env)
    time.sleep(RACY_WAIT)  # files younger than this are re-read by design; a real folder is older

    d = str(folders[big])
    as_of = ["--as-of", AS_OF.isoformat()]
    python = [sys.executable, "-c", BASELINE]
    shipped = str(REPO / "measures")
    headline = [
        Pair("25 shipped: `portcli list`  vs  python -c 'import typer, yaml, rich…'",
             [*portcli, "list", "--dir", shipped], python, tty=True),
        Pair("25 shipped: `portcli list --format json`  vs  the same imports",
             [*portcli, "list", "--format", "json", "--dir", shipped], python),
        Pair(f"{big:,}: `portcli overdue --as-of … --format json`  vs  `task +OVERDUE export`",
             [*portcli, "overdue", *as_of, "--format", "json", "--dir", d], ["task", "+OVERDUE", "export"]),
        Pair(f"{big:,}: `portcli list --unit {UNIT} --format json`  vs  `task +{UNIT} export`",
             [*portcli, "list", "--unit", UNIT, "--format", "json", "--dir", d], ["task", f"+{UNIT}", "export"]),
        Pair(f"{big:,}, first run (no cache): `portcli overdue --as-of …`  vs  `task +OVERDUE list`",
             [*portcli, "overdue", *as_of, "--dir", d], ["task", "+OVERDUE", "list"], tty=True, cold=True),
        Pair(f"{big:,}: `portcli overdue --as-of …` (table)  vs  `task +OVERDUE list`",
             [*portcli, "overdue", *as_of, "--dir", d], ["task", "+OVERDUE", "list"], tty=True),
        Pair(f"{big:,}: `portcli list` (table, first 50 rows)  vs  `task list`",
             [*portcli, "list", *as_of, "--dir", d], ["task", "list"], tty=True),
        Pair(f"{big:,}: `portcli list --limit 0` (table, every row)  vs  `task list`",
             [*portcli, "list", "--limit", "0", *as_of, "--dir", d], ["task", "list"], tty=True),
    ]
    say(f"timing {len(headline)} pairs × {args.runs} runs at N = {big:,} …")
    run_pairs(headline, args.runs, env_ours, tw_env[big], cache, say)

    counts = {
        "overdue": (count_items([*portcli, "overdue", *as_of, "--format", "json", "--dir", d], env_ours),
                    count_items(["task", "+OVERDUE", "export"], tw_env[big])),
        UNIT: (count_items([*portcli, "list", "--unit", UNIT, "--format", "json", "--dir", d], env_ours),
               count_items(["task", f"+{UNIT}", "export"], tw_env[big])),
    }

    scaling: list[tuple[int, Pair, Pair]] = []
    for n in sizes:
        say(f"scaling: N = {n:,} …")
        dn = str(folders[n])
        cold = Pair("cold", [*portcli, "overdue", *as_of, "--format", "json", "--dir", dn], None, cold=True)
        warm = Pair("warm", [*portcli, "overdue", *as_of, "--format", "json", "--dir", dn],
                    ["task", "+OVERDUE", "export"])
        run_pairs([cold, warm], max(3, args.runs // 2), env_ours, tw_env[n], cache, say)
        scaling.append((n, cold, warm))
    say(f"generating {plans} plans × {per_plan} measures …")
    tree = str(generate.generate_plans(plans, per_plan, DATA / f"p{plans}x{per_plan}"))
    listing = measure([*portcli, "list", "--format", "json", "--dir", tree], env_ours, keep_output=True)
    tree_env = build_taskwarrior(json.loads(listing.stdout), WORK / f"task-p{plans}x{per_plan}", base_env)
    time.sleep(RACY_WAIT)
    shape = f"{plans} plans × {per_plan}"
    several = [
        Pair(f"{shape}: `portcli overdue --as-of … --format json`  vs  `task +OVERDUE export`",
             [*portcli, "overdue", *as_of, "--format", "json", "--dir", tree], ["task", "+OVERDUE", "export"]),
        Pair(f"{shape}: `portcli list --unit {UNIT} --format json`  vs  `task +{UNIT} export`",
             [*portcli, "list", "--unit", UNIT, "--format", "json", "--dir", tree], ["task", f"+{UNIT}", "export"]),
        Pair(f"{shape}, first run (no cache): `portcli overdue --as-of …`  vs  `task +OVERDUE list`",
             [*portcli, "overdue", *as_of, "--dir", tree], ["task", "+OVERDUE", "list"], tty=True, cold=True),
    ]
    say(f"timing {len(several)} pairs × {args.runs} runs on {shape} …")
    run_pairs(several, args.runs, env_ours, tree_env, cache, say)
    load_after = load_average()

    report = render(headline, counts, scaling, big, args.runs, load_before, load_after, several)
    print(report)
    if not args.no_write:
        args.out.write_text(report, encoding="utf-8")
        say(f"written to {args.out}")
    return 0


# What stands between portcli and a goal, as measured while building it (cProfile, -X importtime);
# RESULTS.md quotes the entry of each goal a run does not meet.
WHY = {
    "shipped table": "drawing even 25 rows costs rich about 25 ms of layout on top of its ~40 ms import, "
                     "and the baseline imports rich but draws nothing; portcli's own modules add ~15 ms "
                     "(most of it building dataclasses). Over this script's runs the ratio came out between "
                     "1.05 and 1.22 with the machine's load.",
    "shipped json": "the JSON path imports typer, portcli and json only (no rich, dateutil or PyYAML); "
                    "it would miss only if typer's import grew.",
    "warm json": "a cached run at 10,000 measures spends ~60 ms starting Python and importing typer and "
                 "portcli, ~25 ms stat-ing the 10,000 files (how the cache knows nothing changed), ~40 ms "
                 "reading the cache's index and building each measure's query fields, 20-30 ms on the JSON; "
                 "Taskwarrior exports in 0.2-0.3 s. Single runs on this shared 2-vCPU machine swing by up to "
                 "0.1 s, so one run can lose where the median wins.",
    "cold": "reading, parsing (portcli.fastyaml), checking and encoding 10,000 files for the cache is ~0.9 s "
            "of CPU; a forked child does 45% of it, which helps as far as the machine's second CPU is free.",
    "table": "the default --limit 50 keeps rich's work bounded; only --limit 0 draws every row (see below).",
    "several": "each plan folder is loaded as one measures folder, with its own cache file: 100 plans cost "
               "100 cache files opened and 100 plans parsed on top of the 10,000 measures.",
    "memory": "10,000 measures take ~40 MiB as Python objects on a cached run, ~70 MiB on a first run "
              "(the files' texts and the cache being written); --limit 0 draws in blocks of 1,000 rows.",
}

# How portcli gets its figures; RESULTS.md carries it so that a reader knows what is being timed.
HOW = [
    "A cached run reads the cache's index: for each file its signature (size, mtime, ctime, inode) and what "
    "queries look at (id, task, units, deadline, status, due dates). A measure's texts, progress log and "
    "JSON line stay in the cache's payload until something shows them, so a JSON query writes each "
    "selected measure as one stored line plus its `overdue` fields (src/portcli/cache.py).",
    "Only the command that runs is built: typer turns every command's signature into options on each "
    "run, 20 ms for all twelve (`app_for` in src/portcli/cli.py).",
    "A first run at 2,000 files or more reads part of them in a forked child while the parent reads the "
    "rest; the child sends what it found as cache entries.",
    "JSON streams one measure a line; tables stop at `--limit 50` rows unless asked for all.",
]


def render(pairs: list[Pair], counts: dict, scaling: list, big: int, runs: int,
           load_before: str, load_after: str, several: list[Pair] = ()) -> str:
    shipped_table, shipped_json, overdue_json, unit_json, cold, overdue_table, table, table_all = pairs
    peak = max(p.peak_mib("ours") for p in [*pairs[2:], *several])
    goals = [  # (goal, met, measured, why it can fall short)
        ("`portcli list` on the 25 shipped measures ≤ 1.2× the imports", shipped_table.ratio <= 1.2,
         fmt_ratio(shipped_table.ratio), WHY["shipped table"]),
        ("`portcli list --format json` on the 25 ≤ 1.0× the imports", shipped_json.ratio <= 1.0,
         fmt_ratio(shipped_json.ratio), WHY["shipped json"]),
        (f"{big:,}: overdue JSON faster than `task +OVERDUE export` on every run",
         overdue_json.wins == runs, f"{fmt_ratio(overdue_json.ratio)}, faster in {overdue_json.wins}/{runs} runs",
         WHY["warm json"]),
        (f"{big:,}: unit JSON faster than `task +{UNIT} export` on every run",
         unit_json.wins == runs, f"{fmt_ratio(unit_json.ratio)}, faster in {unit_json.wins}/{runs} runs",
         WHY["warm json"]),
        (f"{big:,}: first run (no cache) ≤ 2× `task +OVERDUE list`", cold.ratio <= 2.0, fmt_ratio(cold.ratio),
         WHY["cold"]),
        (f"{big:,}: a table of all measures to a terminal ≤ 1 s (`portcli list`, default --limit 50)",
         table.median("ours") <= 1.0, f"{seconds(table.median('ours'))} s", WHY["table"]),
        (f"{big:,}: peak memory ≤ 100 MiB", peak <= 100, f"{peak:.0f} MiB", WHY["memory"]),
    ]
    if several:  # a folder of several plans is held to the goals of one plan of as many measures
        tree_json, tree_unit, tree_cold = several
        shape = tree_json.label.split(":")[0]
        goals += [
            (f"{shape}: overdue JSON faster than `task +OVERDUE export` on every run", tree_json.wins == runs,
             f"{fmt_ratio(tree_json.ratio)}, faster in {tree_json.wins}/{runs} runs", WHY["several"]),
            (f"{shape}: unit JSON faster than `task +{UNIT} export` on every run", tree_unit.wins == runs,
             f"{fmt_ratio(tree_unit.ratio)}, faster in {tree_unit.wins}/{runs} runs", WHY["several"]),
            (f"{shape}: first run (no cache) ≤ 2× `task +OVERDUE list`", tree_cold.ratio <= 2.0,
             fmt_ratio(tree_cold.ratio), WHY["several"]),
        ]
    out = [
        "# Benchmark: portcli against Taskwarrior",
        "",
        f"Produced by `python benchmarks/run.py` on {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}. "
        f"Every figure is the median of {runs} runs as fresh processes, portcli and Taskwarrior alternating; "
        "a ratio is portcli's median over the other's. Tables are drawn on a pseudo-terminal "
        f"({TERMINAL[1]}×{TERMINAL[0]}), JSON goes to /dev/null. Load average (1, 5, 15 min): "
        f"{load_before} before, {load_after} after; the machine is shared, so absolute times drift "
        "and the ratios are the figures to read.",
        "",
        "## Goals",
        "",
        "| goal | met | measured |",
        "|---|---|---|",
        *[f"| {goal} | {'yes' if met else '**no**'} | {value} |" for goal, met, value, _ in goals],
        "",
    ]
    out += ["How portcli gets there:", "", *[f"- {line}" for line in HOW], ""]
    missed = [(goal, why) for goal, met, _, why in goals if not met]
    if missed:
        out += ["### Not met, and why", ""]
        seen = set()
        for goal, why in missed:
            out.append(f"- {goal}: {why}" if why not in seen else f"- {goal}: as above.")
            seen.add(why)
        out.append("")
    out += [
        "## Side by side",
        "",
        "| command | portcli s | other s | ratio | portcli peak MiB | other peak MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in [*pairs, *several]:
        other = seconds(p.median("theirs")) if p.theirs_runs else "—"
        other_mib = f"{p.peak_mib('theirs'):.0f}" if p.theirs_runs else "—"
        out.append(f"| {p.label} | {seconds(p.median('ours'))} | {other} | {fmt_ratio(p.ratio)} | "
                   f"{p.peak_mib('ours'):.0f} | {other_mib} |")
    out += [
        "",
        "Every timed run of the two 'faster on every run' goals, in order (portcli / Taskwarrior, s):",
        "",
        *[f"- {p.label}: " + ", ".join(f"{a.seconds:.3f} / {b.seconds:.3f}" for a, b in zip(p.ours_runs, p.theirs_runs))
          for p in (overdue_json, unit_json)],
        "",
        "Both tools return the same items (JSON array lengths): "
        + "; ".join(f"{name}: portcli {a:,}, Taskwarrior {b:,}" for name, (a, b) in counts.items()) + ".",
        "",
        "## Scaling",
        "",
        "`portcli overdue --as-of 2022-06-15 --format json` with no cache (cold) and cached (warm), "
        "against `task +OVERDUE export`; µs per measure shows any step worse than linear.",
        "",
        "| N | cold s | cold µs/measure | warm s | warm µs/measure | task s | task µs/measure | "
        "portcli peak MiB | task peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, cold_n, warm_n in scaling:
        c, w, t = cold_n.median("ours"), warm_n.median("ours"), warm_n.median("theirs")
        out.append(f"| {n:,} | {seconds(c)} | {c / n * 1e6:.0f} | {seconds(w)} | {w / n * 1e6:.0f} | "
                   f"{seconds(t)} | {t / n * 1e6:.0f} | "
                   f"{max(cold_n.peak_mib('ours'), warm_n.peak_mib('ours')):.0f} | {warm_n.peak_mib('theirs'):.0f} |")
    out += ["", "## Machine and versions", "", "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in machine()], ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
