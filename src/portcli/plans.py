"""Several plans side by side: how a measure is named when ids could clash, and the plan it belongs to.

A measures folder holds one plan (its `_plan.yaml` and measure files) or several plan folders, each
with its own `_plan.yaml`; a plan is named by its folder. A measure of a plan folder knows its
plan's name (`Measure.plan`, set by `load.load_tree`); a measure of a one-plan folder has none, and
is named by its id alone, as it always was.
"""
from __future__ import annotations


from .i18n import _
from .model import MAX_ID, Measure, Plan, Unit
from .values import replace

SEPARATOR = ":"


class Plans(dict):
    """Plan name → Plan (None when its _plan.yaml is broken): what renderers are given in place of
    one Plan when the measures come from several plans."""

    @property
    def title(self) -> str:
        return _("All plans")

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every plan's units merged by short name: the first plan to register a name gives its
        full and English names, and the aliases of all are kept."""
        merged: dict[str, Unit] = {}
        for plan in self.values():
            for unit in plan.units if plan else ():
                seen = merged.get(unit.name)
                merged[unit.name] = unit if seen is None else replace(
                    seen, aliases=tuple(dict.fromkeys((*seen.aliases, *unit.aliases))))
        return tuple(merged.values())

    def having(self, unit: str) -> list[str]:
        """The names of the plans that register the unit of this short name."""
        return [name for name, plan in self.items() if plan and any(u.name == unit for u in plan.units)]

    @property
    def tasks(self) -> dict:
        # Key task numbers mean nothing across plans: what a renderer looks up per task finds nothing.
        return {}


def plan_of(plan: Plan | Plans | None, m: Measure) -> Plan | None:
    """The plan `m` belongs to, given the one plan or the several plans a renderer was handed."""
    return plan.get(m.plan) if isinstance(plan, Plans) else plan


def label(m: Measure) -> str:
    """How a measure is named to people: PLAN:ID in a folder of several plans, else its id."""
    return f"{m.plan}{SEPARATOR}{m.id}" if m.plan is not None else str(m.id)


def key(m: Measure) -> int | str:
    """How a measure is named in JSON lists of ids: its id (a number) in a one-plan folder, else PLAN:ID."""
    return label(m) if m.plan is not None else m.id


class BadReference(ValueError):
    pass


def parse_reference(text: str) -> tuple[str | None, int]:
    """`13` → (None, 13); `2022-跨境贸易:13` → ("2022-跨境贸易", 13). The plan's name may itself hold a
    colon: the id is what follows the last one."""
    plan, colon, number = text.rpartition(SEPARATOR)
    number = number.strip()
    if not number.isdigit() or (colon and not plan):
        raise BadReference(_("{value} is not a measure: give its id (13) or PLAN:ID (2022-plan:13)").format(
            value=text))
    value = int(number)
    if not 1 <= value <= MAX_ID:
        raise BadReference(_("{value} is not an id: ids are 1 to {largest}").format(value=number, largest=MAX_ID))
    return (plan if colon else None), value
