"""GET /strategies/<code>/excel/export.xlsx and export.csv (?year=…): every actual the user may see."""

import csv
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpis.models import Actual, Indicator

pytestmark = pytest.mark.django_db

HEADERS = [
    "年度",
    "基本目標",
    "施策",
    "指標コード",
    "指標名",
    "単位",
    "基準値",
    "目標値",
    "実績値",
    "測定不能",
    "状態",
    "出典",
    "要因分析",
    "担当課",
    "更新者",
    "更新日時",
    "評価値",
    "進捗率",
    "評価",
]
XLSX_URL = reverse("excel_export_xlsx", args=["nemuro-2"])
CSV_URL = reverse("excel_export_csv", args=["nemuro-2"])


@pytest.fixture
def actuals(strategy, fisheries, alice, bob):
    """2021: a confirmed value and a draft; 2022: a submitted value, a 測定不能 and a negative."""
    ind = {i.code: i for i in Indicator.objects.filter(code__in=["1-ア-1-1", "1-ア-1-2", "2-N3"])}
    Indicator.objects.filter(code__in=["1-ア-1-1", "1-ア-1-2"]).update(department=fisheries)
    alice.first_name, alice.last_name = "花子", "根室"
    alice.save()
    return [
        Actual.objects.create(
            indicator=ind["1-ア-1-1"],
            fiscal_year=2021,
            value=Decimal("27700"),
            status="confirmed",
            data_source="北海道水産現勢",
            note="=1+1",
            updated_by=alice,
        ),
        Actual.objects.create(
            indicator=ind["1-ア-1-2"],
            fiscal_year=2021,
            value=3,
            status="draft",
            note="+81-153-23-6111",
            updated_by=alice,
        ),
        Actual.objects.create(
            indicator=ind["1-ア-1-1"],
            fiscal_year=2022,
            value=Decimal("25000"),
            status="submitted",
            note="-x",
            data_source="@SUM(A1:A9)",
            updated_by=alice,
        ),
        Actual.objects.create(
            indicator=ind["1-ア-1-2"],
            fiscal_year=2022,
            not_measurable=True,
            not_measurable_reason="調査中止",
            status="confirmed",
            updated_by=bob,
        ),
        Actual.objects.create(
            indicator=ind["2-N3"], fiscal_year=2022, value=Decimal("-0.05"), status="confirmed"
        ),
    ]


def xlsx_rows(client, query=""):
    r = client.get(XLSX_URL + query)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment;" in r["Content-Disposition"]
    ws = load_workbook(BytesIO(r.content)).active
    return ws, [list(row) for row in ws.iter_rows()]


def csv_rows(client, query=""):
    r = client.get(CSV_URL + query)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel on Japanese Windows
    return list(csv.reader(StringIO(r.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", [XLSX_URL, CSV_URL])
def test_it_redirects_anonymous_users_to_login(client, strategy, url):
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("user", ["alice", "bob", "dave", "mallory"])
def test_it_gives_staff_every_actual_of_every_year(client, actuals, user, request):
    client.force_login(request.getfixturevalue(user))
    ws, rows = xlsx_rows(client)
    assert [c.value for c in rows[0]] == HEADERS
    assert [(r[0].value, r[3].value) for r in rows[1:]] == [
        (2021, "1-ア-1-1"),
        (2021, "1-ア-1-2"),
        (2022, "1-ア-1-1"),
        (2022, "1-ア-1-2"),
        (2022, "2-N3"),
    ]
    assert csv_rows(client)[0] == HEADERS
    assert len(csv_rows(client)) == 6


def test_it_gives_council_members_confirmed_values_only(client, charlie, actuals):
    client.force_login(charlie)
    _, rows = xlsx_rows(client)
    assert [(r[0].value, r[3].value, r[10].value) for r in rows[1:]] == [
        (2021, "1-ア-1-1", "確認済み"),
        (2022, "1-ア-1-2", "確認済み"),
        (2022, "2-N3", "確認済み"),
    ]
    assert [row[10] for row in csv_rows(client)[1:]] == ["確認済み"] * 3
    assert "下書き" not in str(csv_rows(client)) and "提出済み" not in str(csv_rows(client))


def test_it_filters_one_year(client, bob, actuals):
    client.force_login(bob)
    _, rows = xlsx_rows(client, "?year=2022")
    assert {r[0].value for r in rows[1:]} == {2022}
    assert len(rows) == 4
    assert {row[0] for row in csv_rows(client, "?year=2021")[1:]} == {"2021"}


@pytest.mark.parametrize("year", ["2020", "2025", "abc", "-1"])
def test_it_refuses_a_year_outside_the_strategy(client, bob, strategy, year):
    client.force_login(bob)
    assert client.get(XLSX_URL + f"?year={year}").status_code == 404
    assert client.get(CSV_URL + f"?year={year}").status_code == 404


def test_it_writes_numbers_as_numbers_and_every_column(client, bob, actuals):
    client.force_login(bob)
    ws, rows = xlsx_rows(client, "?year=2022")
    by_code = {r[3].value: r for r in rows[1:]}
    tons = by_code["1-ア-1-1"]
    assert tons[1].value.startswith("基本目標-1 ")
    assert tons[2].value.startswith("1-ア-1 ")
    assert (tons[4].value, tons[5].value) == ("沿岸漁業における生産量", "t")
    assert (tons[6].value, tons[7].value, tons[8].value) == (23854, 27700, 25000)
    assert tons[8].data_type == "n" and tons[8].number_format == '#,##0;"▲"#,##0'
    assert (tons[10].value, tons[13].value, tons[14].value) == (
        "提出済み",
        "水産振興課",
        "花子 根室",
    )  # get_full_name(), as elsewhere
    assert tons[15].is_date and tons[15].number_format == "yyyy/mm/dd hh:mm"
    not_measurable = by_code["1-ア-1-2"]
    assert not_measurable[8].value is None
    assert not_measurable[9].value == "はい：調査中止"
    assert not_measurable[14].value == "bob"
    negative = by_code["2-N3"]
    assert negative[8].value == pytest.approx(-0.05)
    assert negative[8].data_type == "n"  # a negative number is a number, not neutralised text
    assert negative[8].number_format == '#,##0.00;"▲"#,##0.00'
    assert negative[1].value.startswith("基本目標-2 ") and negative[2].value == "（数値目標）"
    assert (negative[13].value, negative[14].value) == (None, None)

    lines = {row[3]: row for row in csv_rows(client, "?year=2022")[1:]}
    assert lines["1-ア-1-1"][6:9] == ["23854", "27700", "25000"]
    assert lines["2-N3"][8] == "-0.05"
    assert lines["1-ア-1-2"][8:10] == ["", "はい：調査中止"]


def test_it_neutralises_text_that_would_run_as_a_formula(client, bob, actuals):
    client.force_login(bob)
    _, rows = xlsx_rows(client)
    cells = [c for r in rows[1:] for c in r]
    assert not any(c.data_type == "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"'=1+1", "'+81-153-23-6111", "'-x", "'@SUM(A1:A9)"} <= texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)

    fields = [f for row in csv_rows(client)[1:] for f in row]
    assert {"'=1+1", "'+81-153-23-6111", "'-x", "'@SUM(A1:A9)"} <= set(fields)
    assert "-0.05" in fields  # numbers stay numbers
    assert not any(f.startswith(("=", "+", "@")) for f in fields)


@pytest.mark.parametrize(
    ("url", "user"),
    [(XLSX_URL, "bob"), (CSV_URL, "bob"), (XLSX_URL, "charlie"), (CSV_URL, "alice")],
)
def test_it_reads_everything_in_a_fixed_number_of_queries(
    client, strategy, actuals, url, user, request, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(user))

    def pinned():
        with django_assert_num_queries(9):
            # 1. the session
            # 2. the user
            # 3. the user's groups (roles, for kpis.access)
            # 4. the strategy with its evaluation settings (kpis.access)
            # 5. the actuals with indicator, goal, measure, policy, department and updater
            # 6-9. kpis.evaluation.timelines for their years: the visible actuals, interim
            #      overrides, targets in force, grade bands
            assert client.get(url).status_code == 200

    pinned()
    for ind in Indicator.objects.filter(code__startswith="3-")[:10]:
        for year in (2021, 2022, 2023):
            Actual.objects.create(indicator=ind, fiscal_year=year, value=1, status="confirmed")
    pinned()
