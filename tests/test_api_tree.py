"""GET /api/v1/strategies/<code>/tree: basic goals → policies → measures, targets and projects."""

import pytest

from kpis.models import BasicGoal, Indicator, Measure
from projects.models import ProjectListing

pytestmark = pytest.mark.django_db
URL = "/api/v1/strategies/nemuro-2/tree"


def _measures(body):
    return {m["code"]: m for g in body["basic_goals"] for p in g["policies"] for m in p["measures"]}


def test_it_shows_the_whole_tree_to_anyone(client, strategy):
    r = client.get(URL)
    assert r.status_code == 200
    body = r.json()
    assert body["strategy"]["code"] == "nemuro-2"
    assert body["strategy"]["name"] == "第２期根室市創生総合戦略"
    assert [g["number"] for g in body["basic_goals"]] == [1, 2, 3]
    assert len(_measures(body)) == Measure.objects.count()
    assert sum(len(g["policies"]) for g in body["basic_goals"]) == 8


def test_it_gives_numeric_targets_and_kpis_with_their_targets(client, strategy):
    body = client.get(URL).json()
    goal = body["basic_goals"][0]
    assert goal["package_label"] == "雇用対策"
    assert [t["code"] for t in goal["numeric_targets"]] == ["1-N1", "1-N2"]
    measure = _measures(body)["1-ア-1"]
    assert measure["label"] == "①"
    first = measure["kpis"][0]
    assert first == {
        "id": Indicator.objects.get(code="1-ア-1-1").pk,
        "code": "1-ア-1-1",
        "name": "沿岸漁業における生産量",
        "unit": "t",
        "target_value": "27700",
        "target_fiscal_year": 2024,
    }
    kpis = [k for m in _measures(body).values() for k in m["kpis"]]
    targets = [t for g in body["basic_goals"] for t in g["numeric_targets"]]
    assert len(kpis) == Indicator.objects.kpis().count() == 40
    assert len(targets) == Indicator.objects.numeric_targets().count() == 7


def test_it_lists_project_ids_with_relistings(client, strategy):
    measures = _measures(client.get(URL).json())
    listings = [p for m in measures.values() for p in m["projects"]]
    assert len(listings) == ProjectListing.objects.count()
    assert (
        sum(p["is_relisted"] for p in listings)
        == ProjectListing.objects.filter(is_relisted=True).count()
    )
    first = ProjectListing.objects.filter(measure__policy__basic_goal__number=1).order_by(
        "measure__policy__order", "measure__number", "order"
    )[0]
    assert measures["1-ア-1"]["projects"][0]["project_id"] == first.project_id


def test_it_answers_404_for_an_unknown_strategy(client, strategy):
    r = client.get("/api/v1/strategies/nope/tree")
    assert r.status_code == 404
    assert r.json() == {"detail": "総合戦略「nope」は見つかりません。"}


def test_it_reads_the_tree_in_a_fixed_number_of_queries(
    client, strategy, django_assert_num_queries
):
    # 1 strategy, 2 goals, 3 directions, 4 numeric targets, 5 policies, 6 measures,
    # 7 KPIs (with department), 8 listings (with project)
    with django_assert_num_queries(8):
        client.get(URL)
    assert BasicGoal.objects.count() == 3
