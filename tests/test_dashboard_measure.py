import re

import pytest

from kpis.models import Actual, Indicator, Measure
from projects.models import ProjectListing
from tests.dashboard_helpers import BASE, add_actual, fill_every_year, other_strategy, row, row_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_opinions(monkeypatch):
    monkeypatch.setattr("dashboard.views.OPINIONS_TEMPLATE", None)


@pytest.fixture
def measure(strategy):
    return Measure.objects.get(
        policy__basic_goal__strategy=strategy,
        policy__basic_goal__number=1,
        policy__symbol="ア",
        number=1,
    )


def url(measure, year=None):
    return f"{BASE}measures/{measure.pk}/" + (f"?year={year}" if year else "")


def test_it_redirects_anonymous_users_to_login(client, measure):
    assert client.get(url(measure))["Location"].startswith("/login/")


def test_it_is_404_for_an_unknown_measure_or_one_of_another_strategy(client, charlie, strategy):
    *_, foreign, _ = other_strategy()
    client.force_login(charlie)
    assert client.get(f"{BASE}measures/999999/").status_code == 404
    assert client.get(url(foreign)).status_code == 404


def test_it_shows_the_kpis_with_grades_and_statuses(client, bob, measure, no_opinions, final_basis):
    add_actual("1-ア-1-1", 2022, "27700", status=Actual.Status.SUBMITTED)
    client.force_login(bob)
    body = client.get(url(measure, 2022)).content.decode()
    assert sorted(row_ids(body)) == sorted(measure.indicators.values_list("pk", flat=True))
    coastal = row(body, Indicator.objects.get(code="1-ア-1-1").pk)
    assert 'data-grade="A">A ◎ 目標達成<' in coastal and "提出済み" in coastal


def test_it_lists_the_projects_with_badges_and_relistings(client, charlie, strategy, no_opinions):
    relisted = ProjectListing.objects.filter(is_relisted=True).select_related("measure").first()
    client.force_login(charlie)
    body = client.get(url(relisted.measure)).content.decode()
    listings = ProjectListing.objects.filter(measure=relisted.measure).select_related("project")
    assert f"具体的な事業（{listings.count()}件）" in body
    for listing in listings:
        assert listing.project.name in body
    assert (
        body.count('class="badge relisted">再掲</span>')
        == listings.filter(is_relisted=True).count()
    )


def test_breadcrumbs(client, charlie, measure, no_opinions):
    client.force_login(charlie)
    body = client.get(url(measure, 2023)).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert f'href="{BASE}policies/{measure.policy_id}/?year=2023"' in crumbs
    assert f'<span aria-current="page">① {measure.title}</span>' in crumbs


def test_it_reads_in_a_fixed_number_of_queries(
    client, charlie, strategy, measure, django_assert_num_queries, no_opinions
):
    client.force_login(charlie)
    client.get(url(measure))
    # 1 session, 2 user, 3 strategy with its evaluation settings, 4 measure with policy and
    # goal, 5 its indicators (with the tree), 6 grade bands, 7 the user's groups, evaluation:
    # 8 actuals, 9 interim overrides, 10 targets in force, 11 project listings (with projects)
    with django_assert_num_queries(11):
        client.get(url(measure, 2022))
    fill_every_year(strategy)
    with django_assert_num_queries(11):
        client.get(url(measure, 2024))
