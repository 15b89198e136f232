import pytest

from council.models import Opinion, Response
from kpis.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def opinion(strategy, charlie):
    return Opinion.objects.create(
        strategy=strategy,
        fiscal_year=2021,
        indicator=Indicator.objects.get(code="1-ア-1-1"),
        body="資源管理の効果を検証すること。",
        author=charlie,
    )


def _url(opinion):
    return f"/strategies/nemuro-2/council/opinions/{opinion.pk}/respond/"


def test_it_redirects_anonymous_users_to_login(client, opinion):
    r = client.post(_url(opinion), {"body": "x"})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "mallory", "charlie"])
def test_it_is_forbidden_to_clerks_and_council_members(client, opinion, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(_url(opinion)).status_code == 403
    assert client.post(_url(opinion), {"body": "対応します。"}).status_code == 403
    assert not Response.objects.exists()


def test_the_secretariat_records_the_response(client, bob, opinion):
    client.force_login(bob)
    page = client.get(_url(opinion)).content.decode()
    assert "資源管理の効果を検証すること。" in page
    r = client.post(_url(opinion), {"body": "令和4年度から漁獲データの分析を行います。"})
    assert r.status_code == 302
    assert r["Location"] == f"/strategies/nemuro-2/council/review/2021/#opinion-{opinion.pk}"
    response = Response.objects.get(opinion=opinion)
    assert (response.body, response.author) == ("令和4年度から漁獲データの分析を行います。", bob)


def test_an_admin_rewrites_the_response_and_the_history_keeps_both(client, bob, dave, opinion):
    client.force_login(bob)
    client.post(_url(opinion), {"body": "初めの対応方針"})
    client.force_login(dave)
    assert "初めの対応方針" in client.get(_url(opinion)).content.decode()
    client.post(_url(opinion), {"body": "修正した対応方針"})
    response = Response.objects.get(opinion=opinion)
    assert (response.body, response.author) == ("修正した対応方針", dave)
    assert [h.body for h in response.history.order_by("history_date")] == [
        "初めの対応方針",
        "修正した対応方針",
    ]


def test_it_requires_a_body(client, bob, opinion):
    client.force_login(bob)
    assert (
        "対応方針を入力してください。" in client.post(_url(opinion), {"body": " "}).content.decode()
    )
    assert not Response.objects.exists()


def test_it_is_404_for_an_unknown_opinion(client, bob, strategy):
    client.force_login(bob)
    assert client.get("/strategies/nemuro-2/council/opinions/999/respond/").status_code == 404
