from decimal import Decimal

import pytest

from kpis.models import Actual, WorkflowEvent, YearReview
from tests.dashboard_helpers import BASE, add_actual, indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(strategy):
    """沿岸漁業における生産量 2022: entered as 26,000 t, then changed to 26,100 t."""
    a = add_actual("1-ア-1-1", 2022, "26000")
    a.value, a._change_reason = Decimal("26100"), "誤入力"
    a.save()
    return a


def url(actual):
    return f"{BASE}indicators/{actual.indicator_id}/restore/"


def first_history_id(actual):
    return actual.history.order_by("history_id").first().history_id


def test_an_administrator_restores_an_earlier_value(client, dave, changed):
    client.force_login(dave)
    r = client.post(url(changed), {"history_id": first_history_id(changed)})
    assert r.status_code == 302
    assert r["Location"] == f"{BASE}indicators/{changed.indicator_id}/?year=2022#history"
    changed.refresh_from_db()
    assert changed.value == Decimal("26000")
    assert changed.updated_by == dave
    assert changed.history.count() == 3  # the restore is a new history row, nothing is erased
    assert WorkflowEvent.objects.filter(actual=changed, action="restore", actor=dave).exists()

    body = client.get(r["Location"]).content.decode()
    assert "2022年度の実績値を" in body and "の値に戻しました。" in body
    assert '<span class="old">26,100t</span> → <span class="new">26,000t</span>' in body
    assert "の値に復元" in body  # the reason recorded by kpis.services.restore_actual


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "mallory"])
def test_it_is_403_for_everyone_else(client, changed, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.post(url(changed), {"history_id": first_history_id(changed)})
    assert r.status_code == 403
    changed.refresh_from_db()
    assert changed.value == Decimal("26100")


def test_it_redirects_anonymous_users_to_login(client, changed):
    r = client.post(url(changed), {"history_id": first_history_id(changed)})
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_accepts_post_only(client, dave, changed):
    client.force_login(dave)
    assert client.get(url(changed)).status_code == 405


def test_it_refuses_a_locked_year_with_the_workflow_message(client, dave, changed, strategy):
    YearReview.objects.create(strategy=strategy, fiscal_year=2022, is_locked=True)
    client.force_login(dave)
    r = client.post(url(changed), {"history_id": first_history_id(changed)}, follow=True)
    body = r.content.decode()
    assert (
        "2022年度は有識者会議の検証のためロックされています。事務局にロック解除を依頼してください。"
        in body
    )
    changed.refresh_from_db()
    assert changed.value == Decimal("26100")
    assert '<button type="submit" class="button small" disabled>この値に戻す</button>' in body


def test_it_is_404_for_a_history_row_of_another_indicator(client, dave, changed):
    other = add_actual("2-N1", 2022, "2.10")
    client.force_login(dave)
    r = client.post(url(changed), {"history_id": other.history.first().history_id})
    assert r.status_code == 404
    assert client.post(url(changed), {"history_id": "abc"}).status_code == 404
    assert client.post(url(changed), {"history_id": "99999999"}).status_code == 404


def test_it_is_404_for_a_deleted_actual(client, dave, changed):
    history_id = first_history_id(changed)
    Actual.objects.filter(pk=changed.pk).delete()
    client.force_login(dave)
    r = client.post(
        f"{BASE}indicators/{indicator('1-ア-1-1').pk}/restore/", {"history_id": history_id}
    )
    assert r.status_code == 404
