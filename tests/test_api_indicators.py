"""GET /api/v1/strategies/<code>/indicators: every 数値目標 and KPI with its figures and grade."""

import pytest

from kpis.models import Actual, Indicator
from tests.api_helpers import BASE, add_actual, by_code, lock, years

pytestmark = pytest.mark.django_db
URL = f"{BASE}/indicators"


def test_it_lists_every_indicator_in_document_order(client, strategy):
    r = client.get(URL)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    codes = [i["code"] for i in r.json()["indicators"]]
    assert len(codes) == Indicator.objects.count() == 47
    assert codes[:3] == ["1-N1", "1-N2", "1-ア-1-1"]


def test_the_numbers_equal_the_document(client, strategy):
    kpi = by_code(client.get(URL).json())["1-ア-1-1"]
    assert kpi["name"] == "沿岸漁業における生産量"
    assert kpi["level"] == "kpi" and kpi["measure_code"] == "1-ア-1" and kpi["basic_goal"] == 1
    assert kpi["unit"] == "t"
    assert kpi["target_value"] == "27700" and kpi["target_fiscal_year"] == 2024
    assert kpi["baseline_value"] == "23854" and kpi["baseline_kind"] == "implied"
    assert kpi["baseline_fiscal_year"] is None
    assert kpi["change_value"] == "3846" and kpi["change_unit"] == "t"
    assert (kpi["direction"], kpi["aggregation"]) == ("increase", "level")
    assert (
        kpi["source_line"] == "・沿岸漁業における生産量／４年で２７，７００ｔとし３，８４６ｔ増加"
    )


def test_it_keeps_the_printed_decimals_as_exact_strings(client, strategy):
    goal = by_code(client.get(URL).json())["2-N1"]  # 人口減少率
    assert (goal["target_value"], goal["baseline_value"], goal["change_value"]) == (
        "2.00",
        "2.44",
        "0.44",
    )
    assert goal["direction"] == "decrease" and goal["level"] == "goal"
    assert goal["measure_code"] is None


def test_it_gives_the_interim_targets_of_every_strategy_year(client, strategy):
    kpis = by_code(client.get(URL).json())
    # Linear from the implied baseline (FY2020) to the target (FY2024).
    assert kpis["1-ア-1-1"]["interim_targets"] == [
        {"fiscal_year": 2021, "value": "24815.5", "overridden": False},
        {"fiscal_year": 2022, "value": "25777", "overridden": False},
        {"fiscal_year": 2023, "value": "26738.5", "overridden": False},
        {"fiscal_year": 2024, "value": "27700", "overridden": False},
    ]
    # Cumulative: a quarter of the four-year total per year.
    assert [t["value"] for t in kpis["1-ア-1-2"]["interim_targets"]] == [
        "3.75",
        "7.5",
        "11.25",
        "15",
    ]
    assert kpis["1-N1"]["interim_targets"] == []  # no baseline, no path


def test_it_grades_a_value_meeting_the_target_a(client, strategy):
    lock(strategy, 2022)
    add_actual("1-ア-1-1", 2022, "27700")
    evaluation = by_code(client.get(URL, {"fiscal_year": 2022}).json())["1-ア-1-1"]["evaluation"]
    assert evaluation["fiscal_year"] == 2022
    assert (evaluation["grade"], evaluation["symbol"]) == ("A", "◎")
    assert evaluation["grade_description"] == "中間目標に到達"  # 年度按分: FY2022 of 2024
    assert evaluation["met"] is True and evaluation["on_track"] is True
    assert evaluation["progress_rate"] == "1" and evaluation["progress_rate_text"] == "100.0%"
    assert evaluation["achievement_rate"] == "1"
    assert evaluation["interim_target"] == "25777"
    assert (
        "（実績値 27,700 − 基準値 23,854）÷（目標値 27,700 − 基準値 23,854）"
        in (evaluation["formula"])
    )


def test_it_grades_halfway_progress_c_and_on_track(client, bob, final_basis):
    add_actual("1-ア-1-1", 2022, "25777", status=Actual.Status.DRAFT)
    client.force_login(bob)
    evaluation = by_code(client.get(URL, {"fiscal_year": 2022}).json())["1-ア-1-1"]["evaluation"]
    assert evaluation["progress_rate"] == "0.5" and evaluation["progress_rate_text"] == "50.0%"
    assert evaluation["grade"] == "C" and evaluation["met"] is False
    assert evaluation["on_track"] is True
    assert (evaluation["grade_basis"], evaluation["graded_by"]) == ("final", "progress")
    assert evaluation["pace"] is None


def test_it_grades_halfway_progress_in_fy2022_a_on_the_prorated_path(client, bob, strategy):
    add_actual("1-ア-1-1", 2022, "25777", status=Actual.Status.DRAFT)
    client.force_login(bob)
    evaluation = by_code(client.get(URL, {"fiscal_year": 2022}).json())["1-ア-1-1"]["evaluation"]
    assert evaluation["progress_rate"] == "0.5"
    assert (evaluation["pace"], evaluation["pace_text"]) == ("1", "100.0%")
    assert (evaluation["grade"], evaluation["graded_by"]) == ("A", "pace")
    assert evaluation["grade_basis"] == "prorated" and evaluation["on_track"] is True
    assert evaluation["target_value"] == "27700" and evaluation["baseline_value"] == "23854"


def test_it_reports_no_data_without_an_actual(client, strategy):
    evaluation = by_code(client.get(URL).json())["1-ア-1-1"]["evaluation"]
    assert evaluation["value"] is None and evaluation["progress_rate"] is None
    assert (evaluation["grade"], evaluation["grade_description"]) == ("−", "実績なし")
    assert evaluation["met"] is None and evaluation["progress_rate_text"] == "−"


def test_it_defaults_to_the_latest_locked_year(client, strategy):
    assert client.get(URL).json()["fiscal_year"] == 2021  # nothing locked: the first year
    lock(strategy, 2021)
    lock(strategy, 2022)
    body = client.get(URL).json()
    assert (body["fiscal_year"], body["fiscal_year_locked"]) == (2022, True)


def test_it_shows_a_not_measurable_year_without_a_value(client, strategy):
    lock(strategy, 2021)
    add_actual("1-ア-1-1", 2021, None, not_measurable=True, not_measurable_reason="調査中止")
    kpi = by_code(client.get(URL).json())["1-ア-1-1"]
    assert kpi["actuals"] == [
        {
            "fiscal_year": 2021,
            "value": None,
            "not_measurable": True,
            "status": "confirmed",
            "status_label": "確認済み",
            "data_year": None,
        }
    ]
    assert kpi["evaluation"]["grade"] == "−"


def test_it_refuses_a_year_outside_the_period_in_japanese(client, strategy):
    r = client.get(URL, {"fiscal_year": 2030})
    assert r.status_code == 422
    assert r.json() == {"detail": "年度は計画期間（2021〜2024年度）の中で指定してください。"}
    assert client.get(URL, {"fiscal_year": "令和4"}).status_code == 422


def test_it_answers_404_for_an_unknown_strategy(client, strategy):
    r = client.get("/api/v1/strategies/nemuro-9/indicators")
    assert r.status_code == 404
    assert r.json() == {"detail": "総合戦略「nemuro-9」は見つかりません。"}


def test_it_writes_japanese_as_utf8(client, strategy):
    assert "沿岸漁業における生産量" in client.get(URL).content.decode("utf-8")


# 1 strategy, 2 locked years, 3 indicators (goal, measure → policy → goal, department),
# 4 actuals, 5 interim-target overrides, 6 targets in force (revisions), 7 grade bands,
# 8 evaluation settings
# (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
PUBLIC_QUERIES = 7


def test_it_reads_in_a_fixed_number_of_queries_whatever_the_actuals(
    client, strategy, django_assert_num_queries
):
    # (With no year locked at all the public actuals query is skipped: `fiscal_year IN ()`.)
    lock(strategy, 2021)
    with django_assert_num_queries(PUBLIC_QUERIES):
        empty = client.get(URL)
    for year in strategy.fiscal_years:
        lock(strategy, year)
        for code in ["1-ア-1-1", "1-ア-1-2", "1-ア-1-4", "2-N1", "1-N1"]:
            add_actual(code, year, "10")
    with django_assert_num_queries(PUBLIC_QUERIES):
        full = client.get(URL, {"fiscal_year": 2024})
    assert sum(len(i["actuals"]) for i in empty.json()["indicators"]) == 0
    assert sum(len(i["actuals"]) for i in full.json()["indicators"]) == 20
    assert years(by_code(full.json())["1-ア-1-2"]) == {
        2021: "10",
        2022: "10",
        2023: "10",
        2024: "10",
    }


def test_a_signed_in_reader_costs_three_more_queries(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # + session, user, the user's groups (access level)
    with django_assert_num_queries(PUBLIC_QUERIES + 3):
        client.get(URL)
