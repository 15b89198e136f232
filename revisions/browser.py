"""The strategy browser from a snapshot: the same tree of objects front.selectors.strategy_tree
gives, built in memory (unsaved model instances, so templates call the same properties:
goal.label, get_package_display, measure.label, project.badges …). No database access.
Each instance gets every field its kind declares (revisions.kinds.instance)."""

import copy
from datetime import date
from types import SimpleNamespace

from kpis.models import Department, Indicator
from revisions.kinds import BY_NAME, instance


def tree_from_snapshot(snapshot: dict) -> tuple[list, list]:
    """(goals, key_projects) shaped like front.selectors.strategy_browser's, from a revision's snapshot."""
    goals, policies, measures = {}, {}, {}
    for n, g in enumerate(snapshot["goals"], start=1):
        goal = instance(BY_NAME["goal"], g, pk=g.get("id") or -n)
        goal.direction_list = [SimpleNamespace(text=t) for t in g["directions"]]
        goal.numeric_targets, goal.policy_list = [], []
        goals[g["key"]] = goal
    for n, p in enumerate(snapshot["policies"], start=1):
        policy = instance(BY_NAME["policy"], p, pk=p.get("id") or -n)
        policy.measure_list = []
        policies[p["key"]] = policy
        if p["goal"] in goals:
            goals[p["goal"]].policy_list.append(policy)
    for n, m in enumerate(snapshot["measures"], start=1):
        measure = instance(BY_NAME["measure"], m, pk=m.get("id") or -n)
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
        project = instance(BY_NAME["project"], p, pk=p.get("id") or -n)
        project.retired_from = p["retired_from_year"]
        projects[p["key"]] = project
    for n, x in enumerate(snapshot["listings"], start=1):
        if x["project"] not in projects or x["measure"] not in measures:
            continue
        listing = instance(BY_NAME["listing"], x, pk=x.get("id") or -n)
        listing.project = projects[x["project"]]
        listing.retired_from = _earliest(x["retired_from_year"], listing.project.retired_from)
        measure = measures[x["measure"]]
        (measure.retired_listing_list if listing.retired_from else measure.listing_list).append(
            listing
        )
    key_projects = []
    for k in snapshot.get("key_projects", []):
        kp = instance(BY_NAME["key_project"], k)
        kp.action_list = [SimpleNamespace(text=t) for t in k["actions"]]
        key_projects.append(kp)
    return list(goals.values()), key_projects


def indicator_from_snapshot(i: dict, pk=None) -> Indicator:
    ind = instance(BY_NAME["indicator"], i, pk=pk)
    ind.department = Department(name=i["department"]) if i["department"] else None
    ind.target_from = max((r["from"] for r in i["targets"]), default=None)
    return ind


def _earliest(*years):
    present = [y for y in years if y]
    return min(present) if present else None


def adopted_on(snapshot) -> date | None:
    text = snapshot["strategy"].get("adopted_on")
    return date.fromisoformat(text) if text else None


def strategy_as_of(strategy, snapshot: dict):
    """The strategy with the plan period a snapshot holds (a revision before 計画期間の変更 shows
    the period it had then); an unsaved copy, the live row is left alone."""
    period = snapshot.get("strategy") or {}
    if period.get("last_fiscal_year") in (None, strategy.last_fiscal_year):
        return strategy
    shown = copy.copy(strategy)
    shown.first_fiscal_year = period.get("first_fiscal_year", strategy.first_fiscal_year)
    shown.last_fiscal_year = period["last_fiscal_year"]
    return shown
