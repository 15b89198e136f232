"""The whole strategy as canonical JSON, keyed by stable codes (docs/revisions.md).

take_snapshot() reads the live tables (the published state) into plain dicts and lists:
  strategy, goals, policies, measures, indicators (each with its IndicatorTarget rows),
  projects, listings, key_projects.
Numbers are strings in plain notation ('27700', '2.00' keeps the printed decimals via
`decimals`), years are ints, so the same strategy always gives the same JSON on SQLite and
PostgreSQL. `id` fields are the database ids at the time (for page anchors only: nothing compares
them)."""

from decimal import Decimal

from django.db.models import Prefetch

from kpis.models import BasicGoal, Indicator, IndicatorTarget, Measure, Policy
from projects.models import KeyProject, Project, ProjectListing

FORMAT = 1


def num(value) -> str | None:
    """A Decimal as canonical text: Decimal('27700.0000') → '27700', Decimal('2.4400') → '2.44'."""
    if value is None:
        return None
    value = Decimal(value)
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def dec(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def goal_key(number) -> str:
    return str(number)


def policy_key(goal_number, symbol) -> str:
    return f"{goal_number}-{symbol}"


def measure_key(goal_number, symbol, number) -> str:
    return f"{goal_number}-{symbol}-{number}"


def listing_key(project_name, measure_code) -> str:
    return f"{project_name}@{measure_code}"


def split_listing_key(key: str) -> tuple[str, str]:
    project, _, measure = key.rpartition("@")
    return project, measure


def _lifecycle(obj):
    try:
        return obj.lifecycle
    except obj.__class__.lifecycle.RelatedObjectDoesNotExist:
        return None


def take_snapshot(strategy) -> dict:
    """The strategy as it stands in the live tables (10 queries)."""
    goals = (
        BasicGoal.objects.filter(strategy=strategy)
        .prefetch_related("directions")
        .order_by("number")
    )
    policies = Policy.objects.filter(basic_goal__strategy=strategy).select_related("basic_goal")
    measures = Measure.objects.filter(policy__basic_goal__strategy=strategy).select_related(
        "policy__basic_goal"
    )
    targets = IndicatorTarget.objects.select_related("revision").order_by("effective_from_year")
    indicators = (
        Indicator.objects.for_strategy(strategy)
        .select_related("basic_goal", "measure__policy__basic_goal", "department")
        .prefetch_related(Prefetch("targets", queryset=targets))
        .in_document_order()
    )
    projects = Project.objects.filter(strategy=strategy).select_related("lifecycle").order_by("id")
    listings = ProjectListing.objects.filter(project__strategy=strategy).select_related(
        "project", "measure__policy__basic_goal", "lifecycle"
    )
    key_projects = (
        KeyProject.objects.filter(strategy=strategy).prefetch_related("actions").order_by("number")
    )
    snapshot = {
        "format": FORMAT,
        "strategy": {
            "code": strategy.code,
            "name": strategy.name,
            "municipality": strategy.municipality,
            "first_fiscal_year": strategy.first_fiscal_year,
            "last_fiscal_year": strategy.last_fiscal_year,
            "adopted_on": strategy.adopted_on.isoformat() if strategy.adopted_on else None,
        },
        "goals": [
            {
                "key": goal_key(g.number),
                "id": g.pk,
                "number": g.number,
                "title": g.title,
                "package": g.package,
                "directions": [d.text for d in sorted(g.directions.all(), key=lambda d: d.order)],
            }
            for g in goals
        ],
        "policies": [
            {
                "key": policy_key(p.basic_goal.number, p.symbol),
                "id": p.pk,
                "goal": goal_key(p.basic_goal.number),
                "symbol": p.symbol,
                "order": p.order,
                "title": p.title,
            }
            for p in policies
        ],
        "measures": [
            {
                "key": m.code,
                "id": m.pk,
                "goal": goal_key(m.policy.basic_goal.number),
                "policy": policy_key(m.policy.basic_goal.number, m.policy.symbol),
                "number": m.number,
                "title": m.title,
                "description": m.description,
            }
            for m in measures
        ],
        "indicators": [_indicator(i) for i in indicators],
        "projects": [_project(p) for p in projects],
        "listings": [_listing(x) for x in listings],
        "key_projects": [
            {
                "code": k.code,
                "number": k.number,
                "name": k.name,
                "label": k.label,
                "subtitle": k.subtitle,
                "description": k.description,
                "actions": [a.text for a in sorted(k.actions.all(), key=lambda a: a.order)],
            }
            for k in key_projects
        ],
    }
    return canonical(snapshot)


def _indicator(i) -> dict:
    return {
        "key": i.code,
        "id": i.pk,
        "goal": goal_key(i.basic_goal.number),
        "measure": i.measure.code if i.measure_id else None,
        "level": i.level,
        "order": i.order,
        "code": i.code,
        "name": i.name,
        "unit": i.unit,
        "baseline_value": num(i.baseline_value),
        "baseline_fiscal_year": i.baseline_fiscal_year,
        "baseline_kind": i.baseline_kind,
        "target_value": num(i.target_value),
        "target_fiscal_year": i.target_fiscal_year,
        "change_value": num(i.change_value),
        "change_unit": i.change_unit,
        "direction": i.direction,
        "aggregation": i.aggregation,
        "decimals": i.decimals,
        "department": i.department.name if i.department_id else None,
        "source_line": i.source_line,
        "reading_note": i.reading_note,
        "introduced_from_year": i.introduced_from_year,
        "retired_from_year": i.retired_from_year,
        "lineage_key": i.lineage_key,
        "targets": [target_row(t) for t in i.targets.all()],
    }


def target_row(t) -> dict:
    return {
        "from": t.effective_from_year,
        "baseline_value": num(t.baseline_value),
        "baseline_kind": t.baseline_kind,
        "target_value": num(t.target_value),
        "target_fiscal_year": t.target_fiscal_year,
        "revision": t.revision.number if t.revision_id else None,
    }


def _project(p) -> dict:
    life = _lifecycle(p)
    return {
        "key": p.name,
        "id": p.pk,
        "name": p.name,
        "description": p.description,
        "is_priority": p.is_priority,
        "fy2021": p.fy2021,
        "is_private": p.is_private,
        "partners": p.partners,
        "is_hokkaido": p.is_hokkaido,
        "introduced_from_year": life.introduced_from_year if life else None,
        "retired_from_year": life.retired_from_year if life else None,
    }


def _listing(x) -> dict:
    life = _lifecycle(x)
    return {
        "key": listing_key(x.project.name, x.measure.code),
        "id": x.pk,
        "project": x.project.name,
        "measure": x.measure.code,
        "order": x.order,
        "is_relisted": x.is_relisted,
        "description": x.description,
        "source_text": x.source_text,
        "introduced_from_year": life.introduced_from_year if life else None,
        "retired_from_year": life.retired_from_year if life else None,
    }


# -- canonical order (pure) ------------------------------------------------------------------


def _goal_no(key: str) -> int:
    try:
        return int(key)
    except (TypeError, ValueError):
        return 10**6


def canonical(snapshot: dict) -> dict:
    """Sort every list the same way whatever order the rows came in (pure)."""
    policy_order = {p["key"]: (_goal_no(p["goal"]), p["order"]) for p in snapshot["policies"]}
    snapshot["goals"].sort(key=lambda g: g["number"])
    snapshot["policies"].sort(key=lambda p: policy_order[p["key"]])

    def measure_sort(key):
        m = measures.get(key)
        if m is None:
            return (10**6, 0, 0)
        return (*policy_order.get(m["policy"], (10**6, 0)), m["number"])

    measures = {m["key"]: m for m in snapshot["measures"]}
    snapshot["measures"].sort(key=lambda m: measure_sort(m["key"]))
    snapshot["indicators"].sort(
        key=lambda i: (
            _goal_no(i["goal"]),
            0 if i["level"] == "goal" else 1,
            measure_sort(i["measure"]) if i["measure"] else (0, 0, 0),
            i["order"],
            i["key"],
        )
    )
    for i in snapshot["indicators"]:
        i["targets"].sort(key=lambda t: t["from"])
    project_rank = {p["key"]: n for n, p in enumerate(snapshot["projects"])}
    snapshot["projects"].sort(key=lambda p: (p["id"] is None, p["id"] or 0, project_rank[p["key"]]))
    snapshot["listings"].sort(key=lambda x: (measure_sort(x["measure"]), x["order"], x["key"]))
    snapshot["key_projects"].sort(key=lambda k: k["number"])
    return snapshot


def without_ids(value):
    """The snapshot minus database ids (to compare a preview with what publishing stored)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value
