"""`portcli new`: the next free id, from options or $EDITOR, checked before it is written."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from folder_state import snapshot
from measure_files import SHIPPED

NEW_26 = """\
# 措施 26 · 重点任务五
id: 26
task: 5
national: null
local:
  - "试点范围: 扩大到东疆港区"
  - 第二项措施
units: [市商务局, 天津海关]
units_note: null
deadline: 6月30日前
status: not_started
progress: []
"""


def new_26(run, folder, *extra):
    return run("new", "--task", "5", "--unit", "商务局", "--unit", "Tianjin Customs", "--deadline", "6月 30日前",
               "--local", "试点范围: 扩大到东疆港区", "--local", "第二项措施", *extra, "--dir", folder)


def test_options_make_the_next_measure_in_the_files_style(run, measures_dir):
    result = new_26(run, measures_dir)
    assert result.exit_code == 0, result.stderr
    assert "26" in result.stdout
    assert (measures_dir / "26.yaml").read_text(encoding="utf-8") == NEW_26
    shown = json.loads(run("show", "26", "--dir", measures_dir, "--format", "json").stdout)
    assert (shown["lead"], shown["due"], shown["national"]) == ("市商务局", "2022-06-30", None)
    assert run("validate", "--dir", measures_dir).exit_code == 0


def test_json_output_is_the_new_measure(run, measures_dir):
    result = run("new", "--task", "1", "--unit", "天津海关", "--deadline", "年底前", "--national", "总署措施",
                 "--dir", measures_dir, "--format", "json")
    assert json.loads(result.stdout)["id"] == 26 and json.loads(result.stdout)["local"] == []


def _copy_as(folder: Path, source: str, measure_id: int, name: str) -> None:
    text = (folder / source).read_text(encoding="utf-8")
    (folder / name).write_text(re.sub(r"(?m)^id: \d+$", f"id: {measure_id}", text), encoding="utf-8")


def test_the_next_id_is_one_above_the_highest_and_wider_ids_widen_the_name(run, measures_dir):
    _copy_as(measures_dir, "01.yaml", 99, "99.yaml")
    assert new_26(run, measures_dir).exit_code == 0
    assert json.loads(run("show", "100", "--dir", measures_dir, "--format", "json").stdout)["file"].endswith(
        "/100.yaml")


def test_the_padding_follows_the_existing_names(run, measures_dir):
    for path in measures_dir.glob("[0-9]*.yaml"):
        path.rename(path.with_name(f"{int(path.stem):03d}.yaml"))
    assert new_26(run, measures_dir).exit_code == 0
    assert (measures_dir / "026.yaml").read_text(encoding="utf-8") == NEW_26


@pytest.mark.parametrize("args, message", [
    (("--task", "5", "--unit", "海关", "--local", "x"), "needs --deadline"),
    (("--task", "5", "--deadline", "年底前", "--local", "x"), "needs --unit"),
    (("--task", "5", "--unit", "海关", "--deadline", "年底前"), "--national, --local or both"),
    (("--task", "12", "--unit", "海关", "--deadline", "年底前", "--local", "x"), "no key task 12"),
    (("--task", "5", "--unit", "海关局长", "--deadline", "年底前", "--local", "x"), "unknown unit '海关局长'"),
    (("--task", "5", "--unit", "海关", "--deadline", "尽快", "--local", "x"), "unrecognised deadline '尽快'"),
    ((), "or --edit to write the measure in $EDITOR"),
])
def test_refusals_exit_2_and_create_nothing(run, measures_dir, args, message):
    before = snapshot(measures_dir)
    result = run("new", *args, "--dir", measures_dir)
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(measures_dir) == before


def test_other_files_problems_are_warnings(run, measures_dir):
    (measures_dir / "03.yaml").write_text("id: 3\n", encoding="utf-8")
    result = new_26(run, measures_dir)
    assert result.exit_code == 0
    assert "03.yaml" in result.stderr and "this write succeeded" in result.stderr
    assert (measures_dir / "26.yaml").exists()


# --- in $EDITOR ---------------------------------------------------------------------------------

FAKE_EDITOR = """\
import json, os, pathlib, sys
path = pathlib.Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
pathlib.Path(os.environ["SEEN"]).write_text(text, encoding="utf-8")
for old, new in json.loads(os.environ["FILL"]):
    text = text.replace(old, new, 1)
path.write_text(text, encoding="utf-8")
"""


@pytest.fixture
def editor(tmp_path):
    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, encoding="utf-8")
    seen = tmp_path / "seen.yaml"

    def env(*fill: tuple[str, str]) -> dict[str, str]:
        return {"EDITOR": f"{sys.executable} {script}", "VISUAL": "", "SEEN": str(seen), "FILL": json.dumps(fill)}

    env.seen = seen
    return env


FILLED = (("units: []", "units: [天津海关, 市商务局]"), ("deadline: \n", "deadline: 年底前\n"),
          ("  - \n", "  - 编辑器里写的措施\n"), ("units_note: null\n", "units_note: null\n# 我的注释\n"))


def test_edit_opens_a_commented_template_and_writes_what_was_filled_in(run, measures_dir, editor):
    result = run("new", "--edit", "--task", "3", "--dir", measures_dir, env=editor(*FILLED))
    assert result.exit_code == 0, result.stderr
    template = editor.seen.read_text(encoding="utf-8")
    assert template.startswith("# 措施 26 · 重点任务三\n#: ")
    assert "\nid: 26\n" in template and "\ntask: 3\n" in template
    written = (measures_dir / "26.yaml").read_text(encoding="utf-8")
    assert "#:" not in written and "# 我的注释\n" in written
    expected = "".join(line for line in template.splitlines(keepends=True) if not line.startswith("#:"))
    for old, new in FILLED:
        expected = expected.replace(old, new, 1)
    assert written == expected
    shown = json.loads(run("show", "26", "--dir", measures_dir, "--format", "json").stdout)
    assert (shown["lead"], shown["task"], shown["local"]) == ("天津海关", 3, ["编辑器里写的措施"])


def test_an_editor_closed_without_saving_writes_nothing(run, measures_dir):
    before = snapshot(measures_dir)
    result = run("new", "--edit", "--dir", measures_dir, env={"EDITOR": "true", "VISUAL": ""})
    assert result.exit_code == 2 and "nothing written" in result.stderr
    assert snapshot(measures_dir) == before


def test_an_invalid_text_is_refused_with_its_line_and_kept_for_another_go(run, measures_dir, editor):
    before = snapshot(measures_dir)
    result = run("new", "--edit", "--dir", measures_dir, env=editor(("task: \n", "task: 3\n"),
                                                                   ("units: []", "units: [海关局长]")))
    assert result.exit_code == 2
    template = editor.seen.read_text(encoding="utf-8")
    units_line = template.splitlines().index("units: []") + 1
    assert f"new measure:{units_line}: unknown unit '海关局长'" in result.stderr
    deadline_line = template.splitlines().index("deadline: ") + 1
    assert f"new measure:{deadline_line}: `deadline` must be a phrase such as 5月底前, not empty" in result.stderr
    assert snapshot(measures_dir) == before
    kept = Path(re.search(r"kept in (\S+);", result.stderr)[1])
    try:
        text = kept.read_text(encoding="utf-8")
        assert "units: [海关局长]" in text
        fixed = text.replace("[海关局长]", "[天津海关]").replace("deadline: \n", "deadline: 年底前\n").replace(
            "  - \n", "  - 补写的措施\n")
        kept.write_text(fixed, encoding="utf-8")
        again = run("new", "--from", kept, "--dir", measures_dir)
        assert again.exit_code == 0, again.stderr
        assert json.loads(run("show", "26", "--dir", measures_dir, "--format", "json").stdout)["units"] == ["天津海关"]
        # The template's header could not name the key task before it was filled in; the file's does.
        assert template.startswith("# 措施 26\n")
        assert (measures_dir / "26.yaml").read_text(encoding="utf-8").startswith("# 措施 26 · 重点任务三\n")
    finally:
        kept.unlink(missing_ok=True)


def test_from_a_file_refuses_an_id_in_use(run, measures_dir, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_bytes((measures_dir / "14.yaml").read_bytes())
    before = snapshot(measures_dir)
    result = run("new", "--from", draft, "--dir", measures_dir)
    assert result.exit_code == 2 and "id 14 is taken" in result.stderr and "next free id is 26" in result.stderr
    assert snapshot(measures_dir) == before


def test_new_takes_an_explicit_due_date_for_a_phrase_without_one(run, measures_dir):
    refused = run("new", "--dir", measures_dir, "--task", "1", "--unit", "海关", "--deadline", "9月中旬", "--local", "测试")
    assert refused.exit_code == 2 and "unrecognised deadline '9月中旬'" in refused.stderr
    assert not (measures_dir / "26.yaml").exists()
    result = run("new", "--dir", measures_dir, "--task", "1", "--unit", "海关", "--deadline", "9月中旬",
                 "--due", "2022-09-15", "--local", "测试")
    assert result.exit_code == 0, result.stderr
    lines = (measures_dir / "26.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[lines.index("deadline: 9月中旬") + 1] == "due: 2022-09-15"  # SPEC §2 key order
    shown = json.loads(run("show", "26", "-f", "json", "--dir", measures_dir).stdout)
    assert (shown["due"], shown["due_source"]) == ("2022-09-15", "due")


def test_new_from_a_file_refuses_options_it_would_ignore(run, measures_dir, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text("id: 60\n", encoding="utf-8")
    result = run("new", "--dir", measures_dir, "--from", draft, "--task", "2")
    assert result.exit_code == 2 and "--from takes the whole measure from FILE" in result.stderr
    assert sorted(p.name for p in measures_dir.glob("*.yaml")) == sorted(p.name for p in SHIPPED.glob("*.yaml"))


def test_the_template_explains_each_key_with_the_plans_tasks_and_units(run, measures_dir, editor):
    """What the person filling in a new measure reads: every help line, the plan's key tasks and units
    (read here with yaml, not portcli), and the values the options gave."""
    from measure_files import plan_data
    plan = plan_data(measures_dir)
    run("new", "--edit", "--task", "3", "--unit", "海关", "--due", "2022-09-30", "--dir", measures_dir,
        env=editor())
    tasks = [f"#:   {t['id']:>2} {t['title']}" for t in plan["tasks"]]  # ids right-aligned
    units = "、".join(u["name"] for u in plan["units"])
    assert editor.seen.read_text(encoding="utf-8").splitlines() == [
        "# 措施 26 · 重点任务三",
        "#: 新措施 (new measure): fill in the values, save and close the editor.",
        "#: Lines starting with #: are help and are dropped; your own # comments stay.",
        "#: Save an empty file, or quit without saving, to write nothing.",
        "id: 26",
        "#: task: key-task number (重点任务):",
        *tasks,
        "task: 3",
        "#: national: the 海关总署 measure (具体举措), or null for Tianjin's own task",
        "national: null",
        "#: local: 天津市细化落实措施, one `- ` item each",
        "local:",
        "  - ",
        f"#: units: short names, lead unit (牵头) first — {units}",
        "units: [天津海关]",
        "#: units_note: e.g. 按照职责分工负责, else null",
        "units_note: null",
        "#: deadline: 完成时限 as the document words it — 5月底前, 2022年6月30日前, 年底前, "
        "5月底前取得阶段性进展，持续推动, 持续推动, 按照海关总署统一部署推动实施",
        "deadline: ",
        "due: 2022-09-30",
        "#: status: not_started, in_progress, blocked, ongoing, done (or 未启动、推进中、受阻、持续推进、已完成)",
        "status: not_started",
        "progress: []",
    ]
    assert editor.seen.read_text(encoding="utf-8").endswith("progress: []\n")


@pytest.mark.parametrize("args, message", [
    (("--unit", "海关", "--local", "x"), "a new measure needs --task, --deadline (or use --edit to write it in $EDITOR)"),
    (("--task", "5", "--local", "x"), "a new measure needs --unit, --deadline (or use --edit to write it in $EDITOR)"),
    (("--task", "5", "--unit", "海关", "--deadline", "年底前", "--local", " "),
     "a new measure needs its text: --national, --local or both"),
    (("--task", "5", "--unit", "海关局长", "--deadline", "年底前", "--local", "x"),
     "--unit: unknown unit '海关局长'"),
    (("--task", "12", "--unit", "海关", "--deadline", "年底前", "--local", "x"),
     "the new measure is not valid: no key task 12 in _plan.yaml (1…11)"),
])
def test_refusals_say_exactly_what_is_missing(run, measures_dir, args, message):
    result = run("new", *args, "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"portcli: {message}"), result.stderr


def test_a_new_measure_says_its_id_and_file(run, measures_dir):
    result = run("new", "--task", "1", "--unit", "天津海关", "--unit", "海关", "--deadline", "年底 前", "--national",
                 " 总署措施 ", "--local", "", "--local", "本地", "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{measures_dir / '26.yaml'}: 措施 26: new measure 26\n"
    assert (measures_dir / "26.yaml").read_text(encoding="utf-8") == (
        "# 措施 26 · 重点任务一\nid: 26\ntask: 1\nnational: 总署措施\nlocal:\n  - 本地\nunits: [天津海关]\n"
        "units_note: null\ndeadline: 年底前\nstatus: not_started\nprogress: []\n")


def test_the_next_id_counts_file_names_too_and_never_fills_a_gap(run, measures_dir):
    """30.yaml holding id 27 (a renumbered file): the next id is 31, above both."""
    _copy_as(measures_dir, "01.yaml", 27, "30.yaml")
    (measures_dir / "05.yaml").unlink()  # a gap stays a gap
    assert new_26(run, measures_dir).exit_code == 0
    assert (measures_dir / "31.yaml").exists() and not (measures_dir / "05.yaml").exists()
    assert json.loads(run("show", "31", "--dir", measures_dir, "-f", "json").stdout)["file"].endswith("/31.yaml")


def test_options_given_with_edit_are_filled_in_the_template(run, measures_dir, editor):
    run("new", "--edit", "--deadline", "年底 前", "--national", " 范围: 东疆 ", "--local", "一项", "--dir", measures_dir,
        env=editor())
    lines = editor.seen.read_text(encoding="utf-8").splitlines()
    assert "deadline: 年底前" in lines
    # a value holding `: ` is quoted, and its key still gets its help line
    national = lines.index('national: "范围: 东疆"')
    assert lines[national - 1] == "#: national: the 海关总署 measure (具体举措), or null for Tianjin's own task"
    assert lines[lines.index("local:") + 1] == "  - 一项"


@pytest.mark.parametrize("text", ["", "\n  \n", "#: only help\n#: lines\n"])
def test_new_from_an_empty_text_writes_nothing(run, measures_dir, tmp_path, text):
    draft = tmp_path / "draft.yaml"
    draft.write_text(text, encoding="utf-8")
    before = snapshot(measures_dir)
    result = run("new", "--from", draft, "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (2, "portcli: the text is empty: nothing was written\n")
    assert snapshot(measures_dir) == before


def test_names_without_padding_get_the_default_width_of_two(run, measures_dir):
    for path in measures_dir.glob("[0-9]*.yaml"):
        if int(path.stem) <= 4:
            path.rename(path.with_name(f"{int(path.stem)}.yaml"))  # 1.yaml … 4.yaml
        else:
            path.unlink()
    result = new_26(run, measures_dir)
    assert result.exit_code == 0, result.stderr
    assert (measures_dir / "05.yaml").read_text(encoding="utf-8") == NEW_26.replace("26", "5")


def test_the_padding_is_read_from_names_that_start_with_zero(run, measures_dir):
    """011.yaml … 025.yaml: padded to three, though no name has a zero in second place."""
    for path in measures_dir.glob("[0-9]*.yaml"):
        if int(path.stem) <= 10:
            path.unlink()
        else:
            path.rename(path.with_name(f"{int(path.stem):03d}.yaml"))
    assert new_26(run, measures_dir).exit_code == 0
    assert (measures_dir / "026.yaml").exists()


def test_every_problem_of_options_is_in_the_one_message(run, measures_dir):
    result = run("new", "--task", "12", "--unit", "海关", "--deadline", "尽快", "--local", "x", "--dir", measures_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith("portcli: the new measure is not valid: no key task 12 in _plan.yaml (1…11); "
                                    "unrecognised deadline '尽快'; ")


def test_a_yaml_mistake_in_a_from_file_is_named_at_its_line(run, measures_dir, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text("id: 30\ntask: [1\n", encoding="utf-8")
    before = snapshot(measures_dir)
    result = run("new", "--from", draft, "--dir", measures_dir)
    assert result.exit_code == 2
    first, last = result.stderr.splitlines()
    assert first.startswith(f"{draft}:2: a [ or {{ opened on this line is not closed")
    assert last == "portcli: the new measure is not valid; nothing was written"
    assert snapshot(measures_dir) == before


def test_what_new_prints_as_json_is_the_measure_as_shown(run, measures_dir):
    (measures_dir / "_plan.yaml").write_text((measures_dir / "_plan.yaml").read_text(encoding="utf-8").replace(
        "year: 2022", "year: 2023"), encoding="utf-8")
    result = run("new", "--task", "1", "--unit", "天津海关", "--deadline", "5月底前", "--national", "总署措施",
                 "--dir", measures_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert (printed["due"], printed["task_title"]) == ("2023-05-31", "深化国际贸易“单一窗口”建设。")
    assert printed == json.loads(run("show", "26", "--dir", measures_dir, "--format", "json").stdout)


def test_a_free_id_whose_file_name_is_taken_is_refused(run, measures_dir, tmp_path):
    """26.yaml holds measure 99: id 26 is free, its file name is not."""
    _copy_as(measures_dir, "01.yaml", 99, "26.yaml")
    draft = tmp_path / "draft.yaml"
    draft.write_text((measures_dir / "14.yaml").read_text(encoding="utf-8").replace("id: 14", "id: 26"),
                     encoding="utf-8")
    before = snapshot(measures_dir)
    result = run("new", "--from", draft, "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (
        2, f"portcli: {measures_dir / '26.yaml'} already exists; the next free id is 100\n")
    assert snapshot(measures_dir) == before


def test_the_first_measure_of_an_empty_folder_is_01(run, measures_dir):
    for path in measures_dir.glob("[0-9]*.yaml"):
        path.unlink()
    result = run("new", "--task", "1", "--unit", "海关", "--deadline", "年底前", "--national", "第一项",
                 "--dir", measures_dir)
    assert result.exit_code == 0, result.stderr
    assert (measures_dir / "01.yaml").read_text(encoding="utf-8").startswith("# 措施 1 · 重点任务一\nid: 1\n")


@pytest.mark.parametrize("option", ["--national", "--local", "--deadline"])
def test_an_option_that_is_not_utf8_is_named(run, measures_dir, option):
    values = {"--national": "总署", "--local": "本地", "--deadline": "年底前", option: "a\udcffb"}
    args = [a for name, value in values.items() for a in (name, value)]
    result = run("new", "--task", "1", "--unit", "海关", *args, "--dir", measures_dir)
    assert (result.exit_code, result.stderr) == (2, f"portcli: {option} is not valid UTF-8 text\n")
