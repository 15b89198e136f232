"""Locking a year: a confirmation page listing what is missing, unsubmitted or unconfirmed; a
reason is required when anything is, and kept in the LOCK event."""

import pytest

from kpis.models import Actual, Indicator, WorkflowEvent, YearReview

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/status/2021/lock/"


@pytest.fixture
def entered(strategy, fisheries, alice):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    inds = list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))
    Actual.objects.create(indicator=inds[0], fiscal_year=2021, value=1, status="submitted")
    Actual.objects.create(indicator=inds[1], fiscal_year=2021, value=1, status="draft")
    Actual.objects.create(indicator=inds[2], fiscal_year=2021, value=1, status="confirmed")
    return inds


def test_it_lists_what_is_unfinished(client, bob, entered):
    client.force_login(bob)
    html = client.get(URL).content.decode()
    assert "未入力 44件・未提出（下書き・差戻し） 1件・未確認（提出済み） 1件" in html
    assert "1-ア-1-4 外国人技能実習生の受入人数（水産振興課）" in html
    assert 'name="reason"' in html
    assert not YearReview.objects.filter(is_locked=True).exists()  # GET changes nothing


def test_it_refuses_to_lock_an_unfinished_year_without_a_reason(client, bob, entered):
    client.force_login(bob)
    r = client.post(URL, {"reason": "  "}, follow=True)
    assert "それでもロックする場合は理由を入力してください" in r.content.decode()
    assert r.redirect_chain[-1][0] == URL
    assert not YearReview.objects.filter(is_locked=True).exists()


def test_with_a_reason_it_locks_and_records_it(client, bob, entered):
    client.force_login(bob)
    r = client.post(URL, {"reason": "未入力分は次回会議で報告する"}, follow=True)
    assert "2021年度をロックしました" in r.content.decode()
    assert YearReview.objects.get(fiscal_year=2021).is_locked
    event = WorkflowEvent.objects.get(action="lock")
    assert (event.actor, event.reason) == (bob, "未入力分は次回会議で報告する")


def test_a_complete_year_locks_without_a_reason(client, bob, strategy):
    for ind in Indicator.objects.for_strategy(strategy):
        Actual.objects.create(indicator=ind, fiscal_year=2021, value=1, status="confirmed")
    client.force_login(bob)
    html = client.get(URL).content.decode()
    assert "すべての指標の実績値が確認済みです" in html and 'name="reason"' not in html
    client.post(URL)
    assert YearReview.objects.get(fiscal_year=2021).is_locked


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_it_is_for_the_secretariat_only(client, user, entered, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"reason": "x"}).status_code == 403
    assert not YearReview.objects.filter(is_locked=True).exists()
