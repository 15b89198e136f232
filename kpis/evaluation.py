"""Glue between the database and the pure achievement engine (kpis/achievement.py).

Reads everything needed for a strategy and a fiscal year in a fixed number of queries, then
evaluates in Python."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from kpis import access, achievement, numfmt
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
        achievement.GradeBandSpec(b.label, b.symbol, b.description, b.rule, b.threshold)
        for b in GradeBand.objects.filter(strategy=strategy).order_by("order")
    ]
    return achievement.GradeScale(bands=tuple(bands)) if bands else achievement.DEFAULT_SCALE


def settings_for(strategy: Strategy) -> EvaluationSettings:
    """The strategy's settings (no query when it was read with select_related
    ("evaluation_settings")), or the defaults."""
    if "evaluation_settings" in strategy._state.fields_cache:
        return strategy._state.fields_cache["evaluation_settings"] or EvaluationSettings(
            strategy=strategy
        )
    return EvaluationSettings.objects.filter(strategy=strategy).first() or EvaluationSettings(
        strategy=strategy
    )


def spec_for(
    indicator: Indicator,
    strategy: Strategy,
    overrides=None,
    tolerance=None,
    target: IndicatorTarget | None = None,
    basis=None,
) -> achievement.IndicatorSpec:
    """The engine's input; `target` (the row in force for some year) replaces the indicator's
    current baseline and target when given."""
    source = target or indicator
    d = indicator.decimals
    if tolerance is None or basis is None:
        settings = settings_for(strategy)
        tolerance = settings.maintain_tolerance if tolerance is None else tolerance
        basis = settings.grade_basis if basis is None else basis
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
        tolerance=tolerance,
        basis=basis,
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
    """Every indicator for `fiscal_year` (a thin view of timelines(); its queries)."""
    reader = COUNCIL_READER if confirmed_only else STAFF_READER
    return [
        Evaluated(t.indicator, t.at(fiscal_year).result, t.actuals_until(fiscal_year))
        for t in timelines(
            strategy, indicators, [fiscal_year], reader=reader, rule=rule, scale=scale
        )
    ]


# --- the read model ------------------------------------------------------------------------
#
# One indicator evaluated for the years a page shows, for what its reader may see. Every page,
# print, workbook, CSV and API answer reads its grade, progress and value from here.

STATUS_RANK = {Actual.Status.DRAFT: 0, Actual.Status.SUBMITTED: 1, Actual.Status.CONFIRMED: 2}
# Readers given as access levels where no user is at hand (kpis.access decides the levels).
PUBLIC_READER, COUNCIL_READER, STAFF_READER = access.PUBLIC, access.COUNCIL, access.STAFF


def visible_actuals(strategy, reader, locked_years=None):
    """THE rule of which actuals a reader may see, kpis.access.visible_actuals_at (public:
    confirmed values of locked years; council: confirmed; staff: all). `reader` is a user or one
    of the access levels. The read model calls it from this one place."""
    level = reader if isinstance(reader, str) else access.level_of(reader)
    if level == access.PUBLIC and locked_years is None:
        locked_years = access.locked_fiscal_years(strategy)
    return access.visible_actuals_at(strategy, level, locked_years or ())


@dataclass
class YearEvaluation:
    """One indicator in one fiscal year, as every surface shows it."""

    indicator: Indicator
    fiscal_year: int
    spec: achievement.IndicatorSpec  # the baseline and target in force that year
    result: achievement.Result
    actual: Actual | None  # the year's own visible actual
    status: str | None  # least-confirmed status of the actuals used; None without any
    counts: bool = True  # False: not yet introduced / already retired that year

    @property
    def decimals(self):
        return self.indicator.decimals

    def _text(self, value):
        return numfmt.with_unit(numfmt.number(value, self.decimals), self.indicator.unit)

    # values
    @property
    def value(self):
        return self.result.value

    @property
    def yearly_value(self):
        a = self.actual
        return a.value if a is not None and a.has_value else None

    @property
    def not_measurable(self):
        return self.actual is not None and self.actual.not_measurable

    @property
    def value_text(self):
        if self.result.value is None:
            return "測定不能" if self.not_measurable else numfmt.DASH
        return self._text(self.result.value)

    @property
    def yearly_text(self):
        if self.yearly_value is None:
            return "測定不能" if self.not_measurable else numfmt.DASH
        return self._text(self.yearly_value)

    @property
    def target(self):
        return self.spec.target

    @property
    def target_year(self):
        return self.spec.target_year

    @property
    def baseline(self):
        return self.spec.baseline

    @property
    def target_text(self):
        return self._text(self.spec.target)

    @property
    def baseline_text(self):
        return self._text(self.spec.baseline)

    @property
    def baseline_year(self):
        """The baseline's year, or the year the path starts from where the document gives none."""
        if self.spec.baseline is None:
            return None
        return self.indicator.baseline_fiscal_year or achievement.path_start(self.spec)

    @property
    def baseline_year_estimated(self):
        return self.spec.baseline is not None and not self.indicator.baseline_fiscal_year

    @property
    def baseline_year_text(self):
        year = self.baseline_year
        if year is None:
            return ""
        return f"{year}年度（推定）" if self.baseline_year_estimated else f"{year}年度"

    @property
    def interim(self):
        return self.result.interim_target

    @property
    def interim_text(self):
        """At the indicator's precision (the API keeps the exact value)."""
        if self.interim is None:
            return numfmt.DASH
        return numfmt.with_unit(numfmt.exactly(self.interim, self.decimals), self.indicator.unit)

    # rates and grade
    @property
    def progress_text(self):
        return numfmt.rate(self.result.progress_rate)

    @property
    def achievement_text(self):
        return numfmt.rate(self.result.achievement_rate)

    @property
    def pace_text(self):
        return numfmt.rate(self.result.pace)

    @property
    def judged_by_achievement(self):
        """No baseline (a level to reach or keep): the rate shown is 達成率, and pages say so."""
        return self.result.measure == achievement.ACHIEVEMENT

    @property
    def graded_text(self):
        """'進捗ペース 100.0%': the rate the grade was decided by, with its name."""
        return f"{self.result.measure_label} {numfmt.rate(self.result.graded_rate)}"

    @property
    def grade(self):
        return self.result.grade

    @property
    def grade_text(self):
        r = self.result
        if r.value is None:
            return f"{r.grade}（{r.grade_description}）"
        return f"{r.grade}（{r.symbol}）{r.grade_description}"

    @property
    def data_year(self):
        a = self.actual
        if a is not None and a.data_year and a.data_year != a.fiscal_year:
            return a.data_year
        return None


@dataclass
class Timeline:
    indicator: Indicator
    actuals: dict  # fiscal_year → the visible Actual, every year read
    years: dict  # fiscal_year → YearEvaluation

    def at(self, fiscal_year) -> YearEvaluation:
        return self.years[fiscal_year]

    def actuals_until(self, fiscal_year) -> dict:
        return {y: a for y, a in self.actuals.items() if y <= fiscal_year}

    def under_current_target(self, strategy, fiscal_year, scale) -> achievement.Result:
        """The same year and values judged against today's target (revisions; no query)."""
        spec = self.at(fiscal_year).spec
        today = spec_for(
            self.indicator, strategy, spec.interim_overrides, spec.tolerance, basis=spec.basis
        )
        values = yearly_values(self.actuals.values(), self.indicator.decimals)
        return achievement.evaluate(today, values, fiscal_year, scale)


def _status(actuals, result) -> str | None:
    years = result.inputs.get("yearly_values", {}).keys() or [result.fiscal_year]
    used = [actuals[y] for y in years if y in actuals]
    if not used:
        return None
    return min((a.status for a in used), key=lambda s: STATUS_RANK.get(s, 0))


# What every roll-up counts and how its average is taken (dashboard, review pack, workbook).
ROLLUP_COUNTS = "KPIのみ（数値目標を除く）"


def mean_note(rated: int) -> str:
    if not rated:  # 「KPI 0件の平均」 read as if an average had been taken
        return "進捗率を計算できるKPIの実績がまだないため、平均はありません"
    return f"進捗率を計算できたKPI {rated}件の平均。各KPIの進捗率を0〜100%に収めてから平均"


def timelines(
    strategy,
    indicators,
    fiscal_years,
    *,
    reader,
    rule=IN_FORCE,
    scale=None,
    settings=None,
    locked_years=None,
) -> list[Timeline]:
    """Each indicator evaluated in each of `fiscal_years` from the actuals `reader` may see.

    Queries, whatever the number of indicators, actuals and years: visible actuals 1, interim
    overrides 1, targets in force 1 (rule IN_FORCE), grade bands 1 and settings 1 unless the
    caller passes them; +1 (locked years) for a public reader unless `locked_years` is given."""
    indicators = list(indicators)
    years = sorted(set(fiscal_years))
    ids = [i.pk for i in indicators]
    actual_qs = visible_actuals(strategy, reader, locked_years).filter(
        indicator_id__in=ids, fiscal_year__lte=years[-1]
    )
    by_indicator = defaultdict(dict)
    for a in actual_qs.order_by("fiscal_year"):
        by_indicator[a.indicator_id][a.fiscal_year] = a
    overrides = defaultdict(dict)
    for o in InterimTarget.objects.filter(indicator_id__in=ids).order_by():  # no Meta joins
        overrides[o.indicator_id][o.fiscal_year] = o.value
    targets = defaultdict(list)
    if rule == IN_FORCE:
        for t in IndicatorTarget.objects.filter(indicator_id__in=ids).order_by(
            "effective_from_year"
        ):
            targets[t.indicator_id].append(t)
    scale = scale if scale is not None else grade_scale(strategy)
    settings = settings if settings is not None else settings_for(strategy)
    tolerance, basis = settings.maintain_tolerance, settings.grade_basis
    out = []
    for ind in indicators:
        actuals = by_indicator[ind.pk]
        values = yearly_values(actuals.values(), ind.decimals)
        evaluated = {}
        for year in years:
            in_force = target_in_force(targets[ind.pk], year) if targets[ind.pk] else None
            spec = spec_for(ind, strategy, overrides[ind.pk], tolerance, in_force, basis)
            result = achievement.evaluate(spec, values, year, scale)
            evaluated[year] = YearEvaluation(
                ind,
                year,
                spec,
                result,
                actuals.get(year),
                _status(actuals, result),
                ind.in_force(year),
            )
        out.append(Timeline(ind, actuals, evaluated))
    return out


# --- 評価の方法: the explanation every surface prints -------------------------------------


@dataclass(frozen=True)
class Method:
    basis: str
    basis_label: str
    scale: achievement.GradeScale
    paragraphs: tuple  # ((heading, text), …) in plain Japanese

    @property
    def measure(self) -> str:
        return legend_measure(self.basis)

    @property
    def legend(self) -> str:
        """'A ◎ 目標達成 ／ B ○ … ／ − 実績なし': one line for the foot of every printed page."""
        bands = [
            f"{b.label} {b.symbol} {achievement.describe(b, self.measure)}"
            for b in self.scale.bands
        ]
        bands.append(f"{self.scale.no_data_label} {self.scale.no_data_description}")
        return " ／ ".join(bands)


def legend_measure(basis: str) -> str:
    """The rate a legend of the whole scale speaks of: the pace on the pro-rated basis (how the
    years before the target year are graded), else the progress rate (achievement._describe)."""
    return achievement.PACE if basis == achievement.PRORATED else achievement.PROGRESS


def method(strategy, scale=None, settings=None) -> Method:
    """How the grades, rates and averages of `strategy` are computed, from its own settings."""
    scale = scale if scale is not None else grade_scale(strategy)
    settings = settings if settings is not None else settings_for(strategy)
    prorated = settings.grade_basis == achievement.PRORATED
    bands = "、".join(_band_text(b, prorated) for b in scale.bands)
    first = strategy.first_fiscal_year
    basis_text = (
        "目標年度より前の年度は、基準値から目標値までを直線で結んだ「その年度の中間目標」に"
        "どこまで近づいたかで評価します（年度按分）。経過割合 s = （評価年度 − 基準年度）÷"
        "（目標年度 − 基準年度）、中間目標 = 基準値 + s ×（目標値 − 基準値）、"
        "進捗ペース = 進捗率 ÷ s です。進捗ペース100%は中間目標ちょうどに当たります。"
        "累計の指標の中間目標は 目標値 × s です。目標年度以降は目標値そのものに対して評価します。"
        if prorated
        else "すべての年度を、最終の目標値に対する進捗率で評価します（初年度は進捗率が低く出ます）。"
        "中間目標は参考として示します。"
    )
    return Method(
        basis=settings.grade_basis,
        basis_label=settings.get_grade_basis_display(),
        scale=scale,
        paragraphs=(
            ("評価の基準", f"{settings.get_grade_basis_display()}。{basis_text}"),
            (
                "進捗率と達成率",
                "進捗率 =（実績値 − 基準値）÷（目標値 − 基準値）。減少を目指す指標は"
                "（基準値 − 実績値）÷（基準値 − 目標値）。達成率 = 実績値 ÷ 目標値"
                "（減少を目指す指標は 目標値 ÷ 実績値）。累計の指標は計画期間の初年度からの合計で計算します。",
            ),
            (
                "基準値のない指標",
                "基準値が記載されていない指標（到達・維持を目指す水準）は、毎年度、目標値そのものに"
                "対する達成率で評価し、「達成率で評価」と表示します。",
            ),
            ("評価の区分", f"{bands}。実績値のない年度は「{scale.no_data_label}」です。"),
            (
                "平均と件数",
                "基本目標・施策ごとの見出しは、KPI（数値目標を除く）の評価ごとの件数です。"
                "平均進捗率は、各KPIの進捗率を0〜100%に収めてから平均した値で、"
                "大きく悪化した１件が平均を０%未満にすることはありません。",
            ),
            (
                "基準年度と（推定）",
                f"文書に基準年度の記載がない指標は、計画期間の前年度（{first - 1}年度）を基準年度と"
                "みなし、「（推定）」と表示します。",
            ),
            (
                "改訂後の目標値",
                "目標値が改訂された場合、各年度はその年度に適用されていた目標値で評価します。",
            ),
        ),
    )


def _band_text(band: achievement.GradeBandSpec, prorated: bool) -> str:
    measure = "進捗ペース" if prorated else "進捗率"
    if band.rule == achievement.MET:
        rule = "中間目標に到達（目標年度以降は目標値を達成）" if prorated else "目標値を達成"
    elif band.rule == achievement.PROGRESS_AT_LEAST:
        rule = f"{measure}{numfmt.rate(band.threshold)}以上"
    elif band.rule == achievement.PROGRESS_ABOVE:
        rule = f"{measure}{numfmt.rate(band.threshold)}超"
    else:
        rule = "上記以外"
    return f"{band.label}（{band.symbol}）{rule}"
