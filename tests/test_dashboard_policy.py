import pytest

from kpis.models import Indicator, Measure, Policy
from tests.dashboard_helpers import (
    BASE,
    add_actual,
    counts,
    fill_every_year,
    other_strategy,
    rollup_row,
    row_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(strategy):
    return Policy.objects.get(basic_goal__strategy=strategy, basic_goal__number=1, symbol="ア")


def url(policy, year=None):
    return f"{BASE}policies/{policy.pk}/" + (f"?year={year}" if year else "")


def test_it_redirects_anonymous_users_to_login(client, policy):
    assert client.get(url(policy))["Location"].startswith("/login/")


def test_it_is_404_for_an_unknown_policy_or_one_of_another_strategy(client, charlie, strategy):
    _, _, foreign, *_ = other_strategy()
    client.force_login(charlie)
    assert client.get(f"{BASE}policies/999999/").status_code == 404
    assert client.get(url(foreign)).status_code == 404


def test_it_rolls_up_the_kpis_per_measure(client, charlie, policy, final_basis):
    add_actual("1-ア-1-1", 2022, "26000")  # C
    client.force_login(charlie)
    body = client.get(url(policy, 2022)).content.decode()
    first = Measure.objects.get(policy=policy, number=1)
    n = Indicator.objects.filter(measure=first).count()
    assert rollup_row(body, first.pk) == {"A": 0, "B": 0, "C": 1, "D": 0, "−": n - 1}
    assert counts(body)["C"] == 1
    for m in Measure.objects.filter(policy=policy):
        assert f'href="{BASE}measures/{m.pk}/?year=2022"' in body
    assert sorted(row_ids(body)) == sorted(
        Indicator.objects.filter(measure__policy=policy).values_list("pk", flat=True)
    )
    assert f'<a href="{BASE}goals/1/?year=2022">基本目標-1</a>' in body  # breadcrumbs


def test_it_sorts_its_table(client, charlie, policy, final_basis):
    a = add_actual("1-ア-1-1", 2022, "26000").indicator
    b = add_actual("1-ア-1-2", 2022, "15").indicator  # met: A
    client.force_login(charlie)
    assert row_ids(client.get(url(policy, 2022) + "&sort=grade").content.decode())[:2] == [
        b.pk,
        a.pk,
    ]


def test_it_reads_in_a_fixed_number_of_queries(
    client, charlie, strategy, policy, django_assert_num_queries
):
    client.force_login(charlie)
    client.get(url(policy))
    # 1 session, 2 user, 3 strategy with its evaluation settings, 4 policy with its goal,
    # 5 its measures, 6 its indicators (with the tree), 7 grade bands, 8 the user's groups,
    # evaluation: 9 actuals, 10 interim overrides, 11 targets in force
    with django_assert_num_queries(11):
        client.get(url(policy, 2022))
    fill_every_year(strategy)
    with django_assert_num_queries(11):
        client.get(url(policy, 2024))
