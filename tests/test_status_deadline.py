"""The secretariat sets a year's entry deadline on the status board."""

import datetime

import pytest

from kpis.models import WorkflowEvent, YearReview

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/status/2021/deadline/"
BOARD = "/strategies/nemuro-2/status/2021/"


def test_it_sets_shows_and_records_the_deadline(client, bob, strategy):
    client.force_login(bob)
    r = client.post(URL, {"entry_deadline": "2022-05-31"}, follow=True)
    assert "2021年度の入力期限を2022/05/31にしました。" in r.content.decode()
    assert YearReview.objects.get(fiscal_year=2021).entry_deadline == datetime.date(2022, 5, 31)
    assert WorkflowEvent.objects.get(action="deadline").reason == "2022/05/31"
    assert '<span class="deadline">2022/05/31</span>' in client.get(BOARD).content.decode()


def test_a_blank_date_clears_it(client, bob, strategy):
    YearReview.objects.create(strategy=strategy, fiscal_year=2021, entry_deadline="2022-05-31")
    client.force_login(bob)
    client.post(URL, {"entry_deadline": ""})
    assert YearReview.objects.get(fiscal_year=2021).entry_deadline is None


def test_a_bad_date_is_refused_in_japanese(client, bob, strategy):
    client.force_login(bob)
    r = client.post(URL, {"entry_deadline": "5月末"}, follow=True)
    assert "入力期限は 2022-05-31 の形式で入力してください。" in r.content.decode()
    assert not YearReview.objects.exists()


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_it_is_for_the_secretariat_only(client, user, strategy, request):
    client.force_login(request.getfixturevalue(user))
    assert client.post(URL, {"entry_deadline": "2022-05-31"}).status_code == 403
    assert not YearReview.objects.exists()
