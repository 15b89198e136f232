"""Editing an exported strategy workbook in openpyxl as an administrator would in Excel (by the
headers they see), for the draft-revision import tests (tests/test_revision_import*.py and
tests/browser/test_revision_import_flow.py)."""

from io import BytesIO

from openpyxl import load_workbook

from kpis.models import Strategy
from revisions.snapshot import take_snapshot
from revisions.workbook.export import export_strategy_workbook

CODE = "1-ア-1-1"  # 沿岸漁業における生産量: 27,700t (2024) → 30,000t from FY2023
PROJECT = "水産資源増大創造支援事業"  # retired from FY2023
NEW_CODE = "1-ア-1-99"
NEW_KPI = {  # what the indicator-add form is given in tests/test_revision_import_plan.py
    "施策": "1-ア-1",
    "コード": NEW_CODE,
    "順序": 99,  # a new row takes the next free place, as with the add form
    "指標名": "【テスト】ベニザケ養殖の出荷量",
    "単位": "t",
    "基準値": 10,
    "基準値の根拠": "記載あり",
    "目標値": 25,
    "目標年度": 2024,
    "改善の方向": "増加",
    "集計方法": "各年度の水準",
    "表示小数桁": 0,
    "原文": "【テスト】ベニザケ養殖の出荷量／２５ｔ",
    "適用開始年度": 2023,
}


def exported(strategy_code="nemuro-2") -> bytes:
    return export_strategy_workbook(take_snapshot(Strategy.objects.get(code=strategy_code)))


def _open(data):
    return load_workbook(BytesIO(data))


def _save(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _headers(ws) -> dict:
    return {cell.value: cell.column for cell in ws[1] if cell.value}


def find_row(ws, header, value) -> int:
    column = _headers(ws)[header]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, column).value == value:
            return row
    raise LookupError(f"{ws.title}: {header}={value}")


def set_cell(ws, row, header, value):
    ws.cell(row, _headers(ws)[header], value)


def append(ws, values: dict):
    row = ws.max_row + 1
    for header, value in values.items():
        set_cell(ws, row, header, value)
    return row


def three_edits(data: bytes) -> bytes:
    """Change one target from a year, add a KPI, retire a project."""
    wb = _open(data)
    kpi = wb["KPI"]
    set_cell(kpi, find_row(kpi, "コード", CODE), "目標値", 30000)
    append(
        wb["目標値の推移"],
        {
            "指標コード": CODE,
            "適用開始年度": 2023,
            "基準値": 23854,
            "基準値の根拠": "目標値と増減から算出",
            "目標値": 30000,
            "目標年度": 2024,
        },
    )
    append(kpi, NEW_KPI)
    projects = wb["事業"]
    set_cell(projects, find_row(projects, "事業名", PROJECT), "廃止年度", 2023)
    return _save(wb)


def edit(data: bytes, sheet, key_header, key, header, value) -> bytes:
    wb = _open(data)
    ws = wb[sheet]
    set_cell(ws, find_row(ws, key_header, key), header, value)
    return _save(wb)
