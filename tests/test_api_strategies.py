"""GET /api/v1/strategies: the strategies with their periods and published (locked) years."""

import pytest

from tests.api_helpers import lock

pytestmark = pytest.mark.django_db
URL = "/api/v1/strategies"


def test_it_lists_the_strategies_to_anyone(client, strategy):
    r = client.get(URL)
    assert r.status_code == 200
    assert r.json() == [
        {
            "code": "nemuro-2",
            "name": "第２期根室市創生総合戦略",
            "municipality": "根室市",
            "first_fiscal_year": 2021,
            "last_fiscal_year": 2024,
            "fiscal_years": [2021, 2022, 2023, 2024],
            "locked_fiscal_years": [],
        }
    ]


def test_it_lists_the_locked_years(client, strategy):
    lock(strategy, 2022)
    lock(strategy, 2021)
    assert client.get(URL).json()[0]["locked_fiscal_years"] == [2021, 2022]


def test_it_reads_in_two_queries(client, strategy, django_assert_num_queries):
    # 1 strategies, 2 locked years
    with django_assert_num_queries(2):
        client.get(URL)
