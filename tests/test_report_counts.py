"""The report's per-unit figures where several measures count the same way (SPEC §4, §4d).

A report counts each measure's units by what the measure is (status, overdue, stale, extended, due,
on time), then adds the counts up per unit (query.report, e07a51f). Here most figures are sums of
counts larger than one, from several kinds of measure: B leads three identical overdue, stale measures
and two identical ones done on time, and its done measures are counted as lead and as co-operating
unit; C leads two identical extended ones; A co-operates on B's three. So a count taken once instead of
added, a lead's count given to the co-operating figures, or a figure replaced instead of added to shows
in one folder whose every value is worked out by hand below, never asked of portcli.

As of 2022-06-15; the plan starts 2022-05-01 (so a measure with no progress was last heard of then);
stale means silent for more than 14 days; due soon, within 14 days (the shipped plan sets no lights).
Units: A 市商务局, B 天津海关, C 空港经济区管委会, D 天津滨海国际机场, E 天津港集团, G 市外办 (registry
order A B C D E F G; F 市金融工作局 has no measure and so no row).

id units  deadline → due                   status       progress            figures
 1 B, A   5月底前 05-31                     not_started  —                   overdue 15, stale (45 days)
 2 B, A   5月底前 05-31                     not_started  —                   overdue 15, stale
 3 B, A   5月底前 05-31                     not_started  —                   overdue 15, stale
 4 B      5月底前 05-31                     done         05-20 done          on time
 5 B      5月底前 05-31                     done         05-20 done          on time
 6 B, C   6月底前 06-30                     in_progress  06-10              not due
 7 C, B   5月底前, extended to 06-30         in_progress  06-05              extended, not due
 8 C, B   5月底前, extended to 06-30         in_progress  06-05              extended, not due
 9 D, A   milestone 05-31                   ongoing      05-28 ongoing      on time (05-28); stale (18 days)
10 E, G   6月20日前 06-20                   not_started  —                   due soon (5 days); stale
11 E, A   6月17日前 06-17                   in_progress  06-10              due soon (2 days)
12 A, B   5月底前 05-31                     done         06-05 done         due, late (06-05)
13 A, B   4月底前 04-30                     blocked      06-08 blocked      overdue 46
14 D      6月15日前 06-15                   done         06-15 done         due today, done that day: on time

Per unit (lead, involved, done, overdue, extended; as lead and as co-operating unit: measures, due,
on time, on-time rate, overdue, overdue share, stale):
A: 12, 13 led; 1, 2, 3, 9, 11 co → 2, 7, 1 (12), 4 (1, 2, 3, 13), 0;
   led 2, 2, 0, 0%, 1 (13), 50%, 0;  co 5, 4 (1, 2, 3, 9), 1 (9), 25%, 3, 60%, 4 (1, 2, 3, 9)
B: 1–6 led; 7, 8, 12, 13 co → 6, 10, 3 (4, 5, 12), 4 (1, 2, 3, 13), 2 (7, 8);
   led 6, 5 (1–5), 2 (4, 5), 40%, 3, 50%, 3;  co 4, 2 (12, 13), 0, 0%, 1, 25%, 0
C: 7, 8 led; 6 co → 2, 3, 0, 0, 2;  led 2, 0, 0, —, 0, 0%, 0;  co 1, 0, 0, —, 0, 0%, 0
D: 9, 14 led → 2, 2, 1 (14), 0, 0;  led 2, 2, 2, 100%, 0, 0%, 1 (9);  co nothing
E: 10, 11 led → 2, 2, 0, 0, 0;  led 2, 0, 0, —, 0, 0%, 1 (10);  co nothing
G: 10 co → 0, 1, 0, 0, 0;  led nothing;  co 1, 0, 0, —, 0, 0%, 1

Worst first (lowest on-time rate as lead, then highest overdue share, then most stale, then the same
as co-operating unit; nothing to judge last): A (0%), B (40%), D (100%), then E, C and G with no
rate: E and C share 0% overdue, G has none led (after any share); E has a stale measure, C none →
A, B, D, E, C, G.
"""
from __future__ import annotations

import json
import shutil

import pytest

from test_rank import AS_OF, NONE, A, B, C, D, E, G, figures
from week_data import SHIPPED, entry, extension, rewrite, start_plan
MILESTONE = "5月底前取得阶段性进展，持续推动"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "measures"
    target.mkdir()
    shutil.copy(SHIPPED / "_plan.yaml", target / "_plan.yaml")
    start_plan(target, "2022-05-01")
    ip = "in_progress"
    for i in (1, 2, 3):
        rewrite(target, i, units=[B, A], deadline="5月底前", status="not_started")
    for i in (4, 5):
        rewrite(target, i, units=[B], deadline="5月底前", status="done", progress=[entry("2022-05-20", "done")])
    rewrite(target, 6, units=[B, C], deadline="6月底前", status=ip, progress=[entry("2022-06-10", ip)])
    for i in (7, 8):
        rewrite(target, i, units=[C, B], deadline="5月底前", status=ip, progress=[entry("2022-06-05", ip)],
                extensions=[extension("2022-05-25", "2022-06-30")])
    rewrite(target, 9, units=[D, A], deadline=MILESTONE, status="ongoing", progress=[entry("2022-05-28", "ongoing")])
    rewrite(target, 10, units=[E, G], deadline="6月20日前", status="not_started")
    rewrite(target, 11, units=[E, A], deadline="6月17日前", status=ip, progress=[entry("2022-06-10", ip)])
    rewrite(target, 12, units=[A, B], deadline="5月底前", status="done", progress=[entry("2022-06-05", "done")])
    rewrite(target, 13, units=[A, B], deadline="4月底前", status="blocked", progress=[entry("2022-06-08", "blocked")])
    rewrite(target, 14, units=[D], deadline="6月15日前", status="done", progress=[entry(AS_OF, "done")])
    return target


# unit: (lead, involved, done, overdue, extended, as lead, as co-operating unit)
ROWS = {
    A: (2, 7, 1, 4, 0, figures(2, 2, 0, 0.0, 1, 0.5, 0), figures(5, 4, 1, 0.25, 3, 0.6, 4)),
    B: (6, 10, 3, 4, 2, figures(6, 5, 2, 0.4, 3, 0.5, 3), figures(4, 2, 0, 0.0, 1, 0.25, 0)),
    C: (2, 3, 0, 0, 2, figures(2, 0, 0, None, 0, 0.0, 0), figures(1, 0, 0, None, 0, 0.0, 0)),
    D: (2, 2, 1, 0, 0, figures(2, 2, 2, 1.0, 0, 0.0, 1), NONE),
    E: (2, 2, 0, 0, 0, figures(2, 0, 0, None, 0, 0.0, 1), NONE),
    G: (0, 1, 0, 0, 0, NONE, figures(1, 0, 0, None, 0, 0.0, 1)),
}
REGISTRY = [A, B, C, D, E, G]
RANKED = [A, B, D, E, C, G]


def report(run, folder, *args):
    result = run("report", "--dir", folder, "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rows(found) -> dict:
    return {u["unit"]: (u["lead"], u["involved"], u["done"], u["overdue"], u["extended"], u["as_lead"],
                        u["as_co_operating"]) for u in found["units"]}


def test_counts_of_alike_measures_add_up_per_unit(run, folder):
    found = report(run, folder)
    assert [u["unit"] for u in found["units"]] == REGISTRY
    assert rows(found) == ROWS
    assert found["ranked"] is False


def test_rank_orders_the_added_up_figures(run, folder):
    found = report(run, folder, "--rank")
    assert [u["unit"] for u in found["units"]] == RANKED
    assert rows(found) == ROWS
    assert found["ranked"] is True


def test_the_plans_lists_from_the_same_pass(run, folder):
    found = report(run, folder)
    assert found["total"] == 14
    assert found["by_status"] == {"not_started": 4, "in_progress": 4, "blocked": 1, "ongoing": 1, "done": 4}
    assert found["completion_rate"] == 0.2857  # 4 of 14
    # most overdue first, then by id; due soonest first, whatever the ids' order
    assert found["overdue"] == [13, 1, 2, 3]
    assert found["overdue_measures"] == [
        {"id": 13, "lead": A, "due": "2022-04-30", "days_overdue": 46},
        *({"id": i, "lead": B, "due": "2022-05-31", "days_overdue": 15} for i in (1, 2, 3))]
    assert found["due_soon"] == [11, 10]
    assert found["extended"] == [7, 8]
    assert found["stale"] == [1, 2, 3, 9, 10]


def test_stale_by_unit_keeps_the_registry_order_when_ranked(run, folder):
    expected = [{"unit": A, "lead": [], "co_operating": [1, 2, 3, 9]},
                {"unit": B, "lead": [1, 2, 3], "co_operating": []},
                {"unit": D, "lead": [9], "co_operating": []},
                {"unit": E, "lead": [10], "co_operating": []},
                {"unit": G, "lead": [], "co_operating": [10]}]
    assert report(run, folder)["stale_by_unit"] == expected
    assert report(run, folder, "--rank")["stale_by_unit"] == expected


def test_one_units_report_counts_only_its_measures_and_shows_only_its_row(run, folder):
    found = report(run, folder, "--unit", B)
    assert found["unit"] == B
    assert found["total"] == 10  # 1–8, 12 and 13
    assert found["by_status"] == {"not_started": 3, "in_progress": 3, "blocked": 1, "ongoing": 0, "done": 3}
    assert rows(found) == {B: ROWS[B]}
    assert found["overdue"] == [13, 1, 2, 3]
    assert found["due_soon"] == []
    assert found["extended"] == [7, 8]
    assert found["stale"] == [1, 2, 3]
    assert found["stale_by_unit"] == [{"unit": B, "lead": [1, 2, 3], "co_operating": []}]


def test_a_plan_with_no_registry_lists_units_as_first_met(run, tmp_path):
    """A plan without `units:` is broken (its problem is said, exit 2), but the report is still made:
    with no registry to order them, the units come in the order the measures (in id order) first
    name them: 乙局 (lead of 1), 甲局 (co-operating on 1), 丙局 (lead of 3)."""
    target = tmp_path / "measures"
    target.mkdir()
    plan = (SHIPPED / "_plan.yaml").read_text(encoding="utf-8")
    (target / "_plan.yaml").write_text(plan[:plan.index("\nunits:")] + "\nstart: 2022-05-01\n", encoding="utf-8")
    rewrite(target, 1, units=["乙局", "甲局"], deadline="5月底前", status="not_started")
    rewrite(target, 2, units=["甲局"], deadline="5月底前", status="not_started")
    rewrite(target, 3, units=["丙局", "乙局"], deadline="5月底前", status="done", progress=[entry("2022-05-20", "done")])
    result = run("report", "--dir", target, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 2 and "units" in result.stderr
    found = json.loads(result.stdout)
    assert [u["unit"] for u in found["units"]] == ["乙局", "甲局", "丙局"]
    # (lead, involved, done, overdue): 乙局 leads 1 and co-operates on 3; 甲局 leads 2, co-operates on 1
    assert [(u["lead"], u["involved"], u["done"], u["overdue"]) for u in found["units"]] == [
        (1, 2, 1, 1), (1, 2, 0, 2), (1, 1, 1, 0)]


def test_stale_days_reach_the_units_figures(run, folder):
    # --stale 20: measure 9, silent for 18 days, is no longer stale; 1, 2, 3 and 10 (45 days) still are
    found = report(run, folder, "--stale", "20")
    assert found["stale_days"] == 20
    assert found["stale"] == [1, 2, 3, 10]
    stale = {u["unit"]: (u["as_lead"]["stale"], u["as_co_operating"]["stale"]) for u in found["units"]}
    assert stale == {A: (0, 3), B: (3, 0), C: (0, 0), D: (0, 0), E: (1, 0), G: (0, 1)}
    assert found["stale_by_unit"] == [{"unit": A, "lead": [], "co_operating": [1, 2, 3]},
                                      {"unit": B, "lead": [1, 2, 3], "co_operating": []},
                                      {"unit": E, "lead": [10], "co_operating": []},
                                      {"unit": G, "lead": [], "co_operating": [10]}]
