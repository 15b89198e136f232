"""The one rule set for an entered actual (entry form and Excel import): plausibility and range."""

from decimal import Decimal

from kpis.entry.rules import validate_entry


def check(raw, *, unit="t", previous=None, baseline=None, decimals=0, **kw):
    return validate_entry(
        indicator_name="沿岸漁業における生産量",
        unit=unit,
        raw_value=raw,
        not_measurable=False,
        previous=previous,
        baseline=baseline,
        decimals=decimals,
        **kw,
    )


def test_it_compares_the_first_year_with_the_baseline():
    values, errors = check("251,000", baseline=Decimal("23854"))
    assert values is None
    assert errors["confirm_outlier"] == (
        "「沿岸漁業における生産量」の実績値：251,000tは基準値（23,854t）から50%を超えて変化しています。"
        "値を確認し、「大きな変化を確認済み」にチェックしてください。"
    )
    assert "基準値から大きく変化した理由" in errors["note"]
    _, errors = check("320", unit="人", baseline=Decimal("2713"))
    assert "基準値（2,713人）" in errors["confirm_outlier"]


def test_last_year_wins_over_the_baseline():
    values, errors = check("27,000", previous=Decimal("26500"), baseline=Decimal("2"))
    assert errors == {} and values.value == 27000


def test_a_small_count_needs_no_reason():
    # 9 → 4 人 is −56 % but only five people: under the absolute threshold.
    values, errors = check("4", unit="人", previous=Decimal("9.0000"))
    assert errors == {} and not values.outlier_confirmed
    _, errors = check("40", unit="人", previous=Decimal("9.0000"))
    assert "前年度の値（9人）" in errors["confirm_outlier"]  # never 「9.0000」


def test_the_absolute_threshold_follows_the_indicators_decimals():
    # 2.44 % → 1.00 %: 1.44 points, more than ten steps of 0.01.
    _, errors = check("1.00", unit="%", previous=Decimal("2.4400"), decimals=2)
    assert "前年度の値（2.44%）" in errors["confirm_outlier"]
    assert "1.00%は" in errors["confirm_outlier"]
    values, errors = check("0.05", unit="%", previous=Decimal("0.1000"), decimals=2)
    assert errors == {}


def test_a_confirmed_outlier_with_a_reason_passes():
    values, errors = check(
        "251000", baseline=Decimal("23854"), confirm_outlier=True, note="大型定置網の新設"
    )
    assert errors == {} and values.outlier_confirmed


def test_a_rate_of_change_may_be_negative():
    _, errors = check("▲0.5", unit="%", decimals=2)
    assert errors["value"] == (
        "「沿岸漁業における生産量」の実績値：▲0.5%は0〜100の範囲で入力してください。"
    )
    values, errors = check("▲0.5", unit="%", decimals=2, allow_negative=True)
    assert errors == {} and values.value == Decimal("-0.5")
    _, errors = check("▲120", unit="%", decimals=2, allow_negative=True)
    assert "▲100〜100の範囲" in errors["value"]


def test_a_negative_count_message_uses_the_triangle():
    _, errors = check("▲5", unit="人")
    assert "▲5人は0以上の値を入力してください。" in errors["value"]
