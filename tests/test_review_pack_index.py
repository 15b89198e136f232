import pytest

from council.models import Opinion
from kpis.models import BasicGoal

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/council/review/"


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_lists_every_fiscal_year_for_every_role(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    body = r.content.decode()
    for year in strategy.fiscal_years:
        assert f'href="/strategies/nemuro-2/council/review/{year}/"' in body
        assert f'href="/strategies/nemuro-2/council/review/{year}/xlsx/"' in body
    assert "令和3年度（2021年度）" in body


def test_it_counts_the_opinions_of_each_year(client, charlie, strategy):
    goal = BasicGoal.objects.get(strategy=strategy, number=1)
    for _ in range(2):
        Opinion.objects.create(
            strategy=strategy, fiscal_year=2022, basic_goal=goal, body="x", author=charlie
        )
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert '<td class="num">2件</td>' in body


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # 1 session, 2 user, 3 strategy, 4 year locks, 5 opinion counts, 6 the user's groups (navigation)
    with django_assert_num_queries(6):
        client.get(URL)
