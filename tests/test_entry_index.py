import pytest

from kpis.models import Indicator

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/entry/"


@pytest.fixture
def assigned(strategy, fisheries, tourism):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    Indicator.objects.filter(code__startswith="1-イ-1-").update(department=tourism)


def test_it_redirects_anonymous_users(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


def test_the_council_cannot_enter_values(client, charlie, assigned):
    client.force_login(charlie)
    assert client.get(URL).status_code == 403


def test_a_clerk_sees_only_his_departments(client, alice, assigned):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "水産振興課" in body
    assert "観光振興課" not in body


def test_the_secretariat_sees_every_department(client, bob, assigned):
    client.force_login(bob)
    body = client.get(URL).content.decode()
    assert "水産振興課" in body and "観光振興課" in body
