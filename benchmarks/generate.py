"""Write N valid measure files that look like a national roll-out of the Tianjin plan.

    python benchmarks/generate.py 10000 benchmarks/data/m10000
    python benchmarks/generate.py 100 benchmarks/data/p100x100 --plans 100   # 100 plans × 100 measures

Each file has the shipped files' shape (a comment line, keys in SPEC order, units as a flow list,
progress entries as flow mappings), the plan's registered units, the document's deadline phrases,
and a progress log for the measures that have started. The output folder gets a copy of the shipped
_plan.yaml, so `portcli --dir FOLDER` reads it as it reads measures/. The same N and seed always
give the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "measures"

# Port cities of a national roll-out: every generated measure is one city's version of a shipped one.
CITIES = ("天津", "大连", "营口", "秦皇岛", "唐山", "青岛", "烟台", "日照", "连云港", "南通", "上海",
          "宁波", "舟山", "温州", "福州", "厦门", "汕头", "广州", "深圳", "珠海", "湛江", "北海",
          "钦州", "防城港", "海口", "洋浦", "重庆", "成都", "武汉", "郑州", "西安", "乌鲁木齐")

# The document's own phrases first (as often as it uses them), then other forms SPEC §3 accepts.
DEADLINES = (
    ("5月底前", 13), ("5月底前取得阶段性进展，持续推动", 7), ("按照海关总署统一部署推动实施", 4),
    ("按照交通运输部等国家部委统一部署推动实施", 1), ("6月30日前", 2), ("年底前", 2), ("三季度末", 2),
    ("上半年", 1), ("持续推动", 1), ("2022年9月30日前", 1),
)

NOTES = (
    "完成系统对接测试", "已召开专题协调会，明确分工", "完成需求调研，形成工作方案", "试点企业已上线运行",
    "等待海关总署统一部署", "已印发实施细则", "完成首批业务办理", "系统改造进度滞后，正在协调",
    "组织企业培训 3 场，覆盖 120 家企业", "已与机场、港口完成数据联调", "形成阶段性总结报告",
    "因疫情防控影响，现场验收推迟", "已纳入“单一窗口”地方特色应用", "收费目录清单已公示",
)
REASONS = ("等待机场系统升级", "疫情防控影响现场施工", "需海关总署批复", "配套资金尚未到位")
PROGRESS_STATUSES = ("in_progress", "in_progress", "blocked", "ongoing", "done")


def load_corpus() -> tuple[list[dict], dict]:
    measures = [yaml.safe_load(p.read_text(encoding="utf-8"))
                for p in sorted(SHIPPED.glob("*.yaml")) if not p.name.startswith("_")]
    plan = yaml.safe_load((SHIPPED / "_plan.yaml").read_text(encoding="utf-8"))
    return measures, plan


def localise(text: str, city: str) -> str:
    """The shipped text as another port city would write it."""
    return text.replace("天津", city) if city != "天津" else text


def flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def measure_text(rng: random.Random, n: int, corpus: list[dict], plan: dict) -> str:
    base = corpus[rng.randrange(len(corpus))]
    city = rng.choice(CITIES)
    registered = [u["name"] for u in plan["units"]]
    units = list(dict.fromkeys([*base["units"][:1], *rng.sample(registered, rng.randint(0, 3))]))
    phrase = rng.choices([p for p, _ in DEADLINES], weights=[w for _, w in DEADLINES])[0]
    lines = [f"# 措施 {n} · {city}口岸 · 重点任务{plan['tasks'][base['task'] - 1]['numeral']}",
             f"id: {n}", f"task: {base['task']}",
             f"national: {base['national'] if base['national'] else 'null'}", "local:"]
    # Each city words its own local measures: no two files share a local text (the national one,
    # deployed by 海关总署 in every port city, is the same everywhere, as in a real roll-out).
    lines += [f"  - {localise(item, city)}（{city}第{n}号之{k}）" for k, item in enumerate(base["local"], 1)]
    lines.append(f"units: {flow(units)}")
    lines.append(f"units_note: {base['units_note'] or 'null'}")
    lines.append(f"deadline: {phrase}")
    if "统一部署" in phrase and rng.random() < 0.5:  # the national schedule was announced later
        lines.append(f"due: {date(2022, rng.randint(6, 12), 1) - timedelta(days=1)}")

    entries, status, day = [], "not_started", date(2022, 3, 1) + timedelta(days=rng.randrange(60))
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        status = rng.choice(PROGRESS_STATUSES)
        entries.append(f"  - {{date: {day}, status: {status}, by: {rng.choice(units)}, note: {rng.choice(NOTES)}}}")
        day += timedelta(days=rng.randint(3, 30))
    lines.append(f"status: {status}")
    lines += ["progress:", *entries] if entries else ["progress: []"]
    if status not in ("done", "not_started") and "月" in phrase and rng.random() < 0.1:
        start = date(2022, 5, 31)
        to = start + timedelta(days=rng.choice((30, 61, 92)))
        lines += ["extensions:",
                  f"  - {{date: {start - timedelta(days=5)}, from: {start}, to: {to}, "
                  f"by: {units[0]}, reason: {rng.choice(REASONS)}}}"]
    return "\n".join(lines) + "\n"


def generate(n: int, folder: Path, seed: int = 0) -> Path:
    """Write measures 1..n and a copy of the plan into `folder` (emptied first); return `folder`."""
    corpus, plan = load_corpus()
    rng = random.Random(f"{seed}:{n}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy2(SHIPPED / "_plan.yaml", folder / "_plan.yaml")
    width = max(2, len(str(n)))
    for i in range(1, n + 1):
        (folder / f"{i:0{width}d}.yaml").write_text(measure_text(rng, i, corpus, plan), encoding="utf-8")
    return folder


def plan_name(k: int) -> str:
    """The k-th generated plan's folder name: a year and a port city, as a real repository names them."""
    return f"{2022 + (k - 1) // len(CITIES)}-{CITIES[(k - 1) % len(CITIES)]}{k:03d}"


def generate_plans(plans: int, n: int, folder: Path, seed: int = 0) -> Path:
    """A measures folder of `plans` plan folders, each with its _plan.yaml and measures 1..n (so every id
    is in every plan, as in a real repository of several years' plans); return `folder`."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for k in range(1, plans + 1):
        generate(n, folder / plan_name(k), seed=seed * 100_003 + k)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="how many measures")
    parser.add_argument("folder", type=Path, help="where to write them (emptied first)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plans", type=int, default=0, metavar="P",
                        help="write P plan folders of n measures each instead of one plan")
    args = parser.parse_args(argv)
    if args.n < 1 or args.plans < 0:
        parser.error("n must be at least 1, and P not negative")
    if args.plans:
        generate_plans(args.plans, args.n, args.folder, args.seed)
        print(f"{args.plans} plans × {args.n} measures in {args.folder}")
        return 0
    generate(args.n, args.folder, args.seed)
    print(f"{args.n} measures in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
