"""Shared set-up for the strategy workbook tests: a small strategy typed into the blank template.

テスト用の架空データ: 架空町 and everything in its strategy are invented for the tests."""

from io import BytesIO

from openpyxl import load_workbook

from revisions.workbook.export import blank_template

CODE = "kakuu-test-1"
FICTIONAL = "テスト用の架空データ"

ROWS = {
    "総合戦略": [
        {
            "コード": CODE,
            "名称": f"架空町総合戦略（{FICTIONAL}）",
            "自治体": "架空町",
            "計画期間（初年度）": 2025,
            "計画期間（最終年度）": 2029,
        }
    ],
    "基本目標": [
        {"番号": 1, "基本目標": "しごとをつくる（架空）", "政策パッケージ": "雇用対策"},
        {"番号": 2, "基本目標": "こどもを育てる（架空）", "政策パッケージ": "子育て支援"},
    ],
    "基本的な方向": [{"基本目標": 1, "順序": 1, "基本的な方向": "架空の方向"}],
    "具体的な施策": [
        {"基本目標": 1, "記号": "ア", "順序": 1, "施策": "架空の産業振興"},
        {"基本目標": 2, "記号": "ア", "順序": 1, "施策": "架空の子育て支援"},
    ],
    "施策": [
        {"具体的な施策": "1-ア", "番号": 1, "施策名": "架空の漁業振興"},
        {"具体的な施策": "2-ア", "番号": 1, "施策名": "架空の保育"},
    ],
    "KPI": [
        {  # a level that should rise
            "施策": "1-ア-1",
            "コード": "T-1",
            "順序": 1,
            "指標名": "架空の漁獲量",
            "単位": "t",
            "基準値": "１，０００",
            "基準年度": 2024,
            "基準値の根拠": "記載あり",
            "目標値": 1200,
            "目標年度": 2029,
            "改善の方向": "増加",
            "集計方法": "各年度の水準",
            "担当課": "架空水産課",
            "原文": FICTIONAL,
        },
        {  # a yearly count that should fall
            "施策": "1-ア-1",
            "コード": "T-2",
            "順序": 2,
            "指標名": "架空の事故件数",
            "単位": "件",
            "基準値": 50,
            "基準年度": 2024,
            "基準値の根拠": "記載あり",
            "目標値": 40,
            "目標年度": 2029,
            "改善の方向": "減少",
            "集計方法": "年間",
            "担当課": "架空水産課",
            "原文": FICTIONAL,
        },
        {  # a total over the period to reach
            "施策": "2-ア-1",
            "コード": "T-3",
            "順序": 1,
            "指標名": "架空の相談件数（延べ）",
            "単位": "件",
            "基準値の根拠": "記載なし",
            "目標値": 500,
            "目標年度": 2029,
            "改善の方向": "水準到達",
            "集計方法": "期間累計（延べ・総額）",
            "担当課": "架空福祉課",
            "原文": FICTIONAL,
        },
    ],
    "事業": [
        {"事業名": "架空漁港整備事業", "内容": FICTIONAL, "重点": "はい"},
        {"事業名": "架空子育て相談事業", "内容": FICTIONAL, "R3区分": "R3 新規"},
    ],
    "掲載": [
        {
            "事業名": "架空漁港整備事業",
            "施策": "1-ア-1",
            "表内の順序": 1,
            "内容（この掲載）": FICTIONAL,
            "原文": FICTIONAL,
        },
        {
            "事業名": "架空子育て相談事業",
            "施策": "2-ア-1",
            "表内の順序": 1,
            "内容（この掲載）": FICTIONAL,
            "原文": FICTIONAL,
        },
    ],
}


def filled(template: bytes | None = None, *, data=None, edit=None, name="kakuu.xlsx") -> BytesIO:
    """The blank template with `data` (default ROWS) typed in, then `edit(wb)`, as an upload."""
    template = template if template is not None else blank_template()
    wb = load_workbook(BytesIO(template))
    for title, rows in (ROWS if data is None else data).items():
        ws = wb[title]
        headers = [c.value for c in ws[1]]
        for n, row in enumerate(rows, start=2):
            for header, value in row.items():
                ws.cell(row=n, column=headers.index(header) + 1, value=value)
    if edit:
        edit(wb)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = name
    return out
