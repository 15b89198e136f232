import pytest

from kpis.models import Indicator

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/assignments/"


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_it_is_for_the_secretariat_only(client, user, strategy, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_it_redirects_anonymous_users(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


def test_it_assigns_departments_and_records_history(client, bob, strategy, fisheries):
    ind = Indicator.objects.get(code="1-ア-1-1")
    client.force_login(bob)
    assert ind.name in client.get(URL).content.decode()
    client.post(URL, {f"department-{ind.pk}": fisheries.pk})
    ind.refresh_from_db()
    assert ind.department == fisheries
    last = ind.history.first()
    assert last.history_change_reason == "担当課の割当"
    assert last.history_user == bob
    # unassigning
    client.post(URL, {f"department-{ind.pk}": ""})
    ind.refresh_from_db()
    assert ind.department is None
