"""The 計画期間の変更 page (revisions change_form, op "period") and what follows publishing it: an
administrator extends nemuro-2 to FY2025 through the pages; FY2025 then shows on the dashboard
year selector, the entry index and page, the Excel template, the CSV export, the status board, the
review pack and the API, and the API's FY2021–FY2024 evaluations of every indicator are exactly
what they were (the as-then rule)."""

import io
import json

import openpyxl
import pytest

from kpis.models import Actual, Indicator, Strategy
from revisions import period
from revisions.snapshot import take_snapshot
from tests.revision_helpers import BASE, CODE, indicator, open_revision, publish_through_the_page
from tests.test_revision_period import YEARS, fill_actuals

pytestmark = pytest.mark.django_db
S = "/strategies/nemuro-2"
FISHERIES_CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]


def url(revision):
    return f"{BASE}/{revision.number}/changes/period/"


def form_data(strategy, *, last=2025, year=2025, keep=(), targets=None):
    """What the page posts: every candidate ticked (the default) unless in `keep`."""
    data = {
        "last_fiscal_year": str(last),
        "effective_from_year": str(year),
        "version": "0",
        "started_from": json.dumps({"last_fiscal_year": strategy.last_fiscal_year}),
        "note": "国の第２期総合戦略の期間延長に合わせて1年延長",
    }
    for item in period.candidates(take_snapshot(strategy)):
        if item["code"] not in keep:
            data[f"move_{item['id']}"] = "on"
        data[f"target_{item['id']}"] = (targets or {}).get(item["code"], "")
    return data


def api_evaluations(client, years=YEARS):
    """{(code, year): the API's evaluation} for every indicator and year, plus the roll-ups."""
    out = {}
    for year in years:
        body = client.get(f"/api/v1/strategies/nemuro-2/indicators?fiscal_year={year}").json()
        for ind in body["indicators"]:
            out[(ind["code"], year)] = ind["evaluation"]
        out[("basic_goals", year)] = body["basic_goals"]
    return out


def test_it_redirects_anonymous_users(client, strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    assert client.get(url(revision))["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "bob", "charlie"])
def test_it_refuses_every_role_but_the_administrator(client, strategy, dave, user, request):
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    client.force_login(request.getfixturevalue(user))
    assert client.get(url(revision)).status_code == 403
    assert client.post(url(revision), form_data(strategy)).status_code == 403
    assert not revision.changes.exists()


def test_the_form_lists_the_indicators_whose_target_year_follows_the_period(client, strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    client.force_login(dave)
    body = client.get(url(revision)).content.decode()
    assert "計画期間の変更" in body
    assert "現在の計画期間：2021〜2024年度" in body
    assert f"{CODE} 沿岸漁業における生産量：目標年度（2024年度）を新しい最終年度に移す" in body
    # every candidate ticked by default (moving is the default), its target value blank
    pk = indicator().pk
    assert f'<input type="checkbox" name="move_{pk}" id="id_move_{pk}" checked>' in body
    assert "空欄：現在の目標値（27,700t）のまま" in body  # formatted as every page writes it
    # the page lists it among the draft's operations
    detail = client.get(f"{BASE}/{revision.number}/").content.decode()
    assert f"{BASE}/{revision.number}/changes/period/" in detail


def test_an_administrator_extends_the_period_and_fy2025_shows_everywhere(
    client, strategy, dave, alice, fisheries
):
    Indicator.objects.filter(code__in=FISHERIES_CODES).update(department=fisheries)
    fill_actuals(strategy)
    client.force_login(dave)
    before = api_evaluations(client)
    assert len(before) == 4 * (47 + 1) and {
        e["grade"] for k, e in before.items() if k[0] != "basic_goals"
    } >= {"A", "B", "C"}
    for path in (f"{S}/status/2025/", f"{S}/council/review/2025/"):
        assert client.get(path).status_code == 404, path
    assert '<option value="2025"' not in client.get(f"{S}/dashboard/?year=2025").content.decode()

    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    r = client.post(url(revision), form_data(strategy, keep=["1-ア-1-2"], targets={CODE: "28,000"}))
    assert r.status_code == 302, r.content.decode()
    (change,) = revision.changes.all()
    assert change.new_value["indicators"][CODE] == {"move": True, "target_value": "28000"}
    assert change.new_value["indicators"]["1-ア-1-2"]["move"] is False
    detail = client.get(f"{BASE}/{revision.number}/").content.decode()
    assert "最終年度 2025年度" in detail and "目標年度を移さない指標：1-ア-1-2" in detail

    # the comparison page shows the period change (draft 2 against 第1版)
    compare = client.get(f"{BASE}/compare/?from=1&to={revision.number}").content.decode()
    assert "計画期間" in compare and "2021〜2024年度" in compare and "2021〜2025年度" in compare
    xlsx = client.get(f"{BASE}/compare/xlsx/?from=1&to={revision.number}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("2021〜2025年度" in row and "計画期間" in row for row in rows)

    assert publish_through_the_page(client, revision.number).status_code == 302
    strategy = Strategy.objects.get(pk=strategy.pk)
    assert strategy.last_fiscal_year == 2025
    assert indicator().target_fiscal_year == 2025
    assert indicator("1-ア-1-2").target_fiscal_year == 2024  # kept where the administrator said

    # the strategy page: today's period, and the period as of 第1版
    now = client.get(f"{S}/").content.decode()
    assert "計画期間 令和3年度（2021年度）〜令和7年度（2025年度）" in now
    then = client.get(f"{S}/?revision=1").content.decode()
    assert "計画期間 令和3年度（2021年度）〜令和6年度（2024年度）" in then

    # FY2021–FY2024 of every indicator: exactly as the API answered before (as then)
    assert api_evaluations(client) == before

    # FY2025 on every page, entry and export
    dashboard = client.get(f"{S}/dashboard/?year=2025").content.decode()
    assert '<option value="2025" selected>' in dashboard
    assert "2021〜2025年度" in dashboard  # the footer's period is the strategy's
    assert client.get(f"{S}/status/2025/").status_code == 200
    assert client.get(f"{S}/council/review/2025/").status_code == 200
    assert client.get(f"{S}/council/review/2025/xlsx/").status_code == 200
    assert client.get(f"{S}/excel/export.xlsx?year=2025").status_code == 200
    client.force_login(alice)
    assert "令和7年度（2025年度）" in client.get(f"{S}/entry/").content.decode()
    entry = client.get(f"{S}/entry/2025/{fisheries.pk}/")
    assert entry.status_code == 200 and "沿岸漁業における生産量" in entry.content.decode()
    template = client.get(f"{S}/excel/template/2025/{fisheries.pk}/")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert any("2025" in c for c in cells)
    Actual.objects.create(
        indicator=indicator(), fiscal_year=2025, value=28100, status=Actual.Status.CONFIRMED
    )
    client.force_login(dave)
    csv = client.get(f"{S}/excel/export.csv?year=2025")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "\n2025," in text and "28100" in text

    api = client.get("/api/v1/strategies").json()
    (mine,) = [s for s in api if s["code"] == "nemuro-2"]
    assert mine["fiscal_years"] == [2021, 2022, 2023, 2024, 2025]
    assert mine["last_fiscal_year"] == 2025
    body = client.get(f"/api/v1/strategies/nemuro-2/indicators/{CODE}?fiscal_year=2025").json()
    fy2025 = body["evaluation"]
    assert (fy2025["target_value"], fy2025["target_fiscal_year"]) == ("28000", 2025)
    assert fy2025["interim_target"] == "28000"  # the target year: the target itself
    assert fy2025["grade"] == "A"  # 28,100 ≥ 28,000
    path = {i["fiscal_year"]: i["value"] for i in body["interim_targets"]}
    assert 2025 in path


def test_the_published_revision_shows_the_period_and_each_moved_indicator(
    client, strategy, dave, charlie, django_assert_max_num_queries
):
    fill_actuals(strategy)
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    client.force_login(dave)
    client.post(url(revision), form_data(strategy))
    assert publish_through_the_page(client, revision.number).status_code == 302
    client.force_login(charlie)
    # one read-model pass for the ~45 moved indicators, not one per indicator and year
    with django_assert_max_num_queries(80):
        body = client.get(f"{BASE}/{revision.number}/").content.decode()
    assert "計画期間" in body and "2021〜2025年度" in body
    assert "沿岸漁業における生産量：年度ごとの評価" in body


def test_a_shortening_over_actuals_is_refused_on_the_page(client, strategy, dave):
    Actual.objects.create(indicator=indicator(), fiscal_year=2024, value=27000)
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    client.force_login(dave)
    r = client.post(url(revision), form_data(strategy, last=2023, year=2023))
    assert r.status_code == 200
    assert (
        "令和6年度（2024年度）には実績値が1件入力されているため、計画期間を2023年度までに短縮できません。"
        in r.content.decode()
    )
    assert not revision.changes.exists()
