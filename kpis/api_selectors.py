"""Reads behind the open-data API (kpis/api.py): who sees which actuals, and every indicator's
figures evaluated in a fixed number of queries.

Access rule, decided in kpis/access.py (`visible_actuals` here is its delegate):
- public (anonymous, or signed in without a role): confirmed values of locked fiscal years only;
- 有識者 (council): confirmed values of any year;
- 入力担当 / 事務局 / 管理者 (staff): every value, drafts and submissions included.
Strategy structure, targets and projects are public."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from kpis import access, achievement
from kpis.access import COUNCIL, PUBLIC, STAFF  # noqa: F401 - re-exported for callers
from kpis.evaluation import grade_scale, settings_for, spec_for, yearly_values
from kpis.models import Indicator, InterimTarget


def access_level(user) -> str:
    """Which of the three views of the actuals `user` gets (kpis.access decides)."""
    return access.level_of(user)


def locked_fiscal_years(strategy) -> list[int]:
    """The fiscal years whose figures the council has locked for review, oldest first."""
    return access.locked_fiscal_years(strategy)


def visible_actuals(strategy, level: str, locked_years):
    """The one filter deciding which actuals a reader sees at `level`: a delegate to
    kpis.access.visible_actuals_at, kept under this name for the evaluation read model."""
    return access.visible_actuals_at(strategy, level, locked_years)


def default_fiscal_year(strategy, locked_years) -> int:
    """The latest locked year of the strategy's period, else its first year."""
    in_period = [y for y in locked_years if y in strategy.fiscal_years]
    return max(in_period) if in_period else strategy.first_fiscal_year


@dataclass
class IndicatorFigures:
    indicator: Indicator
    spec: achievement.IndicatorSpec
    actuals: dict  # fiscal_year → Actual, only the visible ones
    scale: achievement.GradeScale

    @property
    def interim_path(self) -> dict:
        return achievement.interim_path(self.spec)

    @property
    def overridden_years(self) -> set:
        return set(self.spec.interim_overrides)

    def evaluate(self, fiscal_year: int) -> achievement.Result:
        """The engine's result computed from the visible values only (so a cumulative total
        never includes a value the reader may not see)."""
        values = yearly_values(self.actuals.values(), self.indicator.decimals)
        return achievement.evaluate(self.spec, values, fiscal_year, self.scale)


def indicator_figures(strategy, indicators, level: str, locked_years) -> list[IndicatorFigures]:
    """Every indicator with its visible actuals, interim path and grade scale: 5 queries whatever
    the number of indicators and actuals (indicators, interim overrides, actuals, grade bands,
    settings).

    Like evaluation.evaluate_indicators, but the actuals come from `visible_actuals`, whose public
    rule (locked years only) evaluate_indicators' `confirmed_only` cannot express, and the spec is
    kept for the interim path."""
    indicators = list(
        indicators.select_related(
            "basic_goal", "measure__policy__basic_goal", "department"
        ).prefetch_related(
            Prefetch(
                "interim_targets",
                queryset=InterimTarget.objects.order_by("fiscal_year"),
                to_attr="interim_list",
            )
        )
    )
    ids = [i.pk for i in indicators]
    by_indicator = defaultdict(dict)
    actuals = visible_actuals(strategy, level, locked_years).filter(indicator_id__in=ids)
    for a in actuals.order_by("fiscal_year"):
        by_indicator[a.indicator_id][a.fiscal_year] = a
    scale = grade_scale(strategy)
    tolerance = settings_for(strategy).maintain_tolerance
    out = []
    for ind in indicators:
        overrides = {o.fiscal_year: o.value for o in ind.interim_list}
        # spec_for and yearly_values drop the storage scale (27700.0000 → 27700) themselves.
        spec = spec_for(ind, strategy, overrides, tolerance)
        out.append(IndicatorFigures(ind, spec, by_indicator[ind.pk], scale))
    return out
