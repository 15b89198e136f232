import pytest
from django.db import IntegrityError, transaction

from council.models import Opinion
from kpis.models import BasicGoal, Indicator, Measure, Strategy

pytestmark = pytest.mark.django_db


def _url(kind, pk):
    return f"/strategies/nemuro-2/council/opinions/{kind}/{pk}/new/"


@pytest.fixture
def indicator(strategy):
    return Indicator.objects.get(code="1-ア-1-1")


def test_it_redirects_anonymous_users_to_login(client, indicator):
    for method in (client.get, client.post):
        r = method(_url("indicator", indicator.pk))
        assert r.status_code == 302
        assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "mallory", "bob"])
def test_it_is_forbidden_to_clerks_and_the_secretariat(client, indicator, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(_url("indicator", indicator.pk)).status_code == 403
    r = client.post(_url("indicator", indicator.pk), {"fiscal_year": 2021, "body": "意見"})
    assert r.status_code == 403
    assert not Opinion.objects.exists()


def test_a_council_member_writes_an_opinion_on_an_indicator(client, charlie, indicator):
    client.force_login(charlie)
    r = client.post(
        _url("indicator", indicator.pk),
        {
            "fiscal_year": 2021,
            "body": "  沿岸漁業の生産量は回復傾向にあるが、資源管理の効果を検証すること。 ",
        },
    )
    assert r.status_code == 302
    assert (
        r["Location"]
        == f"/strategies/nemuro-2/council/review/2021/#opinions-indicator-{indicator.pk}"
    )
    opinion = Opinion.objects.get()
    assert (opinion.indicator, opinion.fiscal_year, opinion.author) == (indicator, 2021, charlie)
    assert opinion.body == "沿岸漁業の生産量は回復傾向にあるが、資源管理の効果を検証すること。"
    assert opinion.history.get().history_user == charlie
    page = client.get(r["Location"]).content.decode()
    assert "指標「沿岸漁業における生産量」への意見を登録しました。" in page


def test_an_admin_writes_opinions_on_a_measure_and_a_basic_goal(client, dave, strategy):
    client.force_login(dave)
    measure = Measure.objects.get(policy__basic_goal__number=2, policy__symbol="イ", number=1)
    goal = BasicGoal.objects.get(strategy=strategy, number=3)
    assert (
        client.post(
            _url("measure", measure.pk), {"fiscal_year": 2022, "body": "施策へ"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            _url("basic_goal", goal.pk), {"fiscal_year": 2022, "body": "目標へ"}
        ).status_code
        == 302
    )
    assert Opinion.objects.get(measure=measure).body == "施策へ"
    assert Opinion.objects.get(basic_goal=goal).target_kind == "basic_goal"


def test_it_returns_to_a_safe_next_page_only(client, charlie, indicator):
    client.force_login(charlie)
    url = _url("indicator", indicator.pk)
    r = client.post(url, {"fiscal_year": 2021, "body": "a", "next": "/strategies/nemuro-2/#x"})
    assert r["Location"] == "/strategies/nemuro-2/#x"
    r = client.post(url, {"fiscal_year": 2021, "body": "b", "next": "https://evil.example/"})
    assert r["Location"].startswith("/strategies/nemuro-2/council/review/2021/")


def test_it_shows_the_form_with_japanese_errors(client, charlie, indicator):
    client.force_login(charlie)
    url = _url("indicator", indicator.pk)
    assert "意見の記入" in client.get(url).content.decode()
    body = client.post(url, {"fiscal_year": 2021, "body": "   "}).content.decode()
    assert "意見を入力してください。" in body
    body = client.post(url, {"fiscal_year": 2030, "body": "x"}).content.decode()
    assert (
        "対象年度は計画期間（令和3年度（2021年度）〜令和6年度（2024年度））から選んでください。"
        in body
    )
    assert not Opinion.objects.exists()


def test_it_is_404_for_an_unknown_kind_or_another_strategys_target(client, charlie, indicator):
    client.force_login(charlie)
    assert client.get(_url("policy", 1)).status_code == 404
    other = Strategy.objects.create(
        code="other",
        name="他の戦略",
        municipality="根室市",
        first_fiscal_year=2025,
        last_fiscal_year=2029,
    )
    goal = BasicGoal.objects.create(strategy=other, number=1, title="他", package="employment")
    assert (
        client.post(_url("basic_goal", goal.pk), {"fiscal_year": 2021, "body": "x"}).status_code
        == 404
    )
    assert client.get(_url("indicator", 999999)).status_code == 404


def test_the_database_allows_exactly_one_target(charlie, indicator, strategy):
    goal = indicator.basic_goal
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(
            strategy=strategy,
            fiscal_year=2021,
            indicator=indicator,
            basic_goal=goal,
            body="x",
            author=charlie,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Opinion.objects.create(strategy=strategy, fiscal_year=2021, body="x", author=charlie)
