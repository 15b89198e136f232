"""Tests for kpis.achievement, the 効果検証 engine.

Targets and baselines are the strategy's own figures (第２期根室市創生総合戦略,
FY2021–FY2024); the yearly actuals are made up for the tests.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.achievement import (
    ANNUAL,
    CUMULATIVE,
    DECREASE,
    DEFAULT_SCALE,
    INCREASE,
    LEVEL,
    MAINTAIN,
    REACH,
    GradeBandSpec,
    GradeScale,
    IndicatorSpec,
    cumulative_value,
    evaluate,
    format_number,
    format_rate,
    interim_path,
    interim_target,
    roll_up,
)

D = Decimal


def spec(target, direction, aggregation=LEVEL, baseline=None, **kwargs):
    return IndicatorSpec(
        target=D(target),
        direction=direction,
        aggregation=aggregation,
        first_year=2021,
        last_year=2024,
        target_year=2024,
        baseline=None if baseline is None else D(baseline),
        **kwargs,
    )


# 沿岸漁業における生産量／４年で２７，７００ｔとし３，８４６ｔ増加
FISHERY = spec("27700", INCREASE, baseline=D("27700") - D("3846"))
# 季節労働者数／４年で３２０人とし２５人減少
SEASONAL_WORKERS = spec("320", DECREASE, baseline=D("320") + D("25"))
# 人口減少率：４年で２．００％とし０．４４ポイント向上 (a lower rate is the improvement)
POPULATION_DECLINE = spec("2.00", DECREASE, baseline=D("2.00") + D("0.44"))
# 合計特殊出生率：１．６７（現状値）以上の水準維持
FERTILITY = spec("1.67", MAINTAIN, baseline="1.67")
# 根室税関支署管内の輸出入貿易額／４年で年間７０億円とし６億円増加
TRADE = spec("70", INCREASE, ANNUAL, baseline=D("70") - D("6"))
# 新規農林業就業者数／４年で１５人増加
NEW_FARMERS = spec("15", INCREASE, CUMULATIVE)
# 根室市へふるさと納税をした人数／４年で延べ３００万人
FURUSATO_DONORS = spec("300", INCREASE, CUMULATIVE)
# 全国学力・学習状況調査 平均正答率（小・中学校）／４年で全国比１００％
NATIONAL_TEST = spec("100", REACH)
# 市民意識調査におけるアンケート回収率／４年で３５．０％とし３．７％の向上
SURVEY_RESPONSE = spec("35.0", INCREASE, baseline=D("35.0") - D("3.7"))
# 屋内遊戯施設の年間利用者数／年間延べ６０，０００人
PLAYGROUND_USERS = spec("60000", INCREASE, ANNUAL)


def grade_at(indicator, value, year=2024, scale=DEFAULT_SCALE):
    return evaluate(indicator, {year: D(value)}, year, scale).grade


# --- the strategy's indicators -----------------------------------------------------------


def test_it_uses_the_baselines_implied_by_the_stated_changes():
    assert FISHERY.baseline == D("23854")
    assert SEASONAL_WORKERS.baseline == D("345")
    assert POPULATION_DECLINE.baseline == D("2.44")
    assert TRADE.baseline == D("64")
    assert SURVEY_RESPONSE.baseline == D("31.3")


def test_it_evaluates_coastal_fishery_production():
    result = evaluate(FISHERY, {2021: D("24500"), 2022: D("25100")}, 2022)
    assert result.value == D("25100")
    assert result.progress_rate == D("1246") / D("3846")
    assert result.achievement_rate == D("25100") / D("27700")
    assert result.met is False
    assert result.interim_target == D("25777")
    assert result.on_track is False
    assert (result.grade, result.symbol, result.grade_description) == ("C", "△", "進捗あり")


def test_it_writes_the_formula_with_the_numbers_used():
    formula = evaluate(FISHERY, {2022: D("25100")}, 2022).formula
    assert (
        "進捗率 =（実績値 25,100 − 基準値 23,854）÷（目標値 27,700 − 基準値 23,854）= 32.4%"
        in formula
    )
    assert "達成率 = 実績値 25,100 ÷ 目標値 27,700 = 90.6%" in formula
    assert "実績値 25,100 ＜ 目標値 27,700 → 未達成" in formula
    assert "2022年度の中間目標 25,777" in formula
    assert "中間目標（参考）：実績値 25,100 ＜ 2022年度の中間目標 25,777" in formula
    assert "評価：C（△ 進捗あり）" in formula


def test_it_records_every_input_used():
    inputs = evaluate(FISHERY, {2022: D("25100")}, 2022).inputs
    assert inputs["baseline"] == D("23854")
    assert inputs["target"] == D("27700")
    assert inputs["direction"] == INCREASE
    assert inputs["aggregation"] == LEVEL
    assert inputs["yearly_values"] == {2022: D("25100")}
    assert inputs["interim_target"] == D("25777")
    assert inputs["interim_overridden"] is False


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("28000", "A"),  # beyond the target
        ("27700", "A"),  # exactly the target
        ("26930.8", "B"),  # exactly 80 % of the way: 23,854 + 0.8 × 3,846
        ("26930.7", "C"),  # just below 80 %
        ("23854.1", "C"),  # barely any progress is still progress
        ("23854", "D"),  # no progress
        ("23000", "D"),  # worse than the baseline
    ],
)
def test_it_grades_fishery_at_each_boundary(value, grade):
    assert grade_at(FISHERY, value) == grade


def test_it_computes_exactly_80_percent_without_rounding():
    result = evaluate(FISHERY, {2024: D("26930.8")}, 2024)
    assert result.progress_rate == D("0.8")


@pytest.mark.parametrize(
    ("value", "progress", "grade"),
    [
        ("300", "1.8", "A"),
        ("320", "1", "A"),
        ("325", "0.8", "B"),
        ("330", "0.6", "C"),
        ("345", "0", "D"),
        ("350", "-0.2", "D"),
    ],
)
def test_it_evaluates_seasonal_workers_as_a_decrease(value, progress, grade):
    result = evaluate(SEASONAL_WORKERS, {2024: D(value)}, 2024)
    assert result.progress_rate == D(progress)
    assert result.grade == grade


def test_it_inverts_the_achievement_rate_for_a_decrease():
    result = evaluate(SEASONAL_WORKERS, {2023: D("330")}, 2023)
    assert result.achievement_rate == D("320") / D("330")
    assert "達成率 = 目標値 320 ÷ 実績値 330 = 97.0%" in result.formula
    assert (
        "進捗率 =（基準値 345 − 実績値 330）÷（基準値 345 − 目標値 320）= 60.0%" in result.formula
    )


@pytest.mark.parametrize(
    ("value", "grade"),
    [("1.95", "A"), ("2.00", "A"), ("2.088", "B"), ("2.10", "C"), ("2.44", "D"), ("2.60", "D")],
)
def test_it_evaluates_the_population_decline_rate(value, grade):
    assert grade_at(POPULATION_DECLINE, value) == grade


def test_it_keeps_the_decimals_of_percentages_in_the_formula():
    formula = evaluate(POPULATION_DECLINE, {2024: D("2.10")}, 2024).formula
    assert "（基準値 2.44 − 実績値 2.10）÷（基準値 2.44 − 目標値 2.00）= 77.3%" in formula


@pytest.mark.parametrize(
    ("value", "progress", "grade"),
    [
        ("1.70", D(1), "A"),
        ("1.67", D(1), "A"),
        ("1.60", D("1.60") / D("1.67"), "B"),
        ("1.30", D("1.30") / D("1.67"), "C"),
    ],
)
def test_it_evaluates_fertility_as_maintaining_a_level(value, progress, grade):
    result = evaluate(FERTILITY, {2023: D(value)}, 2023)
    assert result.progress_rate == progress
    assert result.achievement_rate == D(value) / D("1.67")
    assert result.grade == grade


def test_it_explains_why_a_maintained_level_uses_the_achievement_rate():
    formula = evaluate(FERTILITY, {2023: D("1.60")}, 2023).formula
    assert "達成率 = 実績値 1.60 ÷ 目標値 1.67 = 95.8%" in formula
    assert "達成率を用いる" in formula


def test_it_applies_the_tolerance_when_maintaining_a_level():
    lenient = spec("1.67", MAINTAIN, baseline="1.67", tolerance=D("0.05"))
    assert evaluate(lenient, {2023: D("1.60")}, 2023).met is True  # 1.60 ≥ 1.5865
    assert evaluate(lenient, {2023: D("1.58")}, 2023).met is False
    assert "許容幅 5.0%" in evaluate(lenient, {2023: D("1.60")}, 2023).formula


def test_it_evaluates_trade_value_as_an_annual_figure():
    result = evaluate(TRADE, {2022: D("80"), 2023: D("67")}, 2023)
    assert result.value == D("67")  # the year's own figure, not a sum
    assert result.progress_rate == D("0.5")
    assert result.interim_target == D("68.5")
    assert result.on_track is False
    assert result.grade == "C"
    assert evaluate(TRADE, {2023: D("69")}, 2023).on_track is True
    assert grade_at(TRADE, "70") == "A"


def test_it_sums_new_farmers_over_the_period():
    actuals = {2020: D("9"), 2021: D("4"), 2022: D("3"), 2023: None}
    result = evaluate(NEW_FARMERS, actuals, 2023)
    assert result.value == D("7")  # 2020 lies before the strategy and is not counted
    assert result.progress_rate == D("7") / D("15")
    assert result.achievement_rate == result.progress_rate
    assert result.interim_target == D("11.25")
    assert result.on_track is False
    assert result.grade == "C"
    assert "累計実績値 = 2021年度 4 + 2022年度 3 = 7" in result.formula
    assert "2023年度" in result.formula  # named as left out
    assert "起点は0" in result.formula
    assert result.inputs["yearly_values"] == {2021: D("4"), 2022: D("3"), 2023: None}


def test_it_meets_a_cumulative_target_when_the_sum_reaches_it():
    actuals = {2021: D("4"), 2022: D("3"), 2023: D("0"), 2024: D("8")}
    assert evaluate(NEW_FARMERS, actuals, 2024).grade == "A"


def test_it_sums_furusato_donors_in_units_of_10000():
    actuals = {2021: D("62.5"), 2022: D("75"), 2023: D("80")}
    result = evaluate(FURUSATO_DONORS, actuals, 2023)
    assert result.value == D("217.5")
    assert result.interim_target == D("225")
    assert result.on_track is False
    assert result.progress_rate == D("0.725")
    assert result.grade == "C"
    actuals[2024] = D("85")
    assert evaluate(FURUSATO_DONORS, actuals, 2024).grade == "A"


def test_it_computes_cumulative_values():
    actuals = {2021: D("4"), 2022: None, 2023: D("2")}
    assert cumulative_value(NEW_FARMERS, actuals, 2021) == D("4")
    assert cumulative_value(NEW_FARMERS, actuals, 2023) == D("6")
    assert cumulative_value(NEW_FARMERS, {2021: None}, 2022) is None
    assert cumulative_value(NEW_FARMERS, actuals, 2020) is None


@pytest.mark.parametrize(
    ("value", "grade"), [("105", "A"), ("100", "A"), ("95", "B"), ("80", "B"), ("79.9", "C")]
)
def test_it_evaluates_the_national_test_as_reaching_a_level(value, grade):
    assert grade_at(NATIONAL_TEST, value) == grade


def test_it_has_no_interim_target_without_a_baseline():
    result = evaluate(NATIONAL_TEST, {2022: D("95")}, 2022)
    assert result.interim_target is None
    assert result.on_track is None
    assert result.progress_rate == D("0.95")
    assert "基準値がない" in result.formula
    assert interim_path(NATIONAL_TEST) == {}


@pytest.mark.parametrize(
    ("value", "grade"),
    [("35.0", "A"), ("34.26", "B"), ("34.25", "C"), ("31.4", "C"), ("31.3", "D"), ("30.0", "D")],
)
def test_it_evaluates_the_survey_response_rate(value, grade):
    assert grade_at(SURVEY_RESPONSE, value) == grade


def test_it_evaluates_an_annual_count_without_a_baseline():
    result = evaluate(PLAYGROUND_USERS, {2023: D("48000")}, 2023)
    assert result.progress_rate == D("0.8")
    assert result.grade == "B"
    assert "48,000" in result.formula and "60,000" in result.formula


# --- no data -----------------------------------------------------------------------------


@pytest.mark.parametrize("actuals", [{}, {2022: None}, {2021: D("25000")}])
def test_it_grades_a_missing_figure_as_no_data(actuals):
    result = evaluate(FISHERY, actuals, 2022)
    assert (result.grade, result.symbol, result.grade_description) == ("−", "−", "実績なし")
    assert result.value is None
    assert result.progress_rate is None
    assert result.achievement_rate is None
    assert result.met is None
    assert result.on_track is None
    assert result.interim_target == D("25777")  # still shown, so the gap is visible
    assert "未入力" in result.formula


def test_it_grades_a_cumulative_indicator_with_no_figures_as_no_data():
    result = evaluate(NEW_FARMERS, {2021: None, 2022: None}, 2022)
    assert result.grade == "−"
    assert result.interim_target == D("7.5")


# --- grade scales --------------------------------------------------------------------------

MARKS = GradeScale(
    bands=(
        GradeBandSpec("◎", "◎", "達成", "met"),
        GradeBandSpec("○", "○", "半分以上", "progress_at_least", D("0.5")),
        GradeBandSpec("△", "△", "前進", "progress_above", D("0")),
        GradeBandSpec("×", "×", "後退", "otherwise"),
    ),
    no_data_label="未",
    no_data_description="未入力",
)

S_TO_C = GradeScale(
    bands=(
        GradeBandSpec("S", "★", "目標達成", "met"),
        GradeBandSpec("A", "◎", "進捗率90%以上", "progress_at_least", D("0.9")),
        GradeBandSpec("B", "○", "進捗率60%以上", "progress_at_least", D("0.6")),
        GradeBandSpec("C", "△", "それ以外", "otherwise"),
    )
)


def test_it_takes_grade_thresholds_from_the_scale():
    # 60 % of the way: C on the default scale, ○ when the bar is 50 %.
    value = D("23854") + D("0.6") * D("3846")
    assert grade_at(FISHERY, value) == "C"
    assert grade_at(FISHERY, value, scale=MARKS) == "○"
    assert grade_at(FISHERY, "23000", scale=MARKS) == "×"
    result = evaluate(FISHERY, {}, 2024, MARKS)
    assert (result.grade, result.grade_description) == ("未", "未入力")


@pytest.mark.parametrize(
    ("value", "grade"),
    [("320", "S"), ("322", "A"), ("323", "B"), ("330", "B"), ("331", "C"), ("345", "C")],
)
def test_it_grades_on_an_s_to_c_scale(value, grade):
    assert grade_at(SEASONAL_WORKERS, value, scale=S_TO_C) == grade


def test_it_distinguishes_at_least_from_above():
    at_least = GradeScale(
        bands=(
            GradeBandSpec("X", "x", "", "progress_at_least", D("0")),
            GradeBandSpec("Y", "y", "", "otherwise"),
        )
    )
    assert grade_at(FISHERY, "23854", scale=at_least) == "X"
    assert grade_at(FISHERY, "23854") == "D"  # the default C band needs progress above 0


def test_it_rejects_malformed_scales():
    with pytest.raises(ValueError):
        GradeScale(bands=(GradeBandSpec("A", "◎", "達成", "met"),))
    with pytest.raises(ValueError):
        GradeBandSpec("B", "○", "", "progress_at_least")
    with pytest.raises(ValueError):
        GradeBandSpec("B", "○", "", "best_effort")
    with pytest.raises(ValueError):
        GradeScale(bands=(GradeBandSpec("−", "", "", "otherwise"),))


def test_it_rejects_unknown_directions_and_aggregations():
    with pytest.raises(ValueError):
        spec("1", "improve")
    with pytest.raises(ValueError):
        spec("1", INCREASE, "total")


# --- interim targets ---------------------------------------------------------------------


def test_it_draws_a_straight_interim_path_from_the_baseline():
    assert interim_path(FISHERY) == {
        2021: D("24815.5"),
        2022: D("25777"),
        2023: D("26738.5"),
        2024: D("27700"),
    }
    assert interim_path(SEASONAL_WORKERS) == {
        2021: D("338.75"),
        2022: D("332.5"),
        2023: D("326.25"),
        2024: D("320"),
    }


def test_it_starts_the_path_in_the_baseline_year_when_given():
    survey = spec("35.0", INCREASE, baseline="31.3", baseline_year=2019)
    assert interim_target(survey, 2021) == D("31.3") + D("3.7") * 2 / 5
    assert interim_target(survey, 2024) == D("35.0")


def test_it_spreads_a_cumulative_target_evenly_over_the_years():
    assert interim_path(NEW_FARMERS) == {
        2021: D("3.75"),
        2022: D("7.5"),
        2023: D("11.25"),
        2024: D("15"),
    }


def test_it_keeps_the_target_every_year_when_maintaining():
    assert interim_path(FERTILITY) == dict.fromkeys(range(2021, 2025), D("1.67"))


def test_it_lets_overrides_win():
    adjusted = spec("27700", INCREASE, baseline="23854", interim_overrides={2022: D("25000")})
    assert interim_target(adjusted, 2022) == D("25000")
    assert interim_path(adjusted)[2021] == D("24815.5")
    result = evaluate(adjusted, {2022: D("25100")}, 2022)
    assert result.on_track is True
    assert result.inputs["interim_overridden"] is True
    assert "個別に設定した中間目標" in result.formula
    assert "中間目標（参考）：実績値 25,100 ≧ 2022年度の中間目標 25,000" in result.formula


def test_it_gives_an_interim_target_without_a_baseline_only_when_overridden():
    adjusted = spec("100", REACH, interim_overrides={2022: D("96")})
    assert interim_path(adjusted) == {2022: D("96")}
    assert evaluate(adjusted, {2022: D("97")}, 2022).on_track is True


def test_it_checks_on_track_in_the_direction_of_improvement():
    # 2022 interim for seasonal workers is 332.5: fewer is on track.
    assert evaluate(SEASONAL_WORKERS, {2022: D("330")}, 2022).on_track is True
    assert evaluate(SEASONAL_WORKERS, {2022: D("332.5")}, 2022).on_track is True
    assert evaluate(SEASONAL_WORKERS, {2022: D("335")}, 2022).on_track is False
    assert evaluate(FERTILITY, {2022: D("1.66")}, 2022).on_track is False


# --- division by zero --------------------------------------------------------------------


def test_it_reports_no_progress_rate_when_baseline_equals_target():
    flat = spec("100", INCREASE, baseline="100")
    result = evaluate(flat, {2024: D("90")}, 2024)
    assert result.progress_rate is None
    assert "計算不可" in result.formula
    assert result.grade == "D"
    assert evaluate(flat, {2024: D("100")}, 2024).grade == "A"


def test_it_reports_no_rate_for_a_zero_target():
    result = evaluate(spec("0", INCREASE), {2024: D("5")}, 2024)
    assert result.progress_rate is None
    assert result.achievement_rate is None
    assert result.met is True


def test_it_treats_zero_as_meeting_a_decrease_target():
    with_baseline = evaluate(SEASONAL_WORKERS, {2024: D("0")}, 2024)
    assert with_baseline.achievement_rate is None
    assert with_baseline.met is True
    assert with_baseline.grade == "A"
    without_baseline = evaluate(spec("10", DECREASE), {2024: D("0")}, 2024)
    assert without_baseline.progress_rate is None
    assert without_baseline.grade == "A"
    assert "実績値が0" in without_baseline.formula


def test_it_inverts_the_ratio_for_a_decrease_without_baseline():
    result = evaluate(spec("10", DECREASE), {2024: D("12.5")}, 2024)
    assert result.progress_rate == result.achievement_rate == D("0.8")
    assert result.grade == "B"


# --- roll-up and formatting --------------------------------------------------------------


def test_it_counts_grades_in_scale_order():
    results = [
        evaluate(FISHERY, {2024: D("27700")}, 2024),
        evaluate(SEASONAL_WORKERS, {2024: D("325")}, 2024),
        evaluate(SURVEY_RESPONSE, {2024: D("33.15")}, 2024),
        evaluate(TRADE, {2024: D("67")}, 2024),
        evaluate(NEW_FARMERS, {}, 2024),
    ]
    summary = roll_up(results)
    assert list(summary.counts) == ["A", "B", "C", "D", "−"]
    assert summary.counts == {"A": 1, "B": 1, "C": 2, "D": 0, "−": 1}
    assert summary.total == 5
    assert summary.mean_progress == (D(1) + D("0.8") + D("0.5") + D("0.5")) / 4


def test_it_rolls_up_nothing_to_zeros():
    summary = roll_up([], MARKS)
    assert summary.counts == {"◎": 0, "○": 0, "△": 0, "×": 0, "未": 0}
    assert summary.mean_progress is None
    assert summary.total == 0


def test_it_refuses_to_roll_up_results_graded_on_another_scale():
    with pytest.raises(ValueError):
        roll_up([evaluate(FISHERY, {2024: D("27700")}, 2024, MARKS)])


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (None, "−"),
        (D("1246") / D("3846"), "32.4%"),
        (D("1"), "100.0%"),
        (D("0.0005"), "0.1%"),  # 四捨五入, half up
        (D("-0.2"), "▲20.0%"),
        (D("12.345"), "1,234.5%"),
    ],
)
def test_it_formats_rates(rate, text):
    assert format_rate(rate) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("23854"), "23,854"), (D("1.60"), "1.60"), (D("-2289"), "▲2,289"), (D(1) / 3, "0.33")],
)
def test_it_formats_numbers_for_formulas(value, text):
    assert format_number(value) == text


# --- properties ---------------------------------------------------------------------------

_PROPERTY = settings(max_examples=300, deadline=None)
_RANK = {band.label: i for i, band in enumerate(DEFAULT_SCALE.bands)}
_amounts = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)
_positive = st.decimals(
    min_value=D("0.01"), max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
)


@_PROPERTY
@given(
    baseline=_amounts, target=_amounts, value=_amounts, aggregation=st.sampled_from([LEVEL, ANNUAL])
)
def test_it_treats_a_decrease_as_a_mirrored_increase(baseline, target, value, aggregation):
    down = spec(target, DECREASE, aggregation, baseline=baseline)
    up = spec(-target, INCREASE, aggregation, baseline=-baseline)
    for year in (2022, 2024):
        mirrored = evaluate(up, {year: -value}, year)
        direct = evaluate(down, {year: value}, year)
        assert direct.progress_rate == mirrored.progress_rate
        assert direct.grade == mirrored.grade
        assert direct.met == mirrored.met
        assert direct.on_track == mirrored.on_track


@st.composite
def _increasing(draw):
    """An increase or reach spec whose target lies above its start."""
    target = draw(_positive)
    baseline = draw(
        st.none() | st.decimals(min_value=-1_000_000, max_value=target - D("0.01"), places=2)
    )
    direction = draw(st.sampled_from([INCREASE, REACH]))
    aggregation = draw(st.sampled_from([LEVEL, ANNUAL, CUMULATIVE]))
    return spec(target, direction, aggregation, baseline=baseline)


@st.composite
def _decreasing(draw):
    """A decrease spec whose target lies below its baseline, or with no baseline."""
    target = draw(_positive)
    baseline = draw(
        st.none() | st.decimals(min_value=target + D("0.01"), max_value=2_000_000, places=2)
    )
    return spec(target, DECREASE, draw(st.sampled_from([LEVEL, ANNUAL])), baseline=baseline)


def _pair(draw, low):
    a, b = draw(_amounts), draw(_amounts)
    a, b = (max(a, low), max(b, low))
    return min(a, b), max(a, b)


@_PROPERTY
@given(indicator=_increasing(), values=st.data())
def test_it_never_lowers_progress_as_an_increasing_value_rises(indicator, values):
    smaller, larger = _pair(values.draw, D("-1000000"))
    low = evaluate(indicator, {2024: smaller}, 2024)
    high = evaluate(indicator, {2024: larger}, 2024)
    assert low.progress_rate <= high.progress_rate


@_PROPERTY
@given(indicator=_decreasing(), values=st.data())
def test_it_never_raises_progress_as_a_decreasing_value_rises(indicator, values):
    # Without a baseline progress is target ÷ value, which only means something for value > 0.
    smaller, larger = _pair(values.draw, D("0.01"))
    low = evaluate(indicator, {2024: smaller}, 2024)
    high = evaluate(indicator, {2024: larger}, 2024)
    assert low.progress_rate >= high.progress_rate


@_PROPERTY
@given(
    indicator=_increasing()
    | _decreasing()
    | st.builds(
        lambda t, tol: spec(t, MAINTAIN, baseline=t, tolerance=tol),
        _positive,
        st.sampled_from([D(0), D("0.05")]),
    ),
    values=st.data(),
)
def test_it_never_improves_the_grade_as_the_value_gets_worse(indicator, values):
    smaller, larger = _pair(values.draw, D("0.01"))
    worse, better = (larger, smaller) if indicator.direction == DECREASE else (smaller, larger)
    worse_grade = evaluate(indicator, {2024: worse}, 2024).grade
    better_grade = evaluate(indicator, {2024: better}, 2024).grade
    assert _RANK[worse_grade] >= _RANK[better_grade]


@_PROPERTY
@given(baseline=_amounts, target=_amounts, value=_amounts)
def test_it_always_explains_its_result(baseline, target, value):
    result = evaluate(spec(target, INCREASE, baseline=baseline), {2024: value}, 2024)
    assert format_number(value) in result.formula
    assert f"評価：{result.grade}" in result.formula


# --- grade basis: 年度按分 (pro-rated path) ---------------------------------------------------


def prorated(base, **changes):
    from dataclasses import replace

    return replace(base, basis="prorated", **changes)


def test_it_grades_a_kpi_exactly_on_its_path_a_when_prorated_and_c_on_the_final_target():
    # 23,854 → 27,700 over 2020..2024: the FY2021 point of the path is 23,854 + 3,846/4 = 24,815.5
    on_path = {2021: D("24815.5")}
    result = evaluate(prorated(FISHERY), on_path, 2021)
    assert result.share == D("0.25")
    assert result.pace == D("1")
    assert (result.grade, result.grade_description) == ("A", "中間目標に到達")
    assert result.measure == "pace" and result.on_track is True
    assert "進捗ペース = 進捗率 25.0% ÷ 経過割合 s(2021) 1/4 = 100.0%" in result.formula
    final = evaluate(FISHERY, on_path, 2021)
    assert (final.grade, final.pace, final.measure) == ("C", None, "progress")


def test_it_grades_the_pace_bands_b_c_d():
    base = prorated(FISHERY)
    # progress 20 % in FY2021 → pace 80 %: B; 4 % → pace 16 %: C; below the baseline: D
    assert evaluate(base, {2021: D("23854") + D("769.2")}, 2021).grade == "B"
    assert evaluate(base, {2021: D("24000")}, 2021).grade == "C"
    assert evaluate(base, {2021: D("23000")}, 2021).grade == "D"
    assert evaluate(base, {}, 2021).grade == "−"


def test_it_grades_against_the_target_itself_from_the_target_year_on():
    result = evaluate(prorated(FISHERY), {2024: D("27000")}, 2024)
    assert result.pace is None and result.measure == "progress"
    assert result.grade == "B"  # progress (27000-23854)/3846 = 81.8 %


def test_it_paces_a_cumulative_kpi_against_its_share_of_the_total():
    # 新規農林業就業者数 15 over four years: 3.75 due by FY2021
    result = evaluate(prorated(NEW_FARMERS), {2021: D("4")}, 2021)
    assert result.interim_target == D("3.75")
    assert result.grade == "A"
    assert evaluate(prorated(NEW_FARMERS), {2021: D("3")}, 2021).grade == "B"  # 80 %


def test_it_judges_an_indicator_without_a_baseline_by_achievement_and_says_so():
    reach = spec("100", REACH)
    result = evaluate(prorated(reach), {2021: D("85")}, 2021)
    assert result.measure == "achievement" and result.pace is None
    assert (result.grade, result.grade_description) == ("B", "達成率80%以上")
    assert "達成率で評価" in result.formula
    kept = evaluate(prorated(FERTILITY), {2021: D("1.50")}, 2021)
    assert kept.measure == "achievement"


def test_it_paces_a_decreasing_kpi():
    # 345 → 320: FY2022 point is 332.5
    assert evaluate(prorated(SEASONAL_WORKERS), {2022: D("332.5")}, 2022).grade == "A"
    assert evaluate(prorated(SEASONAL_WORKERS), {2022: D("340")}, 2022).grade == "C"


def test_it_clamps_every_rate_before_averaging():
    from kpis.achievement import roll_up

    results = [
        evaluate(FISHERY, {2022: D("23854") - D("3846") * D("27.506")}, 2022),  # ▲2,750.6 %
        evaluate(FISHERY, {2022: D("27700") + D("3846")}, 2022),  # 200 %
        evaluate(FISHERY, {2022: D("25777")}, 2022),  # 50 %
    ]
    assert results[0].progress_rate < D("-27")
    r = roll_up(results)
    assert r.mean_progress == (D(0) + D(1) + D("0.5")) / 3
    assert r.rated == 3
