"""Selectors for the entry page and the status board."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kpis.evaluation import STAFF_READER, YearEvaluation, settings_for, timelines
from kpis.models import Actual, Department, Indicator
from kpis.year_status import entry_state


@dataclass
class EntryRow:
    indicator: Indicator
    actuals: dict  # fiscal_year → Actual
    interim_target: object
    year: YearEvaluation | None = None  # the year as judged (target in force, interim)
    past: list = field(
        default_factory=list
    )  # [(fiscal_year, Actual|None)] for earlier strategy years
    current: Actual | None = None  # this year's actual, if any
    form: object = None
    read_only_reason: str = ""  # why the row cannot be changed (confirmed, locked year)


def entry_rows(strategy, department, fiscal_year):
    """Indicators of a department with every year's actual and the target and interim target in
    force for the year (kpis.evaluation.timelines, staff's view): indicators 1, timelines 5."""
    indicators = list(
        Indicator.objects.filter(basic_goal__strategy=strategy, department=department)
        .select_related("basic_goal", "measure__policy")
        .in_document_order()
    )
    lines = timelines(strategy, indicators, [fiscal_year], reader=STAFF_READER)
    rows = []
    for line in lines:
        actuals, year = line.actuals, line.at(fiscal_year)
        rows.append(
            EntryRow(
                indicator=line.indicator,
                actuals=actuals,
                interim_target=year.interim,
                year=year,
                past=[(y, actuals.get(y)) for y in strategy.fiscal_years if y < fiscal_year],
                current=actuals.get(fiscal_year),
            )
        )
    return rows


def previous_value(row, fiscal_year):
    prev = row.actuals.get(fiscal_year - 1)
    return prev.value if prev and prev.has_value else None


def outlier_threshold(strategy):
    return settings_for(strategy).outlier_threshold


def departments_for(user, strategy):
    from kpis import permissions, roles

    qs = (
        Department.objects.filter(indicators__basic_goal__strategy=strategy)
        .distinct()
        .order_by("name")
    )
    if roles.is_secretariat(user):
        return list(qs)
    return [d for d in qs if d.pk in permissions.department_ids(user)]


STATUS_KEYS = [
    "missing",
    Actual.Status.DRAFT,
    "returned",  # a draft sent back by the secretariat (差戻し)
    Actual.Status.SUBMITTED,
    Actual.Status.CONFIRMED,
]


def status_counts(strategy, fiscal_year):
    """{department name or '未割当': Counter(missing/draft/returned/submitted/confirmed, total)}:
    2 queries. Counted by year_status.entry_state, as on the home pages and the lock page."""
    indicators = Indicator.objects.filter(basic_goal__strategy=strategy).select_related(
        "department"
    )
    actuals = {
        a.indicator_id: a
        for a in Actual.objects.filter(
            indicator__basic_goal__strategy=strategy, fiscal_year=fiscal_year
        ).only("indicator_id", "status", "returned_at")
    }
    counts = defaultdict(Counter)
    for ind in indicators:
        state = entry_state(ind, actuals.get(ind.pk), fiscal_year)
        if state is None:  # retired or not yet introduced, and nothing entered
            continue
        key = (ind.department.name, ind.department_id) if ind.department else ("未割当", None)
        counts[key][state] += 1
        counts[key]["total"] += 1
    return sorted(counts.items(), key=lambda kv: (kv[0][1] is None, kv[0][0]))
