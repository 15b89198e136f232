"""The rules an entered actual must pass, shared by the entry form and the Excel import.

Plain functions: no database. Messages are Japanese and name the indicator and the field."""

from dataclasses import dataclass
from decimal import Decimal

from kpis import numfmt
from kpis.numbers import NumberParseError, check_plausible, is_outlier, parse_number

NOT_MEASURABLE_MARKS = {"測定不能", "－", "−", "-", "―"}
# Actual.value is DecimalField(max_digits=16, decimal_places=4): at most 12 digits before the point.
# A larger figure would make PostgreSQL refuse the row (numeric field overflow) after validation.
MAX_ABS_VALUE = Decimal(10) ** 12


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
) -> tuple[EntryValues | None, dict[str, str]]:
    """Return (values, {}) or (None, {field: message})."""
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
                check_plausible(value, unit=unit, field=label)
                if abs(value) >= MAX_ABS_VALUE:
                    errors["value"] = (
                        f"{label}：桁数が多すぎます。整数部分は12桁以内で入力してください。"
                    )
                    value = None
        except NumberParseError as e:
            errors["value"] = e.message
        if value is None and "value" not in errors and submitting:
            errors["value"] = f"{label}：提出するには値を入力するか「測定不能」を選んでください。"
    if (
        value is not None
        and "value" not in errors
        and is_outlier(value, previous, max_change=outlier_threshold)
    ):
        if not confirm_outlier:
            errors["confirm_outlier"] = (
                f"{label}：前年度の値（{numfmt.number(previous)}）から{outlier_threshold * 100:.0f}%を超えて変化しています。"
                "値を確認し、「大きな変化を確認済み」にチェックしてください。"
            )
        if not note.strip():
            errors["note"] = (
                f"{label}：前年度から大きく変化した理由を「要因分析」に記入してください。"
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
            outlier_confirmed=bool(confirm_outlier)
            and value is not None
            and is_outlier(value, previous, max_change=outlier_threshold),
        ),
        {},
    )
