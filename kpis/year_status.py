"""Reads about where a fiscal year's entry stands: what is missing, sent back, waiting for the
secretariat or confirmed, per department and year. Used by the home pages, the entry index, the
status board, the lock confirmation and the reminder command."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from kpis.models import Actual, Department, Indicator, WorkflowEvent, YearReview

# The states a clerk and the secretariat talk about; "returned" is a draft sent back (差戻し).
STATES = ["missing", "draft", "returned", "submitted", "confirmed"]
STATE_LABELS = {
    "missing": "未入力",
    "draft": "下書き",
    "returned": "差戻し",
    "submitted": "提出済み",
    "confirmed": "確認済み",
}


def state_of(actual) -> str:
    if actual is None:
        return "missing"
    if actual.is_returned:
        return "returned"
    return actual.status


def entry_state(indicator, actual, fiscal_year) -> str | None:
    """The one rule of every count of a year's entry (home, entry index, status board, lock page,
    reminders): an indicator retired or not yet introduced that year (a revision's 廃止/追加) and
    without a value is not owed, so it is neither 未入力 nor counted (None); a value entered anyway
    still counts in its state."""
    if actual is None and not indicator.in_force(fiscal_year):
        return None
    return state_of(actual)


@dataclass
class YearCounts:
    fiscal_year: int
    counts: Counter = field(default_factory=Counter)
    deadline: object = None  # datetime.date or None
    locked: bool = False

    @property
    def total(self):
        return sum(self.counts[s] for s in STATES)

    @property
    def open_work(self):
        """What the clerks still owe: missing, drafts and send-backs."""
        return self.counts["missing"] + self.counts["draft"] + self.counts["returned"]

    def items(self):
        return [(STATE_LABELS[s], s, self.counts[s]) for s in STATES if self.counts[s]]


def reviews(strategy) -> dict:
    """{fiscal_year: YearReview} of a strategy: 1 query."""
    return {r.fiscal_year: r for r in YearReview.objects.filter(strategy=strategy)}


def counts_by_department_and_year(strategy, department_ids=None) -> dict:
    """{department_id: [YearCounts per strategy year]} (unassigned indicators left out): 3 queries."""
    indicators = Indicator.objects.filter(basic_goal__strategy=strategy, department__isnull=False)
    if department_ids is not None:
        indicators = indicators.filter(department_id__in=department_ids)
    per_department = defaultdict(list)
    for ind in indicators.only("pk", "department_id", "introduced_from_year", "retired_from_year"):
        per_department[ind.department_id].append(ind)
    actuals = {
        (a.indicator_id, a.fiscal_year): a
        for a in Actual.objects.filter(
            indicator_id__in=[i.pk for inds in per_department.values() for i in inds]
        ).only("indicator_id", "fiscal_year", "status", "returned_at")
    }
    year_reviews = reviews(strategy)
    result = {}
    for department_id, inds in per_department.items():
        years = []
        for fy in strategy.fiscal_years:
            review = year_reviews.get(fy)
            yc = YearCounts(
                fiscal_year=fy,
                deadline=review.entry_deadline if review else None,
                locked=bool(review and review.is_locked),
            )
            for ind in inds:
                state = entry_state(ind, actuals.get((ind.pk, fy)), fy)
                if state:
                    yc.counts[state] += 1
            years.append(yc)
        result[department_id] = years
    return result


def counts_by_year(strategy) -> list[YearCounts]:
    """Every indicator of the strategy (assigned or not), per year: 3 queries."""
    indicators = list(
        Indicator.objects.filter(basic_goal__strategy=strategy).only(
            "pk", "introduced_from_year", "retired_from_year"
        )
    )
    actuals = {
        (a.indicator_id, a.fiscal_year): a
        for a in Actual.objects.filter(indicator__basic_goal__strategy=strategy).only(
            "indicator_id", "fiscal_year", "status", "returned_at"
        )
    }
    year_reviews = reviews(strategy)
    result = []
    for fy in strategy.fiscal_years:
        c = Counter(entry_state(i, actuals.get((i.pk, fy)), fy) for i in indicators)
        del c[None]
        review = year_reviews.get(fy)
        result.append(
            YearCounts(
                fiscal_year=fy,
                counts=c,
                deadline=review.entry_deadline if review else None,
                locked=bool(review and review.is_locked),
            )
        )
    return result


def year_with_pending_work(strategy) -> int:
    """The year /status/ opens on: the earliest open year with values waiting for the
    secretariat (提出済み); else the latest year with any actual; else the first year."""
    years = counts_by_year(strategy)
    for yc in years:
        if not yc.locked and yc.counts["submitted"]:
            return yc.fiscal_year
    with_actuals = [yc.fiscal_year for yc in years if yc.total - yc.counts["missing"]]
    return with_actuals[-1] if with_actuals else strategy.first_fiscal_year


@dataclass
class Gaps:
    """What locking a year would freeze unfinished."""

    missing: list = field(default_factory=list)  # [Indicator]
    unsubmitted: list = field(default_factory=list)  # [Actual] drafts and send-backs
    unconfirmed: list = field(default_factory=list)  # [Actual] submitted

    @property
    def any(self):
        return bool(self.missing or self.unsubmitted or self.unconfirmed)


def year_gaps(strategy, fiscal_year) -> Gaps:
    """2 queries."""
    indicators = list(
        Indicator.objects.filter(basic_goal__strategy=strategy)
        .select_related("department", "basic_goal", "measure__policy")
        .in_document_order()
    )
    actuals = {
        a.indicator_id: a
        for a in Actual.objects.filter(
            indicator__basic_goal__strategy=strategy, fiscal_year=fiscal_year
        )
    }
    gaps = Gaps()
    for ind in indicators:
        a = actuals.get(ind.pk)
        if a is None:
            if entry_state(ind, a, fiscal_year) == "missing":
                gaps.missing.append(ind)
            continue
        a.indicator = ind
        if a.status == Actual.Status.DRAFT:
            gaps.unsubmitted.append(a)
        elif a.status == Actual.Status.SUBMITTED:
            gaps.unconfirmed.append(a)
    return gaps


def returned_actuals(strategy, department_ids):
    """The send-backs a clerk has to answer, newest first: 1 query."""
    return list(
        Actual.objects.filter(
            indicator__basic_goal__strategy=strategy,
            indicator__department_id__in=department_ids,
            status=Actual.Status.DRAFT,
            returned_at__isnull=False,
        )
        .select_related("indicator__department")
        .order_by("-returned_at")
    )


RECENT_DAYS = 14  # how far back a clerk's home lists the secretariat's decisions
RECENT_LIMIT = 50


def recent_decisions(strategy, department_ids, days=RECENT_DAYS):
    """The secretariat's confirmations (確認) and send-backs (差戻し) of these departments' values
    in the last `days` days, newest first: what the clerk otherwise learns only by email. 1 query."""
    return list(
        WorkflowEvent.objects.filter(
            strategy=strategy,
            action__in=[WorkflowEvent.Action.CONFIRM, WorkflowEvent.Action.RETURN],
            actual__indicator__department_id__in=department_ids,
            at__gte=timezone.now() - timedelta(days=days),
        ).select_related("actor", "actual__indicator")[:RECENT_LIMIT]
    )


def departments_by_id(ids):
    return {d.pk: d for d in Department.objects.filter(pk__in=ids)}


@dataclass
class QueueRow:
    """A submitted value on the confirm queue, with what the secretariat checks it against."""

    actual: Actual
    year: (
        object  # kpis.evaluation.YearEvaluation: target and interim in force, as on the entry page
    )
    previous: Actual | None  # last year's actual


def confirm_queue(strategy, fiscal_year) -> list[QueueRow]:
    """Submitted actuals with the year's targets (the read model, as on the clerk's entry page)
    and last year's value: submitted 1 + timelines 5 queries."""
    from kpis.evaluation import STAFF_READER, timelines

    submitted = list(
        Actual.objects.filter(
            indicator__basic_goal__strategy=strategy,
            fiscal_year=fiscal_year,
            status=Actual.Status.SUBMITTED,
        )
        .select_related("indicator__department", "submitted_by")
        .order_by("indicator__basic_goal__number", "indicator__code")
    )
    if not submitted:
        return []
    lines = {
        line.indicator.pk: line
        for line in timelines(
            strategy, [a.indicator for a in submitted], [fiscal_year], reader=STAFF_READER
        )
    }
    return [
        QueueRow(
            actual=a,
            year=lines[a.indicator_id].at(fiscal_year),
            previous=lines[a.indicator_id].actuals.get(fiscal_year - 1),
        )
        for a in submitted
    ]
