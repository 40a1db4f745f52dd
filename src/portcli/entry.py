"""The console script (and `python -m portcli`): the everyday queries without typer.

Building typer's command (and importing typer and click) takes several times what answering
`portcli overdue --format json` on a few hundred measures does. So a command line that is one of
`list` or `overdue` with options the fast path fully understands (fastpath_options, written from
the typer declarations), each value one it can read, runs the command's function (commands.py)
directly. Everything else goes to the typer app (cli.run) untouched: help, completion, a main
option, an unknown or malformed option, a value out of bounds, a language portcli does not speak:
any command line whose answer is a message of click's or of the option parsing. The fast path
never words an error of its own; what the command itself says (an unknown unit, a missing
folder, problems in files) is said by the same function on both paths.

PORTCLI_NO_FAST_PATH=1 sends every command line to typer (the tests compare both).
"""
from __future__ import annotations

import os
import sys

from . import no_cyclic_collection

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (test_fast_path)
if TYPE_CHECKING:
    from typing import Callable


def main(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else list(args)
    # Importing portcli's modules (and on typer's path typer's, click's and rich's) makes thousands of
    # objects that live as long as the process, and no garbage: the cyclic collector's passes over
    # them took 1.5 ms of the 9 ms an everyday query spends importing (issue 16).
    with no_cyclic_collection(kept=True):
        command = _imported(args)
    command()


def _imported(args: list[str]) -> Callable[[], None]:
    """What runs the command line `args`, the fast path's or typer's, with the modules it needs imported."""
    if os.environ.get("PORTCLI_NO_FAST_PATH", "") in ("", "0"):
        try:
            fast = plan(args)
        except Exception:  # whatever reading the command line met, typer's path says as it always has
            fast = None
        if fast is not None:
            return lambda: run_fast(*fast)
    from .cli import run

    return lambda: run(args)


def console() -> None:
    """The `portcli` command (scripts/portcli, `python -m portcli`, Windows' portcli.exe): main(), then
    the process ends once what an ending interpreter does for the user is done: a SystemExit's message
    said, the exit handlers run, stdout and stderr flushed (a failure there is exit status 120, as
    Python's, without its "Exception ignored" lines), the exit status as Python gives it. What it skips
    is freeing every object one by one: a report of 100,000 measures ends with some 300,000 of them
    alive (the exit's traceback holds the command's frames), and freeing them took 0.1 s of a 3 s
    report (issue 16). Under a profiler or a tracer (cProfile, coverage, pdb), which write or act once
    the program returns, it ends as Python does."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        main()
        return
    try:
        main()
        code: object = 0
    except SystemExit as end:
        code = end.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): Python says it on stderr, and ends with 1
        if sys.stderr is not None:
            try:
                print(code, file=sys.stderr)
            except Exception:  # a stderr that cannot take it: Python would not tell either
                pass
        code = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:  # Python leaves a closed one alone
                stream.flush()
        except Exception:  # a full disk, a closed reader: Python ends with 120 when its last flush fails
            code = 120
    os._exit(code & 0xFF)


def plan(args: list[str], environ=os.environ) -> tuple[str, dict, str] | None:
    """(function name in commands, its keyword arguments, the language) when the fast path can run
    `args` exactly as typer would; None for anything else."""
    from .fastpath_options import COMMANDS

    if not args or args[0] not in COMMANDS or "_PORTCLI_COMPLETE" in environ:
        return None
    from .commands import complete_args

    args = complete_args(args)  # --due-soon alone is --due-soon plan, as on typer's path
    spec = COMMANDS[args[0]]
    options, params = spec["options"], spec["params"]
    given: dict[str, object] = {}
    rest = args[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        name, attached, value = token.partition("=") if token.startswith("--") else (token, "", None)
        param = options.get(name)
        if param is None:  # an argument, --help, --, a short option with its value attached, a typo…
            return None
        kind, multiple, _default, detail = params[param]
        if kind == "flag":
            if attached:
                return None
            given[param] = True
            continue
        if not attached:
            if i >= len(rest) or rest[i].startswith("-"):  # missing, or a value click might read otherwise
                return None
            value = rest[i]
            i += 1
        converted = _convert(kind, detail, value)
        if converted is _REFUSED:
            return None
        if multiple:
            given.setdefault(param, []).append(converted)
        else:
            given[param] = converted  # click keeps the last one
    language = _language(args, environ)
    if language is None:
        return None
    arguments = {name: given.get(name, default) for name, (kind, _, default, _) in params.items()
                 if kind != "lang"}
    return spec["function"], arguments, language


_REFUSED = object()


def _convert(kind: str, detail, value: str):
    """`value` as click and typer make it for an option of this kind; _REFUSED for any value they would
    not take as it is (typer words that error)."""
    if kind == "text":
        return value
    if kind == "days_or_plan":
        from .commands import PLAN_DAYS_ARG
        from .query import PLAN_DAYS

        return PLAN_DAYS if value == PLAN_DAYS_ARG else _convert("int", detail, value)
    if kind == "int":
        if not (value.isascii() and value.isdigit()):  # click also reads " 7", "+7", "7_0": leave those to it
            return _REFUSED
        number = int(value)
        if detail is not None and not detail[0] <= number <= detail[1]:
            return _REFUSED
        return number
    if kind == "date":
        from .commands import date_option

        try:
            return date_option(value)
        except ValueError:
            return _REFUSED
    if kind == "path":
        try:
            os.stat(value)
        except (OSError, ValueError):
            pass
        else:
            if not os.access(value, os.R_OK):  # click says it is not readable
                return _REFUSED
        return value  # files.find_directory spells it as typer's Path would
    if kind == "choice":
        return value if value in detail else _REFUSED
    if kind == "lang":  # read below, as speak_for reads it
        return value
    return _REFUSED  # an option of a kind the fast path does not know


def _language(args: list[str], environ) -> str | None:
    """The language speak_for (cli.py) would speak; None when it would refuse the one asked for."""
    from . import i18n

    try:
        return i18n.chosen(args, environ)
    except i18n.UnknownLanguage:
        return None


def run_fast(function: str, arguments: dict, language: str) -> None:
    from . import commands, i18n

    with commands.guarded():
        i18n.use(language)
        getattr(commands, function)(**arguments)
