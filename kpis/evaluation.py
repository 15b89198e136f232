"""Glue between the database and the pure achievement engine (kpis/achievement.py).

Reads everything needed for a strategy and a fiscal year in a fixed number of queries, then
evaluates in Python."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kpis import achievement
from kpis.models import (
    Actual,
    EvaluationSettings,
    GradeBand,
    Indicator,
    IndicatorTarget,
    InterimTarget,
    Strategy,
    target_in_force,
)

IN_FORCE = "in_force"  # judge each year against the target in force that year ("as judged then")
CURRENT = "current"  # judge against today's target ("under the current target")


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
    indicator: Indicator,
    strategy: Strategy,
    overrides=None,
    tolerance=None,
    target: IndicatorTarget | None = None,
) -> achievement.IndicatorSpec:
    """The engine's input; `target` (the row in force for some year) replaces the indicator's
    current baseline and target when given."""
    source = target or indicator
    d = indicator.decimals
    return achievement.IndicatorSpec(
        target=trim(source.target_value, d),
        direction=indicator.direction,
        aggregation=indicator.aggregation,
        first_year=strategy.first_fiscal_year,
        last_year=strategy.last_fiscal_year,
        target_year=source.target_fiscal_year,
        baseline=trim(source.baseline_value, d),
        baseline_year=indicator.baseline_fiscal_year,
        interim_overrides={y: trim(v, d) for y, v in (overrides or {}).items()},
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


def trim(value, decimals=0):
    """Drop the storage scale (27700.0000 → 27700) but keep the printed one (2.00 stays 2.00), so
    the engine's formula text reads as the document does."""
    if value is None:
        return None
    exponent = value.normalize().as_tuple().exponent
    places = max(-exponent if isinstance(exponent, int) and exponent < 0 else 0, decimals)
    return value.quantize(Decimal(1).scaleb(-places))


def yearly_values(actuals, decimals=0) -> dict:
    """{fiscal_year: value} for the engine; 測定不能 and blanks count as no data."""
    return {a.fiscal_year: trim(a.value, decimals) for a in actuals if a.has_value}


def evaluate_indicators(
    strategy, indicators, fiscal_year, *, confirmed_only, rule=IN_FORCE, scale=None
) -> list[Evaluated]:
    """Evaluate every indicator for `fiscal_year`: 5 queries whatever the number of indicators
    (actuals, interim overrides, targets in force, grade bands, settings); 4 when the caller
    passes the grade scale it has already read."""
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
    targets = defaultdict(list)
    if rule == IN_FORCE:
        for t in IndicatorTarget.objects.filter(indicator_id__in=ids).order_by(
            "effective_from_year"
        ):
            targets[t.indicator_id].append(t)
    if scale is None:
        scale = grade_scale(strategy)
    tolerance = settings_for(strategy).maintain_tolerance
    out = []
    for ind in indicators:
        in_force = target_in_force(targets[ind.pk], fiscal_year) if rule == IN_FORCE else None
        spec = spec_for(ind, strategy, overrides[ind.pk], tolerance, target=in_force)
        actuals = by_indicator[ind.pk]
        result = achievement.evaluate(
            spec, yearly_values(actuals.values(), ind.decimals), fiscal_year, scale
        )
        out.append(Evaluated(ind, result, actuals))
    return out
