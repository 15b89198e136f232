"""The strategy browser from a snapshot: the same tree of objects kpis.selectors.strategy_tree
gives, built in memory (unsaved model instances, so templates call the same properties:
goal.label, get_package_display, measure.label, project.badges …). No database access."""

from datetime import date
from types import SimpleNamespace

from kpis.models import BasicGoal, Department, Indicator, Measure, Policy
from projects.models import KeyProject, Project, ProjectListing
from revisions.snapshot import dec


def tree_from_snapshot(snapshot: dict) -> tuple[list, list]:
    """(goals, key_projects) shaped like kpis.selectors.strategy_browser's, from a revision's snapshot."""
    goals, policies, measures = {}, {}, {}
    for n, g in enumerate(snapshot["goals"], start=1):
        goal = BasicGoal(pk=g.get("id") or -n, number=g["number"], title=g["title"])
        goal.package = g["package"]
        goal.direction_list = [SimpleNamespace(text=t) for t in g["directions"]]
        goal.numeric_targets, goal.policy_list = [], []
        goals[g["key"]] = goal
    for n, p in enumerate(snapshot["policies"], start=1):
        policy = Policy(
            pk=p.get("id") or -n, symbol=p["symbol"], order=p["order"], title=p["title"]
        )
        policy.measure_list = []
        policies[p["key"]] = policy
        if p["goal"] in goals:
            goals[p["goal"]].policy_list.append(policy)
    for n, m in enumerate(snapshot["measures"], start=1):
        measure = Measure(
            pk=m.get("id") or -n, number=m["number"], title=m["title"], description=m["description"]
        )
        measure.kpi_list, measure.listing_list, measure.retired_listing_list = [], [], []
        measures[m["key"]] = measure
        if m["policy"] in policies:
            policies[m["policy"]].measure_list.append(measure)
    for n, i in enumerate(snapshot["indicators"], start=1):
        ind = indicator_from_snapshot(i, pk=i.get("id") or -n)
        if i["level"] == Indicator.Level.GOAL and i["goal"] in goals:
            goals[i["goal"]].numeric_targets.append(ind)
        elif i["measure"] in measures:
            measures[i["measure"]].kpi_list.append(ind)
    projects = {}
    for n, p in enumerate(snapshot["projects"], start=1):
        project = Project(
            pk=p.get("id") or -n,
            name=p["name"],
            description=p["description"],
            is_priority=p["is_priority"],
            fy2021=p["fy2021"],
            is_private=p["is_private"],
            partners=p["partners"],
            is_hokkaido=p["is_hokkaido"],
        )
        project.retired_from = p["retired_from_year"]
        projects[p["key"]] = project
    for n, x in enumerate(snapshot["listings"], start=1):
        if x["project"] not in projects or x["measure"] not in measures:
            continue
        listing = ProjectListing(
            pk=x.get("id") or -n,
            order=x["order"],
            is_relisted=x["is_relisted"],
            description=x["description"],
            source_text=x["source_text"],
        )
        listing.project = projects[x["project"]]
        listing.retired_from = _earliest(x["retired_from_year"], listing.project.retired_from)
        measure = measures[x["measure"]]
        (measure.retired_listing_list if listing.retired_from else measure.listing_list).append(
            listing
        )
    key_projects = []
    for k in snapshot.get("key_projects", []):
        kp = KeyProject(
            number=k["number"],
            code=k["code"],
            name=k["name"],
            label=k["label"],
            subtitle=k["subtitle"],
            description=k["description"],
        )
        kp.action_list = [SimpleNamespace(text=t) for t in k["actions"]]
        key_projects.append(kp)
    return list(goals.values()), key_projects


def indicator_from_snapshot(i: dict, pk=None) -> Indicator:
    ind = Indicator(
        pk=pk,
        level=i["level"],
        code=i["code"],
        order=i["order"],
        name=i["name"],
        unit=i["unit"],
        baseline_value=dec(i["baseline_value"]),
        baseline_fiscal_year=i["baseline_fiscal_year"],
        baseline_kind=i["baseline_kind"],
        target_value=dec(i["target_value"]),
        target_fiscal_year=i["target_fiscal_year"],
        change_value=dec(i["change_value"]),
        change_unit=i["change_unit"],
        direction=i["direction"],
        aggregation=i["aggregation"],
        decimals=i["decimals"],
        source_line=i["source_line"],
        reading_note=i["reading_note"],
        introduced_from_year=i["introduced_from_year"],
        retired_from_year=i["retired_from_year"],
        lineage_key=i["lineage_key"],
    )
    ind.department = Department(name=i["department"]) if i["department"] else None
    ind.target_from = max((r["from"] for r in i["targets"]), default=None)
    return ind


def _earliest(*years):
    present = [y for y in years if y]
    return min(present) if present else None


def adopted_on(snapshot) -> date | None:
    text = snapshot["strategy"].get("adopted_on")
    return date.fromisoformat(text) if text else None
