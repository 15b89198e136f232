"""The at-a-glance indicator table (django-tables2) and its Excel download."""

from io import BytesIO

import django_tables2 as tables
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kpis import numfmt
from kpis.excel.neutralise import neutralise

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def col(name):
    return {"th": {"class": f"col-{name}"}, "td": {"class": f"col-{name}"}}


class IndicatorTable(tables.Table):
    """Rows are dashboard.selectors.DashboardRow; ordering happens in Python on the sort keys.

    django-tables2 gives the header, the sort links and the ordering; the body rows are written
    by templates/dashboard/_table.html from body_rows() below instead of its per-cell machinery,
    which cost half of the overview's time (docs/benchmarks.md: per cell an inspect.signature,
    the <td> attributes built again, a render_to_string for value/progress/grade).
    """

    goal = tables.Column("基本目標", accessor="goal_key", empty_values=(), attrs=col("goal"))
    policy = tables.Column("施策", accessor="policy_key", empty_values=(), attrs=col("policy"))
    measure = tables.Column("施策①", accessor="measure_key", empty_values=(), attrs=col("measure"))
    name = tables.Column("指標", accessor="indicator__name", empty_values=(), attrs=col("name"))
    unit = tables.Column("単位", accessor="indicator__unit", empty_values=())
    baseline = tables.Column("基準値", accessor="baseline_key", empty_values=(), attrs=NUM)
    target = tables.Column("目標値", accessor="target", empty_values=(), attrs=NUM)
    value = tables.Column("今年度の実績", accessor="value_key", empty_values=(), attrs=NUM)
    progress = tables.Column("進捗率", accessor="progress_key", empty_values=(), attrs=NUM)
    grade = tables.Column("評価", accessor="grade_key", empty_values=())

    class Meta:  # written by templates/dashboard/_table.html (included, not {% render_table %})
        order_by_field = "sort"
        empty_text = "条件に合う指標はありません。"

    def __init__(self, data, *, strategy, fiscal_year, show_status, **kwargs):
        self.strategy, self.fiscal_year, self.show_status = strategy, fiscal_year, show_status
        super().__init__(data, **kwargs)

    def shown(self):
        """{column name: True} of the columns left in (the drill-down pages exclude the goal /
        policy / measure columns)."""
        return {column.name: True for column in self.columns}

    def body_rows(self):
        """What each <tr> shows, in the order django-tables2 sorted the rows: texts (already
        formatted by kpis.evaluation / kpis.numfmt) and links, as plain dicts (the template reads
        a dict key faster than an attribute)."""
        links = _Links(self.strategy.code, self.fiscal_year)
        return [
            _row_cells(row.record, links, self.show_status, "odd" if i % 2 else "even")
            for i, row in enumerate(self.rows)
        ]


class _Links:
    """The drill-down links of the rows, each reversed once per page and object."""

    def __init__(self, strategy_code, year):
        self.code, self.query, self.seen = strategy_code, f"?year={year}", {}

    def __call__(self, kind, key):
        url = self.seen.get((kind, key))
        if url is None:
            url = reverse(f"dashboard_{kind}", args=[self.code, key]) + self.query
            self.seen[(kind, key)] = url
        return url


def _row_cells(row, links, show_status, parity):
    ind, policy, measure, note = row.indicator, row.policy, row.measure, row.data_year_note
    has_progress = row.result.progress_rate is not None
    return {
        "pk": str(ind.pk),  # a str: the template would localize an int (number_format per row)
        "code": ind.code,
        "parity": parity,
        "grade": row.grade.label,
        "grade_css": row.grade.css,
        "grade_text": row.grade.text,
        "goal": row.goal.label,
        "goal_url": links("goal", row.goal.number),
        "policy": f"{policy.label}{policy.title}" if policy else None,
        "policy_url": links("policy", policy.pk) if policy else None,
        "measure": f"{measure.label} {measure.title}" if measure else None,
        "measure_url": links("measure", measure.pk) if measure else None,
        "name": ind.name,
        "url": links("indicator", ind.pk),
        "unit": ind.unit or "−",
        "baseline": row.baseline_text,
        "target": row.target_text,
        "value": row.value_text,
        "data_year": note,
        "status": row.status if show_status else None,
        "status_label": row.status_label,
        "progress": row.progress_text if has_progress else None,
        "progress_pct": row.progress_pct if has_progress else None,
    }


# --- Excel ----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


safe_text = neutralise  # text that Excel would read as a formula gets a leading '


def _number_format(value, decimals):
    """Each value with its own decimals, never fewer than the indicator's (42.5 stays 42.5)."""
    return numfmt.excel_value_format(value, decimals)


def xlsx_response(rows, *, strategy, fiscal_year, show_status, conditions):
    """The table's rows (already filtered and ordered) as an .xlsx download."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指標一覧"
    headers = ["基本目標", "施策", "施策①", "指標", "単位", "基準値", "目標値", "今年度の実績"]
    headers += ["状態"] if show_status else []
    headers += ["データの対象年", "進捗率", "評価"]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r in rows:
        ind, result = r.indicator, r.result
        d = ind.decimals
        if result.value is not None:
            value = float(result.value)
        else:
            value = "測定不能" if r.actual is not None and r.actual.not_measurable else None
        cells = [
            (f"{r.goal.label} {r.goal.title}", None),
            (f"{r.policy.label}{r.policy.title}" if r.policy else "数値目標", None),
            (f"{r.measure.label} {r.measure.title}" if r.measure else None, None),
            (ind.name, None),
            (ind.unit or None, None),
            (float(r.baseline) if r.baseline is not None else None, _number_format(r.baseline, d)),
            (float(r.target), _number_format(r.target, d)),
            (value, _number_format(result.value, d)),
        ]
        if show_status:
            cells.append((r.status_label or None, None))
        a = r.actual
        cells += [
            (a.data_year if a is not None and a.data_year else None, "0"),
            (
                float(result.progress_rate) if result.progress_rate is not None else None,
                numfmt.PERCENT_FORMAT,
            ),
            (r.grade.text, None),
        ]
        ws.append([safe_text(v) for v, _ in cells])
        for col, (_, fmt) in enumerate(cells, start=1):
            if fmt:
                ws.cell(row=ws.max_row, column=col).number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    widths = {"基本目標": 24, "施策": 28, "施策①": 32, "指標": 36, "評価": 18}
    for col, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(header, 13)

    info = wb.create_sheet("条件")
    info.append(["総合戦略", safe_text(strategy.name)])
    info.append(["年度", f"{fiscal_year}年度"])
    info.append(["表示する値", "未確認の値を含む" if show_status else "確認済みの値のみ"])
    info.append(["絞り込み", safe_text(conditions or "なし")])
    info.append(["出力日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 60

    out = BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"指標一覧_{strategy.code}_{fiscal_year}年度.xlsx"
    )
    return response
