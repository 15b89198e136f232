"""The rules an entered actual must pass, shared by the entry form and the Excel import.

Plain functions: no database. Messages are Japanese and name the indicator and the field."""

from dataclasses import dataclass
from decimal import Decimal

from kpis.numbers import NumberParseError, check_plausible, is_outlier, parse_number
from kpis.templatetags.kpi_format import format_number, with_unit

NOT_MEASURABLE_MARKS = {"測定不能", "－", "−", "-", "―"}
# Actual.value is DecimalField(max_digits=16, decimal_places=4): at most 12 digits before the point.
# A larger figure would make PostgreSQL refuse the row (numeric field overflow) after validation.
MAX_ABS_VALUE = Decimal(10) ** 12
# The absolute half of the plausibility check: a move of fewer than ten steps of the precision the
# document prints the indicator with (10 人, 1.0 %, 0.10 %) never needs a written reason, however
# large it is relatively (9 → 4 人 is −56 %).
MIN_CHANGE_STEPS = 10


def min_abs_change(decimals: int) -> Decimal:
    return Decimal(MIN_CHANGE_STEPS).scaleb(-decimals)


def comparison(previous: Decimal | None, baseline: Decimal | None) -> tuple[Decimal | None, str]:
    """What a new value is checked against: last year's figure, or the baseline (基準値) when
    there is none (the first year of the strategy, or a year after 測定不能)."""
    if previous is not None:
        return previous, "前年度の値"
    return baseline, "基準値"


@dataclass(frozen=True)
class EntryValues:
    value: Decimal | None
    not_measurable: bool
    not_measurable_reason: str
    data_year: int | None
    data_source: str
    note: str
    outlier_confirmed: bool


def validate_entry(
    *,
    indicator_name: str,
    unit: str,
    raw_value: str | None,
    not_measurable: bool,
    not_measurable_reason: str = "",
    data_year: int | None = None,
    data_source: str = "",
    note: str = "",
    confirm_outlier: bool = False,
    previous: Decimal | None = None,
    outlier_threshold: Decimal = Decimal("0.5"),
    submitting: bool = False,
    baseline: Decimal | None = None,
    decimals: int = 0,
    allow_negative: bool = False,
) -> tuple[EntryValues | None, dict[str, str]]:
    """Return (values, {}) or (None, {field: message}).

    `previous` is last year's value, `baseline` the indicator's 基準値 (used when there is no
    previous value), `decimals` how the indicator is printed, `allow_negative` its own range."""
    errors = {}
    raw = (raw_value or "").strip()
    if raw in NOT_MEASURABLE_MARKS:
        not_measurable, raw = True, ""
    value = None
    label = f"「{indicator_name}」の実績値"
    if not_measurable:
        if raw:
            errors["value"] = f"{label}：測定不能とする場合は値を空欄にしてください。"
        if not not_measurable_reason.strip():
            errors["not_measurable_reason"] = (
                f"「{indicator_name}」：測定不能の理由を入力してください。"
            )
    else:
        try:
            value = parse_number(raw, field=label, unit=unit)
            if value is not None:
                check_plausible(value, unit=unit, field=label, allow_negative=allow_negative)
                if abs(value) >= MAX_ABS_VALUE:
                    errors["value"] = (
                        f"{label}：桁数が多すぎます。整数部分は12桁以内で入力してください。"
                    )
                    value = None
        except NumberParseError as e:
            errors["value"] = e.message
        if value is None and "value" not in errors and submitting:
            errors["value"] = f"{label}：提出するには値を入力するか「測定不能」を選んでください。"
    basis, basis_label = comparison(previous, baseline)
    outlier = (
        value is not None
        and "value" not in errors
        and is_outlier(
            value,
            basis,
            max_change=outlier_threshold,
            min_abs_change=min_abs_change(decimals),
        )
    )
    if outlier:
        typed = max(decimals, -min(value.as_tuple().exponent, 0))
        shown = with_unit(format_number(value, typed), unit)
        was = with_unit(format_number(basis, decimals), unit)
        if not confirm_outlier:
            errors["confirm_outlier"] = (
                f"{label}：{shown}は{basis_label}（{was}）から"
                f"{format_number(outlier_threshold * 100, 0)}%を超えて変化しています。"
                "値を確認し、「大きな変化を確認済み」にチェックしてください。"
            )
        if not note.strip():
            errors["note"] = (
                f"{label}：{basis_label}から大きく変化した理由を「要因分析」に記入してください。"
            )
    if data_year is not None and not (1900 <= data_year <= 2100):
        errors["data_year"] = f"「{indicator_name}」：データの対象年は西暦4桁で入力してください。"
    if errors:
        return None, errors
    return (
        EntryValues(
            value=value,
            not_measurable=not_measurable,
            not_measurable_reason=not_measurable_reason.strip() if not_measurable else "",
            data_year=data_year,
            data_source=data_source.strip(),
            note=note.strip(),
            outlier_confirmed=bool(confirm_outlier) and outlier,
        ),
        {},
    )
