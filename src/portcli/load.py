"""Loading a measures folder: the plan, every valid measure sorted by id, and every problem.

Loading never raises for bad input: it returns what is valid together with every problem found,
each a value naming its file and line (as beancount's loader does). The cache, when on, only
saves reading files that have not changed; what it gives equals what reading them gives.
"""
from __future__ import annotations

import os

from . import cache, no_cyclic_collection
from .files import PLAN_FILE, join, measure_names, read_text, spelled
from .model import FIRST_YEAR, LAST_YEAR, Measure, Plan
from .plans import Plans
from .i18n import Message
from .problem import Problem
from .values import Value, attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


class Loaded(Value):
    """What loading a measures folder gave: the plan, the valid measures, the problems."""

    def __init__(self, plan: Plan | None, measures: list[Measure] | None = None, problems: list[Problem] | None = None,
                 directory: str = "measures", duplicates: dict[int, list[str]] | None = None,
                 plans: Plans | None = None) -> None:
        self.plan = plan
        self.measures = [] if measures is None else measures
        self.problems = [] if problems is None else problems
        self.directory = directory  # as files.spelled spells it
        self.duplicates = {} if duplicates is None else duplicates  # an id in several files: the files
        # A folder of several plans: each plan by its folder's name (None when its _plan.yaml is broken);
        # empty for a one-plan folder, whose plan is `plan`.
        self.plans = Plans() if plans is None else plans

    @property
    def several(self) -> bool:
        return bool(self.plans)

    def and_plans(self, plans: Plans, problems: list[Problem]) -> Loaded:
        """This tree's measures, with the `plans` that follow its own and their `problems` (what another
        process loaded of the same tree): its plans and problems as one process loading them all has them."""
        return Loaded(None, self.measures, self.problems + problems, self.directory, plans=Plans({**self.plans, **plans}))


# The reading and checking modules (yamlread, check, deadline, and pathlib for the readers) are
# imported by the functions that read a file: a run that takes every file from the cache reads
# none, and skips their ~8 ms of imports.

def read_document(path: Path) -> tuple[Any, str | None, Problem | None]:
    """The file's YAML document and text, or the problem that stops it being read."""
    from .yamlread import read_yaml

    text, problem = read_text(path)
    if problem:
        return None, None, problem
    data, problem = read_yaml(path, text)
    return data, text, problem


def load_plan(directory: str) -> tuple[Plan | None, list[Problem]]:
    from pathlib import Path

    path = Path(directory, PLAN_FILE)
    if not path.exists() and not path.is_symlink():  # a broken link is reported by read_text
        inner = Path(directory, "measures")
        hint = (Message("; is the measures folder {folder}? (--dir {folder})", folder=str(inner))
                if (inner / PLAN_FILE).is_file() else Message.verbatim(""))
        return None, [Problem(str(path), None, "missing-plan", Message("missing: every measures folder needs a {plan}{hint}",
                                                       plan=PLAN_FILE, hint=hint))]
    data, text, problem = read_document(path)
    if problem:
        return None, [problem]
    from .check import build_plan

    return build_plan(data, str(path), text)


def load_measure_file(file: str | Path, plan: Plan | None, plan_name: str | None = None) -> tuple[Measure | None, list[Problem]]:
    from pathlib import Path

    path = Path(file)
    if path.suffix != ".yaml":
        return None, [Problem(str(path), 1, "misnamed-file", Message("not read: measure files end in .yaml; rename it to {name}",
                                                    name=path.with_suffix(".yaml").name))]
    data, text, problem = read_document(path)
    if problem:
        return None, [problem]
    from .check import build_measure

    return build_measure(data, plan, str(path), text, plan_name)


def load(directory: str | Path, plan_name: str | None = None, code: tuple | None = None) -> Loaded:
    """Every valid measure in `directory`, sorted by id, and every problem found on the way.
    `plan_name` names the folder's plan among several; `code` is cache.code_stamp(), when the
    caller loads many folders in one run and has it already."""
    with no_cyclic_collection():
        return _load(spelled(directory), plan_name, code)


def _load(directory: str, plan_name: str | None, code: tuple | None, names: list[str] | None = None) -> Loaded:
    plan, seen = cache.cached_plan(directory, code)
    problems: list[Problem] = []
    if plan is None:
        plan, problems = load_plan(directory)
    if names is None:
        names = measure_names(directory)
    if plan is None:  # nothing to key a cache on: the plan is what every file is checked against
        context = _year_of_broken_plan(directory)
        results = [load_measure_file(join(directory, name), context, plan_name) for name in names]
    else:
        check = load_measure_file if plan_name is None else (
            lambda path, plan: load_measure_file(path, plan, plan_name))
        results = cache.check_files(directory, plan, names, check, plan_name=plan_name, code=code, plan_seen=seen)
    in_file_order: list[Measure] = []
    for measure, found in results:
        if found:
            problems.extend(found)
        if measure is not None:
            in_file_order.append(measure)
    measures = sorted(in_file_order, key=_by_id)
    shared = {a.id for a, b in zip(measures, measures[1:]) if a.id == b.id}
    if shared:
        # Neither file is the measure until one of them changes its id: which one is right is
        # for a person to say, and taking the first by name would be a silent guess.
        groups: dict[int, list[Measure]] = {}
        for m in in_file_order:
            if m.id in shared:
                groups.setdefault(m.id, []).append(m)
        for group in groups.values():  # in the order of the files, as every other problem
            same = [(m, id_line(m.file)) for m in group]
            for m, line in same:
                # Three names at most: 10,000 copies of a file must not make 10,000 lines of 10,000 names.
                named = ", ".join([f"{o.file}:{at}" for o, at in same[:4] if o is not m][:3])
                rest = len(same) - 1 - min(3, len(same) - 1)
                if len(same) == 2:
                    message = Message("duplicate id {id}: {other} has it too; give one of them another id",
                                      id=m.id, other=named)
                else:
                    message = Message.counted(
                        "duplicate id {id}: {others} and {count} other file have it too; give all but one of them "
                        "another id",
                        "duplicate id {id}: {others} and {count} other files have it too; give all but one of them "
                        "another id", rest, id=m.id, others=named) if rest else Message(
                        "duplicate id {id}: {others} have it too; give all but one of them another id",
                        id=m.id, others=named)
                problems.append(Problem(m.file, line, "duplicate-id", message))
        measures = [m for m in measures if m.id not in shared]
        return Loaded(plan, measures, problems, directory,
                      {measure_id: [m.file for m in group] for measure_id, group in groups.items()})
    return Loaded(plan, measures, problems, directory)


_by_id = attrgetter("id")


def _year_of_broken_plan(directory: str) -> Plan | None:
    """A plan with only the year a broken _plan.yaml still states, or None.

    Measures are read against it so that their phrases' due dates fall in the plan's year,
    not in today's; its empty units and tasks leave those unchecked (the plan's own problem
    is the one message about them).
    """
    from pathlib import Path

    from .check import is_int

    path = Path(directory, PLAN_FILE)
    data = read_document(path)[0] if path.is_file() else None
    year = data.get("year") if isinstance(data, dict) else None
    return Plan("", year) if is_int(year) and FIRST_YEAR <= year <= LAST_YEAR else None


def id_line(file: str) -> int:
    from pathlib import Path

    from .yamlread import compose, line_of

    text, _ = read_text(Path(file))
    return line_of(compose(text or ""), ("id",))



def plan_folders(directory: str | Path) -> list[str]:
    """The names of `directory`'s plan folders (each holding a _plan.yaml), sorted; none when the
    folder is itself one plan (it has a _plan.yaml)."""
    if os.path.lexists(os.path.join(directory, PLAN_FILE)):
        return []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    # measures/ itself is no plan folder: --dir pointed at the repository holding it is a mistake, told as one
    return [name for name in names if not name.startswith((".", "_")) and name != "measures"
            and os.path.isfile(os.path.join(directory, name, PLAN_FILE))]


class UnknownPlan(ValueError):
    pass


def load_tree(directory: str | Path, plans: list[str] | None = None, listed: dict[str, list[str]] | None = None,
              kept: bool = False) -> Loaded:
    """A measures folder of one plan (as `load` gives it) or of several plan folders: every plan's
    measures, by plan and then by id, each knowing its plan, and every plan's problems. `plans`
    narrows to those plan folders; a name the folder lacks raises UnknownPlan. `listed`: plan folders'
    measure_names, when the caller has them already. `kept`: as load_plans'."""
    with no_cyclic_collection(kept):
        directory = spelled(directory)
        names = chosen_plans(directory, plans)
        if names is None:
            return load(directory)
        return _load_plans(directory, names, not plans, listed)


def chosen_plans(directory: str, plans: list[str] | None = None) -> list[str] | None:
    """The plan folders load_tree reads: all of them, or those `plans` names (UnknownPlan for a name the
    folder lacks); None when the folder is itself one plan."""
    names = plan_folders(directory)
    if not names:
        if plans:
            raise UnknownPlan(Message("--plan: {folder} holds one plan, not several plan folders",
                                      folder=str(directory)))
        return None
    for name in plans or ():
        if name not in names:
            raise UnknownPlan(Message("no plan {name} in {folder}: its plans are {names}", name=name,
                                      folder=str(directory), names=", ".join(names)))
    return [n for n in names if n in plans] if plans else names


def load_plans(directory: str, names: list[str], strays: bool = False,
               listed: dict[str, list[str]] | None = None, kept: bool = False) -> Loaded:
    """The plan folders `names` of the tree `directory` (as chosen_plans gives them), as load_tree gives
    them; with `strays`, and the files that belong to no plan. `listed`: each plan folder's
    measure_names, when the caller has them already. `kept`: the measures live until the process
    ends (a command's, or a forked child's): they are left out of the cyclic collector's walks from
    now on (no_cyclic_collection)."""
    with no_cyclic_collection(kept):
        return _load_plans(spelled(directory), names, strays, listed)


def _load_plans(directory: str, names: list[str], strays: bool, listed: dict[str, list[str]] | None = None) -> Loaded:
    tree = Loaded(None, [], _strays(directory) if strays else [], directory, plans=Plans())
    code = cache.code_stamp()  # the same for every plan folder: worked out once, not once a folder
    for name in names:  # already spelled, and collection already off: load's two jobs are done
        one = _load(join(directory, name), name, code, listed and listed.get(name))  # a folder new since: listed now
        tree.plans[name] = one.plan
        tree.measures.extend(one.measures)
        tree.problems.extend(one.problems)
    return tree


def _strays(directory: str) -> list[Problem]:
    """Measure files beside the plan folders, and folders of measure files without a plan: neither has a
    plan to be checked against, and both are easily forgotten."""
    found = [Problem(join(directory, name), 1, "outside-plan",
                     Message("not read: in a folder of several plans every measure file belongs in a plan folder; "
                             "move it into one"))
             for name in measure_names(directory)]
    for name in sorted(os.listdir(directory)):
        folder = join(directory, name)
        if not name.startswith((".", "_")) and os.path.isdir(folder) and not os.path.exists(os.path.join(folder, PLAN_FILE)) \
                and measure_names(folder):
            found += load_plan(folder)[1]  # its measures are not read: the plan they belong to is missing
    return found
