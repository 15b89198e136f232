"""Export of the actuals of one year or of every year, as .xlsx or as CSV (UTF-8 with BOM).

Every text cell goes through neutralise(): a note typed as '=HYPERLINK(…)' opens as text."""

import csv
from io import BytesIO, StringIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kpis.excel import layout
from kpis.excel.neutralise import csv_text, neutralise
from kpis.models import Actual

HEADERS = [
    "年度",
    "基本目標",
    "施策",
    "指標コード",
    "指標名",
    "単位",
    "基準値",
    "目標値",
    "実績値",
    "測定不能",
    "状態",
    "出典",
    "要因分析",
    "担当課",
    "更新者",
    "更新日時",
]
NUMBER_COLUMNS = ("基準値", "目標値", "実績値")
WIDTHS = {"基本目標": 30, "施策": 30, "指標名": 36, "出典": 24, "要因分析": 48, "更新日時": 17}


def export_actuals(strategy, user, fiscal_year=None):
    """The actuals the user may see, in document order (one query)."""
    qs = (
        Actual.objects.visible_to(user)
        .filter(indicator__basic_goal__strategy=strategy)
        .select_related(
            "indicator__basic_goal",
            "indicator__measure__policy__basic_goal",
            "indicator__department",
            "updated_by",
        )
        .order_by(
            "fiscal_year",
            "indicator__basic_goal__number",
            "indicator__level",
            "indicator__measure__policy__order",
            "indicator__measure__number",
            "indicator__order",
        )
    )
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs


def export_row(a: Actual) -> list:
    """Python values: numbers stay Decimal, times are local and naive (Excel has no time zones)."""
    ind = a.indicator
    goal = ind.basic_goal
    measure = f"{ind.measure.code} {ind.measure.title}" if ind.measure_id else "（数値目標）"
    if a.not_measurable:
        not_measurable = f"はい：{a.not_measurable_reason}" if a.not_measurable_reason else "はい"
    else:
        not_measurable = ""
    user = a.updated_by
    return [
        a.fiscal_year,
        f"{goal.label} {goal.title}",
        measure,
        ind.code,
        ind.name,
        ind.unit,
        ind.baseline_value,
        ind.target_value,
        None if a.not_measurable else a.value,
        not_measurable,
        a.get_status_display(),
        a.data_source,
        a.note,
        ind.department.name if ind.department_id else "",
        (user.get_full_name() or user.username) if user else "",
        timezone.localtime(a.updated_at).replace(tzinfo=None) if a.updated_at else None,
    ]


def write_xlsx(actuals) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "実績値"
    ws.append(HEADERS)
    for c in range(1, len(HEADERS) + 1):
        cell = ws.cell(1, c)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(HEADERS[c - 1], 12)
    number_cols = [HEADERS.index(h) + 1 for h in NUMBER_COLUMNS]
    time_col = HEADERS.index("更新日時") + 1
    for r, a in enumerate(actuals, start=2):
        ws.append([neutralise(v) for v in export_row(a)])
        for c in number_cols:
            ws.cell(r, c).number_format = layout.number_format(a.indicator.decimals)
        ws.cell(r, time_col).number_format = "yyyy/mm/dd hh:mm"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def write_csv(actuals) -> bytes:
    """UTF-8 with a BOM, CRLF: what Excel on Japanese Windows opens without garbling."""
    buf = StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for a in actuals:
        row = export_row(a)
        row[-1] = row[-1].strftime("%Y-%m-%d %H:%M") if row[-1] else ""
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
