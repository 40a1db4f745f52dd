"""Regular expressions compiled when first used.

A pattern with a large character class costs about a millisecond to compile, and a run that never
uses it should not pay: a cached query reads no deadline phrase (the cache holds what they mean), and
a JSON query shows no text on a terminal.
"""
from __future__ import annotations

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "findall", "finditer", "split")


class Lazy:
    """`re.compile(source, flags)`, compiled the first time one of its methods is asked for."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self.pattern, self.flags = source, flags

    def __getattr__(self, name: str):
        # Only an attribute the instance lacks comes here: after the first call the compiled
        # pattern's methods are the instance's own, and nothing is compiled again.
        import re  # here: `re` (with enum) costs a JSON query, which compiles no pattern, ~2 ms (issue 16)

        compiled = re.compile(self.pattern, self.flags)
        self.__dict__.update({method: getattr(compiled, method) for method in _METHODS})
        return getattr(compiled, name)
