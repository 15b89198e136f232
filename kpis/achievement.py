"""効果検証: how far a KPI has come toward its target in a fiscal year.

evaluate() compares one year's figure with the target and grades it. Each
Result carries the calculation written out in Japanese with the numbers used
(`formula`) and everything it was computed from (`inputs`), so the expert
council (有識者会議) can redo every rate by hand. Arithmetic is Decimal
throughout and nothing is rounded except in display text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from kpis import numfmt

# Which way a KPI improves.
INCREASE = "increase"
DECREASE = "decrease"
MAINTAIN = "maintain"  # 「…以上の水準維持」
REACH = "reach"  # reach a level, e.g. 全国比100%; higher is better
DIRECTIONS = (INCREASE, DECREASE, MAINTAIN, REACH)

# What a year's figure means.
LEVEL = "level"  # a level measured each year
ANNUAL = "annual"  # 年間: the year's own count
CUMULATIVE = "cumulative"  # 延べ・累計・総額・「４年でN件増加」: summed over the period
AGGREGATIONS = (LEVEL, ANNUAL, CUMULATIVE)

# How a grade band decides whether a result belongs to it.
MET = "met"
PROGRESS_AT_LEAST = "progress_at_least"
PROGRESS_ABOVE = "progress_above"
OTHERWISE = "otherwise"
RULES = (MET, PROGRESS_AT_LEAST, PROGRESS_ABOVE, OTHERWISE)

# What a year before the target year is graded against (EvaluationSettings.grade_basis).
PRORATED = "prorated"  # 年度按分: the year's point on the straight path to the target (pace)
FINAL = "final"  # 最終目標値に対する進捗率: the final target in every year
BASES = (PRORATED, FINAL)

# The rate a grade was decided by, as the page labels it.
PACE = "pace"  # 進捗ペース = 進捗率 ÷ 経過割合 s(y)
PROGRESS = "progress"  # 進捗率 toward the final target
ACHIEVEMENT = "achievement"  # 達成率: no baseline (a level to reach or maintain)
MEASURE_LABELS = {PACE: "進捗ペース", PROGRESS: "進捗率", ACHIEVEMENT: "達成率"}

NO_RATE = "−"
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class IndicatorSpec:
    """A KPI's target as the strategy states it."""

    target: Decimal
    direction: str
    aggregation: str
    first_year: int  # the strategy's first fiscal year, e.g. 2021
    last_year: int  # e.g. 2024
    target_year: int
    baseline: Decimal | None = None
    baseline_year: int | None = None
    interim_overrides: Mapping[int, Decimal] = field(default_factory=dict)
    tolerance: Decimal = Decimal("0")  # maintain: met when actual >= target × (1 − tolerance)
    basis: str = FINAL  # PRORATED or FINAL: what a year before the target year is graded against

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}; expected one of {DIRECTIONS}")
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(
                f"unknown aggregation {self.aggregation!r}; expected one of {AGGREGATIONS}"
            )
        if self.first_year > self.last_year:
            raise ValueError("first_year is after last_year")
        if self.basis not in BASES:
            raise ValueError(f"unknown basis {self.basis!r}; expected one of {BASES}")


@dataclass(frozen=True)
class GradeBandSpec:
    """One band of a grade scale as the engine takes it: the stored kpis.models.GradeBand
    without the database (as IndicatorSpec is to Indicator)."""

    label: str  # 'A'
    symbol: str  # '◎'
    description: str  # '目標達成'
    rule: str  # one of RULES
    threshold: Decimal | None = None  # for the progress rules, a fraction (0.8 = 80 %)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}; expected one of {RULES}")
        if self.rule in (PROGRESS_AT_LEAST, PROGRESS_ABOVE) and self.threshold is None:
            raise ValueError(f"band {self.label!r}: rule {self.rule!r} needs a threshold")


@dataclass(frozen=True)
class GradeScale:
    bands: tuple[GradeBandSpec, ...]  # evaluated in order, first match wins
    no_data_label: str = "−"
    no_data_description: str = "実績なし"

    def __post_init__(self) -> None:
        # Ending with 'otherwise' guarantees every evaluated value gets a band.
        if not self.bands or self.bands[-1].rule != OTHERWISE:
            raise ValueError("the last band of a scale must use the 'otherwise' rule")
        labels = [band.label for band in self.bands] + [self.no_data_label]
        # roll_up() counts by label, so labels must tell bands apart.
        if len(set(labels)) != len(labels):
            raise ValueError("band labels and the no-data label must all differ")


DEFAULT_SCALE = GradeScale(
    bands=(
        GradeBandSpec("A", "◎", "目標達成", MET),
        GradeBandSpec("B", "○", "進捗率80%以上", PROGRESS_AT_LEAST, Decimal("0.8")),
        GradeBandSpec("C", "△", "進捗あり", PROGRESS_ABOVE, Decimal("0")),
        GradeBandSpec("D", "×", "進捗なし・悪化", OTHERWISE),
    )
)


@dataclass(frozen=True)
class Result:
    fiscal_year: int
    value: Decimal | None  # the year's value, or the cumulative sum to that year
    progress_rate: Decimal | None  # a fraction, not a percentage
    achievement_rate: Decimal | None
    interim_target: Decimal | None
    on_track: bool | None
    met: bool | None
    grade: str  # band label, or the scale's no-data label
    symbol: str
    grade_description: str
    inputs: Mapping[str, object]
    pace: Decimal | None = None  # progress ÷ s(y) on the pro-rated basis before the target year
    share: Decimal | None = None  # s(y), the share of the path due by this year
    measure: str = PROGRESS  # PACE / PROGRESS / ACHIEVEMENT: what the grade was decided by
    basis: str = FINAL
    # The calculation written out is built on first use (most pages never print it: the overview
    # grades every KPI and shows none of the formulas): the text, or how to build it.
    _formula: str | None = field(default=None, repr=False, compare=False)
    _explain: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def formula(self) -> str:
        """The calculation in Japanese, with the numbers used; one step per line."""
        if self._formula is None:
            text = _evaluate(*self._explain, explain=True)._formula
            object.__setattr__(self, "_formula", text)
        return self._formula

    @property
    def measure_label(self) -> str:
        return MEASURE_LABELS[self.measure]

    @property
    def graded_rate(self) -> Decimal | None:
        """The rate the grade was decided by (pace, progress or achievement)."""
        return self.pace if self.measure == PACE else self.progress_rate


@dataclass(frozen=True)
class RollUp:
    counts: Mapping[str, int]  # every band label then the no-data label, zeros included
    mean_progress: Decimal | None  # mean of the progress rates, each clamped to 0–100 %
    total: int
    rated: int = 0  # how many results had a progress rate (the mean's denominator)
    mean_pace: Decimal | None = None  # mean of the paces (pro-rated years), each clamped


def interim_target(spec: IndicatorSpec, fiscal_year: int) -> Decimal | None:
    """The value a KPI should have reached by fiscal_year, or None when there is none."""
    return _interim(spec, fiscal_year)[0]


def interim_path(spec: IndicatorSpec) -> dict[int, Decimal]:
    """Interim targets for first_year..last_year; years without one are left out."""
    path = {year: interim_target(spec, year) for year in range(spec.first_year, spec.last_year + 1)}
    return {year: value for year, value in path.items() if value is not None}


def cumulative_value(
    spec: IndicatorSpec, actuals: Mapping[int, Decimal | None], fiscal_year: int
) -> Decimal | None:
    """Sum of the entered figures from first_year to fiscal_year; None if none was entered."""
    present = [v for v in _years_used(spec, actuals, fiscal_year).values() if v is not None]
    return sum(present, ZERO) if present else None


def evaluate(
    spec: IndicatorSpec,
    actuals: Mapping[int, Decimal | None],
    fiscal_year: int,
    scale: GradeScale = DEFAULT_SCALE,
) -> Result:
    """Grade one KPI for one fiscal year (its `formula` is written out when first read)."""
    return _evaluate(spec, actuals, fiscal_year, scale, explain=False)


def _evaluate(spec, actuals, fiscal_year, scale, *, explain: bool) -> Result:
    """evaluate(); with explain=False no text is built, and the Result builds it on demand by
    running this again with explain=True (the same arithmetic, so the same numbers)."""
    later = None if explain else (spec, actuals, fiscal_year, scale)
    cumulative = spec.aggregation == CUMULATIVE
    yearly = _years_used(spec, actuals, fiscal_year)
    value = cumulative_value(spec, actuals, fiscal_year) if cumulative else yearly[fiscal_year]
    interim, interim_note = _interim(spec, fiscal_year)
    inputs = {
        "fiscal_year": fiscal_year,
        "direction": spec.direction,
        "aggregation": spec.aggregation,
        "target": spec.target,
        "target_year": spec.target_year,
        "baseline": spec.baseline,
        "baseline_year": spec.baseline_year,
        "first_year": spec.first_year,
        "last_year": spec.last_year,
        "tolerance": spec.tolerance,
        "yearly_values": yearly,
        "value": value,
        "interim_target": interim,
        "interim_note": interim_note,
        "interim_overridden": fiscal_year in spec.interim_overrides,
    }
    if value is None:
        return Result(
            fiscal_year=fiscal_year,
            value=None,
            progress_rate=None,
            achievement_rate=None,
            interim_target=interim,
            on_track=None,
            met=None,
            grade=scale.no_data_label,
            symbol=scale.no_data_label,
            grade_description=scale.no_data_description,
            inputs=inputs,
            _formula=f"{fiscal_year}年度の実績値が未入力のため評価できません。",
        )

    name = "累計実績値" if cumulative else "実績値"
    lines = _sum_lines(name, yearly, value) if cumulative and explain else []
    if spec.direction == MAINTAIN:
        progress, achievement, rate_lines = _maintain_rates(spec, name, value, explain)
    else:
        progress, achievement, rate_lines = _directed_rates(spec, name, value, explain)
    lines += rate_lines

    met = _meets(spec, value, spec.target)
    if explain:
        relation = _relation(spec, name, value, "目標値", spec.target, met)
        lines.append(f"目標達成の判定：{relation} → {'達成' if met else '未達成'}")

    on_track = None if interim is None else _meets(spec, value, interim)
    measure = ACHIEVEMENT if _judged_by_achievement(spec) else PROGRESS
    share = _share(spec, fiscal_year) if spec.basis == PRORATED else None
    pace = None
    if share is not None and interim is not None:
        # 年度按分: graded by how far along the year's point of the path the KPI is.
        measure = PACE
        pace, pace_lines = _pace(spec, fiscal_year, name, value, progress, share, interim, explain)
        on_track = pace is not None and _at_least_one(pace)
        lines += pace_lines
        grade_met, grade_rate = on_track, pace
    else:
        grade_met, grade_rate = met, progress
    if explain and measure != PACE:
        if interim is None:
            lines.append(f"中間目標：なし（{interim_note}）")
        elif spec.basis == FINAL and fiscal_year < spec.target_year:
            # Shown for reference only: the grade below is against the final target.
            relation = _relation(
                spec, name, value, f"{fiscal_year}年度の中間目標", interim, on_track
            )
            lines.append(f"中間目標（参考）：{relation}（{interim_note}）")
        else:
            relation = _relation(
                spec, name, value, f"{fiscal_year}年度の中間目標", interim, on_track
            )
            lines.append(f"中間目標との比較：{relation}（{interim_note}）")
        if measure == ACHIEVEMENT:
            lines.append(
                "評価の基準：基準値のない指標のため、毎年度、目標値そのものに対する達成率で評価"
            )
        elif fiscal_year >= spec.target_year:
            lines.append("評価の基準：目標年度以降のため、目標値に対する進捗率で評価")
        else:
            lines.append("評価の基準：最終目標値に対する進捗率で評価")

    band = _grade(scale, grade_met, grade_rate)
    description = describe(band, measure)
    if explain:
        lines.append(f"評価：{band.label}（{band.symbol} {description}）")
    return Result(
        fiscal_year=fiscal_year,
        value=value,
        progress_rate=progress,
        achievement_rate=achievement,
        interim_target=interim,
        on_track=on_track,
        met=met,
        grade=band.label,
        symbol=band.symbol,
        grade_description=description,
        inputs=inputs,
        pace=pace,
        share=share,
        measure=measure,
        basis=spec.basis,
        _formula="\n".join(lines) if explain else None,
        _explain=later,
    )


def roll_up(results: Iterable[Result], scale: GradeScale = DEFAULT_SCALE) -> RollUp:
    """Count results per grade (in scale order) and average their progress rates (and paces),
    each clamped to 0–100 % first: one KPI at ▲2,750 % must not drag a goal's average below
    zero, nor one far past its target lift it above 100 %."""
    counts = {band.label: 0 for band in scale.bands}
    counts[scale.no_data_label] = 0
    rates: list[Decimal] = []
    paces: list[Decimal] = []
    total = 0
    for result in results:
        if result.grade not in counts:
            raise ValueError(f"grade {result.grade!r} is not on this scale")
        counts[result.grade] += 1
        total += 1
        if result.progress_rate is not None:
            rates.append(clamp(result.progress_rate))
        if result.pace is not None:
            paces.append(clamp(result.pace))
    mean = sum(rates, ZERO) / len(rates) if rates else None
    mean_pace = sum(paces, ZERO) / len(paces) if paces else None
    return RollUp(counts, mean, total, rated=len(rates), mean_pace=mean_pace)


def clamp(rate: Decimal) -> Decimal:
    """A rate limited to 0–100 % (0–1), as averages take it."""
    return min(max(rate, ZERO), ONE)


def format_rate(rate: Decimal | None) -> str:
    """A fraction as a percentage to one decimal ('32.4%'), or '−' when there is none."""
    return numfmt.rate(rate)


def format_number(value: Decimal) -> str:
    """A number for formula text: thousands separators, ▲ for negatives, the decimals it has."""
    # Only computed values (an interim target of 1/3) run past 4 places; typed ones never do.
    return numfmt.as_written(value)


# --- internals ---------------------------------------------------------------------------


def _judged_by_achievement(spec: IndicatorSpec) -> bool:
    """No baseline (a level to reach) or a level to maintain: the target itself, every year."""
    if spec.direction == MAINTAIN:
        return True
    return spec.baseline is None and spec.aggregation != CUMULATIVE


def measure_for(spec: IndicatorSpec, fiscal_year: int) -> str:
    """The rate a value in `fiscal_year` would be graded by (PACE, PROGRESS or ACHIEVEMENT): what a
    grade legend describes its bands by, a year without data included (evaluate() decides the
    same way)."""
    if _judged_by_achievement(spec):
        return ACHIEVEMENT
    if spec.basis == PRORATED and _share(spec, fiscal_year) is not None:
        if interim_target(spec, fiscal_year) is not None:
            return PACE
    return PROGRESS


def path_start(spec: IndicatorSpec) -> int:
    """b: the year the straight path starts from (the baseline year; the year before the
    strategy's first year where the document gives none, or for a cumulative KPI)."""
    if spec.aggregation == CUMULATIVE or spec.baseline_year is None:
        return spec.first_year - 1
    return spec.baseline_year


def _share(spec: IndicatorSpec, fiscal_year: int) -> Decimal | None:
    """s(y) = (y − b) ÷ (T − b) for a year before the target year, else None (graded against
    the target itself)."""
    if _judged_by_achievement(spec) or fiscal_year >= spec.target_year:
        return None
    start = path_start(spec)
    span, elapsed = spec.target_year - start, fiscal_year - start
    if span <= 0 or elapsed <= 0:
        return None
    return Decimal(elapsed) / Decimal(span)


def _pace(spec, fiscal_year, name, value, progress, share, interim, explain=True):
    """進捗ペース = 進捗率 ÷ s(y); an individually set interim target replaces the path."""
    overridden = fiscal_year in spec.interim_overrides
    if overridden:
        origin = spec.baseline if spec.baseline is not None else ZERO
        if spec.direction == DECREASE:
            pace = _div(origin - value, origin - interim)
        else:
            pace = _div(value - origin, interim - origin)
    else:
        pace = _div(progress, share) if progress is not None else None
    if not explain:
        return pace, []
    start = path_start(spec)
    s_text = f"{fiscal_year - start}/{spec.target_year - start}"
    if overridden:
        expr = f"{name}の{fiscal_year}年度の中間目標 {format_number(interim)}（個別に設定）に対する進捗"
    else:
        expr = f"進捗率 {format_rate(progress)} ÷ 経過割合 s({fiscal_year}) {s_text}"
    relation = "≧" if pace is not None and _at_least_one(pace) else "＜"
    return pace, [
        f"中間目標（{fiscal_year}年度）= {format_number(interim)}"
        f"（{_interim(spec, fiscal_year)[1]}、経過割合 s = {s_text}）",
        f"進捗ペース = {expr} = {_rate_text(pace, '中間目標が基準値と同じ')}",
        f"評価の基準：年度按分（進捗ペース {format_rate(pace)} {relation} 100% で中間目標に到達）",
    ]


def _at_least_one(rate: Decimal) -> bool:
    # Decimal division of an exact path (1/3) leaves 0.9999…; 12 places decide, not the 28th.
    return _round(rate, Decimal("1e-12")) >= ONE


def describe(band: GradeBandSpec, measure: str) -> str:
    """The band's description as it applies to the rate that decided it."""
    if measure == PACE:
        if band.rule == MET:
            return "中間目標に到達" if band.description == "目標達成" else band.description
        return band.description.replace("進捗率", "進捗ペース")
    if measure == ACHIEVEMENT:
        return band.description.replace("進捗率", "達成率")
    return band.description


def _years_used(
    spec: IndicatorSpec, actuals: Mapping[int, Decimal | None], fiscal_year: int
) -> dict[int, Decimal | None]:
    if spec.aggregation == CUMULATIVE:
        return {year: actuals.get(year) for year in range(spec.first_year, fiscal_year + 1)}
    return {fiscal_year: actuals.get(fiscal_year)}


def _interim(spec: IndicatorSpec, fiscal_year: int) -> tuple[Decimal | None, str]:
    """The interim target and, for the formula, where it comes from."""
    if fiscal_year in spec.interim_overrides:
        return spec.interim_overrides[fiscal_year], "個別に設定した中間目標"
    target = spec.target
    if spec.direction == MAINTAIN:
        return target, "維持目標のため毎年度、目標値と同じ"
    if spec.aggregation == CUMULATIVE:
        if fiscal_year < spec.first_year:
            return None, "計画期間前のため中間目標なし"
        years = spec.target_year - spec.first_year + 1
        done = min(fiscal_year, spec.target_year) - spec.first_year + 1
        if years <= 0:
            return target, "目標値"
        return target * done / years, f"累計目標 {format_number(target)} × {done}/{years}年"
    if spec.baseline is None:
        return None, "基準値がないため中間目標なし"
    start = spec.baseline_year if spec.baseline_year is not None else spec.first_year - 1
    span = spec.target_year - start
    if span <= 0:
        return target, "目標値"
    elapsed = min(max(fiscal_year - start, 0), span)
    note = (
        f"基準値 {format_number(spec.baseline)}（{start}年度）から"
        f"目標値 {format_number(target)}（{spec.target_year}年度）まで直線で按分"
    )
    return spec.baseline + (target - spec.baseline) * elapsed / span, note


def _directed_rates(
    spec: IndicatorSpec, name: str, value: Decimal, explain: bool = True
) -> tuple[Decimal | None, Decimal | None, list[str]]:
    """Progress and achievement for increase, reach and decrease."""
    t, b, v = spec.target, spec.baseline, value
    up = spec.direction != DECREASE
    if not explain:
        achievement = _div(v, t) if up else _div(t, v)
        if b is None:
            return achievement, achievement, []
        return (_div(v - b, t - b) if up else _div(b - v, b - t)), achievement, []
    n_v, n_t = f"{name} {format_number(v)}", f"目標値 {format_number(t)}"
    if up:
        achievement = _div(v, t)
        ach_text = f"{n_v} ÷ {n_t} = {_rate_text(achievement, '目標値が0')}"
        ach_note = ""
    else:
        # Lower is better, so the ratio is turned over: 320 ÷ 330 rather than 330 ÷ 320.
        achievement = _div(t, v)
        ach_text = f"{n_t} ÷ {n_v} = {_rate_text(achievement, '実績値が0')}"
        ach_note = "減少を目指す指標のため目標値÷実績値"

    if b is None:
        if spec.aggregation == CUMULATIVE and up:
            why = "累計の指標で起点は0のため、達成率を進捗率とする"
        else:
            why = "、".join(filter(None, [ach_note, "基準値がないため達成率を進捗率とする"]))
        return achievement, achievement, [f"進捗率 = 達成率 = {ach_text}（{why}）"]

    n_b = f"基準値 {format_number(b)}"
    if up:
        progress = _div(v - b, t - b)
        expr = f"（{n_v} − {n_b}）÷（{n_t} − {n_b}）"
    else:
        progress = _div(b - v, b - t)
        expr = f"（{n_b} − {n_v}）÷（{n_b} − {n_t}）"
    return (
        progress,
        achievement,
        [
            f"進捗率 ={expr}= {_rate_text(progress, '目標値と基準値が同じ')}",
            f"達成率 = {ach_text}" + (f"（{ach_note}）" if ach_note else ""),
        ],
    )


def _maintain_rates(
    spec: IndicatorSpec, name: str, value: Decimal, explain: bool = True
) -> tuple[Decimal | None, Decimal | None, list[str]]:
    achievement = _div(value, spec.target)
    met = _meets(spec, value, spec.target)
    if not explain:
        return (ONE if met else achievement), achievement, []
    lines = [
        f"達成率 = {name} {format_number(value)} ÷ 目標値 {format_number(spec.target)}"
        f" = {_rate_text(achievement, '目標値が0')}"
    ]
    # (実績 − 基準) ÷ (目標 − 基準) divides by zero when the baseline is the target,
    # which is what 「水準維持」 means; the achievement rate stands in for it.
    if met:
        lines.append("進捗率 = 100%（水準を維持しているため）")
        return ONE, achievement, lines
    lines.append(
        f"進捗率 = 達成率 = {format_rate(achievement)}"
        "（維持目標は基準値と目標値が同じで進捗率の式が使えないため、達成率を用いる）"
    )
    return achievement, achievement, lines


def _meets(spec: IndicatorSpec, value: Decimal, bar: Decimal) -> bool:
    if spec.direction == DECREASE:
        return value <= bar
    if spec.direction == MAINTAIN:
        return value >= bar * (ONE - spec.tolerance)
    return value >= bar


def _relation(
    spec: IndicatorSpec, name: str, value: Decimal, bar_name: str, bar: Decimal, ok: bool
) -> str:
    """'実績値 25,100 ＜ 目標値 27,700': the comparison that actually holds."""
    if spec.direction == DECREASE:
        op = "≦" if ok else "＞"
    else:
        op = "≧" if ok else "＜"
    bar_text = f"{bar_name} {format_number(bar)}"
    if spec.direction == MAINTAIN and spec.tolerance:
        floor = bar * (ONE - spec.tolerance)
        bar_text += f" ×（1 − 許容幅 {format_rate(spec.tolerance)}）= {format_number(floor)}"
    return f"{name} {format_number(value)} {op} {bar_text}"


def _sum_lines(name: str, yearly: Mapping[int, Decimal | None], total: Decimal) -> list[str]:
    terms = " + ".join(f"{y}年度 {format_number(v)}" for y, v in yearly.items() if v is not None)
    line = f"{name} = {terms} = {format_number(total)}"
    missing = [f"{y}年度" for y, v in yearly.items() if v is None]
    if missing:
        line += f"（未入力のため除外：{'、'.join(missing)}）"
    return [line]


def _grade(scale: GradeScale, met: bool, progress: Decimal | None) -> GradeBandSpec:
    for band in scale.bands:
        if band.rule == MET and met:
            return band
        if band.rule == PROGRESS_AT_LEAST and progress is not None and progress >= band.threshold:
            return band
        if band.rule == PROGRESS_ABOVE and progress is not None and progress > band.threshold:
            return band
        if band.rule == OTHERWISE:
            return band
    raise AssertionError("unreachable: GradeScale guarantees a final 'otherwise' band")


def _div(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator == 0 else numerator / denominator


def _rate_text(rate: Decimal | None, why_zero: str) -> str:
    return (
        format_rate(rate) if rate is not None else f"計算不可（{why_zero}のため0で割ることになる）"
    )


def _round(value: Decimal, step: Decimal) -> Decimal:
    # Enough precision that quantize() never fails on a large value.
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + 10)
        return value.quantize(step, rounding=ROUND_HALF_UP)
