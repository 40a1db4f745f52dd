"""What CI reads: GitHub annotations within GitHub's limits, GitLab Code Quality, step outputs, and
the JSON Schemas of every JSON output. Real CLI runs on folders with varied due dates and statuses;
expected values come from what each test wrote into the files, never from the renderers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml

from measure_files import insert_before, line_of, measure_files, replace_line
from test_report_ci import annotations, tables


@pytest.fixture
def run(run_in_chinese):
    """These tests read the reports' Chinese words: the commands speak Chinese."""
    return run_in_chinese


REPO = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 6, 15)
# Overdue measures get due dates in an order that is not their ids' order, so "most overdue first"
# can be told from "file order".
OVERDUE_IDS = range(1, 16)
DUE_SOON_IDS = (16, 17)
DONE_IDS = range(18, 26)


def due_of(measure_id: int) -> date:
    return date(2022, 5, 1) + timedelta(days=(measure_id * 7) % 25)


@pytest.fixture
def varied(measures_dir: Path, monkeypatch) -> Path:
    """15 overdue measures (distinct due dates), 2 due soon, 8 done; run from the checkout."""
    for measure_id, (path, _) in measure_files(measures_dir).items():
        if measure_id in OVERDUE_IDS:
            insert_before(path, "status:", f"due: {due_of(measure_id).isoformat()}")
        elif measure_id in DUE_SOON_IDS:
            insert_before(path, "status:", f"due: {(AS_OF + timedelta(days=measure_id - 10)).isoformat()}")
        else:
            replace_line(path, "status:", "status: done")
    monkeypatch.chdir(measures_dir.parent)
    return measures_dir


def most_overdue_first() -> list[int]:
    return sorted(OVERDUE_IDS, key=lambda i: (due_of(i), i))


def break_files(folder: Path, ids) -> list[tuple[str, str]]:
    """Give each of these measures an unknown status; (file as the CLI names it, line) of each."""
    out = []
    for measure_id, (path, _) in measure_files(folder).items():
        if measure_id in ids:
            replace_line(path, "status:", f"status: bogus{measure_id}")
            out.append((f"measures/{path.name}", str(line_of(path, "status:"))))
    return out


def cli(run, *args, env=None):
    return run(*args, "--dir", "measures", env=env)


# --- annotations within GitHub's 10 errors and 10 warnings a step -----------------------------------

def test_report_annotates_the_ten_most_overdue_and_says_where_the_rest_are(run, varied, tmp_path):
    summary = tmp_path / "summary.md"
    result = cli(run, "report", "--format", "github", "--as-of", AS_OF.isoformat(),
                 env={"GITHUB_STEP_SUMMARY": str(summary), "PORTCLI_LANG": "en"})
    assert result.exit_code == 0, result.stderr
    found = annotations(result.stdout)
    assert [a["name"] for a in found] == ["warning"] * 10 + ["notice"]
    assert [a["file"] for a in found[:10]] == [f"measures/{i:02d}.yaml" for i in most_overdue_first()[:10]]
    assert [a["title"] for a in found[:10]] == [f"Measure {i} is {(AS_OF - due_of(i)).days} days overdue"
                                                 for i in most_overdue_first()[:10]]
    notice = found[10]
    assert notice["message"].startswith("5 more overdue measures are not annotated: ")
    assert notice["message"].endswith("the full list is in the step summary")
    listed = tables(summary.read_text(encoding="utf-8"))["### Overdue: 15"]
    assert [int(row[0]) for row in listed[1:]] == most_overdue_first()


def test_validate_annotates_ten_problems_and_puts_all_in_the_step_summary(run, varied, tmp_path):
    broken = break_files(varied, range(1, 14))
    summary = tmp_path / "summary.md"
    result = cli(run, "validate", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary), "PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    found = annotations(result.stdout)
    assert [(a["name"], a["file"], a["line"]) for a in found[:10]] == [("error", f, n) for f, n in broken[:10]]
    assert [a["name"] for a in found[10:]] == ["notice"]
    assert found[10]["message"].startswith("3 more file problems are not annotated: ")
    [rows] = [rows for title, rows in tables(summary.read_text(encoding="utf-8")).items() if "File problems" in title]
    assert [(row[0], row[1]) for row in rows[1:]] == broken


def test_without_a_step_summary_the_notice_names_the_command(run, varied):
    break_files(varied, range(1, 12))
    result = cli(run, "validate", "--format", "github", env={"PORTCLI_LANG": "en"})
    notice = annotations(result.stdout)[-1]
    assert notice["name"] == "notice"
    assert notice["message"] == ("1 more file problem is not annotated: GitHub shows 10 errors and 10 warnings per step; "
                                 "the full list is in the output of `portcli validate`")


def test_errors_and_warnings_have_a_limit_each(run, varied):
    """12 problems and 13 overdue: 10 of each, and one notice counting both kinds left out."""
    break_files(varied, (1, 2, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25))
    result = cli(run, "report", "--format", "github", "--as-of", AS_OF.isoformat(), env={"PORTCLI_LANG": "en"})
    assert result.exit_code == 2
    found = annotations(result.stdout)
    assert [a["name"] for a in found] == ["error"] * 10 + ["warning"] * 10 + ["notice"]
    assert found[-1]["message"].startswith("2 more file problems and 3 more overdue measures are not annotated: ")


def test_ten_of_a_kind_need_no_notice(run, varied):
    break_files(varied, range(16, 26))
    found = annotations(cli(run, "validate", "--format", "github").stdout)
    assert [a["name"] for a in found] == ["error"] * 10


def test_report_gives_its_counts_as_step_outputs(run, varied, tmp_path):
    outputs = tmp_path / "output"
    outputs.write_text("earlier=1\n", encoding="utf-8")
    result = cli(run, "report", "--as-of", AS_OF.isoformat(), env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0, result.stderr
    assert outputs.read_text(encoding="utf-8") == f"earlier=1\noverdue={len(OVERDUE_IDS)}\ndue-soon={len(DUE_SOON_IDS)}\n"
    unwritable = cli(run, "report", "--as-of", AS_OF.isoformat(), "--fail-on", "overdue",
                     env={"GITHUB_OUTPUT": str(tmp_path)})
    assert unwritable.exit_code == 1 and "cannot write the counts to $GITHUB_OUTPUT" in unwritable.stderr


# --- GitLab Code Quality ------------------------------------------------------------------------------

def schema(name: str) -> jsonschema.Draft7Validator:
    loaded = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(loaded)
    return jsonschema.Draft7Validator(loaded, format_checker=jsonschema.FormatChecker())


def code_quality(run, *args) -> list[dict]:
    result = cli(run, *args, "--format", "gitlab")
    found = json.loads(result.stdout)
    schema("codequality.schema.json").validate(found)
    return found


def test_code_quality_has_every_problem_and_overdue_measure_on_its_line(run, varied):
    broken = break_files(varied, (1, 2))
    found = code_quality(run, "report", "--as-of", AS_OF.isoformat())
    problems = [e for e in found if e["check_name"] != "overdue"]
    assert [(e["location"]["path"], str(e["location"]["lines"]["begin"]), e["severity"]) for e in problems] == [
        (f, n, "critical") for f, n in broken]
    late = [e for e in found if e["check_name"] == "overdue"]
    expected = [i for i in most_overdue_first() if i not in (1, 2)]  # all of them: no limit here
    files = measure_files(varied)
    assert [(e["location"]["path"], e["location"]["lines"]["begin"], e["severity"]) for e in late] == [
        (f"measures/{i:02d}.yaml", line_of(files[i][0], "id:"), "major") for i in expected]
    assert late[0]["description"].startswith(f"措施 {expected[0]} 逾期 {(AS_OF - due_of(expected[0])).days} 天")
    assert len({e["fingerprint"] for e in found}) == len(found)


def test_fingerprints_stay_while_days_pass_and_lines_move(run, varied):
    break_files(varied, (1,))
    before = {(e["check_name"], e["location"]["path"]): e for e in code_quality(run, "report", "--as-of", "2022-06-15")}
    for path in varied.glob("[0-9]*.yaml"):
        path.write_text("# 周例会后更新\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = {(e["check_name"], e["location"]["path"]): e for e in code_quality(run, "report", "--as-of", "2022-06-20")}
    assert before.keys() == after.keys()
    for key, entry in before.items():
        assert after[key]["fingerprint"] == entry["fingerprint"]
        assert after[key]["location"]["lines"]["begin"] == entry["location"]["lines"]["begin"] + 1
    assert after[("overdue", "measures/03.yaml")]["description"] != before[("overdue", "measures/03.yaml")]["description"]
    # validate gives a problem the fingerprint report gives it
    [problem] = code_quality(run, "validate")
    assert problem["fingerprint"] == after[(problem["check_name"], "measures/01.yaml")]["fingerprint"]


def test_the_same_text_twice_in_a_file_is_two_findings():
    """GitLab merges equal fingerprints: two findings with one text in one file must differ."""
    from portcli.render.findings import ERROR, Finding
    from portcli.render.gitlab import entries

    twice = [Finding(ERROR, "invalid-file", "measures/05.yaml", line, "same text", identity="same text")
             for line in (3, 9)]
    first, second = (e["fingerprint"] for e in entries(twice))
    assert first != second
    assert [e["fingerprint"] for e in entries(twice)] == [first, second]  # and again the same


def test_annotations_and_code_quality_say_the_same(run, varied):
    """Under GitHub's limits every finding is in both, with the same file, line, text and weight."""
    for measure_id, (path, _) in measure_files(varied).items():
        if measure_id in (4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15):
            path.unlink()
    break_files(varied, (16, 17))
    github = annotations(cli(run, "report", "--format", "github", "--as-of", AS_OF.isoformat()).stdout)
    gitlab = code_quality(run, "report", "--as-of", AS_OF.isoformat())
    level = {"critical": "error", "major": "warning"}
    assert [(a["name"], a["file"], int(a["line"]), a["message"]) for a in github] == [
        (level[e["severity"]], e["location"]["path"], e["location"]["lines"]["begin"], e["description"])
        for e in gitlab]
    assert [a["name"] for a in github] == ["error", "error", "warning", "warning", "warning"]


def test_over_the_limits_annotations_are_code_qualitys_first_ten_of_each(run, varied):
    break_files(varied, range(16, 26))
    break_files(varied, (3,))
    github = annotations(cli(run, "report", "--format", "github", "--as-of", AS_OF.isoformat()).stdout)
    gitlab = code_quality(run, "report", "--as-of", AS_OF.isoformat())
    for severity, name in (("critical", "error"), ("major", "warning")):
        assert [(a["file"], int(a["line"]), a["message"]) for a in github if a["name"] == name] == [
            (e["location"]["path"], e["location"]["lines"]["begin"], e["description"])
            for e in gitlab if e["severity"] == severity][:10]
    assert len(gitlab) == 11 + 14


def test_the_documented_gitlab_job_writes_what_its_artifacts_name(varied, tmp_path):
    """docs/gitlab-ci.yml's script, run as a job would (but with this portcli, not a pip install)."""
    job = yaml.safe_load((REPO / "docs" / "gitlab-ci.yml").read_text(encoding="utf-8"))["portcli"]
    assert {r["if"] for r in job["rules"]} >= {'$CI_PIPELINE_SOURCE == "schedule"',
                                                '$CI_PIPELINE_SOURCE == "merge_request_event"'}
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    lines = [line for line in job["script"] if not line.startswith("pip install")]
    env = {**os.environ, **job["variables"], "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    break_files(varied, (2,))
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)], cwd=varied.parent, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stderr  # the invalid file fails the job
    assert "measures/02.yaml" in done.stderr  # and the log says where
    found = json.loads((varied.parent / artifacts["reports"]["codequality"]).read_text(encoding="utf-8"))
    schema("codequality.schema.json").validate(found)
    assert [e["location"]["path"] for e in found if e["check_name"] != "overdue"] == ["measures/02.yaml"]
    for name in artifacts["paths"]:
        assert (varied.parent / name).stat().st_size > 1000, name


# --- JSON Schemas of the JSON outputs --------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    ("list.schema.json", ("list",)),
    ("list.schema.json", ("overdue",)),
    ("list.schema.json", ("export", "--format", "json")),
    ("show.schema.json", ("show", "3")),
    ("show.schema.json", ("show", "10")),
    ("report.schema.json", ("report",)),
    ("report.schema.json", ("report", "--unit", "天津海关")),
    ("validate.schema.json", ("validate",)),
])
def test_json_outputs_are_valid_for_their_schemas(run, varied, name, args):
    path = varied / "03.yaml"
    insert_before(path, "status:", "extensions:\n  - {date: 2022-05-02, from: 2022-05-20, to: 2022-06-01, by: 市商务局, "
                                   "reason: 等待系统升级}")
    insert_before(path, "status:", "progress:\n  - {date: 2022-05-20, status: in_progress, by: 天津海关, note: 对接}")
    replace_line(path, "progress: []", "")
    extra = () if args[0] in ("validate", "export") and "--format" in args else ("--format", "json")
    dated = () if args[0] == "validate" else ("--as-of", AS_OF.isoformat())
    result = cli(run, *args, *extra, *dated)
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    schema(name).validate(output)
    if name == "list.schema.json":
        assert any(m["extensions"] and m["progress"] for m in output)  # the nested entries were checked


def test_validate_json_with_problems_is_valid_for_its_schema(run, varied):
    broken = break_files(varied, (4, 9))
    result = cli(run, "validate", "--format", "json")
    output = json.loads(result.stdout)
    schema("validate.schema.json").validate(output)
    assert [(p["file"], str(p["line"])) for p in output["problems"]] == broken
    assert output["valid"] == 25 - 2


def test_the_schemas_reject_what_the_outputs_never_hold(run, varied):
    """They are strict enough to fail: a missing key, an unknown key, a wrong type."""
    shown = json.loads(cli(run, "show", "3", "--format", "json").stdout)
    for broken in ({k: v for k, v in shown.items() if k != "due"}, {**shown, "colour": "red"},
                   {**shown, "overdue": "yes"}):
        assert not schema("show.schema.json").is_valid(broken)
    assert not schema("validate.schema.json").is_valid([])


def test_the_list_schema_holds_the_show_schemas_measure():
    shown = json.loads((REPO / "schema" / "show.schema.json").read_text(encoding="utf-8"))
    listed = json.loads((REPO / "schema" / "list.schema.json").read_text(encoding="utf-8"))
    own = {"$schema", "title", "description"}
    assert listed["items"] == {k: v for k, v in shown.items() if k not in own} | {"description": listed["items"]["description"]}


def test_schema_check_says_whether_a_file_is_the_current_schema(run, tmp_path):
    committed = REPO / "schema" / "measure.schema.json"
    assert (run("schema", "--check", committed).exit_code, run("schema", "--check", committed).stdout) == (0, "")
    crlf = tmp_path / "crlf.schema.json"  # as a Windows checkout with core.autocrlf has it: still current
    crlf.write_bytes(committed.read_bytes().replace(b"\n", b"\r\n"))
    assert run("schema", "--check", crlf).exit_code == 0
    stale = tmp_path / "measure.schema.json"
    stale.write_text(committed.read_text(encoding="utf-8").replace('"minimum": 1', '"minimum": 0', 1), encoding="utf-8")
    result = run("schema", "--check", stale)
    assert result.exit_code == 1
    assert result.stderr == (f"portcli: {stale} is not the schema this portcli prints; "
                             f"update it with `portcli schema > {stale}`\n")
    missing = run("schema", "--check", tmp_path / "nope.json")
    assert missing.exit_code == 2 and missing.stderr.startswith("portcli: cannot read ")
