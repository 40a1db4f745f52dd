"""What the tests of forked children (test_child.py, test_cache.py, test_shared_query.py,
test_shared_report.py) ask of this process."""
from __future__ import annotations

import os

from portcli import child


def no_child_left() -> bool:
    """No child of this process, running or ended and not yet reaped."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def counted_children(monkeypatch, module) -> list:
    """From 2 on (`module.SHARED_FROM`), on any machine, every child started: what it sent (None when it failed)."""
    started = []
    real = child.shared

    def counted(theirs, mine, *take):
        done = real(theirs, mine, *take)
        started.append(done and done[1])
        return done

    monkeypatch.setattr(module, "SHARED_FROM", 2)
    monkeypatch.setattr(child, "cpus", lambda: 2)
    monkeypatch.setattr(child, "shared", counted)
    return started
