"""/strategies/<code>/revisions/workbook.xlsx (the strategy, or ?revision=n) and
workbook/template.xlsx: administrators only; the workbook has a sheet per kind, Japanese headers,
drop-down lists for the coded columns and a 説明 sheet."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from revisions import services
from revisions.workbook import columns as C
from tests.revision_helpers import CODE, open_revision, target_change

pytestmark = pytest.mark.django_db

BASE = "/strategies/nemuro-2/revisions/workbook"
URLS = (f"{BASE}.xlsx", f"{BASE}.xlsx?revision=1", f"{BASE}/template.xlsx")


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


@pytest.mark.parametrize("url", URLS)
def test_it_refuses_everyone_but_administrators(client, url, alice, bob, charlie):
    assert client.get(url).status_code == 302  # anonymous: the login page
    assert "/login/" in client.get(url)["Location"]
    for user in (alice, bob, charlie):  # clerk, secretariat, council
        client.force_login(user)
        assert client.get(url).status_code == 403, user.username


def test_it_exports_every_kind_with_japanese_headers_and_drop_downs(client, dave):
    client.force_login(dave)
    wb = _book(client.get(f"{BASE}.xlsx"))
    expected = [
        "説明",
        "総合戦略",
        "基本目標",
        "基本的な方向",
        "具体的な施策",
        "施策",
        "数値目標",
        "KPI",
        "目標値の推移",
        "事業",
        "掲載",
        "重点プロジェクト",
        "取組む施策",
        "_meta",
    ]
    assert wb.sheetnames == expected
    assert wb["_meta"].sheet_state == "hidden"
    kpi = wb["KPI"]
    headers = [c.value for c in kpi[1]]
    for header in (
        "施策",
        "コード",
        "指標名",
        "単位",
        "基準値",
        "基準年度",
        "基準値の根拠",
        "目標値",
        "目標年度",
        "増減（記載値）",
        "改善の方向",
        "集計方法",
        "表示小数桁",
        "担当課",
        "原文",
        "解釈メモ",
        "系譜キー",
    ):
        assert header in headers, header
    row = {h: c.value for h, c in zip(headers, kpi[2], strict=False)}
    assert row["コード"] == "1-ア-1-1" and row["目標値"] == 27700 and row["施策"] == "1-ア-1"
    assert row["改善の方向"] == "増加"
    lists = {}
    for dv in kpi.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            lists[headers[_col(ref) - 1]] = dv.formula1
    assert lists["改善の方向"] == '"増加,減少,水準維持（以上）,水準到達"'
    assert "年間" in lists["集計方法"] and "記載あり" in lists["基準値の根拠"]
    assert lists["負の値を認める"] == '"はい,いいえ"'
    assert "施策" in lists["施策"]  # the codes of the 施策 sheet
    assert "R3 新規" in _lists(wb["事業"])["R3区分"]
    help_rows = [[c.value for c in r] for r in wb["説明"].iter_rows(min_row=2)]
    described = {(r[0], r[1]) for r in help_rows}
    for sheet in C.sheets():
        for column in sheet.columns:
            assert (sheet.title, column.header) in described


def _col(ref):
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)[0]


def _lists(ws):
    headers = [c.value for c in ws[1]]
    return {
        headers[_col(str(dv.sqref).split()[0]) - 1]: dv.formula1
        for dv in ws.data_validations.dataValidation
    }


def test_it_exports_the_strategy_as_of_a_revision(client, strategy, dave):
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    services.publish_revision(revision=revision, user=dave)
    client.force_login(dave)
    now = _targets(_book(client.get(f"{BASE}.xlsx")))
    then = _targets(_book(client.get(f"{BASE}.xlsx?revision=1")))
    assert then[CODE] == [(2021, 27700, 1)]
    assert now[CODE] == [(2021, 27700, 1), (2023, 30000, 2)]
    assert client.get(f"{BASE}.xlsx?revision=9").status_code == 404
    assert client.get(f"{BASE}.xlsx?revision=x").status_code == 404


def _targets(wb):
    out = {}
    ws = wb["目標値の推移"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        r = dict(zip(headers, row, strict=False))
        out.setdefault(r["指標コード"], []).append(
            (r["適用開始年度"], r["目標値"], r["改訂（版）"])
        )
    return out


def test_the_blank_template_has_every_sheet_and_header_and_no_rows(client, dave):
    client.force_login(dave)
    wb = _book(client.get(f"{BASE}/template.xlsx"))
    for sheet in C.sheets():
        ws = wb[sheet.title]
        assert [c.value for c in ws[1]] == sheet.headers
        assert ws.max_row == 1, sheet.title


def test_the_revision_pages_link_to_it_for_administrators_only(client, dave, bob):
    client.force_login(dave)
    page = client.get("/strategies/nemuro-2/revisions/").content.decode()
    assert f"{BASE}.xlsx" in page and f"{BASE}/template.xlsx" in page and f"{BASE}/import/" in page
    assert (
        f"{BASE}.xlsx?revision=1"
        in client.get("/strategies/nemuro-2/revisions/1/").content.decode()
    )
    client.force_login(bob)
    assert "workbook" not in client.get("/strategies/nemuro-2/revisions/").content.decode()
    assert "workbook" not in client.get("/strategies/nemuro-2/revisions/1/").content.decode()
