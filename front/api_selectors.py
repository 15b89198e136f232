"""Reads behind the open-data API (front/api.py): who sees which actuals, and every indicator's
figures evaluated in a fixed number of queries.

Access rule, decided in kpis/access.py (`visible_actuals_at`, `level_of`):
- public (anonymous, or signed in without a role): confirmed values of locked fiscal years only;
- 有識者 (council): confirmed values of any year;
- 入力担当 / 事務局 / 管理者 (staff): every value, drafts and submissions included.
Strategy structure, targets and projects are public."""

from dataclasses import dataclass

from kpis import achievement, evaluation
from kpis.models import Indicator


def default_fiscal_year(strategy, locked_years) -> int:
    """The latest locked year of the strategy's period, else its first year."""
    in_period = [y for y in locked_years if y in strategy.fiscal_years]
    return max(in_period) if in_period else strategy.first_fiscal_year


@dataclass
class IndicatorFigures:
    """An indicator as the API answers it: a thin view of the read model's timeline
    (kpis.evaluation.timelines), so the API grades every year as the pages do."""

    indicator: Indicator
    timeline: evaluation.Timeline
    scale: achievement.GradeScale

    @property
    def actuals(self) -> dict:
        return self.timeline.actuals

    @property
    def interim_path(self) -> dict:
        """Each year's interim target in force (the target of that year's revision)."""
        return {
            y: e.result.interim_target
            for y, e in self.timeline.years.items()
            if e.result.interim_target is not None
        }

    @property
    def overridden_years(self) -> set:
        return {y for y, e in self.timeline.years.items() if y in e.spec.interim_overrides}

    def year(self, fiscal_year: int) -> evaluation.YearEvaluation:
        return self.timeline.at(fiscal_year)

    def evaluate(self, fiscal_year: int) -> achievement.Result:
        """The year's result from the visible values only (a cumulative total never includes
        a value the reader may not see), against the target in force that year."""
        return self.timeline.at(fiscal_year).result


def indicator_figures(strategy, indicators, level: str, locked_years) -> list[IndicatorFigures]:
    """Every indicator with its visible actuals and every year evaluated: indicators 1, then
    kpis.evaluation.timelines (visible actuals, interim overrides, targets in force, grade bands,
    settings; +1 locked years for the public) whatever the number of indicators and actuals."""
    indicators = list(
        indicators.select_related("basic_goal", "measure__policy__basic_goal", "department")
    )
    scale = evaluation.grade_scale(strategy)
    lines = evaluation.timelines(
        strategy,
        indicators,
        strategy.fiscal_years,
        reader=level,
        locked_years=locked_years,
        scale=scale,
    )
    return [IndicatorFigures(t.indicator, t, scale) for t in lines]


def goal_rollups(figures, fiscal_year) -> list[dict]:
    """Per basic goal, its KPIs of the year (数値目標 not counted) by grade and the mean of their
    progress rates clamped to 0–100 %: the numbers the dashboard and the review pack show."""
    by_goal = {}
    for f in figures:
        ind = f.indicator
        by_goal.setdefault(ind.basic_goal.number, [])
        if ind.level == Indicator.Level.KPI and ind.in_force(fiscal_year):
            by_goal[ind.basic_goal.number].append(f.evaluate(fiscal_year))
    out = []
    for number, results in sorted(by_goal.items()):
        scale = figures[0].scale
        r = achievement.roll_up(results, scale)
        out.append({"basic_goal": number, "rollup": r})
    return out
