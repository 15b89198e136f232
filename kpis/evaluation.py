"""Glue between the database and the pure achievement engine (kpis/achievement.py).

Reads everything needed for a strategy and a fiscal year in a fixed number of queries, then
evaluates in Python."""

from collections import defaultdict
from dataclasses import dataclass

from kpis import achievement
from kpis.models import Actual, EvaluationSettings, GradeBand, Indicator, InterimTarget, Strategy


def grade_scale(strategy: Strategy) -> achievement.GradeScale:
    bands = [
        achievement.GradeBand(b.label, b.symbol, b.description, b.rule, b.threshold)
        for b in GradeBand.objects.filter(strategy=strategy).order_by("order")
    ]
    return achievement.GradeScale(bands=tuple(bands)) if bands else achievement.DEFAULT_SCALE


def settings_for(strategy: Strategy) -> EvaluationSettings:
    return EvaluationSettings.objects.filter(strategy=strategy).first() or EvaluationSettings(
        strategy=strategy
    )


def spec_for(
    indicator: Indicator, strategy: Strategy, overrides=None, tolerance=None
) -> achievement.IndicatorSpec:
    return achievement.IndicatorSpec(
        target=indicator.target_value,
        direction=indicator.direction,
        aggregation=indicator.aggregation,
        first_year=strategy.first_fiscal_year,
        last_year=strategy.last_fiscal_year,
        target_year=indicator.target_fiscal_year,
        baseline=indicator.baseline_value,
        baseline_year=indicator.baseline_fiscal_year,
        interim_overrides=overrides or {},
        tolerance=tolerance if tolerance is not None else settings_for(strategy).maintain_tolerance,
    )


@dataclass
class Evaluated:
    indicator: Indicator
    result: achievement.Result
    actuals: dict  # fiscal_year → Actual (only the ones the user may see)

    @property
    def actual(self):
        return self.actuals.get(self.result.fiscal_year)


def yearly_values(actuals) -> dict:
    """{fiscal_year: value} for the engine; 測定不能 and blanks count as no data."""
    return {a.fiscal_year: a.value for a in actuals if a.has_value}


def evaluate_indicators(strategy, indicators, fiscal_year, *, confirmed_only) -> list[Evaluated]:
    """Evaluate every indicator for `fiscal_year`: 4 queries whatever the number of indicators
    (actuals, interim overrides, grade bands, settings)."""
    indicators = list(indicators)
    ids = [i.pk for i in indicators]
    actual_qs = Actual.objects.filter(indicator_id__in=ids, fiscal_year__lte=fiscal_year)
    if confirmed_only:
        actual_qs = actual_qs.confirmed()
    by_indicator = defaultdict(dict)
    for a in actual_qs:
        by_indicator[a.indicator_id][a.fiscal_year] = a
    overrides = defaultdict(dict)
    for o in InterimTarget.objects.filter(indicator_id__in=ids):
        overrides[o.indicator_id][o.fiscal_year] = o.value
    scale = grade_scale(strategy)
    tolerance = settings_for(strategy).maintain_tolerance
    out = []
    for ind in indicators:
        spec = spec_for(ind, strategy, overrides[ind.pk], tolerance)
        actuals = by_indicator[ind.pk]
        result = achievement.evaluate(spec, yearly_values(actuals.values()), fiscal_year, scale)
        out.append(Evaluated(ind, result, actuals))
    return out
