import re

import pytest

from kpis.models import Actual, Indicator, Policy
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
URL = BASE + "goals/1/"


@pytest.fixture
def no_opinions(monkeypatch):
    monkeypatch.setattr("dashboard.views.OPINIONS_TEMPLATE", None)


def test_it_redirects_anonymous_users_to_login(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


def test_it_is_404_for_an_unknown_goal_or_one_of_another_strategy(client, charlie, strategy):
    other_strategy()
    client.force_login(charlie)
    assert client.get(BASE + "goals/9/").status_code == 404
    assert client.get("/strategies/other/dashboard/goals/1/").status_code == 200


def test_it_rolls_up_the_kpis_per_policy(client, charlie, strategy, no_opinions):
    add_actual("1-ア-1-1", 2022, "27700")  # A
    add_actual("1-ア-1-2", 2022, "3")  # cumulative 3 of 15 → C
    add_actual("1-N2", 2022, "54.0")  # numeric target: on the card, not in the roll-up
    client.force_login(charlie)
    body = client.get(URL + "?year=2022").content.decode()
    policy = Policy.objects.get(basic_goal__number=1, symbol="ア")
    in_policy = Indicator.objects.filter(measure__policy=policy).count()
    assert rollup_row(body, policy.pk) == {"A": 1, "B": 0, "C": 1, "D": 0, "−": in_policy - 2}
    goal_kpis = Indicator.objects.kpis().filter(basic_goal__number=1).count()
    assert counts(body) == {"A": 1, "B": 0, "C": 1, "D": 0, "−": goal_kpis - 2}
    assert "生産年齢人口割合" in body and "54.0%" in body  # (54.0 − 53.8) ÷ 0.3 = 66.7%
    assert "66.7%" in body
    for p in Policy.objects.filter(basic_goal__number=1):
        assert f'href="{BASE}policies/{p.pk}/?year=2022"' in body


def test_its_table_lists_the_goals_kpis_without_the_goal_column(
    client, charlie, strategy, no_opinions
):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    want = Indicator.objects.kpis().filter(basic_goal__number=1).values_list("pk", flat=True)
    assert sorted(row_ids(body)) == sorted(want)
    assert ">基本目標<" not in re.search(r"<thead>.*?</thead>", body, re.S).group(0)


def test_a_draft_is_hidden_from_council_members(client, bob, charlie, strategy, no_opinions):
    add_actual("1-ア-1-1", 2022, "27700", status=Actual.Status.DRAFT)
    client.force_login(charlie)
    assert counts(client.get(URL + "?year=2022").content.decode())["A"] == 0
    client.force_login(bob)
    assert counts(client.get(URL + "?year=2022").content.decode())["A"] == 1


def test_it_reads_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries, no_opinions
):
    client.force_login(charlie)
    client.get(URL)
    # 1 session, 2 user, 3 strategy with its evaluation settings, 4 goal, 5 its policies,
    # 6 its indicators (with the tree), 7 grade bands, 8 the user's groups,
    # evaluation: 9 actuals, 10 interim overrides, 11 targets in force
    with django_assert_num_queries(11):
        client.get(URL + "?year=2022")
    fill_every_year(strategy)
    with django_assert_num_queries(11):
        client.get(URL + "?year=2024")
