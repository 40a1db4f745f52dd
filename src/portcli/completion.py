"""Shell completion: which shell to show or install it for.

Typer finds the shell only among the parent processes; started from an IDE, a cron job, `setsid`
or a CI step there is none, and Typer then says "Shell  not supported". Here the shell is the one
named on the command line, else the parent shell, else $SHELL; with none of them, a message that
says how to name it.
"""
from __future__ import annotations

import os
from pathlib import PurePath

from .i18n import _

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
PROG_NAME = "portcli"
COMPLETE_VAR = "_PORTCLI_COMPLETE"


class ShellUnknown(ValueError):
    """No shell to complete for could be told or the one named has no completion."""


def _parent_shell() -> str | None:
    import shellingham  # Typer's own dependency, the detection it uses

    try:
        return shellingham.detect_shell()[0].lower()
    except (shellingham.ShellDetectionFailure, RuntimeError, OSError):
        return None


def _login_shell() -> str | None:
    path = os.environ.get("SHELL", "").strip()
    return PurePath(path).name.lower() if path else None


def choose(named: str | None) -> str:
    """The shell to complete for: `named`, else the parent shell, else $SHELL. ShellUnknown when
    the one named is not a shell portcli completes, or when no shell can be told."""
    supported = _("{shells} or {last}").format(shells=", ".join(SHELLS[:-1]), last=SHELLS[-1])
    if named:
        if named.lower() not in SHELLS:
            raise ShellUnknown(_("portcli completes {shells}, not {name!r}").format(shells=supported, name=named))
        return named.lower()
    found = [shell for shell in (_parent_shell(), _login_shell()) if shell]
    for shell in found:
        if shell in SHELLS:
            return shell
    example = f"{PROG_NAME} --show-completion bash"
    if found:
        raise ShellUnknown(_("cannot tell which shell to complete for (the shell found ({shell}) has no completion: "
                             "portcli completes {shells}); name it, e.g. `{example}`").format(
            shell=found[0], shells=supported, example=example))
    raise ShellUnknown(_("cannot tell which shell to complete for (no shell among the parent processes and $SHELL "
                         "unset); name it, e.g. `{example}`").format(example=example))


def script(shell: str) -> str:
    """The completion script for `shell`, as Typer writes it."""
    from typer.completion import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)


def install(shell: str):
    """Add the script to the shell's start-up file, as Typer does; the file written."""
    from typer.completion import install as typer_install

    return typer_install(shell=shell, prog_name=PROG_NAME, complete_var=COMPLETE_VAR)[1]
