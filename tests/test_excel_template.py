"""GET /strategies/<code>/excel/template/<fiscal_year>/<department_id>/: the entry template."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpis import services
from kpis.excel import layout
from kpis.models import Actual, Indicator

pytestmark = pytest.mark.django_db

CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(year, department):
    return reverse("excel_template", args=["nemuro-2", year, department.pk])


@pytest.fixture
def assigned(strategy, fisheries):
    Indicator.objects.filter(code__in=[*CODES, "1-イ-1-1"]).update(department=fisheries)
    return {i.code: i for i in Indicator.objects.filter(department=fisheries)}


def download(client, year, department):
    r = client.get(url(year, department))
    assert r.status_code == 200, r.content[:500]
    assert r["Content-Type"] == XLSX
    return load_workbook(BytesIO(r.content))


def columns(ws):
    return {c.value: c.column for c in ws[layout.HEADER_ROW] if c.value}


def row_of(ws, code):
    key = layout.indicator_key("nemuro-2", code)
    for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == key:
            return r
    raise AssertionError(f"no row for {code}")


def test_it_redirects_anonymous_users_to_login(client, assigned, fisheries):
    r = client.get(url(2022, fisheries))
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    ("user", "status"),
    [("alice", 200), ("bob", 200), ("dave", 200), ("mallory", 403), ("charlie", 403)],
)
def test_it_lets_only_the_departments_clerks_and_the_secretariat_download(
    client, assigned, fisheries, user, status, request
):
    client.force_login(request.getfixturevalue(user))
    r = client.get(url(2022, fisheries))
    assert r.status_code == status
    if status == 200:  # the department's template, one row per indicator of it
        assert r["Content-Type"] == XLSX
        ws = load_workbook(BytesIO(r.content))[layout.DATA_SHEET]
        keys = {ws.cell(n, 1).value for n in range(layout.FIRST_DATA_ROW, ws.max_row + 1)}
        assert keys - {None} == {layout.indicator_key("nemuro-2", code) for code in assigned}
    else:  # no file, not even a part of one
        assert r["Content-Type"] != XLSX and b"PK" not in r.content[:2]


def test_it_refuses_a_year_outside_the_strategy_and_an_unknown_department(
    client, assigned, fisheries, bob
):
    client.force_login(bob)
    assert client.get(url(2020, fisheries)).status_code == 404
    assert client.get(url(2025, fisheries)).status_code == 404
    r = client.get(reverse("excel_template", args=["nemuro-2", 2022, 999999]))
    assert r.status_code == 404
    assert (
        client.get(reverse("excel_template", args=["nope", 2022, fisheries.pk])).status_code == 404
    )


def test_it_has_one_row_per_indicator_of_the_department_with_japanese_headers(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    r = client.get(url(2022, fisheries))
    assert "attachment;" in r["Content-Disposition"]
    assert ".xlsx" in r["Content-Disposition"]
    ws = load_workbook(BytesIO(r.content))[layout.DATA_SHEET]
    headers = [c.value for c in ws[layout.HEADER_ROW] if c.value]
    assert headers == [
        "指標キー",
        "基本目標・施策",
        "指標名",
        "単位",
        "基準値",
        "目標値",
        "実績値",
        "測定不能の理由",
        "データの対象年",
        "出典",
        "要因分析・課題・今後の方向性",
        "大きな変化を確認",
        "2021年度 実績",
    ]
    keys = [
        ws.cell(r, 1).value
        for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value
    ]
    assert keys == [layout.indicator_key("nemuro-2", c) for c in [*CODES, "1-イ-1-1"]]
    col = columns(ws)
    r = row_of(ws, "1-ア-1-1")
    assert ws.cell(r, col["指標名"]).value == "沿岸漁業における生産量"
    assert ws.cell(r, col["単位"]).value == "t"
    assert ws.cell(r, col["基本目標・施策"]).value.startswith("基本目標1 / 1-ア-1 ")
    assert Decimal(str(ws.cell(r, col["基準値"]).value)) == 23854
    assert Decimal(str(ws.cell(r, col["目標値"]).value)) == 27700
    assert "水産振興課" in ws.cell(layout.TITLE_ROW, 1).value
    assert "2022年度" in ws.cell(layout.TITLE_ROW, 1).value


def test_it_locks_everything_but_the_input_cells(client, alice, assigned, fisheries):
    client.force_login(alice)
    ws = download(client, 2023, fisheries)[layout.DATA_SHEET]
    assert ws.protection.sheet is True
    col = columns(ws)
    for code in CODES:
        r = row_of(ws, code)
        for header, c in col.items():
            cell = ws.cell(r, c)
            if header in layout.INPUT_HEADERS:
                assert cell.protection.locked is False, header
                assert cell.value is None, header
            else:
                assert cell.protection.locked is True, header
    assert ws.cell(layout.HEADER_ROW, 1).protection.locked is True
    assert ws.cell(layout.TITLE_ROW, 1).protection.locked is True


def test_it_freezes_the_header_and_formats_numbers_per_indicator(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    ws = download(client, 2022, fisheries)[layout.DATA_SHEET]
    assert ws.freeze_panes == f"D{layout.FIRST_DATA_ROW}"
    col = columns(ws)
    tons = row_of(ws, "1-ア-1-1")
    share = row_of(ws, "1-イ-1-1")  # 冬期間における観光客入込数の割合 15.9 %
    for header in ("基準値", "目標値", "2021年度 実績"):
        assert ws.cell(tons, col[header]).number_format == '#,##0;"▲"#,##0'
        assert ws.cell(share, col[header]).number_format == '#,##0.0;"▲"#,##0.0'
    # the input cell shows what the clerk types (42.5 stays 42.5)
    assert ws.cell(tons, col["実績値"]).number_format == "General"
    assert ws.cell(share, col["実績値"]).number_format == "General"
    assert ws.cell(tons, col["データの対象年"]).number_format == "0"


def test_it_validates_the_input_cells(client, alice, assigned, fisheries):
    client.force_login(alice)
    ws = download(client, 2022, fisheries)[layout.DATA_SHEET]
    col = columns(ws)
    first, last = row_of(ws, CODES[0]), row_of(ws, "1-イ-1-1")
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_column[rng.min_col] = (dv, rng)
    for header in layout.INPUT_HEADERS:
        dv, rng = by_column[col[header]]
        assert (rng.min_row, rng.max_row) == (first, last), header
        assert dv.showErrorMessage
    confirm, _ = by_column[col["大きな変化を確認"]]
    assert confirm.type == "list"
    assert confirm.formula1 == '"確認済み"'
    year, _ = by_column[col["データの対象年"]]
    assert (year.type, year.formula1, year.formula2) == ("whole", "1900", "2100")


def test_it_records_kind_version_strategy_year_and_department_in_a_hidden_sheet(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    wb = download(client, 2022, fisheries)
    meta = wb[layout.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert meta.protection.sheet is True
    values = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert values["kind"] == layout.TEMPLATE_KIND
    assert values["version"] == layout.TEMPLATE_VERSION
    assert values["strategy"] == "nemuro-2"
    assert values["fiscal_year"] == 2022
    assert values["department_id"] == fisheries.pk
    assert wb.security.lockStructure


def test_it_shows_earlier_years_and_prefills_this_years_actual(
    client, alice, bob, assigned, fisheries
):
    tons, people = assigned["1-ア-1-1"], assigned["1-ア-1-4"]
    Actual.objects.create(indicator=tons, fiscal_year=2021, value=Decimal("24100"), updated_by=bob)
    Actual.objects.create(
        indicator=tons, fiscal_year=2022, value=Decimal("25000"), status="confirmed", updated_by=bob
    )
    Actual.objects.create(
        indicator=tons,
        fiscal_year=2023,
        value=Decimal("40000"),
        data_year=2022,
        data_source="北海道水産現勢",
        note="サンマの回復",
        outlier_confirmed=True,
        updated_by=bob,
    )
    Actual.objects.create(
        indicator=people,
        fiscal_year=2023,
        not_measurable=True,
        not_measurable_reason="調査が中止された",
        updated_by=bob,
    )
    client.force_login(alice)
    ws = download(client, 2023, fisheries)[layout.DATA_SHEET]
    col = columns(ws)
    r = row_of(ws, "1-ア-1-1")
    assert ws.cell(r, col["2021年度 実績"]).value == 24100
    assert ws.cell(r, col["2022年度 実績"]).value == 25000
    assert ws.cell(r, col["2022年度 実績"]).protection.locked is True
    assert ws.cell(r, col["実績値"]).value == 40000
    assert ws.cell(r, col["データの対象年"]).value == 2022
    assert ws.cell(r, col["出典"]).value == "北海道水産現勢"
    assert ws.cell(r, col["要因分析・課題・今後の方向性"]).value == "サンマの回復"
    assert ws.cell(r, col["大きな変化を確認"]).value == "確認済み"
    r = row_of(ws, "1-ア-1-4")
    assert ws.cell(r, col["実績値"]).value == "測定不能"
    assert ws.cell(r, col["測定不能の理由"]).value == "調査が中止された"


def test_it_can_still_be_downloaded_for_a_locked_year(client, alice, bob, assigned, fisheries):
    services.lock_year(
        strategy=assigned["1-ア-1-1"].basic_goal.strategy,
        fiscal_year=2022,
        user=bob,
        reason="検証のため",
    )
    client.force_login(alice)
    ws = download(client, 2022, fisheries)[layout.DATA_SHEET]
    row_of(ws, "1-ア-1-1")  # a real template with the department's rows, not an error page


def test_it_reads_the_department_and_actuals_in_a_fixed_number_of_queries(
    client, alice, bob, assigned, fisheries, django_assert_num_queries
):
    client.force_login(alice)

    def pinned():
        # (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
        with django_assert_num_queries(11):
            # 1. the session
            # 2. the user
            # 3. the strategy
            # 4. the department
            # 5. the user's groups (roles)
            # 6. the user's departments (can_enter_for_department)
            # 7. the department's indicators with goal, measure and policy
            # 8-12. kpis.evaluation.timelines: their actuals up to this year, interim
            #       overrides, targets in force, grade bands, evaluation settings
            assert client.get(url(2023, fisheries)).status_code == 200

    pinned()
    for ind in assigned.values():
        for year in (2021, 2022, 2023):
            Actual.objects.create(indicator=ind, fiscal_year=year, value=1, updated_by=bob)
    pinned()


def test_the_input_columns_are_in_the_same_place_every_year(client, alice, assigned, fisheries):
    # Last year's file, or a macro written for it, must put 実績値 in the same column (G).
    client.force_login(alice)
    seen = {}
    for year in (2021, 2022, 2023, 2024):
        ws = load_workbook(BytesIO(client.get(url(year, fisheries)).content))[layout.DATA_SHEET]
        headers = [c.value for c in ws[layout.HEADER_ROW] if c.value]
        seen[year] = headers[:12]
        assert headers[12:] == [f"{y}年度 実績" for y in range(2021, year)]
    assert seen[2021] == seen[2022] == seen[2023] == seen[2024]
    assert seen[2024][6] == "実績値"  # column G
