"""What a folder of several plans holds beside its plan folders (load._strays, on str folders since
issue 16): every stray measure file and every folder of measures without a plan is a problem with
its code, hidden and `_` folders are not looked into, and it does not matter where portcli runs."""
from __future__ import annotations

import json

from test_plans import MEASURES, OLD, tree  # noqa: F401  (the fixture: ./measures with two plan folders)


def _problems(result) -> list[tuple[str, str]]:
    return [(p["file"], p["code"]) for p in json.loads(result.stdout)["problems"]]


def test_every_stray_file_and_planless_folder_is_told_with_its_code(run, tree, monkeypatch):  # noqa: F811
    text = MEASURES[(OLD, 2)]
    for place in ("7.yaml", "drafts/3.yaml", "archive/4.yaml", ".hidden/5.yaml", "_old/6.yaml"):
        (tree / place).parent.mkdir(exist_ok=True)
        (tree / place).write_text(text, encoding="utf-8")
    expected = [("measures/7.yaml", "outside-plan"),
                ("measures/archive/_plan.yaml", "missing-plan"), ("measures/drafts/_plan.yaml", "missing-plan")]
    result = run("validate", "--format", "json")
    assert result.exit_code == 2
    assert _problems(result) == expected
    assert json.loads(result.stdout)["valid"] == 4  # the two plans' own four measures
    # from inside a plan folder (a _plan.yaml in the current folder), the same problems, spelled from there
    monkeypatch.chdir(tree / OLD)
    result = run("validate", "--format", "json", "--dir", "..")
    assert _problems(result) == [(file.replace("measures/", "../"), code) for file, code in expected]


def test_hidden_and_underscore_folders_are_no_plans(run, tree):  # noqa: F811
    """A plan folder copied to .backup or _old is not a third plan."""
    for hidden in (".backup", "_old"):
        (tree / hidden).mkdir()
        (tree / hidden / "_plan.yaml").write_text((tree / OLD / "_plan.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
        (tree / hidden / "9.yaml").write_text(MEASURES[(OLD, 2)], encoding="utf-8")
    result = run("list", "--format", "json", "--as-of", "2023-06-20")
    assert result.exit_code == 0, result.stderr
    assert sorted((m["plan"], m["id"]) for m in json.loads(result.stdout)) == \
        [("2022-跨境贸易", 1), ("2022-跨境贸易", 2), ("2023-跨境贸易", 1), ("2023-跨境贸易", 5)]


def test_a_folder_holding_measures_is_the_repository_not_a_folder_of_plans(run, measures_dir):
    """--dir pointed at the repository (measures/, one plan, inside it): told, with the folder to pass."""
    repo = measures_dir.parent
    result = run("list", "--format", "json", "--dir", repo)
    assert result.exit_code == 2 and json.loads(result.stdout) == []
    assert result.stderr == f"{repo}/_plan.yaml: missing: every measures folder needs a _plan.yaml; is the " \
                            f"measures folder {repo}/measures? (--dir {repo}/measures)\n"
