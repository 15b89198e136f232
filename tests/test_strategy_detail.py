import pytest

from kpis.models import Indicator
from projects.models import ProjectListing

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/"


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={URL}"


def test_home_redirects_anonymous_users_to_login(client, strategy):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_home_links_to_the_strategy_document(client, charlie, strategy):
    """Home is each role's task page (tests/test_home.py); the document stays one click away."""
    client.force_login(charlie)
    r = client.get("/")
    assert r.status_code == 200
    assert f'href="{URL}"' in r.content.decode()


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_shows_the_strategy_to_every_role(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    assert "第２期根室市創生総合戦略" in r.content.decode()


def test_it_shows_every_kpi_and_numeric_target(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    for indicator in Indicator.objects.all():
        assert f'data-code="{indicator.code}"' in body
        assert indicator.name in body
    assert "23,854t" in body  # implied baseline of 沿岸漁業における生産量
    assert "27,700t" in body
    assert "2.44%" in body and "2.00%" in body  # 人口減少率 keeps its printed decimals


def test_it_shows_every_project_row_with_badges_and_relistings(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert (
        body.count('class="badge relisted"')
        == ProjectListing.objects.filter(is_relisted=True).count()
    )
    assert "北洋銀行、北海道銀行" in body
    assert 'hokkaido">北海道</span>' in body
    assert "Ｃｈａｌｌｅｎｇｅ" in body


def test_it_reads_the_tree_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # 1 session, 2 user, 3 strategy, 4 the strategy's revisions (the revision selector),
    # 5 goals, 6 directions, 7 numeric targets, 8 policies, 9 measures, 10 KPIs (with department),
    # 11 listings (with project and, for 廃止 marks, lifecycles), 12 key projects, 13 actions,
    # 14 the user's groups (navigation, and whether drafts are shown)
    with django_assert_num_queries(14):
        client.get(URL)
