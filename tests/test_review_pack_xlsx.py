import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from council.models import Opinion, Response
from kpis.models import Actual, BasicGoal, Indicator
from tests.test_review_pack import PACK_QUERIES

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/council/review/2022/xlsx/"


def _workbook(client):
    r = client.get(URL)
    assert r.status_code == 200
    assert r["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in r["Content-Disposition"]
    return load_workbook(io.BytesIO(r.content))


def _row_of(sheet, name):
    for row in sheet.iter_rows(min_row=5):
        if row[1].value == name:
            return {sheet.cell(row=4, column=c.column).value: c for c in row}
    raise AssertionError(name)


@pytest.fixture
def actuals(strategy):
    indicator = Indicator.objects.get(code="1-ア-1-1")
    Actual.objects.create(
        indicator=indicator,
        fiscal_year=2022,
        value=Decimal("25100"),
        status=Actual.Status.CONFIRMED,
        note='=HYPERLINK("http://evil.example")',
    )
    Actual.objects.create(
        indicator=Indicator.objects.get(code="1-ア-1-2"),
        fiscal_year=2022,
        value=Decimal("777777"),
        status=Actual.Status.DRAFT,
    )
    return indicator


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_downloads_one_sheet_per_goal_and_a_population_sheet(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    workbook = _workbook(client)
    assert workbook.sheetnames == ["基本目標1", "基本目標2", "基本目標3", "人口", "評価の方法"]
    goal = BasicGoal.objects.get(strategy=strategy, number=1)
    sheet = workbook["基本目標1"]
    assert goal.title in sheet["A1"].value
    assert sheet.freeze_panes == "C5"
    headers = [c.value for c in sheet[4]]
    assert headers[:7] == ["区分", "指標", "単位", "基準値", "基準年度", "目標値", "目標年度"]
    assert [h[:6] for h in headers[7:11]] == ["2021年度", "2022年度", "2023年度", "2024年度"]
    assert "進捗率" in headers and "評価" in headers and "担当課" in headers
    assert sheet.column_dimensions["B"].width == 36
    assert workbook["人口"]["A5"].value == "総人口"


def test_it_holds_confirmed_values_with_number_formats_and_grades(client, charlie, actuals):
    client.force_login(charlie)
    sheet = _workbook(client)["基本目標1"]
    row = _row_of(sheet, "沿岸漁業における生産量")
    year = row["2022年度（R4）"]
    assert (year.value, year.number_format) == (25100, '#,##0;"▲"#,##0')
    assert row["基準値"].value == 23854 and row["目標値"].value == 27700
    assert row["進捗率"].number_format == '0.0%;"▲"0.0%'
    assert round(row["進捗率"].value, 3) == 0.324
    assert row["評価"].value == "C（△）進捗あり"
    assert row["指標"].alignment.wrap_text


def test_it_neutralises_text_that_excel_would_run_as_a_formula(client, charlie, bob, actuals):
    opinion = Opinion.objects.create(
        strategy=actuals.basic_goal.strategy,
        fiscal_year=2022,
        indicator=actuals,
        body="@SUM(1+1)",
        author=charlie,
    )
    Response.objects.create(opinion=opinion, body="-対応します", author=bob)
    client.force_login(charlie)
    sheet = _workbook(client)["基本目標1"]
    row = _row_of(sheet, "沿岸漁業における生産量")
    note = row["要因分析・課題・今後の方向性"]
    assert note.value == '\'=HYPERLINK("http://evil.example")'
    assert note.data_type == "s"
    opinion_cell = row["意見と対応方針（令和4年度（2022年度））"]
    assert opinion_cell.value.startswith("【意見】@SUM(1+1)（charlie・")
    assert "【対応方針】-対応します（bob・" in opinion_cell.value
    for sheet in _workbook(client).worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", cell.coordinate


def test_it_leaves_drafts_out_for_council_members(client, charlie, bob, actuals):
    client.force_login(charlie)
    row = _row_of(_workbook(client)["基本目標1"], "新規農林業就業者数")
    assert row["2022年度（R4）"].value is None
    client.force_login(bob)
    row = _row_of(_workbook(client)["基本目標1"], "新規農林業就業者数")
    assert row["2022年度（R4）"].value == 777777
    assert row["2022年度（R4）"].font.italic


def test_it_reads_in_the_same_queries_as_the_page(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # the queries of the review pack page (tests/test_review_pack.py)
    with django_assert_num_queries(PACK_QUERIES):
        client.get(URL)


def test_it_dates_an_opinion_in_tokyo_time(client, charlie, actuals):
    from datetime import UTC, datetime

    opinion = Opinion.objects.create(
        strategy=actuals.basic_goal.strategy,
        fiscal_year=2022,
        indicator=actuals,
        body="朝の意見",
        author=charlie,
    )
    # 08:44 on 30 November in Tokyo is 23:44 on 29 November in UTC
    Opinion.objects.filter(pk=opinion.pk).update(
        created_at=datetime(2026, 11, 29, 23, 44, tzinfo=UTC)
    )
    client.force_login(charlie)
    row = _row_of(_workbook(client)["基本目標1"], "沿岸漁業における生産量")
    assert "（charlie・2026-11-30）" in row["意見と対応方針（令和4年度（2022年度））"].value


def test_it_explains_the_method_and_puts_the_legend_in_every_page_footer(client, charlie, actuals):
    client.force_login(charlie)
    workbook = _workbook(client)
    method = workbook["評価の方法"]
    texts = [c.value for row in method.iter_rows() for c in row if c.value]
    assert "評価の基準" in texts and any("年度按分" in str(t) for t in texts)
    for sheet in workbook.worksheets:
        if sheet.title.startswith("基本目標"):
            assert sheet.oddFooter.left.text.startswith("評価の区分：A ◎ 中間目標に到達")
