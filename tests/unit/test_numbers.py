"""Tests for kpis.numbers: reading what a city clerk types into a KPI form."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.numbers import NumberParseError, check_plausible, is_outlier, parse_number

FIELD = "沿岸漁業における生産量"
_FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000", "\u3000 \t\u3000", "\n"])
def test_it_reads_nothing_typed_as_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27700", "27700"),
        ("27,700", "27700"),
        ("２７，７００", "27700"),  # the strategy document's own spelling
        ("２７,７００", "27700"),
        ("1,234,567", "1234567"),
        ("１．６７", "1.67"),
        ("1.67", "1.67"),
        ("0.0001", "0.0001"),
        ("0", "0"),
        ("▲12", "-12"),
        ("△12", "-12"),
        ("−12", "-12"),  # U+2212 MINUS SIGN
        ("-12", "-12"),
        ("－１２", "-12"),  # full-width hyphen-minus
        ("▲ 2,289", "-2289"),
        ("▲0", "0"),
        ("  12  ", "12"),
        ("\u3000１２\u3000", "12"),
        ("27,700t", "27700"),
        ("２７，７００ｔ", "27700"),
        ("27,700 t", "27700"),
        ("35.0%", "35.0"),
        ("３５．０％", "35.0"),
        ("70億円", "70"),
        ("300万人", "300"),
        ("15人", "15"),
        ("10件", "10"),
        ("150世帯", "150"),
        ("41事業", "41"),
        ("0.44ポイント", "0.44"),
        ("500円", "500"),
        ("3回", "3"),
        ("5社", "5"),
        ("2団体", "2"),
    ],
)
def test_it_accepts_the_forms_clerks_type(text, expected):
    assert parse_number(text) == Decimal(expected)


def test_it_keeps_the_typed_scale():
    assert str(parse_number("1.60")) == "1.60"
    assert str(parse_number("１．６０")) == "1.60"
    assert str(parse_number("35.0%")) == "35.0"


def test_it_reads_minus_zero_as_plain_zero():
    # Otherwise '-0' would show up on screen.
    assert str(parse_number("▲0")) == "0"
    assert str(parse_number("-0.00")) == "0.00"


def test_it_accepts_the_expected_unit_even_when_it_is_not_a_common_one():
    assert parse_number("12店舗", unit="店舗") == Decimal(12)
    assert parse_number("27,700ｔ", unit="t") == Decimal(27700)
    assert parse_number("2.00%", unit="％") == Decimal("2.00")
    assert parse_number("45", unit="人") == Decimal(45)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "１２あ",
        "1 2",
        "12 34",
        "1.2.3",
        "1e5",
        "1E5",
        "1e309",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "--5",
        "▲▲5",
        "▲-5",
        "+5",
        ".5",
        "5.",
        "5-",
        "5▲",
        "1/2",
        "1_000",
        "0x10",
        "ー5",  # katakana long-vowel mark, not a minus
        "①",
        "2²",
        "١٢",  # Arabic-Indic digits, which Decimal() itself would accept
        "1,23",
        "12,34,567",
        "1,,234",
        ",123",
        "0,123",
        "1,234.",
        "1.23456",
        "０．１２３４５",
        "12kg",
        "12 万",
        "12人件",
        "1" * 31,
        "１" * 31,
    ],
)
def test_it_rejects_with_a_message_naming_the_field(text):
    with pytest.raises(NumberParseError) as caught:
        parse_number(text, field=FIELD)
    assert caught.value.message.startswith(f"{FIELD}：")
    assert caught.value.field == FIELD
    assert str(caught.value) == caught.value.message


def test_it_explains_an_unreadable_figure_with_an_example():
    with pytest.raises(NumberParseError) as caught:
        parse_number("abc")
    assert caught.value.message == (
        "実績値：「abc」は数値として読み取れません。"
        "半角・全角の数字で入力してください（例：27,700 または ▲12）。"
    )


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("1,23", "桁区切り"),
        ("1.23456", "小数点以下4桁まで"),
        ("12kg", "単位「kg」"),
        ("x" * 31, "30文字以内"),
    ],
)
def test_it_says_what_was_wrong(text, phrase):
    with pytest.raises(NumberParseError) as caught:
        parse_number(text)
    assert phrase in caught.value.message


def test_it_rejects_a_unit_other_than_the_expected_one():
    # 3万人 in a 人 field would be read as 3 people: off by 10,000.
    with pytest.raises(NumberParseError) as caught:
        parse_number("3万人", field="移住者数", unit="人")
    assert caught.value.message.startswith("移住者数：")
    assert "「人」" in caught.value.message
    with pytest.raises(NumberParseError):
        parse_number("27,700人", unit="t")


def test_it_is_a_value_error_so_forms_can_catch_it_generically():
    assert issubclass(NumberParseError, ValueError)


@pytest.mark.parametrize(
    "unit", ["人", "件", "t", "ｔ", "億円", "万人", "世帯", "事業", "円", "回", "社", "団体"]
)
def test_it_rejects_a_negative_count(unit):
    with pytest.raises(NumberParseError) as caught:
        check_plausible(Decimal(-5), unit=unit, field="季節労働者数")
    assert caught.value.message.startswith("季節労働者数：")
    assert "0以上の値を入力してください。" in caught.value.message
    check_plausible(Decimal(0), unit=unit)


@pytest.mark.parametrize("value", ["-0.1", "100.1", "120"])
@pytest.mark.parametrize("unit", ["%", "％"])
def test_it_rejects_a_share_outside_0_to_100(value, unit):
    with pytest.raises(NumberParseError) as caught:
        check_plausible(Decimal(value), unit=unit, field="アンケート回収率")
    assert caught.value.message.startswith("アンケート回収率：")
    assert "0〜100の範囲で入力してください。" in caught.value.message


@pytest.mark.parametrize(("value", "unit"), [("0", "%"), ("100", "％"), ("35.0", "%")])
def test_it_accepts_a_share_within_0_to_100(value, unit):
    check_plausible(Decimal(value), unit=unit)


@pytest.mark.parametrize("unit", ["ポイント", "", "店舗"])
def test_it_does_not_check_other_units(unit):
    check_plausible(Decimal("-0.44"), unit=unit)
    check_plausible(Decimal("250"), unit=unit)


def test_it_flags_a_large_change_from_last_year():
    assert is_outlier(Decimal(160), Decimal(100), max_change=Decimal("0.5"))
    assert is_outlier(Decimal(40), Decimal(100), max_change=Decimal("0.5"))
    assert not is_outlier(Decimal(150), Decimal(100), max_change=Decimal("0.5"))
    assert not is_outlier(Decimal(50), Decimal(100), max_change=Decimal("0.5"))
    assert is_outlier(Decimal(-20), Decimal(-10), max_change=Decimal("0.5"))


def test_it_does_not_flag_without_a_previous_figure():
    assert not is_outlier(Decimal(999999), None, max_change=Decimal("0.5"))


def test_it_flags_any_move_away_from_zero():
    assert is_outlier(Decimal(1), Decimal(0), max_change=Decimal("0.5"))
    assert not is_outlier(Decimal(0), Decimal(0), max_change=Decimal("0.5"))


# --- properties ---------------------------------------------------------------------------

_PROPERTY = settings(max_examples=300, deadline=None)


@st.composite
def _decimals_up_to_4_places(draw):
    places = draw(st.integers(min_value=0, max_value=4))
    bound = Decimal(10) ** 12
    return draw(
        st.decimals(
            min_value=-bound, max_value=bound, places=places, allow_nan=False, allow_infinity=False
        )
    )


@_PROPERTY
@given(
    value=_decimals_up_to_4_places(),
    grouped=st.booleans(),
    full_width=st.booleans(),
    minus=st.sampled_from(["-", "▲", "△", "−"]),
    unit=st.sampled_from(["", "人", "億円", " t"]),
)
def test_it_round_trips_formatted_decimals(value, grouped, full_width, minus, unit):
    text = f"{value:,f}" if grouped else f"{value:f}"
    if text.startswith("-"):
        text = minus + text[1:]
    if full_width:
        text = text.translate(_FULL_WIDTH)
    parsed = parse_number(text + unit)
    assert parsed == value
    assert parsed.as_tuple().exponent == value.as_tuple().exponent


@_PROPERTY
@given(st.text())
def test_it_raises_only_its_own_error_on_arbitrary_text(text):
    try:
        result = parse_number(text)
    except NumberParseError as error:
        assert error.message.startswith("実績値：")
    else:
        assert result is None or result.is_finite()


@_PROPERTY
@given(
    st.text(
        alphabet="0123456789０１２３４５６７８９,，.．▲△−-－ 　人件t%％億円万eEnaif+_", max_size=35
    )
)
def test_it_raises_only_its_own_error_on_number_like_text(text):
    try:
        result = parse_number(text)
    except NumberParseError as error:
        assert error.message.startswith("実績値：")
    else:
        assert result is None or result.is_finite()
