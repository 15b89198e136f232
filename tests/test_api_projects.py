"""GET /api/v1/strategies/<code>/projects: 具体的な事業 with badges, partners and listings."""

import pytest

from projects.models import Project, ProjectListing

pytestmark = pytest.mark.django_db
URL = "/api/v1/strategies/nemuro-2/projects"


def _by_name(client):
    return {p["name"]: p for p in client.get(URL).json()}


def test_it_lists_every_project_once(client, strategy):
    r = client.get(URL)
    assert r.status_code == 200
    assert len(r.json()) == Project.objects.count() == 93
    assert sum(len(p["listings"]) for p in r.json()) == ProjectListing.objects.count() == 117


def test_it_shows_badges_in_the_documents_order(client, strategy):
    project = _by_name(client)["水産資源増大創造支援事業"]
    assert project["badges"] == ["重点", "R3 新規"]
    assert (project["is_priority"], project["fy2021"], project["is_private"]) == (
        True,
        "new",
        False,
    )


def test_it_lists_partners(client, strategy):
    project = _by_name(client)["事業承継円滑化事業"]
    assert project["partners"] == ["大地みらい信用金庫", "北洋銀行", "北海道銀行"]
    assert "民間等" in project["badges"]


def test_it_marks_hokkaido_projects(client, strategy):
    project = _by_name(client)["広域連携加速化事業"]
    assert project["is_hokkaido"] is True and "北海道" in project["badges"]


def test_it_gives_each_listing_with_its_measure_and_relisting(client, strategy):
    projects = _by_name(client)
    relisted = [lst for p in projects.values() for lst in p["listings"] if lst["is_relisted"]]
    assert len(relisted) == ProjectListing.objects.filter(is_relisted=True).count() == 24
    multi = next(p for p in projects.values() if len(p["listings"]) > 1)
    assert [lst["is_relisted"] for lst in multi["listings"]].count(False) == 1
    listing = projects["水産資源増大創造支援事業"]["listings"][0]
    assert listing["measure_code"] == "1-ア-1" and listing["is_relisted"] is False


def test_it_answers_404_for_an_unknown_strategy(client, strategy):
    assert client.get("/api/v1/strategies/nope/projects").status_code == 404


def test_it_reads_in_a_fixed_number_of_queries(client, strategy, django_assert_num_queries):
    # 1 strategy, 2 projects, 3 listings (with measure → policy → goal)
    with django_assert_num_queries(3):
        client.get(URL)
