"""Synthetic scale data for the benchmark and the load test. Every row it makes is marked
【合成データ】 (strategies, municipalities, departments, users) and every synthetic strategy has a
code `synthetic-NNN`: nothing here can be mistaken for Nemuro City's data.

    python scripts/synthetic.py --database-url postgres://…/nemuro_bench_small nemuro
    python scripts/synthetic.py --database-url postgres://…/nemuro_bench_large nemuro --strategies 99 --users 300
    python scripts/synthetic.py --database-url postgres://…/nemuro_bench_import import --rows 5000

`nemuro` loads the real strategy (fixtures/nemuro2) and gives it synthetic departments and actuals
for its own four fiscal years FY2021–FY2024 (the document names no 担当課 and no actual), plus
the benchmark's accounts. `--strategies N` adds N copies of the strategy's tree (goals, policies,
measures, indicators, targets, projects, listings, key projects, population figures) as other
municipalities' strategies over a ten-year period FY2015–FY2024, each with ten fiscal years of
actuals and their audit trail (history rows, workflow events), year locks and council opinions.
`import` adds one strategy whose 5,000 KPIs all belong to one department, for the Excel import
benchmark. Rows are written with bulk_create (the data for 100 strategies takes about 30 s)
and the random numbers come from a fixed seed: two runs make the same data.

The database must be migrated first (scripts/bench.py does it)."""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "【合成データ】"
SYNTHETIC_FIRST_YEAR, SYNTHETIC_LAST_YEAR = 2015, 2024
BENCH_PASSWORD_HASH = "!"  # unusable password: the benchmark logs in by creating a session

# The benchmark's accounts (username, role); scripts/bench.py and loadtest.py log in as them.
BENCH_USERS = [
    ("bench-council", "有識者"),
    ("bench-clerk", "入力担当"),
    ("bench-secretariat", "事務局"),
    ("bench-admin", "管理者"),
]
NEMURO_DEPARTMENTS = [
    "水産振興課",
    "商工観光課",
    "農林課",
    "子育て支援課",
    "健康づくり課",
    "教育総務課",
    "総合政策課",
    "都市整備課",
]
SYNTHETIC_DEPARTMENTS = ["企画課", "産業振興課", "子育て支援課", "教育委員会", "まちづくり課"]


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nemuro_strategy.settings")
    os.environ.setdefault("SECRET_KEY", "synthetic-data-generator-not-a-secret")
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- helpers ---------------------------------------------------------------------------------


def _copy(obj, **changes):
    """An unsaved copy of a model instance with its concrete field values (pk left out)."""
    model = type(obj)
    values = {
        f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return model(**values)


def _bulk(model, objs, batch=2000):
    return model.objects.bulk_create(objs, batch_size=batch)


def _quantize(value, decimals):
    return value.quantize(Decimal(1).scaleb(-decimals)) if decimals else value.quantize(Decimal(1))


def _value_for(indicator, target, baseline, year, first, last, rng):
    """A plausible actual: on a noisy path from the baseline to the target."""
    base = baseline if baseline is not None else target * Decimal("0.8")
    share = Decimal(year - first + 1) / Decimal(max(last - first + 1, 1))
    noise = Decimal(rng.randint(60, 125)) / 100
    value = base + (target - base) * share * noise
    if indicator.aggregation == "cumulative":
        value = abs(target) / Decimal(max(last - first + 1, 1)) * noise
    if indicator.unit == "%":
        value = min(max(value, Decimal(0)), Decimal(100))
    if value < 0:
        value = Decimal(0)
    return _quantize(value, indicator.decimals)


def _status_for(year, last):
    if year <= last - 2:
        return "confirmed"
    if year == last - 1:
        return "submitted"
    return "draft"


# --- users and accounts ----------------------------------------------------------------------


def ensure_bench_users(department):
    """bench-council / bench-clerk (member of `department`) / bench-secretariat / bench-admin."""
    from django.contrib.auth.models import Group, User

    users = {}
    for username, role in BENCH_USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": f"{MARK}{role}（ベンチマーク）",
                "password": BENCH_PASSWORD_HASH,
            },
        )
        user.is_staff = user.is_superuser = role == "管理者"
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users[role] = user
    department.members.add(users["入力担当"])
    return users


def make_users(count, departments, rng):
    """`count` synthetic accounts: 2/3 clerks (each in one synthetic department), then the
    secretariat, council members and administrators."""
    from django.contrib.auth.models import Group, User

    from kpis.models import Department

    groups = {g.name: g for g in Group.objects.all()}
    plan = (
        ["入力担当"] * (count * 2 // 3)
        + ["事務局"] * (count // 6)
        + ["有識者"] * (count // 8)
        + ["管理者"] * count
    )[:count]
    users = _bulk(
        User,
        [
            User(
                username=f"synthetic-user-{i:03d}",
                last_name=f"{MARK}{role}{i:03d}",
                password=BENCH_PASSWORD_HASH,
                is_staff=role == "管理者",
            )
            for i, role in enumerate(plan, start=1)
        ],
    )
    through = User.groups.through
    _bulk(
        through,
        [through(user_id=u.pk, group_id=groups[r].pk) for u, r in zip(users, plan, strict=True)],
    )
    members = Department.members.through
    clerks = [u for u, r in zip(users, plan, strict=True) if r == "入力担当"]
    _bulk(
        members,
        [
            members(department_id=departments[i % len(departments)].pk, user_id=u.pk)
            for i, u in enumerate(clerks)
        ],
    )
    return users


# --- the real strategy with synthetic actuals -----------------------------------------------


def nemuro(rng, actors):
    """Load Nemuro's strategy, give its indicators synthetic departments and actuals (FY2021–2024)."""
    from front.loading import load_strategy
    from kpis.models import Department, Indicator, Strategy

    load_strategy()
    strategy = Strategy.objects.get(code="nemuro-2")
    departments = [
        Department.objects.get_or_create(name=f"{MARK}根室市 {name}")[0]
        for name in NEMURO_DEPARTMENTS
    ]
    indicators = list(Indicator.objects.for_strategy(strategy).order_by("pk"))
    for i, ind in enumerate(indicators):
        ind.department = departments[i % len(departments)]
    Indicator.objects.bulk_update(indicators, ["department"])
    users = ensure_bench_users(departments[0])
    actors = [users["入力担当"], users["事務局"]] + list(actors)
    add_actuals(strategy, indicators, rng, actors, years=strategy.fiscal_years)
    add_opinions(strategy, rng, users["有識者"], users["事務局"])
    return strategy, departments, users


def add_actuals(strategy, indicators, rng, actors, *, years, missing_last_year=0.3):
    """Actuals with the audit trail a real year leaves: history rows (created as a draft, then
    submitted, then confirmed) and workflow events; the years before the last two are locked."""
    from django.utils import timezone

    from kpis.models import Actual, WorkflowEvent, YearReview

    History = Actual.history.model
    first, last = years[0], years[-1]
    clerk, secretariat = actors[0], actors[1]
    start = timezone.now() - timedelta(days=365 * (last - first + 2))
    actuals, trail = [], []
    for ind in indicators:
        for year in years:
            if year == last and rng.random() < missing_last_year:
                continue
            status = _status_for(year, last)
            not_measurable = rng.random() < 0.03
            value = (
                None
                if not_measurable
                else _value_for(ind, ind.target_value, ind.baseline_value, year, first, last, rng)
            )
            steps = {"draft": 1, "submitted": 2, "confirmed": 3}[status]
            when = start + timedelta(days=365 * (year - first + 1), minutes=rng.randint(0, 9999))
            a = Actual(
                indicator_id=ind.pk,
                fiscal_year=year,
                value=value,
                not_measurable=not_measurable,
                not_measurable_reason=f"{MARK}統計の公表が遅れたため" if not_measurable else "",
                data_source=f"{MARK}業務統計",
                note=f"{MARK}{year}年度の要因分析（自動生成）。" * rng.randint(1, 3),
                status=status,
                version=steps,
                updated_by_id=clerk.pk,
                submitted_by_id=clerk.pk if steps >= 2 else None,
                submitted_at=when + timedelta(days=1) if steps >= 2 else None,
                confirmed_by_id=secretariat.pk if steps == 3 else None,
                confirmed_at=when + timedelta(days=2) if steps == 3 else None,
            )
            actuals.append(a)
            trail.append((a, steps, when))
    _bulk(Actual, actuals)
    history, events = [], []
    for a, steps, when in trail:
        for step in range(1, steps + 1):
            st = ["draft", "submitted", "confirmed"][step - 1]
            h = History(
                **{
                    f.attname: getattr(a, f.attname)
                    for f in Actual._meta.concrete_fields
                    if f.attname not in ("status", "version")
                },
                status=st,
                version=step,
                history_date=when + timedelta(days=step - 1),
                history_type="+" if step == 1 else "~",
                history_change_reason=["下書き保存", "提出", "確認"][step - 1],
                history_user_id=(secretariat if step == 3 else clerk).pk,
            )
            if step < 3:
                h.confirmed_by_id = h.confirmed_at = None
            if step < 2:
                h.submitted_by_id = h.submitted_at = None
            history.append(h)
            events.append(
                WorkflowEvent(
                    strategy_id=strategy.pk,
                    fiscal_year=a.fiscal_year,
                    actual_id=a.pk,
                    action=["save", "submit", "confirm"][step - 1],
                    actor_id=(secretariat if step == 3 else clerk).pk,
                )
            )
    _bulk(History, history)
    _bulk(WorkflowEvent, events)
    _bulk(
        YearReview,
        [
            YearReview(
                strategy_id=strategy.pk,
                fiscal_year=y,
                is_locked=True,
                locked_by_id=secretariat.pk,
                locked_at=timezone.now(),
            )
            for y in years
            if y <= last - 2
        ],
    )
    return len(actuals), len(history)


def add_opinions(strategy, rng, council, secretariat):
    """A few council opinions (on indicators, a measure, a goal) per locked year, half answered."""
    from council.models import Opinion, Response
    from kpis.models import BasicGoal, Indicator, Measure

    indicators = list(Indicator.objects.for_strategy(strategy).values_list("pk", flat=True))
    measures = list(
        Measure.objects.filter(policy__basic_goal__strategy=strategy).values_list("pk", flat=True)
    )
    goals = list(BasicGoal.objects.filter(strategy=strategy).values_list("pk", flat=True))
    opinions = []
    for year in strategy.fiscal_years[:-2]:
        for pk in rng.sample(indicators, min(3, len(indicators))):
            opinions.append(("indicator_id", pk, year))
        opinions.append(("measure_id", rng.choice(measures), year))
        opinions.append(("basic_goal_id", rng.choice(goals), year))
    made = _bulk(
        Opinion,
        [
            Opinion(
                strategy_id=strategy.pk,
                fiscal_year=year,
                body=f"{MARK}{year}年度の実績についての意見（自動生成）。",
                author_id=council.pk,
                **{field: pk},
            )
            for field, pk, year in opinions
        ],
    )
    _bulk(
        Response,
        [
            Response(
                opinion_id=o.pk, body=f"{MARK}対応方針（自動生成）。", author_id=secretariat.pk
            )
            for o in made[::2]
        ],
    )


# --- 99 other strategies ---------------------------------------------------------------------


def clone_strategies(template, count, rng, actors):
    """`count` copies of `template`'s tree as other municipalities' strategies (FY2015–FY2024).
    The tree is copied kind by kind as revisions.kinds.KINDS declares it (parents first, with
    what each kind owns), so a new kind or field is copied with no change here."""
    from django.utils import timezone

    from kpis.models import (
        BasicGoal,
        Department,
        EvaluationSettings,
        GradeBand,
        Indicator,
        IndicatorTarget,
        Strategy,
    )
    from population.models import (
        DeclineSuppression,
        PopulationFigure,
        PopulationPoint,
        PopulationTarget,
    )
    from revisions.kinds import KINDS

    numbers = range(1, count + 1)
    strategies = _bulk(
        Strategy,
        [
            _copy(
                template,
                code=f"synthetic-{n:03d}",
                name=f"{MARK}第２期合成市{n:03d}創生総合戦略",
                municipality=f"{MARK}合成市{n:03d}",
                first_fiscal_year=SYNTHETIC_FIRST_YEAR,
                last_fiscal_year=SYNTHETIC_LAST_YEAR,
                source_line=MARK,
            )
            for n in numbers
        ],
    )
    by_n = dict(zip(numbers, strategies, strict=True))

    def clone(model, rows, parents, **extra):
        """Copy rows for every strategy. parents: {foreign key attname: mapping of
        (n, old pk) → new pk} ("strategy_id": by strategy number); extra: attname → f(n, row).
        Returns (n, old pk) → new pk."""
        objs, keys = [], []
        for n in numbers:
            for row in rows:
                changes = {}
                for attname, mapping in parents.items():
                    old = getattr(row, attname)
                    changes[attname] = mapping[(n, old)] if old is not None else None
                changes.update({k: v(n, row) for k, v in extra.items()})
                objs.append(_copy(row, **changes))
                keys.append((n, row.pk))
        made = _bulk(model, objs)
        return {k: o.pk for k, o in zip(keys, made, strict=True)}

    t = template
    of_strategy = {"strategy_id": {(n, t.pk): by_n[n].pk for n in numbers}}
    for model in (GradeBand, EvaluationSettings):
        clone(model, list(model.objects.filter(strategy=t)), of_strategy)
    departments = _bulk(
        Department,
        [
            Department(name=f"{MARK}合成市{n:03d} {d}")
            for n in numbers
            for d in SYNTHETIC_DEPARTMENTS
        ],
    )
    dept_of = {
        (n, i): departments[(n - 1) * len(SYNTHETIC_DEPARTMENTS) + i].pk
        for n in numbers
        for i in range(len(SYNTHETIC_DEPARTMENTS))
    }
    old_indicators = list(Indicator.objects.for_strategy(t).order_by("pk"))
    position = {ind.pk: i for i, ind in enumerate(old_indicators)}
    # What makes a copy synthetic, per kind (every other field is copied as it is).
    marks = {
        "indicator": dict(
            department_id=lambda n, row: dept_of[
                (n, position[row.pk] % len(SYNTHETIC_DEPARTMENTS))
            ],
            name=lambda n, row: f"【合成】{row.name}"[:200],
            baseline_fiscal_year=lambda n, row: (
                SYNTHETIC_FIRST_YEAR - 1 if row.baseline_fiscal_year else None
            ),
            target_fiscal_year=lambda n, row: SYNTHETIC_LAST_YEAR,
            lineage_key=lambda n, row: f"synthetic-{n:03d}:{row.code}",
            source_line=lambda n, row: f"{MARK}{row.source_line}",
        ),
        "targets": dict(
            effective_from_year=lambda n, row: SYNTHETIC_FIRST_YEAR,
            target_fiscal_year=lambda n, row: SYNTHETIC_LAST_YEAR,
            revision_id=lambda n, row: None,
        ),
    }
    made = {}
    for kind in KINDS:
        rows = list(kind.model.objects.filter(**{kind.in_strategy: t}).order_by("pk"))
        parents = {f"{ref.field}_id": made[ref.kind] for ref in kind.refs} or of_strategy
        made[kind.name] = clone(kind.model, rows, parents, **marks.get(kind.name, {}))
        for owned in (kind.texts, kind.rows):
            if owned:
                lines = owned.model.objects.filter(**{f"{owned.parent}__in": rows})
                parent = {f"{owned.parent}_id": made[kind.name]}
                clone(owned.model, list(lines), parent, **marks.get(owned.item, {}))
    indicators = made["indicator"]
    # A mid-period revision of a few targets (a second row in force from FY2020).
    revised = [
        IndicatorTarget(
            indicator_id=indicators[(n, ind.pk)],
            effective_from_year=2020,
            baseline_value=ind.baseline_value,
            baseline_kind=ind.baseline_kind,
            target_value=ind.target_value * Decimal("1.1"),
            target_fiscal_year=SYNTHETIC_LAST_YEAR,
        )
        for n in numbers
        for ind in old_indicators[::10]
    ]
    _bulk(IndicatorTarget, revised)
    for model in (PopulationFigure, PopulationTarget, PopulationPoint, DeclineSuppression):
        clone(model, list(model.objects.filter(strategy=t)), of_strategy)

    # One "created" history row per indicator, as an import through the admin would leave.
    History = Indicator.history.model
    created = timezone.now() - timedelta(days=3650)
    new_indicators = list(Indicator.objects.filter(basic_goal__strategy__in=strategies))
    _bulk(
        History,
        [
            History(
                **{f.attname: getattr(ind, f.attname) for f in Indicator._meta.concrete_fields},
                history_date=created,
                history_type="+",
                history_change_reason=f"{MARK}生成",
            )
            for ind in new_indicators
        ],
    )
    by_strategy = {}
    goal_strategy = dict(
        BasicGoal.objects.filter(strategy__in=strategies).values_list("pk", "strategy_id")
    )
    for ind in new_indicators:
        by_strategy.setdefault(goal_strategy[ind.basic_goal_id], []).append(ind)
    years = list(range(SYNTHETIC_FIRST_YEAR, SYNTHETIC_LAST_YEAR + 1))
    totals = [0, 0]
    council, secretariat = actors[2], actors[1]
    for s in strategies:
        a, h = add_actuals(s, by_strategy[s.pk], rng, actors, years=years)
        totals[0] += a
        totals[1] += h
        add_opinions(s, rng, council, secretariat)
    return strategies, departments, totals


# --- one strategy for the Excel import benchmark ---------------------------------------------


def import_strategy(rows):
    """「【合成データ】取込検証」: one goal, one policy, rows/100 measures of 100 KPIs, all KPIs
    assigned to one department, no actuals; plus a clerk of that department."""
    from django.contrib.auth.models import Group, User

    from kpis.models import (
        BasicGoal,
        Department,
        EvaluationSettings,
        Indicator,
        IndicatorTarget,
        Measure,
        Policy,
        Strategy,
    )

    strategy = Strategy.objects.create(
        code="synthetic-import",
        name=f"{MARK}取込検証用総合戦略",
        municipality=f"{MARK}合成市",
        first_fiscal_year=2021,
        last_fiscal_year=2024,
        source_line=MARK,
    )
    EvaluationSettings.objects.create(strategy=strategy)
    department = Department.objects.create(name=f"{MARK}取込検証課")
    goal = BasicGoal.objects.create(
        strategy=strategy, number=1, title=f"{MARK}取込検証", package="employment"
    )
    policy = Policy.objects.create(basic_goal=goal, symbol="ア", order=1, title=f"{MARK}取込検証")
    per_measure = 100
    measures = _bulk(
        Measure,
        [
            Measure(policy=policy, number=m + 1, title=f"{MARK}施策{m + 1}")
            for m in range((rows + per_measure - 1) // per_measure)
        ],
    )
    units = ["人", "件", "%", "億円", ""]
    indicators = _bulk(
        Indicator,
        [
            Indicator(
                basic_goal=goal,
                measure=measures[i // per_measure],
                level="kpi",
                code=f"1-ア-{i // per_measure + 1}-{i % per_measure + 1}",
                order=i % per_measure + 1,
                name=f"【合成】取込検証KPI {i + 1:05d}",
                unit=units[i % len(units)],
                baseline_value=Decimal(40),
                baseline_fiscal_year=2019,
                baseline_kind="stated",
                target_value=Decimal(60),
                target_fiscal_year=2024,
                direction="increase",
                aggregation="level",
                decimals=0,
                department=department,
                source_line=MARK,
                lineage_key=f"synthetic-import:{i}",
            )
            for i in range(rows)
        ],
    )
    _bulk(
        IndicatorTarget,
        [
            IndicatorTarget(
                indicator=ind,
                effective_from_year=2021,
                baseline_value=ind.baseline_value,
                baseline_kind=ind.baseline_kind,
                target_value=ind.target_value,
                target_fiscal_year=2024,
            )
            for ind in indicators
        ],
    )
    clerk, _ = User.objects.get_or_create(
        username="bench-import-clerk",
        defaults={"last_name": f"{MARK}入力担当（取込検証）", "password": BENCH_PASSWORD_HASH},
    )
    clerk.groups.set([Group.objects.get(name="入力担当")])
    department.members.add(clerk)
    return strategy, department, clerk


# --- command line ----------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["nemuro", "import"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--strategies", type=int, default=0, help="synthetic strategies to add")
    parser.add_argument("--users", type=int, default=0, help="synthetic accounts to add")
    parser.add_argument("--rows", type=int, default=5000, help="KPIs of the import strategy")
    parser.add_argument("--seed", type=int, default=20210401)
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    from django.db import transaction

    rng = random.Random(args.seed)
    started = time.perf_counter()
    with transaction.atomic():
        if args.what == "import":
            strategy, department, _ = import_strategy(args.rows)
            print(
                f"import strategy {strategy.code}: {args.rows} KPIs in department {department.pk}"
            )
        else:
            strategy, departments, users = nemuro(rng, [])
            print(f"nemuro-2: {len(departments)} departments, actuals for FY2021–FY2024")
            if args.strategies:
                actors = [users["入力担当"], users["事務局"], users["有識者"]]
                strategies, depts, (actuals, history) = clone_strategies(
                    strategy, args.strategies, rng, actors
                )
                print(
                    f"{len(strategies)} synthetic strategies ({MARK}, synthetic-NNN), "
                    f"{len(depts)} departments, {actuals} actuals, {history} history rows"
                )
                if args.users:
                    make_users(args.users, depts, rng)
                    print(f"{args.users} synthetic users")
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")  # fresh planner statistics, as autovacuum would have after a while
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
