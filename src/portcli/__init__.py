"""portcli: a tracker for the Tianjin port's 2022 cross-border trade facilitation plan."""

__version__ = "0.1.0"


import gc as _gc


class no_cyclic_collection:
    """The cyclic garbage collector off while objects without reference cycles are made: 10,000 measures
    are some 100,000 of them, and a command's imports thousands, and the collector, run every 700
    allocations, would walk them again and again (across a whole tree too: between two plan folders it
    would walk every measure loaded so far). A report keeps it off while it is made of them too
    (cli.report). Nested, the outermost decides. `kept`: what was made lives until the process ends (a
    command's modules, a command's or a forked child's measures), and is left out of the collector's
    walks from then on (gc.freeze: ~30 ms at 10,000 measures; refcounting still frees them).
    Here, in the package itself, so that entry.py has it before it imports anything else of portcli's."""

    def __init__(self, kept: bool = False) -> None:
        self.kept = kept

    def __enter__(self):
        self.collecting = _gc.isenabled()
        _gc.disable()

    def __exit__(self, *exc):
        if self.kept:
            _gc.freeze()
        if self.collecting:
            _gc.enable()
