"""The language portcli speaks: Chinese (zh_CN) or English, through gettext catalogs in the package.

Messages are written in English in the code (the msgids) and translated through one translation
object per language, loaded from portcli/locale/<lang>/LC_MESSAGES/portcli.mo, never through the
process-wide textdomain, which every other user of gettext in the process shares (click #2706).
click's and typer's own messages go through the same object: their modules call `_`/`ngettext`,
which `use()` binds to it.

Which language: --lang, else $PORTCLI_LANG, else the first of $LANGUAGE, $LC_ALL, $LC_MESSAGES and
$LANG that is set, as gettext looks. A locale that names no language (C, C.UTF-8, POSIX, nothing set,
as on CI runners) gives Chinese, the plan's own language; a Chinese one gives Chinese; any other gives
English, the language the messages are written in (gettext's own fallback).
"""
from __future__ import annotations

import errno
import os
import sys

from .values import cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import Any, Mapping
    import gettext as _gettext

DOMAIN = "portcli"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
LANGUAGES = ("zh", "en")
CATALOGS = {"zh": "zh_CN", "en": "en"}
DEFAULT = "zh"
_NO_LANGUAGE = {"", "C", "POSIX"}


class UnknownLanguage(ValueError):
    pass


def normalized(name: str) -> str | None:
    """zh, zh_CN, zh-Hans, zh_CN.UTF-8 → zh; en, en_US.UTF-8 → en; anything else → None."""
    base = name.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language the environment asks for (without --lang)."""
    if explicit := environ.get("PORTCLI_LANG", "").strip():
        language = normalized(explicit)
        if language is None:
            raise UnknownLanguage(explicit)
        return language
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            locales = [part for part in value.split(":") if part]
            if all(part.split(".")[0] in _NO_LANGUAGE for part in locales):
                return DEFAULT
            for part in locales:
                if part.split(".")[0] in _NO_LANGUAGE:
                    continue
                return normalized(part) or "en"
    return DEFAULT


def from_arguments(args: list[str]) -> str | None:
    """The value of --lang in a command line, before click parses it (the help texts and click's own
    messages must be in that language from the start); None without one."""
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def chosen(args: list[str], environ: Mapping[str, str] = os.environ) -> str | None:
    """The language a command line speaks: its --lang, else the environment's; None when --lang names
    none portcli speaks (UnknownLanguage when PORTCLI_LANG does). The typer path and the fast path
    (entry.py) both choose by it."""
    asked = from_arguments(args)
    return normalized(asked) if asked is not None else from_environment(environ)


@cache
def translation(language: str) -> _gettext.NullTranslations:
    """The translation object of a language; English, the msgids' own, needs no catalog to fall back on."""
    import gettext as _gettext

    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGS[language]], fallback=language == "en")


_active: _gettext.NullTranslations | None = None
current = DEFAULT


def use(language: str) -> None:
    """Speak `language` from now on, click's and typer's messages included. The catalog is read
    when a first message is said: a query whose answer is all data (JSON) says none, and reading the
    Chinese catalog costs more than the rest of its start."""
    global _active, current
    current, _active = language, None
    _said.clear()
    if not any(name in sys.modules for name in ("click", "typer")):
        return  # nothing of click to bind: where its messages are said, it is imported before use() (cli.py)
    _active = translation(language)
    for name in ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting",
                 "click.decorators", "click.termui", "click.utils", "click.shell_completion", "click._termui_impl",
                 "typer.core", "typer.rich_utils"):
        module = sys.modules.get(name)
        if module is not None:
            if hasattr(module, "_"):
                module._ = _active.gettext
            if hasattr(module, "ngettext"):
                module.ngettext = _active.ngettext


def _translations() -> _gettext.NullTranslations:
    global _active
    if _active is None:
        _active = translation(current)
    return _active


# Each message as the language says it, once looked up: a report of 100,000 measures says some of
# them (a progress line's colon, a list's 、) for every measure, and a catalog lookup is a call of
# gettext's Python code.
_said: dict[str, str] = {}


def _(message: str) -> str:
    said = _said.get(message)
    if said is None:
        said = _said[message] = _translations().gettext(message)
    return said


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations().ngettext(singular, plural, count)


def status_word(key: str) -> str:
    """A status as people read it: its Chinese label in Chinese, its key in English (keys are not
    translated: they are what files and options hold)."""
    from .model import STATUSES

    return STATUSES[key] if current == "zh" else key


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined, to be translated where it is said."""
    return message


class Message:
    """Words kept untranslated until they are said: a msgid (with its plural, for a count) and the
    values it names. Problems hold these, so that the cache and JSON do not depend on the language,
    and each output says them in its own. A value may be a Message itself (a did-you-mean hint)."""

    __slots__ = ("text", "values", "plural", "count")

    def __init__(self, text: str, plural: str | None = None, count: int | None = None, /, **values: Any):
        self.text, self.plural, self.count, self.values = text, plural, count, values

    @classmethod
    def verbatim(cls, text: str) -> Message:
        """Words that are said as they are, in every language (data, or another program's words)."""
        return cls("{text}", text=text)

    @classmethod
    def either(cls, choices: list[str]) -> Message:
        """`a`, `a or b`, `a, b or c`: alternatives, said as the language joins them."""
        if len(choices) == 1:
            return cls.verbatim(choices[0])
        if len(choices) == 2:
            return Message("{first} or {second}", first=choices[0], second=choices[1])
        # The rest as alternatives in turn, so each language joins every pair: a、b、c或d, not a、b, c或d.
        return Message("{first}, {rest}", first=choices[0], rest=cls.either(choices[1:]))

    @classmethod
    def counted(cls, singular: str, plural: str, count: int, **values: Any) -> Message:
        """A message whose form depends on a count: `1 problem` / `2 problems`."""
        return cls(singular, plural, count, **values)

    def said(self, translations: _gettext.NullTranslations | None = None) -> str:
        t = translations or _translations()
        pattern = t.ngettext(self.text, self.plural, self.count) if self.plural else t.gettext(self.text)
        values = {k: v.said(t) if isinstance(v, Message) else v for k, v in self.values.items()}
        if self.plural:
            values["count"] = self.count
        return pattern.format(**values) if values else pattern

    def __str__(self) -> str:
        return self.said()

    def in_english(self) -> str:
        return self.said(translation("en"))

    def encoded(self) -> tuple:
        """As plain tuples (for the cache)."""
        return (self.text, self.plural, self.count,
                tuple((k, v.encoded() if isinstance(v, Message) else v, isinstance(v, Message))
                      for k, v in self.values.items()))

    @classmethod
    def decoded(cls, stored: tuple) -> Message:
        text, plural, count, values = stored
        return cls(text, plural, count, **{k: cls.decoded(v) if nested else v for k, v, nested in values})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and self.encoded() == other.encoded()

    def __hash__(self) -> int:
        return hash(self.encoded())

    def __repr__(self) -> str:
        return f"Message({self.in_english()!r})"


# The OS words its errors in English (strerror): the ones portcli's users meet, in their language.
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"), errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"), errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"), errno.EFBIG: N_("File too large"),
    errno.EISDIR: N_("Is a directory"), errno.ENOTDIR: N_("Not a directory"),
    errno.EROFS: N_("Read-only file system"), errno.EEXIST: N_("File exists"),
    errno.ENAMETOOLONG: N_("File name too long"), errno.EIO: N_("Input/output error"),
}


def os_reason(exc: OSError) -> Message:
    """Why an OS call failed, said in the message's language where portcli knows the words."""
    known = _OS_REASONS.get(getattr(exc, "errno", None))
    return Message(known) if known else Message.verbatim(getattr(exc, "strerror", None) or str(exc))
