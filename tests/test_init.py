"""`portcli init`: a tracking repository from nothing, or from the document, and never over a file."""
from __future__ import annotations

import shlex
from pathlib import Path

import yaml

import table_documents as docs
from measure_files import SHIPPED, measure_data, plan_data

AS_OF = "2022-06-15"


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_init_writes_an_empty_plan_a_gitignore_and_a_workflow(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init")
    assert result.exit_code == 0, result.stderr
    assert files_under(tmp_path) == {"measures/_plan.yaml", ".gitignore", ".github/workflows/portcli.yml"}
    ignored = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".portcli.lock" in ignored and "*.portcli-tmp" in ignored
    plan = plan_data(tmp_path / "measures")
    assert plan["tasks"] and plan["units"]  # a plan needs both, or every unit and task would be valid
    assert run("validate").exit_code == 0
    # The example task and unit are usable as they are: a first measure can be added at once.
    new = run("new", "--task", "1", "--unit", plan["units"][0]["name"], "--deadline", "年底前", "--local", "第一项措施")
    assert new.exit_code == 0, new.stderr
    assert measure_data(tmp_path / "measures")[1]["local"] == ["第一项措施"]


def test_the_workflow_runs_portcli_commands_that_work(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init", "--from", docs.write_docx(tmp_path / "分工表.docx", [docs.shipped_table()])).exit_code == 0
    workflow = yaml.safe_load((tmp_path / ".github/workflows/portcli.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"push": None}  # `on:`, which YAML 1.1 reads as true
    steps = workflow["jobs"]["report"]["steps"]
    lines = [line for step in steps for line in step.get("run", "").splitlines()]
    assert any(line.startswith("pip install") and "git+https://" in line for line in lines)
    commands = [shlex.split(line) for line in lines if line.startswith("portcli ")]
    assert [c[1] for c in commands] == ["validate", "report"]
    for command in commands:
        args = command[1:] + ([f"--as-of={AS_OF}"] if command[1] == "report" else [])
        result = run(*args, env={"PORTCLI_LANG": "zh"})  # a runner's locale, C.UTF-8, speaks Chinese
        assert result.exit_code == 0, (args, result.stderr)
    assert "措施 14 逾期 15 天" in result.stdout  # the report ran on the imported measures


def test_init_from_a_word_document_imports_it(run, tmp_path):
    path = docs.write_docx(tmp_path / "分工表.docx", [docs.shipped_table()])
    result = run("init", tmp_path / "repo", "--from", path)
    assert result.exit_code == 0, result.stderr
    assert measure_data(tmp_path / "repo" / "measures") == measure_data(SHIPPED)
    assert (tmp_path / "repo" / ".github/workflows/portcli.yml").is_file()
    assert f"wrote {tmp_path / 'repo' / '.gitignore'}" in result.stdout


def test_init_writes_over_nothing_and_names_what_is_there(run, tmp_path):
    (tmp_path / ".gitignore").write_text("node_modules/\n", encoding="utf-8")
    (tmp_path / "measures").mkdir()
    (tmp_path / "measures" / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"portcli: {tmp_path / 'measures'}, {tmp_path / '.gitignore'} already exist; init writes "
                             "over nothing: remove or move them, or use `portcli import FILE --dir DIR` for the "
                             "measures alone\n")
    assert files_under(tmp_path) == {".gitignore", "measures/notes.txt"}
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n"


def test_init_from_a_table_with_problems_writes_nothing(run, tmp_path):
    rows, merges = docs.shipped_table()
    rows[5][5] = ""
    result = run("init", tmp_path / "repo", "--from", docs.write_docx(tmp_path / "t.docx", [(rows, merges)]))
    assert result.exit_code == 2
    assert "完成时限 is empty" in result.stderr
    assert not (tmp_path / "repo").exists() or files_under(tmp_path / "repo") == set()
