"""What the tests of forked children (test_child.py, test_cache.py) ask of this process."""
from __future__ import annotations

import os


def no_child_left() -> bool:
    """No child of this process, running or ended and not yet reaped."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
