"""The command line in Chinese and English (issue 13): which language is chosen, help and click's own
messages in each, and what must not change with the language (JSON, files, exit codes).

The words a test expects are worked out here: the counts from the folder the test builds, the
language from the variables it sets."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from measure_files import measure_files, replace_line
from folder_state import snapshot

SCRIPT = Path(sys.executable).parent / "portcli"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
NO_LANGUAGE = {"PORTCLI_LANG": None, **{v: None for v in LOCALE_VARIABLES}}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def said(result) -> str:
    """Which language a `validate` run on a valid folder spoke, told by its summary line."""
    line = result.stdout.strip()
    if line.startswith("ok: ") and line.endswith(" and the plan are valid"):
        return "en"
    if line.startswith("检查通过：") and line.endswith("方案均有效"):
        return "zh"
    raise AssertionError(f"neither language: {line!r}")


# --- which language ------------------------------------------------------------------------------

@pytest.mark.parametrize("variables, expected", [
    ({}, "zh"),  # nothing set, as on a CI runner
    ({"LANG": "C"}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "POSIX"}, "zh"),
    ({"LC_ALL": "C.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),  # LC_MESSAGES before LANG
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),  # LC_ALL before both
    ({"LC_ALL": "en_US.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh"),  # LANGUAGE first of all
    ({"LANG": "zh_CN.UTF-8", "PORTCLI_LANG": "en"}, "en"),  # PORTCLI_LANG before the locale
    ({"LANG": "en_US.UTF-8", "PORTCLI_LANG": "zh"}, "zh"),
], ids=lambda v: repr(v) if isinstance(v, dict) else v)
def test_the_language_from_the_environment(run, measures_dir, variables, expected):
    result = run("validate", "--dir", measures_dir, env={**NO_LANGUAGE, **variables})
    assert result.exit_code == 0
    assert said(result) == expected


@pytest.mark.parametrize("lang, variables", [
    ("en", {"PORTCLI_LANG": "zh", "LANG": "zh_CN.UTF-8"}),
    ("zh", {"PORTCLI_LANG": "en", "LC_ALL": "en_US.UTF-8"}),
])
@pytest.mark.parametrize("where", ["before the command", "after it"])
def test_lang_beats_the_environment(run, measures_dir, lang, variables, where):
    args = ["--lang", lang, "validate"] if where == "before the command" else ["validate", "--lang", lang]
    result = run(*args, "--dir", measures_dir, env={**NO_LANGUAGE, **variables})
    assert result.exit_code == 0
    assert said(result) == lang


def test_the_counts_of_validate_in_both_languages(run, measures_dir):
    files = measure_files(measures_dir)
    valid = len(files)
    result = run("validate", "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.stdout == f"ok: {valid} measures and the plan are valid\n"
    result = run("validate", "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    assert result.stdout == f"检查通过：{valid} 项措施和方案均有效\n"
    # two broken files, one of them with two problems: counts that need the plural, and the singular
    path_a, path_b = files[3][0], files[7][0]
    replace_line(path_a, "status:", "status: started")
    replace_line(path_b, "status:", "status: started")
    replace_line(path_b, "task:", "task: 99")
    result = run("validate", "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(measures_dir))]
    assert result.exit_code == 2 and len(problems) == 3
    assert result.stdout == f"3 problems in 2 files; {valid - 2} valid measures\n"
    result = run("validate", "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    assert result.exit_code == 2
    assert result.stdout == f"2 个文件中有 3 个问题；有效措施 {valid - 2} 项\n"
    replace_line(path_b, "task:", f"task: {measure_files(Path(__file__).parents[1] / 'measures')[7][1]['task']}")
    replace_line(path_b, "status:", "status: not_started")
    result = run("validate", "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.stdout == f"1 problem in 1 file; {valid - 1} valid measures\n"


def test_a_write_is_confirmed_in_each_language(run, measures_dir):
    path = measure_files(measures_dir)[14][0]
    result = run("extend", "14", "--to", "2022-07-31", "--reason", "等待系统升级", "--as-of", "2022-06-01",
                 "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}：措施 14：")
    result = run("extend", "14", "--to", "2022-08-31", "--reason", "再次延期", "--as-of", "2022-07-01",
                 "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}: measure 14: ")


@pytest.mark.parametrize("how", ["PORTCLI_LANG", "--lang", "--lang="])
def test_an_unknown_language_is_one_line_and_exit_2(tmp_path, how):
    """Through the console script itself: the language is chosen before click runs."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    args = {"PORTCLI_LANG": ["list"], "--lang": ["list", "--lang", "fr"], "--lang=": ["--lang=fr", "list"]}[how]
    if how == "PORTCLI_LANG":
        env["PORTCLI_LANG"] = "fr"
    result = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("portcli: ") and "fr" in lines[0] and "zh" in lines[0]


# --- help ----------------------------------------------------------------------------------------

def command_names() -> list[str]:
    from portcli.cli import app

    return [c.name or c.callback.__name__ for c in app.registered_commands]


# What a Chinese help may hold in Latin letters: option names and choices, metavars, paths and file
# names, `keys`, $VARIABLES, the command's own name and usage line, and the technical names the
# conventions allow (with the programs a user opens the files in, which are names too).
TECHNICAL = {"YAML", "JSON", "CSV", "HTML", "Markdown", "UTF-8", "GBK", "xlsx", "GitHub", "GitLab", "git", "iconv",
             "Excel", "Word", "LibreOffice", "A4", "portcli", "zh", "en", "MiB"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")


def english_words(text: str, commands: list[str]) -> list[str]:
    text = re.sub(r"`[^`]*`", " ", text)  # keys, option values, commands
    text = re.sub(r"\[[^\]]*\|[^\]]*\]", " ", text)  # choices: [table|json]
    text = re.sub(r"\$[A-Z_]+", " ", text)  # $PORTCLI_DIR, $EDITOR
    text = re.sub(r"(?<![\w.])--?[a-z][a-z-]*", " ", text)  # option names
    text = re.sub(r"\S*[./]\S*", " ", text)  # paths and file names: measures/, _plan.yaml, .docx, 2022/6/15
    text = re.sub(r"[\dx<>=]*x[\dx<>=]+", " ", text)  # click's ranges: 0<=x<=36500, x>=1
    text = re.sub(r"默认：[^\]]*\]", " ", text)  # a default is an option's value: [默认：never]
    words = [w for w in LATIN_WORD.findall(text) if w not in TECHNICAL and w not in commands]
    return [w for w in words if not (w.isupper() and len(w) > 0)]  # metavars: FILE, DATE, [OPTIONS]


@pytest.mark.parametrize("command", [None, *command_names()])
def test_help_is_in_one_language(run, command):
    from portcli.cli import HELP_VALUES

    commands = command_names()
    args = ["--help"] if command is None else [command, "--help"]
    zh = run(*args, env={"PORTCLI_LANG": "zh"})
    en = run(*args, env={"PORTCLI_LANG": "en"})
    assert zh.exit_code == en.exit_code == 0
    assert zh.stdout.startswith("用法: portcli") and en.stdout.startswith("Usage: portcli")
    assert "显示本帮助后退出。" in zh.stdout and "Show this message and exit." in en.stdout
    assert english_words(zh.stdout, commands) == []
    # the examples help shows of what portcli reads are data, the same in both languages
    english = en.stdout
    for example in HELP_VALUES.values():
        english = english.replace(example, "")
    assert CJK.findall(english) == []
    assert "--lang zh|en" in zh.stdout and "--lang zh|en" in en.stdout


def test_help_lang_shows_on_the_root(run):
    result = run("--lang", "en", "--help", env={"PORTCLI_LANG": "zh"})
    assert result.exit_code == 0 and result.stdout.startswith("Usage: portcli [OPTIONS] COMMAND")
    assert "--lang zh|en" in result.stdout


# --- click's own errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, names", [
    (["list", "--limit", "五"], ["--limit", "五"]),  # not a whole number
    (["extend", "3", "--to", "2022-07-01"], ["--reason"]),  # a required option left out
    (["list", "--bogus"], ["--bogus"]),  # no such option
    (["lsit"], ["lsit"]),  # no such command
    (["report", "--fail-on", "late"], ["--fail-on", "late"]),  # not one of the choices
    (["list", "--limit", "-1"], ["--limit", "-1"]),  # out of its range
])
def test_click_errors_in_chinese(run, measures_dir, args, names):
    zh = run(*args, "--dir", measures_dir, env={"PORTCLI_LANG": "zh"})
    en = run(*args, "--dir", measures_dir, env={"PORTCLI_LANG": "en"})
    assert zh.exit_code == en.exit_code == 2
    assert "Error: " in en.stderr and "Usage: portcli" in en.stderr
    assert "错误：" in zh.stderr and "用法: portcli" in zh.stderr
    for name in names:
        assert name in zh.stderr and name in en.stderr
    words = english_words(zh.stderr, command_names() + ["lsit", "late", "never", "overdue", "due-soon"])
    assert words == []


# --- what does not change with the language ---------------------------------------------------------

def varied(measures_dir: Path) -> Path:
    """The shipped folder with a broken file, an overdue measure in progress and an extension."""
    files = measure_files(measures_dir)
    replace_line(files[5][0], "status:", "status: in_progress")
    replace_line(files[9][0], "status:", "status: bogus")
    return measures_dir


READS = [
    ("list", "--as-of", "2022-06-15"), ("list", "--status", "推进中", "--as-of", "2022-06-15"),
    ("show", "5", "--as-of", "2022-06-15"), ("show", "14"), ("overdue", "--as-of", "2022-06-15"),
    ("report", "--as-of", "2022-06-15"), ("units",), ("validate",), ("export", "--as-of", "2022-06-15"),
]


@pytest.mark.parametrize("command", READS, ids=" ".join)
def test_json_is_the_same_in_both_languages(run, measures_dir, command):
    folder = varied(measures_dir)
    zh = run(*command, "--format", "json", "--dir", folder, env={"PORTCLI_LANG": "zh"})
    en = run(*command, "--format", "json", "--dir", folder, env={"PORTCLI_LANG": "en"})
    assert zh.stdout_bytes == en.stdout_bytes and zh.stdout_bytes.strip()
    assert zh.exit_code == en.exit_code


def test_a_write_is_the_same_in_both_languages(run, tmp_path):
    import shutil

    folders = {}
    folder = tmp_path / "measures"  # the same path for both: JSON names the file written
    for lang in ("zh", "en"):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(Path(__file__).parents[1] / "measures", folder)
        outputs = [run(*args, "--format", "json", "--dir", folder, env={"PORTCLI_LANG": lang}) for args in (
            ("update", "5", "--status", "in_progress", "--note", "已部署", "--by", measure_files(folder)[5][1]["units"][0],
             "--date", "2022-06-01", "--as-of", "2022-06-01"),
            ("extend", "5", "--to", "2022-08-31", "--reason", "等待系统升级", "--date", "2022-06-02",
             "--as-of", "2022-06-02"))]
        assert [r.exit_code for r in outputs] == [0, 0], [r.stderr for r in outputs]
        folders[lang] = ([r.stdout_bytes for r in outputs], snapshot(folder))
    assert folders["zh"] == folders["en"]


ERRORS = [
    ("show", "99"), ("list", "--lead"), ("list", "--status", "started"), ("list", "--task", "42"),
    ("report", "--unit", "a", "--unit", "b"), ("report", "--output", "r.pdf"), ("list", "--unit", "没有这个单位"),
    ("list", "--as-of", "3000-01-01"),
    ("report", "--as-of", "2022-06-15", "--fail-on", "overdue"), ("validate",),
]


@pytest.mark.parametrize("command", ERRORS, ids=" ".join)
def test_exit_codes_are_the_same_in_both_languages(run, measures_dir, command):
    folder = varied(measures_dir)
    zh = run(*command, "--dir", folder, env={"PORTCLI_LANG": "zh"})
    en = run(*command, "--dir", folder, env={"PORTCLI_LANG": "en"})
    assert zh.exit_code == en.exit_code != 0
    # a message of portcli's own is one line, in its language
    own = [line for line in zh.stderr.splitlines() if line.startswith("portcli: ")]
    assert len(own) == len([line for line in en.stderr.splitlines() if line.startswith("portcli: ")])
    for line in own:
        assert CJK.search(line), line


# --- the catalog -----------------------------------------------------------------------------------

COMMAND_LINE = ("src/portcli/cli.py", "src/portcli/commands.py", "src/portcli/completion.py", "src/portcli/editor.py", "src/portcli/scaffold.py",
                "src/portcli/importer/", "help:", "click/", "typer/")


def test_every_message_of_the_command_line_has_both_translations():
    """Each msgid the code, the help texts and click/typer hold (as tools/catalog.py finds them now,
    not as the .pot last written says) has a translation in both catalogs: a message added without
    one would be said in English to a Chinese reader."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
    try:
        import catalog
    finally:
        sys.path.pop(0)
    template = catalog.extracted()
    ours = [m for m in template if m.id and any(where.startswith(COMMAND_LINE) for where, _ in m.locations)]
    assert len(ours) > 200  # the help texts, click's messages and the command line's own
    for language in ("zh_CN", "en"):
        translated = catalog.read(language)
        lacking = []
        for message in ours:
            found = translated.get(message.id)
            strings = found.string if found is not None else None
            if not strings or (isinstance(strings, tuple) and not all(strings)):
                lacking.append(message.id)
        assert lacking == [], language
