"""The overview's table as an .xlsx: the rows as filtered and ordered on screen, the conditions
they were read under, and 評価の方法 as the page explains it (kpis.evaluation.method()).

Look, number formats and dates come from kpis.excel.workbook, like every other workbook."""

from openpyxl import Workbook

from kpis.excel import workbook as book
from kpis.excel.workbook import XLSX, download_response, safe

WIDTHS = {"基本目標": 24, "施策": 28, "施策①": 32, "指標": 36, "評価": 18}


def headers(show_status: bool) -> list[str]:
    out = ["基本目標", "施策", "施策①", "指標", "単位", "基準値", "目標値", "今年度の実績"]
    out += ["状態"] if show_status else []
    return out + ["データの対象年", "進捗率", "評価"]


def _cells(r, show_status) -> list[tuple]:
    """(value, number format) per column of one dashboard.selectors.DashboardRow."""
    ind, result = r.indicator, r.result
    d = ind.decimals
    if result.value is not None:
        value = result.value
    else:
        value = "測定不能" if r.actual is not None and r.actual.not_measurable else None
    cells = [
        (f"{r.goal.label} {r.goal.title}", None),
        (f"{r.policy.label}{r.policy.title}" if r.policy else "数値目標", None),
        (f"{r.measure.label} {r.measure.title}" if r.measure else None, None),
        (ind.name, None),
        (ind.unit or None, None),
        (r.baseline, book.value_format(r.baseline, d)),
        (r.target, book.value_format(r.target, d)),
        (value, book.value_format(result.value, d)),
    ]
    if show_status:
        cells.append((r.status_label or None, None))
    a = r.actual
    return cells + [
        (a.data_year if a is not None and a.data_year else None, book.YEAR),
        (result.progress_rate, book.PERCENT),
        (r.grade.text, None),
    ]


def overview_workbook(rows, *, strategy, fiscal_year, show_status, conditions, method) -> bytes:
    """`rows`: the table's rows (already filtered and ordered); `method`: the strategy's
    kpis.evaluation.Method, the same the page shows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指標一覧"
    columns = headers(show_status)
    book.header_row(ws, 1, columns, WIDTHS)
    for r in rows:
        cells = _cells(r, show_status)
        ws.append([safe(v) for v, _ in cells])
        for column, (_, fmt) in enumerate(cells, start=1):
            if fmt:
                ws.cell(row=ws.max_row, column=column).number_format = fmt
    book.freeze_below(ws, 1)
    ws.auto_filter.ref = ws.dimensions

    info = wb.create_sheet("条件")
    info.append(["総合戦略", safe(strategy.name)])
    info.append(["年度", f"{fiscal_year}年度"])
    info.append(["表示する値", "未確認の値を含む" if show_status else "確認済みの値のみ"])
    info.append(["絞り込み", safe(conditions or "なし")])
    info.append(["出力日時", book.now_text()])
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 60

    book.method_sheet(wb, method)
    return book.to_bytes(wb)


def xlsx_response(rows, *, strategy, fiscal_year, show_status, conditions, method):
    """The overview's .xlsx download (the view's ?format=xlsx)."""
    content = overview_workbook(
        rows,
        strategy=strategy,
        fiscal_year=fiscal_year,
        show_status=show_status,
        conditions=conditions,
        method=method,
    )
    return download_response(content, f"指標一覧_{strategy.code}_{fiscal_year}年度.xlsx", XLSX)
