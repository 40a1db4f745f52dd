"""Folders for the weekly 通报 tests: the shipped measures with some files rewritten (deadlines, statuses,
dated progress, extensions), and a git history of them across three weeks.

Files are written with yaml.safe_dump from plain data, never through portcli, and git is run as a
user runs it, with the commit dates given in GIT_AUTHOR_DATE and GIT_COMMITTER_DATE.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[1] / "measures"


def entry(day: str, status: str, by: str | None = None, note: str | None = None) -> dict:
    out = {"date": date.fromisoformat(day), "status": status}
    if by:
        out["by"] = by
    if note:
        out["note"] = note
    return out


def extension(day: str, to: str, reason: str = "等待上级部署", was: str | None = None) -> dict:
    out = {"date": date.fromisoformat(day), "to": date.fromisoformat(to), "reason": reason}
    if was:
        out["from"] = date.fromisoformat(was)
    return out


def rewrite(folder: Path, measure_id: int, *, deadline: str, status: str, units: list[str] | None = None,
            progress: list[dict] = (), extensions: list[dict] = ()) -> Path:
    """The measure's file rewritten with these values; its texts, task and (without `units`) units kept."""
    path = folder / f"{measure_id:02d}.yaml"
    source = path if path.exists() else SHIPPED / path.name
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data.update(deadline=deadline, status=status, progress=list(progress))
    if units is not None:
        data["units"] = units
    if extensions:
        data["extensions"] = list(extensions)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def set_status(path: Path, status: str) -> None:
    """Only the `status:` line changes, as a hand edit does."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [f"status: {status}" if line.startswith("status:") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_plan(folder: Path, day: str) -> None:
    plan = folder / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + f"start: {day}\n", encoding="utf-8")


def git(repository: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repository), "LC_ALL": "C"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    done = subprocess.run(["git", "-c", "user.name=督查室", "-c", "user.email=duchashi@example.cn", *args],
                          cwd=repository, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit(repository: Path, message: str, when: str) -> None:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message, when=when)


def fresh_copy(target: Path) -> Path:
    shutil.copytree(SHIPPED, target)
    return target
