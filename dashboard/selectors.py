"""Reads for the council dashboards (有識者会議), each in a fixed number of queries.

Everything a page shows is read up front with select_related / one query per table, then graded
in Python with kpis.evaluation and kpis.achievement: the number of queries never depends on the
number of indicators, actuals or years."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from kpis import achievement, evaluation, numfmt, permissions, services
from kpis.models import (
    Actual,
    Indicator,
    Strategy,
    YearReview,
)

NEG_INF = Decimal("-Infinity")
STATUS_LABELS = dict(Actual.Status.choices)
# The least-confirmed status of the actuals behind a figure is the one shown.
STATUS_RANK = {Actual.Status.DRAFT: 0, Actual.Status.SUBMITTED: 1, Actual.Status.CONFIRMED: 2}


# --- grades ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """A grade as shown: text AND symbol AND colour (css: a/b/c/d/none)."""

    label: str
    symbol: str
    description: str
    css: str
    order: int

    @property
    def text(self):
        if self.symbol == self.label:  # the no-data grade: "− 実績なし", not "− − 実績なし"
            return f"{self.label} {self.description}"
        return f"{self.label} {self.symbol} {self.description}"


def scale_grades(scale: achievement.GradeScale, measure: str | None = None) -> list[Grade]:
    """Every band of the strategy's scale in order, then the no-data grade; with `measure`, each
    band described by the rate that decides it (「進捗ペース80%以上」, 「達成率80%以上」)."""
    last = len(scale.bands) - 1
    grades = []
    for i, band in enumerate(scale.bands):
        css = "a" if i == 0 else "d" if i == last else "b" if i == 1 else "c"
        text = achievement.describe(band, measure) if measure else band.description
        grades.append(Grade(band.label, band.symbol, text, css, i))
    grades.append(
        Grade(
            scale.no_data_label,
            scale.no_data_label,
            scale.no_data_description,
            "none",
            len(scale.bands),
        )
    )
    return grades


def grade_of(result: achievement.Result, grades: list[Grade]) -> Grade:
    """The scale's grade, described as it applied (「中間目標に到達」, 「達成率80%以上」)."""
    for g in grades:
        if g.label == result.grade:
            if result.value is None:
                return g
            return Grade(g.label, g.symbol, result.grade_description, g.css, g.order)
    return grades[-1]


# --- rows ---------------------------------------------------------------------------------


def fmt_value(indicator: Indicator, value) -> str:
    """A value at the indicator's printed scale, or with the decimals it has (kpis.numfmt)."""
    return numfmt.number(value, indicator.decimals)


def with_unit(text: str, unit: str) -> str:
    return text if text == "−" or not unit else f"{text}{unit}"


def progress_pct(rate: Decimal | None) -> str:
    """The progress rate as a bar width 0–100 (the text keeps the real rate, e.g. ▲12.0%)."""
    if rate is None:
        return "0"
    pct = min(max(rate * 100, Decimal(0)), Decimal(100))
    return f"{pct:.1f}"


@dataclass
class DashboardRow:
    """One indicator evaluated for one fiscal year, as the dashboards show it."""

    index: int  # document order
    year: evaluation.YearEvaluation
    grade: Grade

    @property
    def indicator(self):
        return self.year.indicator

    @property
    def result(self):
        return self.year.result

    @property
    def actual(self):
        return self.year.actual

    @property
    def status(self):
        return self.year.status

    @property
    def goal(self):
        return self.indicator.basic_goal

    @property
    def measure(self):
        return self.indicator.measure

    @property
    def policy(self):
        return self.indicator.measure.policy if self.indicator.measure_id else None

    @property
    def is_kpi(self):
        return self.indicator.level == Indicator.Level.KPI

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def value_text(self):
        return self.year.value_text

    # The baseline and target the year was judged against (a revision may have changed them).
    @property
    def baseline(self):
        return self.year.baseline

    @property
    def target(self):
        return self.year.target

    @property
    def baseline_text(self):
        return self.year.baseline_text

    @property
    def target_text(self):
        return self.year.target_text

    @property
    def data_year_note(self):
        return f"{self.year.data_year}年のデータ" if self.year.data_year else ""

    @property
    def progress_text(self):
        return self.year.progress_text

    @property
    def progress_pct(self):
        return progress_pct(self.result.progress_rate)

    # sort keys for django-tables2 (None sorts as lowest)
    @property
    def goal_key(self):
        return (self.goal.number, self.index)

    @property
    def policy_key(self):
        p = self.policy
        return (self.goal.number, p.order if p else -1, self.index)

    @property
    def measure_key(self):
        return (self.goal.number, self.policy_key[1], self.measure.number if self.measure else -1)

    @property
    def value_key(self):
        return self.result.value if self.result.value is not None else NEG_INF

    @property
    def baseline_key(self):
        return self.baseline if self.baseline is not None else NEG_INF

    @property
    def progress_key(self):
        r = self.result.progress_rate
        return r if r is not None else NEG_INF

    @property
    def grade_key(self):
        return (self.grade.order, self.index)


def confirmed_only(user) -> bool:
    return not permissions.sees_unconfirmed(user)


def indicator_queryset(strategy: Strategy):
    """Every indicator of the strategy with its tree: one query."""
    return (
        Indicator.objects.for_strategy(strategy)
        .with_tree()
        .select_related("measure__policy__basic_goal")
        .in_document_order()
    )


def in_force(indicators, fiscal_year):
    """Indicators that count in `fiscal_year` (revisions: not yet introduced / retired ones left out)."""
    return indicators.in_force(fiscal_year)


def evaluate_rows(
    strategy, indicators, fiscal_year, user, scale, grades, settings
) -> list[DashboardRow]:
    """kpis.evaluation.timelines for the one year: 3 queries (visible actuals, interim
    overrides, targets in force) whatever the number of indicators."""
    lines = evaluation.timelines(
        strategy, indicators, [fiscal_year], reader=user, scale=scale, settings=settings
    )
    return [
        DashboardRow(i, t.at(fiscal_year), grade_of(t.at(fiscal_year).result, grades))
        for i, t in enumerate(lines)
    ]


# --- years ---------------------------------------------------------------------------------


def default_year(strategy: Strategy, user) -> int:
    """The latest fiscal year with an actual the user may see, else the strategy's first year."""
    qs = Actual.objects.filter(
        indicator__basic_goal__strategy=strategy,
        fiscal_year__gte=strategy.first_fiscal_year,
        fiscal_year__lte=strategy.last_fiscal_year,
    )
    if confirmed_only(user):
        qs = qs.confirmed()
    return qs.aggregate(latest=Max("fiscal_year"))["latest"] or strategy.first_fiscal_year


def parse_year(raw, strategy: Strategy) -> int | None:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return None
    return year if strategy.first_fiscal_year <= year <= strategy.last_fiscal_year else None


# --- roll-ups ------------------------------------------------------------------------------


@dataclass
class RollUpView:
    """A goal, policy or measure's KPIs (数値目標 not counted): the count by grade, then the
    mean of their progress rates each clamped to 0–100 % (kpis.achievement.roll_up)."""

    counts: list  # [(Grade, n)] in scale order
    mean_progress: Decimal | None
    total: int
    rated: int = 0  # KPIs with a progress rate: the mean's denominator

    @property
    def mean_note(self):
        return evaluation.mean_note(self.rated)

    @property
    def mean_text(self):
        return achievement.format_rate(self.mean_progress)

    @property
    def mean_pct(self):
        return progress_pct(self.mean_progress)


def roll_up_view(rows: list[DashboardRow], scale, grades) -> RollUpView:
    r = achievement.roll_up([row.result for row in rows], scale)
    counts = [(g, r.counts.get(g.label, 0)) for g in grades]
    return RollUpView(counts, r.mean_progress, r.total, r.rated)


@dataclass
class Group:
    """A goal, policy or measure with its rows and the roll-up of its KPIs."""

    obj: object
    rows: list = field(default_factory=list)
    rollup: RollUpView | None = None

    @property
    def targets(self):
        return [r for r in self.rows if not r.is_kpi]

    @property
    def kpis(self):
        return [r for r in self.rows if r.is_kpi]


def group_rows(objs, rows, key, scale, grades) -> list[Group]:
    """Groups in the order of `objs`; each rolls up the KPIs whose key(row) is the object's pk."""
    by_pk = defaultdict(list)
    for row in rows:
        by_pk[key(row)].append(row)
    groups = []
    for obj in objs:
        g = Group(obj, by_pk[obj.pk])
        g.rollup = roll_up_view(g.kpis, scale, grades)
        groups.append(g)
    return groups


# --- overview ------------------------------------------------------------------------------


@dataclass
class Overview:
    fiscal_year: int
    scale: achievement.GradeScale
    grades: list
    rows: list
    goals: list  # [Group] per basic goal
    policies: list
    departments: list
    method: evaluation.Method


def overview(strategy: Strategy, fiscal_year: int, user) -> Overview:
    """indicators 1 (their goals, policies and departments come with them), grade bands 1,
    settings 1, evaluation 3: 6 queries. Every basic goal and policy has indicators, so the
    filter's goals, policies and departments are read from the strategy's indicators."""
    every = list(indicator_queryset(strategy))
    goals = sorted({i.basic_goal for i in every}, key=lambda g: g.number)
    policies = sorted(
        {i.measure.policy for i in every if i.measure_id},
        key=lambda p: (p.basic_goal.number, p.order),
    )
    departments = sorted({i.department for i in every if i.department_id}, key=lambda d: d.name)
    indicators = [i for i in every if i.in_force(fiscal_year)]
    scale = evaluation.grade_scale(strategy)
    settings = evaluation.settings_for(strategy)
    # the grade chips and filter in the terms of 評価の方法's legend (進捗ペース when pro-rated)
    grades = scale_grades(scale, evaluation.legend_measure(settings.grade_basis))
    rows = evaluate_rows(strategy, indicators, fiscal_year, user, scale, grades, settings)
    groups = group_rows(goals, rows, lambda r: r.goal.pk, scale, grades)
    method = evaluation.method(strategy, scale, settings)
    return Overview(fiscal_year, scale, grades, rows, groups, policies, departments, method)


@dataclass
class DrillDown:
    fiscal_year: int
    grades: list
    group: Group  # the page's own object: all its rows, its KPIs rolled up
    children: list  # [Group] per policy (goal page) or per measure (policy page)


def drill_down(strategy, fiscal_year, user, indicators, children=(), key=None) -> DrillDown:
    """indicators 1, grade bands 1, settings 1, evaluation 3 (+ the caller's children query):
    6 queries."""
    indicators = list(in_force(indicators, fiscal_year))
    scale = evaluation.grade_scale(strategy)
    settings = evaluation.settings_for(strategy)
    grades = scale_grades(scale, evaluation.legend_measure(settings.grade_basis))
    rows = evaluate_rows(strategy, indicators, fiscal_year, user, scale, grades, settings)
    group = Group(None, rows)
    group.rollup = roll_up_view(group.kpis, scale, grades)
    groups = group_rows(children, group.kpis, key, scale, grades) if children else []
    return DrillDown(fiscal_year, grades, group, groups)


def filter_rows(rows, *, goal=None, policy=None, department=None, grade=None, direction=None):
    """The table's filters; '' or None leaves a filter off. department 'none' = 担当課未設定."""
    out = []
    for r in rows:
        ind = r.indicator
        if goal and str(r.goal.number) != str(goal):
            continue
        if policy and (r.policy is None or str(r.policy.pk) != str(policy)):
            continue
        if department == "none" and ind.department_id is not None:
            continue
        if department and department != "none" and str(ind.department_id) != str(department):
            continue
        if grade and r.grade.label != grade:
            continue
        if direction and ind.direction != direction:
            continue
        out.append(r)
    return out


# --- indicator page -----------------------------------------------------------------------


class YearPoint:
    """A year of the indicator page: the read model's YearEvaluation with the page's extras."""

    def __init__(self, year: evaluation.YearEvaluation):
        self.year = year

    def __getattr__(self, name):
        return getattr(self.year, name)

    @property
    def in_force(self):
        return self.year.counts

    @property
    def running_total_text(self):
        """The cumulative total, shown for the years that have a figure of their own."""
        return self.value_text if self.yearly_value is not None else "−"

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def track_text(self):
        """The year's one verdict: its grade (− without data)."""
        r = self.result
        return r.grade if r.value is None else f"{r.grade} {r.grade_description}"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    kind: str  # 実績値 / 指標
    when: object
    who: str
    action: str  # 作成 / 変更 / 削除
    changes: list
    reason: str
    fiscal_year: int | None = None
    history_id: int | None = None
    actual_id: int | None = None
    restorable: bool = False
    locked: bool = False


HISTORY_TYPES = {"+": "作成", "~": "変更", "-": "削除"}
ACTUAL_FIELDS = [*services.ENTRY_FIELDS, "status"]
INDICATOR_FIELDS = [
    "name",
    "unit",
    "baseline_value",
    "baseline_fiscal_year",
    "baseline_kind",
    "target_value",
    "target_fiscal_year",
    "change_value",
    "change_unit",
    "direction",
    "aggregation",
    "decimals",
    "reading_note",
]
ACTUAL_FIRST = ["value", "not_measurable", "data_year", "data_source", "status"]
INDICATOR_FIRST = ["baseline_value", "target_value", "target_fiscal_year"]


def _who(record):
    u = record.history_user
    return (u.get_full_name() or u.username) if u is not None else "システム"


def _shown(indicator, model, name, value):
    f = model._meta.get_field(name)
    if value is None or value == "":
        return "−"
    if f.choices:
        return str(dict(f.choices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, Decimal):
        return with_unit(fmt_value(indicator, value), indicator.unit)
    if name.endswith("fiscal_year"):
        return f"{value}年度"
    if name == "data_year":
        return f"{value}年"
    return str(value)


def _empty(value):
    return value is None or value == "" or value is False


def _diffs(records, model, fields, indicator, first_fields):
    """(record, [Change]) from the oldest record on, each against the record before it; the first
    record lists `first_fields` that have a value (old: −)."""
    out, prev = [], None
    for rec in records:
        changes = []
        for name in first_fields if prev is None else fields:
            new = getattr(rec, name)
            if prev is None and _empty(new):
                continue
            if prev is not None and getattr(prev, name) == new:
                continue
            changes.append(
                Change(
                    str(model._meta.get_field(name).verbose_name),
                    "−" if prev is None else _shown(indicator, model, name, getattr(prev, name)),
                    _shown(indicator, model, name, new),
                )
            )
        out.append((rec, changes))
        prev = rec
    return out


def _actual_history(indicator, *, confirmed, current, locked_years, can_restore):
    """Audit rows of the indicator's actuals, newest first: 1 query. Council members see only
    the confirmed states (a draft value never reaches them, not even through the history)."""
    records = (
        Actual.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    current_ids = {a.pk for a in current.values()}
    if confirmed:
        # Only actuals confirmed now (`current` holds the visible ones): a value confirmed and
        # later sent back is shown by no dashboard, so not by the history either.
        # (filtered here, not in SQL: an empty id list would skip the query and the page's
        # query count would depend on the data)
        records = records.filter(status=Actual.Status.CONFIRMED)
    per_actual = defaultdict(list)
    for rec in records:
        if confirmed and rec.id not in current_ids:
            continue
        per_actual[rec.id].append(rec)
    entries = []
    for actual_id, recs in per_actual.items():
        latest = recs[-1].history_id
        for rec, changes in _diffs(recs, Actual, ACTUAL_FIELDS, indicator, ACTUAL_FIRST):
            exists = actual_id in current_ids
            entries.append(
                HistoryEntry(
                    kind="実績値",
                    when=rec.history_date,
                    who=_who(rec),
                    action=HISTORY_TYPES.get(rec.history_type, rec.history_type),
                    changes=changes,
                    reason=rec.history_change_reason or "",
                    fiscal_year=rec.fiscal_year,
                    history_id=rec.history_id,
                    actual_id=actual_id,
                    restorable=can_restore
                    and exists
                    and rec.history_type != "-"
                    and rec.history_id != latest,
                    locked=rec.fiscal_year in locked_years,
                )
            )
    return entries


def _indicator_history(indicator):
    """Changes of the indicator itself (target, baseline, …): 1 query."""
    records = (
        Indicator.history.filter(id=indicator.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return [
        HistoryEntry(
            kind="指標",
            when=rec.history_date,
            who=_who(rec),
            action=HISTORY_TYPES.get(rec.history_type, rec.history_type),
            changes=changes,
            reason=rec.history_change_reason or "",
        )
        for rec, changes in _diffs(
            list(records), Indicator, INDICATOR_FIELDS, indicator, INDICATOR_FIRST
        )
        if changes or rec.history_change_reason  # not the saves that changed nothing shown here
    ]


@dataclass
class IndicatorDetail:
    indicator: Indicator
    fiscal_year: int
    spec: achievement.IndicatorSpec
    grades: list
    points: list  # [YearPoint] first..last fiscal year
    result: achievement.Result  # for fiscal_year
    grade: Grade
    actuals: dict  # fiscal_year → Actual the user may see
    history: list
    locked_years: set
    current_result: achievement.Result  # the same year under today's target (revisions)

    @property
    def point(self):
        return next(p for p in self.points if p.fiscal_year == self.fiscal_year)

    @property
    def progress_text(self):
        return achievement.format_rate(self.result.progress_rate)

    @property
    def progress_pct(self):
        return progress_pct(self.result.progress_rate)

    @property
    def notes(self):
        return [
            a
            for _, a in sorted(self.actuals.items())
            if a.note or a.data_source or a.not_measurable
        ]


def get_indicator(strategy, pk):
    return indicator_queryset(strategy).filter(pk=pk).first()  # None → the view answers 404


def indicator_detail(strategy, indicator, user, fiscal_year, *, can_restore) -> IndicatorDetail:
    """grade bands 1, settings 1, timelines (visible actuals, interim overrides, target
    revisions: 3), locked years 1, actual history 1, indicator history 1: 8 queries."""
    scale = evaluation.grade_scale(strategy)
    settings = evaluation.settings_for(strategy)
    years = strategy.fiscal_years
    (line,) = evaluation.timelines(
        strategy, [indicator], years, reader=user, scale=scale, settings=settings
    )
    # the legend in the terms this indicator is graded by that year (達成率 without a baseline)
    grades = scale_grades(scale, achievement.measure_for(line.at(fiscal_year).spec, fiscal_year))
    points = [YearPoint(line.at(y)) for y in years]
    result = line.at(fiscal_year).result
    locked = set(
        YearReview.objects.filter(strategy=strategy, is_locked=True).values_list(
            "fiscal_year", flat=True
        )
    )
    history = _actual_history(
        indicator,
        confirmed=confirmed_only(user),
        current=line.actuals,
        locked_years=locked,
        can_restore=can_restore,
    ) + _indicator_history(indicator)
    history.sort(key=lambda e: e.when, reverse=True)
    return IndicatorDetail(
        indicator,
        fiscal_year,
        line.at(fiscal_year).spec,
        grades,
        points,
        result,
        grade_of(result, grades),
        line.actuals,
        history,
        locked,
        line.under_current_target(strategy, fiscal_year, scale),
    )


def indicator_default_year(strategy, user, indicator) -> int:
    """The latest year with an actual of this indicator the user may see (1 query)."""
    qs = Actual.objects.filter(
        indicator=indicator,
        fiscal_year__gte=strategy.first_fiscal_year,
        fiscal_year__lte=strategy.last_fiscal_year,
    )
    if confirmed_only(user):
        qs = qs.confirmed()
    return qs.aggregate(latest=Max("fiscal_year"))["latest"] or strategy.first_fiscal_year
