"""Write src/portcli/fastpath_options.py: the options of the commands the fast path runs (entry.py),
read from the click commands typer builds out of cli.py's declarations, so that there is one
declaration of each option.

    python tools/fastpath_manifest.py          # (re)write the module
    python tools/fastpath_manifest.py --check  # exit 1 when the module is not what the typer app gives

tests/test_fast_path.py runs the check: an option added to `list` or `overdue` without rewriting the
module fails it (and until then the fast path hands any command line using it to typer).
"""
from __future__ import annotations

import enum
import pprint
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "src" / "portcli" / "fastpath_options.py"
COMMANDS = {"list": "list_measures", "overdue": "overdue_measures"}  # command -> function in portcli.commands

HEADER = '''"""The options of the commands the fast path runs (portcli.entry), as typer declares them in cli.py.

Written by tools/fastpath_manifest.py: do not edit; rerun it after changing those commands' options
(tests/test_fast_path.py fails until then). For each command: the function of portcli.commands that
runs it, each option name -> its parameter, and each parameter -> (kind, multiple, default, detail):
kind is flag, text, int (detail: (min, max) or None), days_or_plan (as int, or the word
commands.PLAN_DAYS_ARG for the plan's own window), date, path, choice (detail: the choices), lang
(read by i18n, not passed on) or unknown (the fast path leaves any command line using it to typer).
"""

'''


def _kind(param) -> tuple[str, object]:
    import click
    from typer.models import TyperPath

    from portcli import cli

    kind = type(param.type)
    if param.name == "lang" and kind is click.types.StringParamType:
        return "lang", None
    # a bare --flag: True given, False not (click 8.3+ leaves flag_value unset for a boolean flag)
    if param.is_flag and param.is_bool_flag and not param.secondary_opts and param.default is False \
            and not param.count and not param.envvar and not param.callback and not param.is_eager:
        return "flag", None
    if param.is_flag or param.count or param.nargs != 1 or param.envvar or param.is_eager or param.callback:
        return "unknown", None
    if kind is click.types.StringParamType:
        return "text", None
    if kind is cli.DueSoonDays:  # DAYS in its bounds, or the word that stands for the plan's own window
        return "days_or_plan", (param.type.min, param.type.max)
    if kind is click.types.IntParamType:
        return "int", None
    if (kind is click.types.IntRange and not param.type.min_open and not param.type.max_open
            and not param.type.clamp):
        return "int", (param.type.min, param.type.max)
    if kind is click.types.FuncParamType and param.type.func is cli._date_option:
        return "date", None
    if kind is TyperPath and vars(param.type) == {
            "exists": False, "file_okay": True, "dir_okay": True, "readable": True, "writable": False,
            "executable": False, "resolve_path": False, "allow_dash": False, "type": None, "name": "path"}:
        return "path", None
    if isinstance(param.type, click.Choice) and param.type.case_sensitive:
        return "choice", tuple(param.type.choices)
    return "unknown", None


def _default(value):
    value = value.value if isinstance(value, enum.Enum) else value
    if value is not None and not isinstance(value, (bool, int, str)):
        raise SystemExit(f"a default the fast path cannot hold: {value!r}")
    return value


def manifest() -> dict:
    import typer

    from portcli import cli

    group = typer.main.get_command(cli.app)
    found = {}
    for name, function in COMMANDS.items():
        command = group.commands[name]
        if command.params and any(not p.opts or p.param_type_name != "option" for p in command.params):
            raise SystemExit(f"{name}: takes arguments, which the fast path does not parse")
        options, params = {}, {}
        for param in command.params:
            kind, detail = _kind(param)
            params[param.name] = (kind, bool(param.multiple), _default(param.default), detail)
            for option in param.opts:
                options[option] = param.name
        found[name] = {"function": function, "options": options, "params": params}
    return found


def text() -> str:
    return HEADER + "COMMANDS = " + pprint.pformat(manifest(), width=110, sort_dicts=False) + "\n"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        current = MODULE.read_text(encoding="utf-8") if MODULE.exists() else ""
        if current != text():
            print(f"{MODULE.relative_to(ROOT)} is not what the typer commands declare: "
                  "run python tools/fastpath_manifest.py", file=sys.stderr)
            return 1
        return 0
    MODULE.write_text(text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
