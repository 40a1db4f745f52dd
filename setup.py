"""Builds the message catalogs (.po in the repository) into the .mo files gettext reads, for the wheel
and for an editable install alike; everything else about the package is in pyproject.toml."""
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).parent / "src" / "portcli" / "locale"


def compile_catalogs(target: Path) -> list[str]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(LOCALE).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            # The catalogs have no header: the locale (zh_CN, en) gives the .mo its Plural-Forms, without
            # which Chinese would get English's two forms and ngettext would fall back to English.
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as out:
            write_mo(out, catalog)
        written.append(str(mo))
    return written


class BuildWithCatalogs(build_py):
    def run(self):
        super().run()
        # An editable install reads the package from src/: the .mo files go beside their .po there
        # (git ignores them); a wheel gets them in its build folder.
        target = LOCALE if self.editable_mode else Path(self.build_lib) / "portcli" / "locale"
        self._catalogs = compile_catalogs(target)

    def get_outputs(self, include_bytecode=True):
        return super().get_outputs(include_bytecode) + getattr(self, "_catalogs", [])


# The `portcli` command: on POSIX our own launcher, which imports less than pip's (scripts/portcli says
# why); on Windows an entry point, for pip to make portcli.exe of (a script file there would not run).
# A wheel is built where it is installed (`pip install .`, `pipx install git+…`), so the choice is the
# installing machine's.
if os.name == "nt":
    command = {"entry_points": {"console_scripts": ["portcli = portcli.entry:console"]}}
else:
    command = {"scripts": ["scripts/portcli"]}

setup(cmdclass={"build_py": BuildWithCatalogs}, **command)
