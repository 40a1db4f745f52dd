"""Keep the message catalogs in step with the code (a developer's tool; the tests run its check).

    python tools/catalog.py          # write src/portcli/locale/portcli.pot, add new msgids to both .po
    python tools/catalog.py --check  # exit 1 naming every msgid that lacks a translation, or is stale

Messages are found three ways: Babel's extractor over src/portcli for _(), N_(), ngettext(),
Message() and Message.counted(); the same extractor over the modules of click and typer whose
messages a portcli user can meet (usage, help, wrong command lines); and the help texts of every command and option, read from the
click command tree the CLI builds (typer takes them from docstrings and help=, which no extractor
sees as messages). English msgstrs are the msgids themselves, written out so that both catalogs are
complete and a test can tell a forgotten translation from an intended one.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "portcli"
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Message": None, "counted": (1, 2)}
LANGUAGES = {"zh_CN": "zh_CN", "en": "en"}


def help_texts() -> dict[str, str]:
    """msgid -> where: every help text the CLI shows, as click holds it."""
    import typer

    from portcli import cli

    found: dict[str, str] = {}

    def walk(command, path: str) -> None:
        for text in (command.help, command.short_help, command.epilog):
            if text:
                found.setdefault(text, f"help:{path}")
        for param in command.params:
            if getattr(param, "help", None):
                found.setdefault(param.help, f"help:{path}:{param.opts[0] if param.opts else param.name}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path}:{name}")

    walk(typer.main.get_command(cli.app), "portcli")
    return found


# click's and typer's modules that portcli's command line reaches (i18n.use binds their `_`), and
# the messages in them that it cannot reach: a programmer's mistakes in declaring options, and
# features portcli does not use (prompts, file and UUID types, deprecation, version options, pagers).
LIBRARY_MODULES = {"click": ("core", "exceptions", "types", "parser", "formatting", "decorators", "termui"),
                   "typer": ("core",)}
UNREACHABLE = {
    "Name '{name}' defined twice", "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you "
    "mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.", "Value must be an iterable.",
    "Invalid start character for option ({option})", "deprecated", "(deprecated) ",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
    "Do you want to continue?", "Confirm the action without prompting.", "%(prog)s, version %(version)s",
    "Show the version and exit.", "Repeat for confirmation", "Error: The two entered values do not match.",
    "Unknown color {colour!r}", "Press any key to continue...", "Could not open file {filename!r}: {message}",
    "Choose from:\n\t{choices}", "Choice({choices})", "{value!r} is not a valid UUID.", "file", "directory", "path",
    "{name} {filename!r} does not exist.", "{name} {filename!r} is a file.", "{name} {filename!r} is a directory.",
    "{name} {filename!r} is not readable.", "{name} {filename!r} is not writable.",
    "{name} {filename!r} is not executable.", "{value!r} is not a valid boolean. Recognized values: {states}",
    "env var: {var}", "(dynamic)", "Missing command.", "Positional arguments",
}


def library_messages() -> list[tuple[str | tuple[str, str], str]]:
    """(msgid, where) of click's and typer's messages a portcli user can meet, from their installed sources."""
    import importlib

    from babel.messages.extract import extract_from_file

    found = []
    for package, modules in LIBRARY_MODULES.items():
        for module in modules:
            path = importlib.import_module(f"{package}.{module}").__file__
            for lineno, message, _comments, _context in extract_from_file(
                    "python", path, keywords={"_": None, "ngettext": (1, 2)}):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid not in UNREACHABLE:
                    found.append((message, f"{package}/{module}.py"))
    return found


def extracted() -> Catalog:
    catalog = Catalog(project="portcli", charset="utf-8")
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(f"src/portcli/{filename}", lineno)], auto_comments=comments, context=context)
    for message, where in library_messages():
        if (message[0] if isinstance(message, tuple) else message) not in catalog:
            catalog.add(message, None, [(where, 0)])
    for text, where in help_texts().items():
        if text not in catalog:
            catalog.add(text, None, [(where, 0)])
    return catalog


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "portcli.po"


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="portcli", charset="utf-8")
    with path.open("rb") as source:
        return read_po(source, locale=language)


def missing(template: Catalog, language: str) -> list[str]:
    catalog = read(language)
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)) or (found is not None and found.fuzzy):
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    stale = [m.id for m in catalog if m.id and m.id not in template]
    return gaps + [f"(no longer used) {s if isinstance(s, str) else s[0]}" for s in stale]


def update() -> None:
    template = extracted()
    LOCALE.mkdir(parents=True, exist_ok=True)
    with (LOCALE / "portcli.pot").open("wb") as out:
        write_po(out, template, width=100, omit_header=True, sort_output=True)
    for language in LANGUAGES:
        catalog = read(language)
        catalog.update(template, no_fuzzy_matching=True)
        if language == "en":
            for message in catalog:
                # a plural's string is a tuple, ("", "") when empty: truthy, so each form is looked at
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and not all(strings):
                    message.string = message.id
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, omit_header=True, sort_output=True, ignore_obsolete=True)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        template = extracted()
        bad = {language: missing(template, language) for language in LANGUAGES}
        for language, ids in bad.items():
            for msgid in ids:
                print(f"{language}: {msgid!r}")
        return 1 if any(bad.values()) else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
