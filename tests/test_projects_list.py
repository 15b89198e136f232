import pytest

from kpis.models import Measure
from projects.models import Project, ProjectListing

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/projects/"


def _rows(body):
    return body.count('<tr id="project-')


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_lists_every_project_for_every_role(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    body = r.content.decode()
    assert _rows(body) == Project.objects.count() == 93
    assert "全93事業" in body


def test_it_shows_badges_partners_and_every_listing_with_relistings(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert (
        body.count('class="badge relisted"')
        == ProjectListing.objects.filter(is_relisted=True).count()
    )
    assert body.count("<li>\n            <a href=") == ProjectListing.objects.count()
    assert 'class="badge priority">重点</span>' in body
    assert 'class="badge fy">R3 新規</span>' in body
    assert 'class="badge hokkaido">北海道</span>' in body
    assert '<span class="partners">北洋銀行</span>' in body
    assert "1-ア-1 ①" in body


def test_it_filters_by_goal(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL, {"goal": "3"}).content.decode()
    expected = Project.objects.filter(listings__measure__policy__basic_goal__number=3).distinct()
    assert _rows(body) == expected.count()
    assert f"93事業のうち {expected.count()}事業" in body
    assert "水産資源増大創造支援事業" not in body


def test_it_filters_by_measure(client, charlie, strategy):
    client.force_login(charlie)
    measure = Measure.objects.get(policy__basic_goal__number=1, policy__symbol="ア", number=1)
    body = client.get(URL, {"measure": measure.pk}).content.decode()
    assert _rows(body) == measure.listings.count()
    assert "水産資源増大創造支援事業" in body


@pytest.mark.parametrize(
    "badge,flag",
    [
        ("priority", {"is_priority": True}),
        ("new", {"fy2021": "new"}),
        ("expanded", {"fy2021": "expanded"}),
        ("private", {"is_private": True}),
        ("hokkaido", {"is_hokkaido": True}),
    ],
)
def test_it_filters_by_badge(client, charlie, strategy, badge, flag):
    client.force_login(charlie)
    body = client.get(URL, {"badge": badge}).content.decode()
    assert _rows(body) == Project.objects.filter(**flag).count() > 0


def test_it_searches_names_descriptions_and_partners_half_or_full_width(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL, {"q": "JR"}).content.decode()  # the document prints ＪＲ
    assert "根室本線花咲線維持確保対策事業" in body
    body = client.get(URL, {"q": "北洋銀行"}).content.decode()
    assert _rows(body) == Project.objects.filter(partners__contains="北洋銀行").count()
    body = client.get(URL, {"q": "存在しない事業名"}).content.decode()
    assert "条件に合う事業はありません。" in body


def test_it_combines_filters(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL, {"goal": "1", "badge": "priority", "q": "漁業"}).content.decode()
    expected = (
        Project.objects.filter(listings__measure__policy__basic_goal__number=1, is_priority=True)
        .filter(name__contains="漁業")
        .distinct()
    )
    assert _rows(body) >= expected.count() > 0
    assert "沿岸漁業振興対策事業" in body


def test_it_explains_an_unknown_filter_value_and_shows_everything(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL, {"goal": "9"}).content.decode()
    assert "選択肢から選んでください。" in body
    assert _rows(body) == 93


def test_it_reads_the_list_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    # 1 session, 2 user, 3 strategy, 4 goal choices, 5 measure choices, 6 projects,
    # 7 listings (with measure, policy, goal), 8 total count, 9 the user's groups (navigation)
    with django_assert_num_queries(9):
        client.get(URL)
    # filtering adds the validation of the goal and measure values (1 query each)
    measure = Measure.objects.order_by("pk").first()
    with django_assert_num_queries(11):
        client.get(URL, {"goal": "1", "measure": measure.pk, "badge": "new", "q": "事業"})
