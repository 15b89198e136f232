"""効果検証資料: everything the council's yearly review document shows, read in a fixed number of
queries (whatever the number of indicators, actuals or opinions) and shaped for the page and the
.xlsx alike."""

from collections import defaultdict
from dataclasses import dataclass, field

from council.selectors import opinion_index
from kpis import achievement, numfmt
from kpis.evaluation import (
    COUNCIL_READER,
    STAFF_READER,
    Method,
    YearEvaluation,
    grade_scale,
    mean_note,
    method,
    settings_for,
    timelines,
)
from kpis.fiscal import fiscal_year_label
from kpis.models import Actual, BasicGoal, Indicator, Measure
from population.models import PopulationPoint, PopulationTarget
from population.selectors import actual_rows, load_figures, population_status


@dataclass
class YearCell:
    year: int
    actual: Actual | None
    text: str
    unconfirmed: bool = False

    @property
    def value(self):
        a = self.actual
        return a.value if a is not None and a.has_value else None


@dataclass
class PackRow:
    """An indicator in the review pack: the read model's YearEvaluation for the year."""

    year: YearEvaluation
    cells: list  # [YearCell], one per strategy year
    opinion_count: int = 0  # this year's and last year's

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
    def unit(self):
        return self.indicator.unit

    # Baseline and target as the evaluation used them (the target in force for the year).
    @property
    def baseline(self):
        return self.year.baseline

    @property
    def baseline_year(self):
        return self.year.baseline_year

    @property
    def baseline_year_text(self):
        return self.year.baseline_year_text

    @property
    def target(self):
        return self.year.target

    @property
    def target_year(self):
        return self.year.target_year

    @property
    def baseline_text(self):
        return self.year.baseline_text

    @property
    def target_text(self):
        return self.year.target_text

    @property
    def interim_text(self):
        return self.year.interim_text

    @property
    def evaluated_text(self):
        """The value graded: the year's figure, or the running total of a cumulative KPI."""
        return self.year.value_text

    @property
    def is_cumulative(self):
        return self.indicator.aggregation == Indicator.Aggregation.CUMULATIVE

    @property
    def progress_text(self):
        return self.year.progress_text

    @property
    def graded_text(self):
        return self.year.graded_text

    @property
    def grade_text(self):
        return self.year.grade_text

    @property
    def grade_class(self):
        return (
            f"grade-{self.result.grade.lower()}" if self.result.value is not None else "grade-none"
        )

    @property
    def note(self):
        return self.actual.note if self.actual else ""

    @property
    def department(self):
        d = self.indicator.department
        return d.name if d else "未設定"


@dataclass
class MeasureSection:
    measure: Measure
    rows: list = field(default_factory=list)
    opinion_count: int = 0


@dataclass
class GoalSection:
    goal: BasicGoal
    numeric_targets: list = field(default_factory=list)  # [PackRow]
    measures: list = field(default_factory=list)  # [MeasureSection]
    rollup: achievement.RollUp | None = None  # the KPIs only, as on the dashboard
    opinion_count: int = 0

    @property
    def mean_progress_text(self):
        return numfmt.rate(self.rollup.mean_progress if self.rollup else None)

    @property
    def mean_note(self):
        return mean_note(self.rollup.rated if self.rollup else 0)

    @property
    def kpi_rows(self):
        return [row for m in self.measures for row in m.rows]


@dataclass
class ReviewPack:
    strategy: object
    fiscal_year: int
    years: list
    goals: list
    population: list
    population_actuals: list
    opinion_index: dict
    confirmed_only: bool
    scale: achievement.GradeScale
    method: Method  # 評価の方法, printed with the pack

    @property
    def previous_year(self):
        return self.fiscal_year - 1

    @property
    def column_count(self):
        """Columns of an indicator table: 10 fixed ones and one per strategy year."""
        return 10 + len(self.years)

    @property
    def title(self):
        return f"{self.strategy.name} 効果検証資料（{fiscal_year_label(self.fiscal_year)}）"

    def opinions_for(self, kind, target_id, fiscal_year):
        return self.opinion_index.get((kind, target_id, fiscal_year), [])


def _cells(line, years, decimals, unit, fiscal_year):
    cells = []
    for year in years:
        actual = line.actuals.get(year) if year <= fiscal_year else None
        if actual is None:
            text = "−"
        elif actual.not_measurable:
            text = "測定不能"
        elif actual.value is None:
            text = "−"
        else:
            text = numfmt.with_unit(numfmt.number(actual.value, decimals), unit)
        unconfirmed = actual is not None and actual.status != Actual.Status.CONFIRMED
        cells.append(YearCell(year=year, actual=actual, text=text, unconfirmed=unconfirmed))
    return cells


def build_review_pack(strategy, fiscal_year, *, confirmed_only, reader=None) -> ReviewPack:
    """Queries: goals, measures, indicators, the grade scale, those of evaluation.timelines (4),
    opinions, and 3 for population. `reader` (a user) decides which actuals are read; without
    one, `confirmed_only` picks the council's or the staff's view."""
    goals = list(BasicGoal.objects.filter(strategy=strategy).order_by("number"))
    measures = list(
        Measure.objects.filter(policy__basic_goal__strategy=strategy)
        .select_related("policy__basic_goal")
        .order_by("policy__order", "number")
    )
    indicators = list(Indicator.objects.for_strategy(strategy).with_tree().in_document_order())
    scale = grade_scale(strategy)
    if reader is None or (confirmed_only and not isinstance(reader, str)):
        # staff asking for the meeting's view (?confirmed=1) read as the council does
        reader = COUNCIL_READER if confirmed_only else STAFF_READER
    settings = settings_for(strategy)
    lines = timelines(
        strategy, indicators, [fiscal_year], reader=reader, scale=scale, settings=settings
    )
    years = strategy.fiscal_years

    sections = {g.pk: GoalSection(goal=g) for g in goals}
    measure_sections = defaultdict(dict)
    for m in measures:
        section = MeasureSection(measure=m)
        sections[m.policy.basic_goal_id].measures.append(section)
        measure_sections[m.policy.basic_goal_id][m.pk] = section
    for line in lines:
        ind = line.indicator
        row = PackRow(
            year=line.at(fiscal_year),
            cells=_cells(line, years, ind.decimals, ind.unit, fiscal_year),
        )
        if ind.level == Indicator.Level.GOAL:
            sections[ind.basic_goal_id].numeric_targets.append(row)
        else:
            measure_sections[ind.basic_goal_id][ind.measure_id].rows.append(row)
    for section in sections.values():
        # KPIs only, as the dashboard counts them (ROLLUP_COUNTS)
        section.rollup = achievement.roll_up([r.result for r in section.kpi_rows], scale)

    index = opinion_index(strategy, [fiscal_year - 1, fiscal_year])

    def count(kind, pk):
        return len(index.get((kind, pk, fiscal_year), [])) + len(
            index.get((kind, pk, fiscal_year - 1), [])
        )

    for section in sections.values():
        section.opinion_count = count("basic_goal", section.goal.pk)
        for row in section.numeric_targets:
            row.opinion_count = count("indicator", row.indicator.pk)
        for m in section.measures:
            m.opinion_count = count("measure", m.measure.pk)
            for row in m.rows:
                row.opinion_count = count("indicator", row.indicator.pk)

    figures = load_figures(strategy)
    targets = list(PopulationTarget.objects.filter(strategy=strategy))
    points = list(PopulationPoint.objects.filter(strategy=strategy))
    return ReviewPack(
        strategy=strategy,
        fiscal_year=fiscal_year,
        years=years,
        goals=[sections[g.pk] for g in goals],
        population=population_status(figures, targets, points),
        population_actuals=actual_rows(figures),
        opinion_index=index,
        confirmed_only=confirmed_only,
        scale=scale,
        method=method(strategy, scale, settings),
    )
