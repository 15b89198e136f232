"""Reads for the council dashboards (有識者会議), each in a fixed number of queries.

Everything a page shows is read up front with select_related / one query per table, then graded
in Python with kpis.evaluation and kpis.achievement: the number of queries never depends on the
number of indicators, actuals or years."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from kpis import achievement, evaluation, permissions, services
from kpis.models import (
    Actual,
    Department,
    Indicator,
    IndicatorTarget,
    Policy,
    Strategy,
    YearReview,
    target_in_force,
)
from kpis.templatetags.kpi_format import format_number

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


def scale_grades(scale: achievement.GradeScale) -> list[Grade]:
    """Every band of the strategy's scale in order, then the no-data grade."""
    last = len(scale.bands) - 1
    grades = []
    for i, band in enumerate(scale.bands):
        css = "a" if i == 0 else "d" if i == last else "b" if i == 1 else "c"
        grades.append(Grade(band.label, band.symbol, band.description, css, i))
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
    for g in grades:
        if g.label == result.grade:
            return g
    return grades[-1]


# --- rows ---------------------------------------------------------------------------------


def _natural_decimals(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def fmt_value(indicator: Indicator, value) -> str:
    """A value at the indicator's printed scale, or with the decimals it has (an interim target
    of 24,815.5 t stays 24,815.5); computed values that run on (1/3) get two places."""
    if value is None:
        return "−"
    value = Decimal(value)
    places = max(indicator.decimals, _natural_decimals(value))
    if places > 4:
        places = max(indicator.decimals, 2)
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_number(value, places)


def with_unit(text: str, unit: str) -> str:
    return text if text == "−" or not unit else f"{text}{unit}"


def progress_pct(rate: Decimal | None) -> str:
    """The progress rate as a bar width 0–100 (the text keeps the real rate, e.g. ▲12.0%)."""
    if rate is None:
        return "0"
    pct = min(max(rate * 100, Decimal(0)), Decimal(100))
    return f"{pct:.1f}"


@dataclass
class Row:
    """One indicator evaluated for one fiscal year, as the dashboards show it."""

    index: int  # document order
    evaluated: evaluation.Evaluated
    grade: Grade
    status: str | None  # least-confirmed status of the actuals used, None when no actual

    @property
    def indicator(self):
        return self.evaluated.indicator

    @property
    def result(self):
        return self.evaluated.result

    @property
    def actual(self):
        return self.evaluated.actual

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
        if self.result.value is None:
            a = self.actual
            return "測定不能" if a is not None and a.not_measurable else "−"
        return with_unit(fmt_value(self.indicator, self.result.value), self.indicator.unit)

    # The baseline and target the year was judged against (a revision may have changed them).
    @property
    def baseline(self):
        return self.result.inputs.get("baseline", self.indicator.baseline_value)

    @property
    def target(self):
        return self.result.inputs.get("target", self.indicator.target_value)

    @property
    def baseline_text(self):
        return with_unit(fmt_value(self.indicator, self.baseline), self.indicator.unit)

    @property
    def target_text(self):
        return with_unit(fmt_value(self.indicator, self.target), self.indicator.unit)

    @property
    def data_year_note(self):
        a = self.actual
        if a is not None and a.data_year and a.data_year != a.fiscal_year:
            return f"{a.data_year}年のデータ"
        return ""

    @property
    def progress_text(self):
        return achievement.format_rate(self.result.progress_rate)

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


def _status(evaluated: evaluation.Evaluated) -> str | None:
    result = evaluated.result
    years = result.inputs.get("yearly_values", {}).keys() or [result.fiscal_year]
    used = [evaluated.actuals[y] for y in years if y in evaluated.actuals]
    if not used:
        return None
    return min((a.status for a in used), key=lambda s: STATUS_RANK.get(s, 0))


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


def evaluate_rows(strategy, indicators, fiscal_year, user, scale, grades) -> list[Row]:
    """kpis.evaluation.evaluate_indicators: 4 queries (actuals, interim overrides, targets in
    force, settings) whatever the number of indicators."""
    evaluated = evaluation.evaluate_indicators(
        strategy, indicators, fiscal_year, confirmed_only=confirmed_only(user), scale=scale
    )
    return [Row(i, e, grade_of(e.result, grades), _status(e)) for i, e in enumerate(evaluated)]


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
    counts: list  # [(Grade, n)] in scale order
    mean_progress: Decimal | None
    total: int

    @property
    def mean_text(self):
        return achievement.format_rate(self.mean_progress)

    @property
    def mean_pct(self):
        return progress_pct(self.mean_progress)


def roll_up(rows: list[Row], scale, grades) -> RollUpView:
    r = achievement.roll_up([row.result for row in rows], scale)
    return RollUpView([(g, r.counts.get(g.label, 0)) for g in grades], r.mean_progress, r.total)


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
        g.rollup = roll_up(g.kpis, scale, grades)
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


def overview(strategy: Strategy, fiscal_year: int, user) -> Overview:
    """goals 1, policies 1, departments 1, indicators 1, grade bands 1, evaluation 4: 9 queries."""
    goals = list(strategy.basic_goals.order_by("number"))
    policies = list(
        Policy.objects.filter(basic_goal__strategy=strategy)
        .select_related("basic_goal")
        .order_by("basic_goal__number", "order")
    )
    departments = list(
        Department.objects.filter(indicators__basic_goal__strategy=strategy)
        .distinct()
        .order_by("name")
    )
    indicators = list(in_force(indicator_queryset(strategy), fiscal_year))
    scale = evaluation.grade_scale(strategy)
    grades = scale_grades(scale)
    rows = evaluate_rows(strategy, indicators, fiscal_year, user, scale, grades)
    groups = group_rows(goals, rows, lambda r: r.goal.pk, scale, grades)
    return Overview(fiscal_year, scale, grades, rows, groups, policies, departments)


@dataclass
class DrillDown:
    fiscal_year: int
    grades: list
    group: Group  # the page's own object: all its rows, its KPIs rolled up
    children: list  # [Group] per policy (goal page) or per measure (policy page)


def drill_down(strategy, fiscal_year, user, indicators, children=(), key=None) -> DrillDown:
    """indicators 1, grade bands 1, evaluation 4 (+ the caller's children query): 6 queries."""
    indicators = list(in_force(indicators, fiscal_year))
    scale = evaluation.grade_scale(strategy)
    grades = scale_grades(scale)
    rows = evaluate_rows(strategy, indicators, fiscal_year, user, scale, grades)
    group = Group(None, rows)
    group.rollup = roll_up(group.kpis, scale, grades)
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


@dataclass
class YearPoint:
    indicator: Indicator
    fiscal_year: int
    actual: Actual | None
    result: achievement.Result
    spec: achievement.IndicatorSpec  # the baseline and target in force that year
    in_force: bool = True  # False: not yet introduced / already retired that year

    @property
    def target_text(self):
        return self._text(self.spec.target)

    @property
    def baseline_text(self):
        return self._text(self.spec.baseline)

    def _text(self, value):
        return with_unit(fmt_value(self.indicator, value), self.indicator.unit)

    @property
    def value_text(self):
        return self._text(self.value)

    @property
    def yearly_text(self):
        if self.yearly_value is None:
            return "測定不能" if self.actual is not None and self.actual.not_measurable else "−"
        return self._text(self.yearly_value)

    @property
    def running_total_text(self):
        """The cumulative total, shown for the years that have a figure of their own."""
        return self.value_text if self.yearly_value is not None else "−"

    @property
    def interim_text(self):
        return self._text(self.interim)

    @property
    def value(self):
        return self.result.value

    @property
    def yearly_value(self):
        a = self.actual
        return a.value if a is not None and a.has_value else None

    @property
    def interim(self):
        return self.result.interim_target

    @property
    def data_year(self):
        a = self.actual
        return (
            a.data_year if a is not None and a.data_year and a.data_year != a.fiscal_year else None
        )

    @property
    def status(self):
        return self.actual.status if self.actual is not None else None

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def track_text(self):
        if self.result.on_track is None:
            return "−"
        return "順調" if self.result.on_track else "遅れ"


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
    """actuals 1, interim overrides 1, target revisions 1, grade bands 1, settings 1,
    locked years 1, actual history 1, indicator history 1: 8 queries."""
    confirmed = confirmed_only(user)
    actual_qs = Actual.objects.filter(indicator=indicator).order_by("fiscal_year")
    if confirmed:
        actual_qs = actual_qs.confirmed()
    actuals = {a.fiscal_year: a for a in actual_qs}
    d = indicator.decimals
    overrides = {o.fiscal_year: o.value for o in indicator.interim_targets.all()}
    revisions = list(IndicatorTarget.objects.filter(indicator=indicator))
    scale = evaluation.grade_scale(strategy)
    grades = scale_grades(scale)
    tolerance = evaluation.settings_for(strategy).maintain_tolerance

    def spec_in(year):
        """Each year is judged against the target in force that year (kpis.evaluation IN_FORCE)."""
        in_force = target_in_force(revisions, year) if revisions else None
        # spec_for drops the storage scale itself (26000.0000 → 26000; 2.0000 → 2.00).
        return evaluation.spec_for(indicator, strategy, overrides, tolerance, target=in_force)

    values = evaluation.yearly_values(actuals.values(), d)
    points = []
    for y in strategy.fiscal_years:
        spec = spec_in(y)
        result = achievement.evaluate(spec, values, y, scale)
        points.append(YearPoint(indicator, y, actuals.get(y), result, spec, indicator.in_force(y)))
    result = next(p.result for p in points if p.fiscal_year == fiscal_year)
    # "Under the current target": today's target for the same values, no extra query.
    current_spec = evaluation.spec_for(indicator, strategy, overrides, tolerance)
    current_result = achievement.evaluate(current_spec, values, fiscal_year, scale)
    locked = set(
        YearReview.objects.filter(strategy=strategy, is_locked=True).values_list(
            "fiscal_year", flat=True
        )
    )
    history = _actual_history(
        indicator,
        confirmed=confirmed,
        current=actuals,
        locked_years=locked,
        can_restore=can_restore,
    ) + _indicator_history(indicator)
    history.sort(key=lambda e: e.when, reverse=True)
    return IndicatorDetail(
        indicator,
        fiscal_year,
        next(p.spec for p in points if p.fiscal_year == fiscal_year),
        grades,
        points,
        result,
        grade_of(result, grades),
        actuals,
        history,
        locked,
        current_result,
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
