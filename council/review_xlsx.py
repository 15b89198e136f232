"""The review pack (council.review.ReviewPack) as a formatted .xlsx: one sheet per basic goal and a
population sheet, frozen headers, Japanese number formats, widths and wrapped text.

Every text cell goes through `safe()`: text starting with = + - @ (or a tab / carriage return)
gets a leading "'" so that Excel never runs a typed note or opinion as a formula."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from kpis.excel import workbook as book
from kpis.excel.workbook import PERCENT, YEAR, safe, value_format
from kpis.fiscal import fiscal_year_label, short_label

SECTION_FILL = PatternFill("solid", fgColor="F1F5F9")
HEADER_ROW = 4


def _put(ws, row, column, value, *, fmt=None, wrap=False, bold=False, italic=False, fill=None):
    cell = ws.cell(row=row, column=column, value=safe(value))
    cell.border = book.BORDER
    cell.alignment = book.WRAP if wrap else book.TOP
    if fmt:
        cell.number_format = fmt
    if bold or italic:
        cell.font = Font(bold=bold, italic=italic)
    if fill:
        cell.fill = fill
    return cell


def _person(user):
    return user.get_full_name() or user.username


_date = book.date_text  # the day in Asia/Tokyo: 08:44 on 30 November is 30 November


def opinions_text(opinions) -> str:
    parts = []
    for o in opinions:
        text = f"【意見】{o.body}（{_person(o.author)}・{_date(o.created_at)}）"
        response = o.response_or_none
        if response:
            text += f"\n【対応方針】{response.body}（{_person(response.author)}・{_date(response.updated_at)}）"
        else:
            text += "\n【対応方針】未記入"
        parts.append(text)
    return "\n\n".join(parts)


def _title(ws, pack, heading, width):
    book.title(ws, heading)
    note = f"{pack.strategy.name} ・ {fiscal_year_label(pack.fiscal_year)}の効果検証"
    note += (
        " ・ 確認済みの実績値のみ"
        if pack.confirmed_only
        else " ・ 斜体の値は事務局の確認前（下書き・提出済み）"
    )
    ws.cell(row=2, column=1, value=safe(note)).font = Font(color="52606D")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _goal_sheet(wb, pack, section):
    goal = section.goal
    ws = wb.create_sheet(title=f"基本目標{goal.number}")
    years = pack.years
    headers = (
        ["区分", "指標", "単位", "基準値", "基準年度", "目標値", "目標年度"]
        + [f"{y}年度（{short_label(y)}）" for y in years]
        + [
            f"中間目標（{pack.fiscal_year}年度）",
            "評価値",
            "進捗率",
            "評価",
            "要因分析・課題・今後の方向性",
            "担当課",
            f"意見と対応方針（{fiscal_year_label(pack.fiscal_year)}）",
            f"前年度の意見と対応方針（{fiscal_year_label(pack.previous_year)}）",
        ]
    )
    widths = [14, 36, 7, 12, 9, 12, 9] + [12] * len(years) + [12, 12, 9, 18, 44, 14, 50, 50]
    _title(ws, pack, f"{goal.label} {goal.title}（{goal.get_package_display()}）", len(headers))
    book.header_row(ws, HEADER_ROW, headers, widths, border=True)
    ws.row_dimensions[HEADER_ROW].height = 32
    book.freeze_below(ws, HEADER_ROW, column=3)
    opinion_col = len(headers) - 1
    row = HEADER_ROW + 1

    def opinion_row(kind, target_id, label, text):
        nonlocal row
        _put(ws, row, 1, label, bold=True, fill=SECTION_FILL)
        _put(ws, row, 2, text, wrap=True, bold=True, fill=SECTION_FILL)
        for column in range(3, opinion_col):
            _put(ws, row, column, None, fill=SECTION_FILL)
        _put(
            ws,
            row,
            opinion_col,
            opinions_text(pack.opinions_for(kind, target_id, pack.fiscal_year)),
            wrap=True,
            fill=SECTION_FILL,
        )
        _put(
            ws,
            row,
            opinion_col + 1,
            opinions_text(pack.opinions_for(kind, target_id, pack.previous_year)),
            wrap=True,
            fill=SECTION_FILL,
        )
        row += 1

    def indicator_row(kind_label, r):
        nonlocal row
        ind = r.indicator
        d = ind.decimals
        _put(ws, row, 1, kind_label)
        _put(ws, row, 2, ind.name, wrap=True)
        _put(ws, row, 3, ind.unit)
        _put(ws, row, 4, r.baseline, fmt=value_format(r.baseline, d))
        # the year as on screen: 2020, or 「2020（推定）」 where the document gives none
        year = r.baseline_year
        if year is not None and r.year.baseline_year_estimated:
            year = f"{year}（推定）"
        _put(ws, row, 5, year, fmt=YEAR)
        _put(ws, row, 6, r.target, fmt=value_format(r.target, d))
        _put(ws, row, 7, r.target_year, fmt=YEAR)
        column = 8
        for cell in r.cells:
            if cell.actual is not None and cell.actual.not_measurable:
                _put(ws, row, column, "測定不能")
            else:
                fmt = value_format(cell.value, d)
                _put(ws, row, column, cell.value, fmt=fmt, italic=cell.unconfirmed)
            column += 1
        # the read model's interim target for the year, at the indicator's precision as on the
        # page (24,815.5 t shows 24,816; the cell keeps the exact value)
        _put(ws, row, column, r.year.interim, fmt=book.fixed_format(d))
        column += 1
        _put(ws, row, column, r.result.value, fmt=value_format(r.result.value, d))
        _put(ws, row, column + 1, r.result.progress_rate, fmt=PERCENT)
        _put(ws, row, column + 2, r.grade_text)
        _put(ws, row, column + 3, r.note, wrap=True)
        _put(ws, row, column + 4, r.department)
        _put(
            ws,
            row,
            column + 5,
            opinions_text(pack.opinions_for("indicator", ind.pk, pack.fiscal_year)),
            wrap=True,
        )
        _put(
            ws,
            row,
            column + 6,
            opinions_text(pack.opinions_for("indicator", ind.pk, pack.previous_year)),
            wrap=True,
        )
        row += 1

    opinion_row("basic_goal", goal.pk, "基本目標", f"{goal.label} {goal.title}")
    for r in section.numeric_targets:
        indicator_row("数値目標", r)
    for m in section.measures:
        measure = m.measure
        opinion_row(
            "measure", measure.pk, f"施策 {measure.code}", f"{measure.label}{measure.title}"
        )
        for r in m.rows:
            indicator_row(f"KPI {measure.code}", r)
    counts = "、".join(f"{label} {n}件" for label, n in section.rollup.counts.items())
    ws.cell(
        row=row + 1,
        column=1,
        value=safe(f"KPIの評価の内訳（数値目標を除く）：{counts}（計{section.rollup.total}件）"),
    )
    if section.rollup.mean_progress is not None:
        ws.cell(row=row + 2, column=1, value="平均進捗率")
        mean = ws.cell(row=row + 2, column=2, value=section.rollup.mean_progress)
        mean.number_format = PERCENT
        ws.cell(row=row + 2, column=3, value=safe(f"（{section.mean_note}）"))
    book.legend_footer(ws, pack.method)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    book.landscape_a4(ws)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _population_sheet(wb, pack):
    ws = wb.create_sheet(title="人口")
    headers = [
        "区分",
        "最新の実績（年）",
        "実績値",
        "データの出所",
        "目標経路上の値",
        "差（実績−目標経路）",
        "状況",
        "目標",
        "目標値",
        "社人研推計（目標年）",
    ]
    widths = [26, 14, 12, 14, 14, 16, 18, 22, 12, 18]
    _title(ws, pack, "人口ビジョン：現状と目標", len(headers))
    book.header_row(ws, HEADER_ROW, headers, widths, border=True)
    book.freeze_below(ws, HEADER_ROW, column=2)
    row = HEADER_ROW + 1
    for status in pack.population:
        fmt = book.fixed_format(status["decimals"])
        for i, target in enumerate(status["targets"] or [None]):
            first = i == 0
            _put(ws, row, 1, status["label"] if first else None, wrap=True)
            _put(ws, row, 2, status["latest_year"] if first else None, fmt=YEAR)
            _put(ws, row, 3, status["latest_value"] if first else None, fmt=fmt)
            _put(ws, row, 4, status["latest_source"] if first else None)
            _put(ws, row, 5, status["path_value"] if first else None, fmt=fmt)
            _put(ws, row, 6, status["gap"] if first else None, fmt=fmt)
            verdict = None
            if first and status["on_track"] is not None:
                verdict = "目標経路以上" if status["on_track"] else "目標経路を下回る"
            _put(ws, row, 7, verdict)
            _put(ws, row, 8, f"{target['label']}（{target['year']}年）" if target else None)
            _put(ws, row, 9, target["value"] if target else None, fmt=fmt)
            _put(ws, row, 10, target["ipss"] if target else None, fmt=fmt)
            row += 1
    row += 1
    ws.cell(row=row, column=1, value="人口の実績（年別）").font = Font(bold=True)
    row += 1
    actual_headers = [
        "年",
        "総人口",
        "年少人口",
        "生産年齢人口",
        "老年人口",
        "年少人口割合",
        "生産年齢人口割合",
        "老年人口割合",
        "20〜39歳の女性人口",
        "合計特殊出生率",
        "データの出所",
    ]
    book.header_row(ws, row, actual_headers, border=True)
    row += 1
    for r in pack.population_actuals:
        _put(ws, row, 1, r["year"], fmt=YEAR)
        _put(ws, row, 2, r["total"], fmt="#,##0")
        for i, g in enumerate(r["groups"]):
            _put(ws, row, 3 + i, g["value"], fmt="#,##0")
            _put(ws, row, 6 + i, g["share"] / 100 if g["share"] is not None else None, fmt=PERCENT)
        _put(ws, row, 9, r["women_20_39"], fmt="#,##0")
        _put(ws, row, 10, r["tfr"], fmt="0.00")
        _put(ws, row, 11, r["data_source"])
        row += 1
    book.landscape_a4(ws)


def build_workbook(pack) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for section in pack.goals:
        _goal_sheet(wb, pack, section)
    _population_sheet(wb, pack)
    book.method_sheet(wb, pack.method)
    wb.properties.title = pack.title
    wb.properties.creator = "根室市創生総合戦略 KPI進捗管理"
    return book.to_bytes(wb)
