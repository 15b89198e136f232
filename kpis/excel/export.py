"""Export of the actuals of one year or of every year, as .xlsx or as CSV (UTF-8 with BOM).

Every text cell goes through neutralise(): a note typed as '=HYPERLINK(…)' opens as text."""

import csv
from io import StringIO

from openpyxl import Workbook

from kpis.evaluation import YearEvaluation, timelines
from kpis.excel import workbook as book
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
    # the year as every page grades it (kpis.evaluation): the value graded (a cumulative KPI's
    # running total), its progress rate and grade
    "評価値",
    "進捗率",
    "評価",
]
NUMBER_COLUMNS = ("基準値", "目標値", "実績値", "評価値")
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


def evaluations_for(strategy, user, actuals) -> dict:
    """{(indicator id, fiscal year): YearEvaluation} for the exported actuals, from the read
    model (kpis.evaluation.timelines): 5 queries whatever the number of rows."""
    actuals = list(actuals)
    if not actuals:
        return {}
    indicators = {a.indicator_id: a.indicator for a in actuals}.values()
    years = sorted({a.fiscal_year for a in actuals if a.fiscal_year in strategy.fiscal_years})
    if not years:
        return {}
    lines = timelines(strategy, indicators, years, reader=user)
    return {(t.indicator.pk, y): e for t in lines for y, e in t.years.items()}


def export_row(a: Actual, year: YearEvaluation | None = None) -> list:
    """Python values: numbers stay Decimal, times are in Asia/Tokyo and naive (Excel has no
    time zones). `year`: the read model's evaluation of the actual's year."""
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
        year.baseline if year else ind.baseline_value,  # the baseline and target in force
        year.target if year else ind.target_value,
        None if a.not_measurable else a.value,
        not_measurable,
        a.get_status_display(),
        a.data_source,
        a.note,
        ind.department.name if ind.department_id else "",
        (user.get_full_name() or user.username) if user else "",
        book.local(a.updated_at),
        year.value if year else None,
        year.result.progress_rate if year else None,
        year.grade_text if year else "",
    ]


def write_xlsx(actuals, evaluations=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "実績値"
    book.header_row(ws, 1, HEADERS, WIDTHS)
    number_cols = [HEADERS.index(h) + 1 for h in NUMBER_COLUMNS]
    time_col = HEADERS.index("更新日時") + 1
    rate_col = HEADERS.index("進捗率") + 1
    evaluations = evaluations or {}
    for r, a in enumerate(actuals, start=2):
        ws.append([neutralise(v) for v in export_row(a, evaluations.get(_key(a)))])
        for c in number_cols:
            cell = ws.cell(r, c)
            value = cell.value if not isinstance(cell.value, str) else None
            cell.number_format = book.value_format(value, a.indicator.decimals)
        ws.cell(r, time_col).number_format = book.DATETIME
        ws.cell(r, rate_col).number_format = book.PERCENT
    book.freeze_below(ws, 1)
    ws.auto_filter.ref = ws.dimensions
    return book.to_bytes(wb)


def _key(a):
    return (a.indicator_id, a.fiscal_year)


def write_csv(actuals, evaluations=None) -> bytes:
    """UTF-8 with a BOM, CRLF: what Excel on Japanese Windows opens without garbling. Rates are
    fractions (0.324 = 32.4 %), exact, as in the API."""
    buf = StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS)
    evaluations = evaluations or {}
    time_col = HEADERS.index("更新日時")
    for a in actuals:
        row = export_row(a, evaluations.get(_key(a)))
        row[time_col] = row[time_col].strftime("%Y-%m-%d %H:%M") if row[time_col] else ""
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
