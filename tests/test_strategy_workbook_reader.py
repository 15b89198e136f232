"""read_strategy_workbook refuses, all or nothing, and every refusal names the sheet, the row, the
column and the reason in Japanese. The base is the small fictional strategy of
tests/workbook_helpers (テスト用の架空データ), edited in openpyxl."""

import copy
import zipfile
from io import BytesIO

from revisions.workbook.reader import read_strategy_workbook
from tests.workbook_helpers import ROWS, filled


def _read(data=None, edit=None):
    return read_strategy_workbook(filled(data=data, edit=edit).getvalue())


def _kpi(n=0, **values):
    data = copy.deepcopy(ROWS)
    data["KPI"][n].update(values)
    return data


def _only(result):
    assert result.snapshot is None  # nothing read: all or nothing
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def test_the_fictional_strategy_reads_without_errors():
    result = _read()
    assert result.ok, [str(e) for e in result.errors]
    kpis = {i["code"]: i for i in result.snapshot["indicators"]}
    assert kpis["T-1"]["baseline_value"] == "1000"  # typed as １，０００
    assert kpis["T-1"]["goal"] == "1" and kpis["T-3"]["goal"] == "2"  # from the measure
    assert kpis["T-1"]["targets"] == [
        {
            "from": 2025,
            "baseline_value": "1000",
            "baseline_kind": "stated",
            "target_value": "1200",
            "target_fiscal_year": 2029,
            "revision": 1,
        }
    ]


def test_it_refuses_an_unknown_parent():
    e = _only(_read(_kpi(**{"施策": "1-イ-9"})))
    assert (e.sheet, e.row, e.column, e.letter) == ("KPI", 2, "施策", "A")
    assert "「施策」シートにコード「1-イ-9」がありません" in e.message
    assert str(e).startswith("「KPI」シート2行目「施策」列（A列）：")


def test_it_refuses_a_duplicate_code():
    e = _only(_read(_kpi(1, **{"コード": "T-1"})))
    assert (e.sheet, e.row, e.column) == ("KPI", 3, "コード")
    assert "コード「T-1」が重複しています（2行目と同じ）" in e.message


def test_it_refuses_a_duplicate_code_across_the_indicator_sheets():
    data = copy.deepcopy(ROWS)
    goal_indicator = dict(data["KPI"][0], 基本目標=1)
    del goal_indicator["施策"]
    data["数値目標"] = [goal_indicator]
    result = _read(data)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("KPI", 2, "コード")]
    assert "「数値目標」シート2行目と同じ" in result.errors[0].message


def test_it_refuses_a_target_year_outside_the_period():
    e = _only(_read(_kpi(**{"目標年度": 2031})))
    assert (e.sheet, e.row, e.column) == ("KPI", 2, "目標年度")
    assert e.message == "目標年度2031年度が計画期間（2025〜2029年度）の外です。"


def test_it_refuses_text_where_a_number_belongs():
    e = _only(_read(_kpi(**{"目標値": "約千二百"})))
    assert (e.sheet, e.row, e.column) == ("KPI", 2, "目標値")
    assert "「約千二百」は数値として読み取れません" in e.message
    e = _only(_read(_kpi(**{"目標年度": "来年"})))
    assert (e.column, e.message) == (
        "目標年度",
        "「来年」は数値ではありません。西暦4桁の年度（例：2024）で入力してください。",
    )


def test_it_reads_numbers_as_the_document_prints_them():
    result = _read(_kpi(**{"目標値": "▲１,２００.５", "基準値": "1,000"}))
    assert result.ok
    kpi = next(i for i in result.snapshot["indicators"] if i["code"] == "T-1")
    assert (kpi["target_value"], kpi["baseline_value"]) == ("-1200.5", "1000")


def test_it_refuses_a_formula():
    e = _only(_read(_kpi(**{"目標値": "=1000+200"})))
    assert (e.sheet, e.row, e.column) == ("KPI", 2, "目標値")
    assert e.message == "数式は使えません。値を入力してください。"


def test_it_refuses_a_merged_cell():
    e = _only(_read(edit=lambda wb: wb["事業"].merge_cells("B2:C2")))
    assert (e.sheet, e.row) == ("事業", 2)
    assert "セルが結合されています（B2:C2）" in e.message


def test_it_refuses_a_value_not_in_the_drop_down_list():
    e = _only(_read(_kpi(**{"改善の方向": "上昇"})))
    assert (e.sheet, e.row, e.column) == ("KPI", 2, "改善の方向")
    assert "「上昇」は選べません" in e.message and "増加" in e.message


def test_it_refuses_a_blank_required_cell_and_a_missing_column():
    e = _only(_read(_kpi(**{"指標名": None})))
    assert (e.sheet, e.row, e.column, e.message) == ("KPI", 2, "指標名", "入力してください。")

    def drop(wb):
        wb["事業"].cell(row=1, column=1).value = "事業の名前"

    result = _read(edit=drop)
    assert {(e.sheet, e.row, e.column) for e in result.errors} == {
        ("事業", 1, "事業の名前"),
        ("事業", 1, "事業名"),
    }


def test_the_target_history_must_end_at_the_indicators_target():
    data = copy.deepcopy(ROWS)
    data["目標値の推移"] = [
        {
            "指標コード": "T-1",
            "適用開始年度": 2025,
            "基準値": 1000,
            "基準値の根拠": "記載あり",
            "目標値": 1100,
            "目標年度": 2029,
            "改訂（版）": 1,
        },
    ]
    e = _only(_read(data))
    assert (e.sheet, e.row, e.column) == ("KPI", 2, "目標値")
    assert "「目標値の推移」シートの最新の行（2025年度から）と異なります" in e.message


def _zip(members) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _file_error(data):
    result = read_strategy_workbook(data)
    assert result.snapshot is None and len(result.errors) == 1
    return result.errors[0].message


def test_it_refuses_files_over_the_limits_with_the_entry_templates_protections():
    assert "ファイルが大きすぎます" in _file_error(b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024 + 1))
    bomb = _zip(
        {
            "[Content_Types].xml": "x",
            "xl/workbook.xml": "x",
            "xl/big.bin": "\0" * (21 * 1024 * 1024),
        }
    )
    assert "展開後のサイズが大きすぎる" in _file_error(bomb)
    macro = _zip({"[Content_Types].xml": "x", "xl/workbook.xml": "x", "xl/vbaProject.bin": "x"})
    assert "マクロを含むファイル" in _file_error(macro)
    assert "Excelファイル（.xlsx）ではありません" in _file_error(b"not a workbook")

    def far(wb):
        wb["事業"].cell(row=20_000, column=1).value = "遠くの行"

    result = _read(edit=far)
    assert "入力用の範囲を大きく超えるセル" in result.errors[0].message


def test_it_refuses_another_workbook_such_as_the_entry_template():
    from openpyxl import Workbook

    out = BytesIO()
    Workbook().save(out)
    assert "総合戦略のブックではありません" in _file_error(out.getvalue())


def test_an_uploaded_file_is_checked_by_name_and_type_first():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "plan.xlsm", filled().getvalue(), "application/vnd.ms-excel.sheet.macroEnabled.12"
    )
    assert "マクロを含むファイル" in read_strategy_workbook(upload).errors[0].message
