"""The rules a year's actual population figures must pass, shared by the entry form and the upload.

Plain functions, no database. Messages are Japanese sentences that name the field (and, for an
upload, the row), ready to show as they are."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kpis.numbers import NumberParseError, check_plausible, parse_number
from population.models import DATA_SOURCES, Category

# The figures the secretariat enters for a year, in the order of the form and the template.
ENTRY_CATEGORIES = [
    Category.TOTAL,
    Category.YOUNG,
    Category.WORKING,
    Category.ELDERLY,
    Category.WOMEN_20_39,
    Category.TFR,
]
COUNT_CATEGORIES = [c for c in ENTRY_CATEGORIES if c != Category.TFR]
FIRST_YEAR = 1920  # the first 国勢調査
TFR_MAX = Decimal("5")
# PopulationFigure.value is DecimalField(max_digits=12, decimal_places=2): PostgreSQL refuses more.
COUNT_MAX = Decimal(10) ** 10
_ONLY_DIGITS = re.compile(r"[0-9.,\s]*")


def unit_of(category) -> str:
    return "" if category == Category.TFR else "人"


@dataclass(frozen=True)
class YearFigures:
    """One year's actual figures: {category: value} holds only the ones given."""

    year: int
    data_source: str
    values: dict

    def as_payload(self) -> dict:
        """Plain JSON-able form (for the signed upload preview)."""
        return {
            "year": self.year,
            "data_source": self.data_source,
            "values": {k: str(v) for k, v in self.values.items()},
        }


def validate_year_figures(
    *, year, data_source, raw_values: dict, where: str = "", today: date | None = None
) -> tuple[YearFigures | None, dict[str, str]]:
    """Return (figures, {}) or (None, {field: message}); `where` prefixes messages ('3行目：')."""
    errors = {}
    parsed_year = _year(year, where, errors, (today or date.today()).year)
    source = (data_source or "").strip()
    if source not in DATA_SOURCES:
        shown = f"「{source}」は使えません。" if source else ""
        errors["data_source"] = (
            f"{where}データの出所：{shown}「{'」または「'.join(DATA_SOURCES)}」を選んでください。"
        )
    values = {}
    for category in ENTRY_CATEGORIES:
        raw = raw_values.get(category)
        raw = "" if raw is None else str(raw)
        label = f"{where}{Category(category).label}"
        try:
            value = _figure(category, raw, label)
        except NumberParseError as e:
            errors[category] = e.message
            continue
        if value is not None:
            values[category.value] = value
    if not values and not any(k in errors for k in ENTRY_CATEGORIES):
        errors["__all__"] = f"{where}人口の数値を1つ以上入力してください。"
    _cross_check(values, where, errors)
    if errors:
        return None, errors
    return YearFigures(year=parsed_year, data_source=source, values=values), {}


def _year(raw, where, errors, this_year):
    label = f"{where}年"
    try:
        value = parse_number("" if raw is None else str(raw), field=label, unit="年")
    except NumberParseError as e:
        errors["year"] = e.message
        return None
    if value is None:
        errors["year"] = f"{label}：西暦4桁で入力してください（例：2020）。"
        return None
    if value != value.to_integral_value() or not FIRST_YEAR <= value <= this_year:
        errors["year"] = (
            f"{label}：「{value:f}」は使えません。{FIRST_YEAR}〜{this_year}の西暦で入力してください。"
        )
        return None
    return int(value)


def _figure(category, raw: str, label: str) -> Decimal | None:
    if category == Category.TFR:
        # parse_number accepts common units after a figure; a rate has none.
        typed = unicodedata.normalize("NFKC", raw).strip()
        if typed and not _ONLY_DIGITS.fullmatch(typed.lstrip("▲△−-")):
            raise NumberParseError(
                f"{label}：「{raw.strip()}」は数値として読み取れません。単位を付けずに数字だけを入力してください（例：1.53）。",
                field=label,
            )
    value = parse_number(raw, field=label, unit=unit_of(category))
    if value is None:
        return None
    if category == Category.TFR:
        if not Decimal(0) < value <= TFR_MAX:
            raise NumberParseError(
                f"{label}：「{value:f}」は0より大きく{TFR_MAX}以下の値を入力してください。",
                field=label,
            )
        return value
    check_plausible(value, unit="人", field=label)
    if value >= COUNT_MAX:
        raise NumberParseError(
            f"{label}：「{value:,f}」は大きすぎます。人数を確認してください。", field=label
        )
    if value != value.to_integral_value():
        raise NumberParseError(
            f"{label}：「{value:,f}」は人数のため整数で入力してください。", field=label
        )
    return value.quantize(Decimal(1))


def _cross_check(values, where, errors):
    total = values.get(Category.TOTAL)
    if total is None:
        return
    groups = [values.get(c) for c in (Category.YOUNG, Category.WORKING, Category.ELDERLY)]
    given = [g for g in groups if g is not None]
    if given and sum(given) > total and Category.TOTAL not in errors:
        errors[Category.TOTAL] = (
            f"{where}総人口：年齢３区分の合計（{sum(given):,f}人）が総人口（{total:,f}人）を超えています。"
            "値を確認してください。"
        )
    women = values.get(Category.WOMEN_20_39)
    if women is not None and women > total:
        errors[Category.WOMEN_20_39] = (
            f"{where}{Category.WOMEN_20_39.label}：{women:,f}人は総人口（{total:,f}人）を超えています。"
        )
