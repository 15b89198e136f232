"""confirm → lock → reopen (with reason) → return, each recorded with who and when."""

import pytest

from kpis.models import Actual, Indicator, WorkflowEvent, YearReview

pytestmark = pytest.mark.django_db
BASE = "/strategies/nemuro-2/status/2021/"


@pytest.fixture
def submitted(strategy, alice):
    ind = Indicator.objects.get(code="1-ア-1-1")
    return Actual.objects.create(
        indicator=ind, fiscal_year=2021, value=25000, status="submitted", submitted_by=alice
    )


@pytest.mark.parametrize("path", ["confirm/", "lock/", "reopen/", "return/1/"])
@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_only_the_secretariat_may_post(client, path, user, submitted, request):
    client.force_login(request.getfixturevalue(user))
    assert client.post(BASE + path, {"actual": submitted.pk, "reason": "x"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not YearReview.objects.exists()


def test_anonymous_posts_go_to_login(client, submitted):
    assert client.post(BASE + "confirm/", {"actual": submitted.pk})["Location"].startswith(
        "/login/"
    )


def test_get_is_not_allowed(client, bob, submitted):
    client.force_login(bob)
    assert client.get(BASE + "confirm/").status_code == 405


def test_it_confirms_submitted_values(client, bob, submitted):
    client.force_login(bob)
    client.post(BASE + "confirm/", {"actual": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.status == "confirmed"
    assert submitted.confirmed_by == bob and submitted.confirmed_at is not None
    assert WorkflowEvent.objects.filter(action="confirm", actor=bob, actual=submitted).exists()


def test_it_does_not_confirm_drafts(client, bob, submitted):
    submitted.status = "draft"
    submitted.save()
    client.force_login(bob)
    client.post(BASE + "confirm/", {"actual": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.status == "draft"


def test_it_returns_a_value_with_a_reason(client, bob, submitted):
    client.force_login(bob)
    r = client.post(BASE + f"return/{submitted.pk}/", {"reason": ""}, follow=True)
    assert "差戻しの理由を入力してください" in r.content.decode()
    client.post(BASE + f"return/{submitted.pk}/", {"reason": "出典を記入してください"})
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    assert WorkflowEvent.objects.get(action="return").reason == "出典を記入してください"


def test_it_locks_and_reopens_with_a_recorded_reason(client, bob, submitted, strategy):
    client.force_login(bob)
    client.post(BASE + "lock/", {"reason": "未入力の指標は次回会議で報告"})
    review = YearReview.objects.get(strategy=strategy, fiscal_year=2021)
    assert review.is_locked and review.locked_by == bob
    # a locked year refuses confirmation
    r = client.post(BASE + "confirm/", {"actual": [submitted.pk]}, follow=True)
    assert "ロックされています" in r.content.decode()
    # reopening needs a reason
    client.post(BASE + "reopen/", {"reason": ""})
    assert YearReview.objects.get().is_locked
    client.post(BASE + "reopen/", {"reason": "水産課の数値修正のため"})
    assert not YearReview.objects.get().is_locked
    event = WorkflowEvent.objects.get(action="reopen")
    assert (event.actor, event.reason) == (bob, "水産課の数値修正のため")
    assert WorkflowEvent.objects.filter(action="lock", actor=bob).exists()


def test_locking_twice_is_refused(client, bob, strategy):
    client.force_login(bob)
    client.post(BASE + "lock/", {"reason": "検証日程のため"})
    r = client.post(BASE + "lock/", {"reason": "検証日程のため"}, follow=True)
    assert "すでにロックされています" in r.content.decode()
