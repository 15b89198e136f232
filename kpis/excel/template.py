"""The entry template (入力用シート) a department downloads, fills in and uploads again.

One row per indicator assigned to the department. Identifiers, names, baseline, target and the
earlier years' actuals are locked; only the yellow input cells are unlocked. A hidden, protected
sheet records kind, version, strategy, fiscal year and department so the importer can refuse a
wrong file. Sheet protection has no password: it prevents slips, not attacks (the importer reads
only the key and the input columns and validates everything again)."""

from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from kpis.evaluation import YearEvaluation, timelines
from kpis.excel import layout
from kpis.excel import workbook as book
from kpis.excel.neutralise import template_text
from kpis.fiscal import fiscal_year_label
from kpis.models import Actual, Indicator

INPUT_FILL = PatternFill("solid", fgColor="FFF8D6")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

WIDTHS = {
    layout.KEY: 18,
    layout.GROUP: 28,
    layout.NAME: 36,
    layout.UNIT: 8,
    layout.BASELINE: 12,
    layout.TARGET: 12,
    layout.VALUE: 14,
    layout.REASON: 24,
    layout.DATA_YEAR: 10,
    layout.SOURCE: 24,
    layout.NOTE: 48,
    layout.CONFIRM: 12,
}
HELP_TEXT = (
    "黄色のセルに入力してください。実績値は数値（全角数字・桁区切りのカンマ・▲も可）"
    "または「測定不能」（理由も入力）。前年度から大きく変化した値は「大きな変化を確認」で"
    "「確認済み」を選び、要因分析に理由を書いてください。行や列の追加・削除、セルの結合、"
    "数式は使わないでください。"
)


@dataclass
class TemplateRow:
    indicator: Indicator
    past: dict  # fiscal_year → Actual
    current: Actual | None
    year: YearEvaluation | None = None  # the year as judged: the baseline and target in force


def template_rows(*, strategy, department, fiscal_year, user) -> list[TemplateRow]:
    """The department's indicators with this year's and earlier years' actuals the user may see,
    and the baseline and target in force for the year (indicators 1, kpis.evaluation.timelines)."""
    indicators = list(
        Indicator.objects.for_strategy(strategy)
        .filter(department=department)
        .select_related("basic_goal", "measure__policy__basic_goal")
        .in_document_order()
    )
    lines = timelines(strategy, indicators, [fiscal_year], reader=user)
    first = strategy.first_fiscal_year
    return [
        TemplateRow(
            t.indicator,
            {y: a for y, a in t.actuals.items() if y >= first},
            t.actuals.get(fiscal_year),
            t.at(fiscal_year),
        )
        for t in lines
    ]


def group_label(indicator: Indicator) -> str:
    goal = f"基本目標{indicator.basic_goal.number}"
    if indicator.measure_id is None:
        return f"{goal}（数値目標）"
    return f"{goal} / {indicator.measure.code} {indicator.measure.title}"


def build_template(*, strategy, department, fiscal_year, rows: list[TemplateRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = layout.DATA_SHEET
    headers = layout.headers(strategy.first_fiscal_year, fiscal_year)
    col = {h: i + 1 for i, h in enumerate(headers)}
    past_years = list(range(strategy.first_fiscal_year, fiscal_year))

    ws.cell(
        layout.TITLE_ROW,
        1,
        f"{fiscal_year_label(fiscal_year)} 実績値入力シート　{department.name}　（{strategy.name}）",
    ).font = Font(bold=True, size=13)
    ws.cell(layout.HELP_ROW, 1, HELP_TEXT).font = Font(size=9, color="404040")
    book.header_row(ws, layout.HEADER_ROW, headers, WIDTHS, border=True)

    for r, row in enumerate(rows, start=layout.FIRST_DATA_ROW):
        _write_row(ws, r, col, row, strategy, past_years)

    last = layout.FIRST_DATA_ROW + max(len(rows), 1) - 1
    _add_validations(ws, col, last, fiscal_year)
    ws.freeze_panes = ws.cell(layout.FIRST_DATA_ROW, col[layout.UNIT])  # header and names stay
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column stays possible
    ws.protection.formatRows = False
    ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    ws.page_setup.orientation = "landscape"

    meta = wb.create_sheet(layout.META_SHEET)
    values = layout.Meta(
        kind=layout.TEMPLATE_KIND,
        version=layout.TEMPLATE_VERSION,
        strategy=strategy.code,
        fiscal_year=fiscal_year,
        department_id=department.pk,
    ).as_rows()
    values += [
        ("department", department.name),
        ("created_at", book.now_text()),
        ("rows", len(rows)),
    ]
    for r, (k, v) in enumerate(values, start=1):
        meta.cell(r, 1, k)
        meta.cell(r, 2, v)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)  # no unhiding, renaming or adding sheets

    return book.to_bytes(wb)


def _write_row(ws, r, col, row: TemplateRow, strategy, past_years):
    ind = row.indicator

    def put(header, value, *, locked=True, number=False):
        # Text is neutralised: a note "=HYPERLINK(…)" must come back as text, not a formula
        # (the importer's unneutralise gives the stored text back on upload).
        cell = ws.cell(r, col[header], template_text(value))
        cell.border = book.BORDER
        cell.protection = LOCKED if locked else UNLOCKED
        cell.fill = LOCKED_FILL if locked else INPUT_FILL
        cell.alignment = book.WRAP
        if number and not locked:
            # an input cell shows what the clerk types: 42.5 stays 42.5, never rounded to 43
            cell.number_format = "General"
        elif number:
            # each value with its own decimals, never fewer than the indicator's
            value = value if isinstance(value, Decimal | int | float) else None
            cell.number_format = book.value_format(value, ind.decimals)
        return cell

    put(layout.KEY, layout.indicator_key(strategy.code, ind.code))
    put(layout.GROUP, group_label(ind))
    put(layout.NAME, ind.name)
    put(layout.UNIT, ind.unit)
    # the baseline and target the year is judged against (a revision may have changed them)
    year = row.year
    put(layout.BASELINE, year.baseline if year else ind.baseline_value, number=True)
    put(layout.TARGET, year.target if year else ind.target_value, number=True)
    for y in past_years:
        a = row.past.get(y)
        shown = "測定不能" if a and a.not_measurable else (a.value if a else None)
        put(layout.past_year_header(y), shown, number=True)

    a = row.current
    put(
        layout.VALUE,
        "測定不能" if a and a.not_measurable else (a.value if a else None),
        locked=False,
        number=True,
    )
    put(layout.REASON, a.not_measurable_reason if a else None, locked=False)
    put(layout.DATA_YEAR, a.data_year if a else None, locked=False).number_format = "0"
    put(layout.SOURCE, a.data_source if a else None, locked=False)
    put(layout.NOTE, a.note if a else None, locked=False)
    put(layout.CONFIRM, layout.CONFIRM_MARK if a and a.outlier_confirmed else None, locked=False)


def _add_validations(ws, col, last_row, fiscal_year):
    def rng(header):
        letter = get_column_letter(col[header])
        return f"{letter}{layout.FIRST_DATA_ROW}:{letter}{last_row}"

    def add(header, dv, prompt):
        dv.error_title = "入力できない値です"
        dv.prompt_title = header
        dv.prompt = prompt
        dv.showErrorMessage = True
        dv.showInputMessage = True
        dv.add(rng(header))
        ws.add_data_validation(dv)

    add(
        layout.VALUE,
        DataValidation(type="textLength", operator="lessThanOrEqual", formula1="30"),
        "数値（例：27,700、▲12）または「測定不能」",
    )
    add(
        layout.REASON,
        DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(layout.TEXT_MAX_LENGTH)
        ),
        "実績値が「測定不能」の場合に理由を入力",
    )
    dv = DataValidation(type="whole", operator="between", formula1="1900", formula2="2100")
    dv.error = "西暦4桁の年を入力してください（例：2020）。"
    add(layout.DATA_YEAR, dv, f"国勢調査など{fiscal_year}年度と異なる時点のデータの場合のみ")
    dv = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(layout.SOURCE_MAX_LENGTH)
    )
    dv.error = f"出典は{layout.SOURCE_MAX_LENGTH}文字以内で入力してください。"
    add(layout.SOURCE, dv, "統計名・調査名など")
    add(
        layout.NOTE,
        DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(layout.TEXT_MAX_LENGTH)
        ),
        "要因分析・課題・今後の方向性",
    )
    dv = DataValidation(type="list", formula1=f'"{layout.CONFIRM_MARK}"', allow_blank=True)
    dv.error = f"「{layout.CONFIRM_MARK}」を選ぶか空欄にしてください。"
    add(layout.CONFIRM, dv, "前年度から大きく変化した値を確認した場合に選択")
