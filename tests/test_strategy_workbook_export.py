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


def test_it_reads_in_a_fixed_number_of_queries(client, dave, django_assert_num_queries):
    client.force_login(dave)
    # 1 session, 2 user, 3 the user's groups (the administrator's role), 4 strategy, then the
    # snapshot (revisions.snapshot.take_snapshot): 5 goals, 6 directions, 7 policies, 8 measures,
    # 9 indicators (with 担当課), 10 their target rows, 11 projects (with lifecycles),
    # 12 listings (with lifecycles), 13 key projects, 14 their actions
    with django_assert_num_queries(14):
        client.get(f"{BASE}.xlsx")
    # 1–4 as above, 5 the revision with its stored snapshot
    with django_assert_num_queries(5):
        client.get(f"{BASE}.xlsx?revision=1")
    # 1–4 as above: the blank template reads nothing more
    with django_assert_num_queries(4):
        client.get(f"{BASE}/template.xlsx")


def test_every_declared_field_of_every_kind_is_a_column():
    """The columns come from revisions.kinds: a field added to a kind's model is a column."""
    from revisions.kinds import KINDS, LIFECYCLE_FIELDS

    for kind in KINDS:
        sheets = [s for s in C.sheets() if s.kind is kind]
        names = {c.name for s in sheets if s.what == "items" for c in s.columns}
        wanted = set(kind.fields) - {"level"}  # the indicator's level is its sheet
        wanted |= {r.item for r in kind.refs}  # parents' codes (the indicator: over both sheets)
        wanted |= {lookup.field for lookup in kind.lookups}
        wanted |= set(LIFECYCLE_FIELDS) if kind.lifecycle else set()
        assert wanted <= names, (kind.name, wanted - names)
        if kind.rows:
            rows = next(s for s in sheets if s.what == "rows")
            assert set(kind.rows.fields) | {"from", "revision"} <= {c.name for c in rows.columns}
        if kind.texts:
            assert any(s.what == "texts" for s in sheets), kind.name


def test_the_strategy_page_links_the_version_shown_for_administrators_only(client, dave, charlie):
    client.force_login(dave)
    assert f'href="{BASE}.xlsx"' in client.get("/strategies/nemuro-2/").content.decode()
    page = client.get("/strategies/nemuro-2/?revision=1").content.decode()
    assert f'href="{BASE}.xlsx?revision=1"' in page
    client.force_login(charlie)
    assert "workbook" not in client.get("/strategies/nemuro-2/").content.decode()


@pytest.mark.parametrize("number", ["²", "9" * 5000, "-1", "1.0"])
def test_it_answers_404_to_a_revision_number_that_is_not_one(client, dave, number):
    client.force_login(dave)
    assert client.get(f"{BASE}.xlsx", {"revision": number}).status_code == 404


def test_a_value_keeps_its_own_decimals_and_minus_prints_as_a_triangle(client, dave):
    """パパママ学級 (decimals 0) has the baseline 39.3: Excel must show 39.3, not 39."""
    client.force_login(dave)
    ws = _book(client.get(f"{BASE}.xlsx"))["KPI"]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("コード")].value == "2-イ-1-2")
    baseline = row[headers.index("基準値")]
    assert float(baseline.value) == 39.3
    assert baseline.number_format == '#,##0.0;"▲"#,##0.0'
