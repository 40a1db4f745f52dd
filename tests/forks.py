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
    """From 2 on (`module.SHARED_FROM`), on any machine, every child asked for: what it sent (None when it
    failed, or could not be started)."""
    started = []
    real = child.start

    def counted(theirs, early=False):
        running = real(theirs, early)
        if running is None:  # asked for, but none could be started
            started.append(None)
        else:
            finish = running.finish

            def told(*take):
                sent = finish(*take)
                started.append(sent)
                return sent

            running.finish = told
        return running

    monkeypatch.setattr(module, "SHARED_FROM", 2)
    monkeypatch.setattr(child, "cpus", lambda: 2)
    monkeypatch.setattr(child, "start", counted)
    return started
