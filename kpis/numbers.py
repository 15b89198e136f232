"""Parse the numbers city staff type into KPI forms.

Clerks write figures the way the strategy document does: full-width digits
(２７，７００), ▲ for a minus sign, a unit after the figure. parse_number()
turns that into a Decimal or raises NumberParseError, whose message is a
Japanese sentence naming the field, ready to show beside the form input.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from kpis.templatetags.kpi_format import format_number

MAX_LENGTH = 30
MAX_PLACES = 4

# Units accepted after a figure when the caller does not say which one to expect.
COMMON_UNITS = frozenset(
    {"人", "件", "t", "%", "億円", "万人", "世帯", "事業", "ポイント", "円", "回", "社", "団体"}
)
# Units that count things or money: a negative figure is a typing error.
COUNT_UNITS = frozenset({"人", "件", "t", "億円", "万人", "世帯", "事業", "円", "回", "社", "団体"})
# Units of a share of a whole: only 0 to 100 makes sense.
SHARE_UNITS = frozenset({"%"})

_EXAMPLE = "半角・全角の数字で入力してください（例：27,700 または ▲12）。"
_WIDTH_DIGITS = frozenset("0123456789０１２３４５６７８９")

# Applied after NFKC, so full-width forms already look like ASCII here.
# Commas are matched loosely and checked afterwards so the message can say what is wrong.
_FIGURE = re.compile(
    r"(?P<sign>[▲△−-])?\s*"
    r"(?P<whole>[0-9][0-9,]*)"
    r"(?:\.(?P<fraction>[0-9]+))?"
    r"\s*(?P<unit>[^\s0-9.,]*)"
)
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")


class NumberParseError(ValueError):
    """A typed figure that cannot be used; .message is shown to the clerk as is."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse_number(text: str | None, *, field: str = "実績値", unit: str = "") -> Decimal | None:
    """Read a typed figure; None when nothing was typed.

    With `unit` given, only that unit may follow the figure; without it, any of
    COMMON_UNITS may. The typed number of decimals is kept ('1.60' stays 1.60).
    """
    if text is None or not text.strip():
        return None
    typed = text.strip()
    if len(typed) > MAX_LENGTH:
        raise NumberParseError(
            f"{field}：入力が長すぎます。{MAX_LENGTH}文字以内で入力してください。", field=field
        )

    def fail(reason: str) -> NumberParseError:
        return NumberParseError(f"{field}：「{typed}」は{reason}", field=field)

    # NFKC folds ① and ² into 0-9 and Decimal() reads Arabic-Indic digits; a clerk means neither.
    if any(unicodedata.digit(ch, None) is not None and ch not in _WIDTH_DIGITS for ch in typed):
        raise fail(f"数値として読み取れません。{_EXAMPLE}")
    match = _FIGURE.fullmatch(unicodedata.normalize("NFKC", typed))
    if match is None:
        raise fail(f"数値として読み取れません。{_EXAMPLE}")

    whole, fraction, typed_unit = match["whole"], match["fraction"] or "", match["unit"]
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise fail("桁区切りのカンマの位置が正しくありません（例：1,234,567）。")
    if len(fraction) > MAX_PLACES:
        raise fail(
            f"小数点以下の桁数が多すぎます。小数点以下{MAX_PLACES}桁までで入力してください。"
        )
    allowed = _allowed_units(unit)
    if typed_unit and typed_unit not in allowed:
        raise fail(f"単位「{typed_unit}」を含んでいます。{_unit_hint(unit)}")

    digits = whole.replace(",", "") + (f".{fraction}" if fraction else "")
    value = Decimal(("-" if match["sign"] else "") + digits)
    # '▲0' is zero; keep it from showing up later as '-0'.
    return value.copy_abs() if value.is_zero() else value


def check_plausible(
    value: Decimal, *, unit: str, field: str = "実績値", allow_negative: bool = False
) -> None:
    """Reject values that cannot be right for the unit (a negative count, a share over 100 %).

    `allow_negative` is the indicator's own range: a rate of change (人口減少率) is printed in %
    but may fall below zero, so it is held to ▲100〜100 instead of 0〜100 and a count unit to any
    sign."""
    if not value.is_finite():
        raise NumberParseError(f"{field}：「{value}」は数値ではありません。", field=field)
    unit = _normalise_unit(unit)
    shown = f"{format_number(value)}{unit}"
    if unit in COUNT_UNITS and value < 0 and not allow_negative:
        raise NumberParseError(f"{field}：{shown}は0以上の値を入力してください。", field=field)
    low = -100 if allow_negative else 0
    if unit in SHARE_UNITS and not low <= value <= 100:
        raise NumberParseError(
            f"{field}：{shown}は{format_number(low)}〜100の範囲で入力してください。", field=field
        )


def is_outlier(
    value: Decimal,
    previous: Decimal | None,
    *,
    max_change: Decimal,
    min_abs_change: Decimal = Decimal(0),
) -> bool:
    """True when value moved from the comparison figure by more than max_change (a fraction)
    AND by more than min_abs_change (in the indicator's unit): 9 → 4 人 is −56 % but only five
    people, which is ordinary year-to-year noise for a small count."""
    if previous is None:
        return False
    if abs(value - previous) <= min_abs_change:
        return False
    if previous == 0:
        # Any move away from zero is an infinite relative change.
        return value != 0
    return abs(value - previous) / abs(previous) > max_change


def _normalise_unit(unit: str) -> str:
    return unicodedata.normalize("NFKC", unit).strip()


def _allowed_units(unit: str) -> frozenset[str]:
    # A KPI with a known unit accepts only that unit: '3万人' typed into a 人 field
    # would otherwise be read as 3 people, off by a factor of 10,000.
    expected = _normalise_unit(unit)
    return frozenset({expected}) if expected else COMMON_UNITS


def _unit_hint(unit: str) -> str:
    expected = _normalise_unit(unit)
    if expected:
        return f"単位は「{expected}」で入力するか、数字だけを入力してください。"
    return "数字だけを入力してください。"
