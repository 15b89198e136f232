"""Selectors for the entry page and the status board."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kpis import achievement
from kpis.evaluation import settings_for, spec_for
from kpis.models import Actual, Department, Indicator, InterimTarget


@dataclass
class EntryRow:
    indicator: Indicator
    actuals: dict  # fiscal_year → Actual
    interim_target: object
    past: list = field(
        default_factory=list
    )  # [(fiscal_year, Actual|None)] for earlier strategy years
    current: Actual | None = None  # this year's actual, if any
    form: object = None
    read_only_reason: str = ""  # why the row cannot be changed (confirmed, locked year)


def entry_rows(strategy, department, fiscal_year):
    """Indicators of a department with every year's actual and the interim target: 3 queries."""
    indicators = list(
        Indicator.objects.filter(basic_goal__strategy=strategy, department=department)
        .select_related("basic_goal", "measure__policy")
        .in_document_order()
    )
    ids = [i.pk for i in indicators]
    actuals = defaultdict(dict)
    for a in Actual.objects.filter(indicator_id__in=ids):
        actuals[a.indicator_id][a.fiscal_year] = a
    overrides = defaultdict(dict)
    for o in InterimTarget.objects.filter(indicator_id__in=ids):
        overrides[o.indicator_id][o.fiscal_year] = o.value
    rows = []
    for ind in indicators:
        spec = spec_for(ind, strategy, overrides[ind.pk], tolerance=0)
        row = EntryRow(
            indicator=ind,
            actuals=actuals[ind.pk],
            interim_target=achievement.interim_target(spec, fiscal_year),
            past=[(y, actuals[ind.pk].get(y)) for y in strategy.fiscal_years if y < fiscal_year],
            current=actuals[ind.pk].get(fiscal_year),
        )
        rows.append(row)
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


STATUS_KEYS = ["missing", Actual.Status.DRAFT, Actual.Status.SUBMITTED, Actual.Status.CONFIRMED]


def status_counts(strategy, fiscal_year):
    """{department name or '未割当': Counter(missing/draft/submitted/confirmed)}: 2 queries."""
    indicators = Indicator.objects.filter(basic_goal__strategy=strategy).select_related(
        "department"
    )
    statuses = dict(
        Actual.objects.filter(
            indicator__basic_goal__strategy=strategy, fiscal_year=fiscal_year
        ).values_list("indicator_id", "status")
    )
    counts = defaultdict(Counter)
    for ind in indicators:
        key = (ind.department.name, ind.department_id) if ind.department else ("未割当", None)
        counts[key][statuses.get(ind.pk, "missing")] += 1
        counts[key]["total"] += 1
    return sorted(counts.items(), key=lambda kv: (kv[0][1] is None, kv[0][0]))
