"""How far the everyday queries are from the interpreter's own start (issue 16, goal 1).

    python benchmarks/floor.py PORTCLI [FOLDER ...] [--runs 9]

PORTCLI is the console script to time, best that of a regular (non-editable) install in a scratch
venv, whose interpreter is the yardstick: `python -c pass` run by that same interpreter. For each
FOLDER (default: the shipped measures) it times, cached (one warm-up run first), alternating with the
yardstick run by run so that load on the machine falls on both alike:

    portcli overdue --as-of 2022-06-15 --format json     goal: <= 2x python -c pass
    portcli list --unit 天津海关 --format json             goal: <= 2x
    portcli list   (the rich table, drawn to a terminal)   goal: <= 5x

and prints the medians and the ratios. The table is drawn to a pseudo-terminal, as a user sees it.
Bytecode is written (PYTHONDONTWRITEBYTECODE is unset for the runs): an installed package has it.
"""
from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {
    "overdue --format json": (["overdue", "--as-of", "2022-06-15", "--format", "json"], 2, False),
    "list --unit 天津海关 --format json": (["list", "--unit", "天津海关", "--format", "json"], 2, False),
    "list (table, terminal)": (["list"], 5, True),
}


def timed(argv: list[str], env: dict[str, str], terminal: bool) -> float:
    if terminal:
        leader, follower = pty.openpty()
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=follower, stderr=subprocess.DEVNULL, env=env)
        os.close(follower)
        while True:  # drain the terminal, or a big table blocks the child
            try:
                if not os.read(leader, 65536):
                    break
            except OSError:
                break
        child.wait()
        elapsed = time.perf_counter() - start
        os.close(leader)
    else:
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        elapsed = time.perf_counter() - start
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("portcli", type=Path)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    script = options.portcli.absolute()
    python = script.parent / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"COLUMNS": "120", "PORTCLI_LANG": "zh"}
    print(f"{'folder':<28} {'command':<36} {'median':>8} {'python':>8} {'ratio':>6} {'goal':>5}")
    for folder in options.folders or [REPO / "measures"]:
        for name, (args, goal, terminal) in COMMANDS.items():
            argv = [str(script), *args, "--dir", str(folder)]
            timed(argv, env, terminal)  # the cache, and the bytecode, written
            ours, floor = [], []
            for _ in range(options.runs):
                floor.append(timed([str(python), "-c", "pass"], env, False))
                ours.append(timed(argv, env, terminal))
            a, b = statistics.median(ours), statistics.median(floor)
            print(f"{str(folder)[-28:]:<28} {name:<36} {a * 1000:7.1f}ms {b * 1000:6.1f}ms {a / b:5.2f}x "
                  f"{'met' if a / b <= goal else f'>{goal}x':>5}", flush=True)


if __name__ == "__main__":
    main()
