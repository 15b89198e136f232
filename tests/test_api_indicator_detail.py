"""GET /api/v1/strategies/<code>/indicators/<indicator_code>: one indicator, every year graded."""

import pytest

from kpis.models import InterimTarget
from tests.api_helpers import BASE, add_actual, indicator, lock

pytestmark = pytest.mark.django_db
URL = f"{BASE}/indicators/1-ア-1-1"


def test_it_shows_one_indicator_with_every_years_evaluation(client, strategy):
    lock(strategy, 2021)
    lock(strategy, 2022)
    add_actual("1-ア-1-1", 2021, "24815.5")
    add_actual("1-ア-1-1", 2022, "27700")
    r = client.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["target_value"], body["baseline_value"]) == (
        "1-ア-1-1",
        "27700",
        "23854",
    )
    assert body["access"] == "public"
    assert body["evaluation"]["fiscal_year"] == 2022  # the latest locked year
    assert [e["fiscal_year"] for e in body["evaluations"]] == [2021, 2022, 2023, 2024]
    # FY2021 exactly on its path (24,815.5 = the 2021 interim target): A on the default basis
    assert [e["grade"] for e in body["evaluations"]] == ["A", "A", "−", "−"]
    assert body["evaluations"][0]["progress_rate_text"] == "25.0%"
    assert body["evaluations"][0]["pace_text"] == "100.0%"
    assert body["evaluations"][0]["on_track"] is True  # exactly the 2021 interim target
    assert body["evaluations"][0]["value_text"] == "24,815.5t"


def test_on_the_final_target_basis_the_same_year_is_c(client, final_basis):
    lock(final_basis, 2021)
    add_actual("1-ア-1-1", 2021, "24815.5")
    first = client.get(URL).json()["evaluations"][0]
    assert (first["grade"], first["graded_by"], first["pace"]) == ("C", "progress", None)


def test_it_has_the_same_fields_as_the_list(client, strategy):
    listed = client.get(f"{BASE}/indicators").json()["indicators"][2]
    detail = client.get(URL).json()
    assert set(detail) == set(listed) | {"access", "evaluations"}
    assert {k: detail[k] for k in listed} == listed


def test_it_marks_an_overridden_interim_target(client, strategy):
    InterimTarget.objects.create(indicator=indicator("1-ア-1-1"), fiscal_year=2022, value=25000)
    targets = client.get(URL).json()["interim_targets"]
    assert targets[1] == {"fiscal_year": 2022, "value": "25000", "overridden": True}
    assert targets[0]["overridden"] is False


def test_it_answers_404_for_an_unknown_indicator_in_japanese(client, strategy):
    r = client.get(f"{BASE}/indicators/9-ン-9-9")
    assert r.status_code == 404
    assert r.json() == {"detail": "指標「9-ン-9-9」は見つかりません。"}


def test_it_answers_404_for_an_unknown_strategy(client, strategy):
    assert client.get("/api/v1/strategies/other/indicators/1-ア-1-1").status_code == 404


def test_it_reads_in_a_fixed_number_of_queries(client, strategy, django_assert_num_queries):
    lock(strategy, 2021)
    for year in strategy.fiscal_years:
        add_actual("1-ア-1-1", year, "25000")
    # 1 strategy, 2 locked years, 3 indicator, 4 actuals, 5 interim overrides, 6 targets in
    # force (revisions), 7 grade bands, 8 evaluation settings
    # (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
    with django_assert_num_queries(7):
        client.get(URL)
