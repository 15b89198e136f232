"""A signed-in account without a role sees nothing but a refusal."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def eve(db):
    return User.objects.create_user("eve", password="password")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/strategies/nemuro-2/",
        "/strategies/nemuro-2/dashboard/",
        "/strategies/nemuro-2/population/",
        "/strategies/nemuro-2/entry/",
        "/strategies/nemuro-2/projects/",
    ],
)
def test_it_refuses_a_user_without_a_role(client, eve, strategy, path):
    client.force_login(eve)
    r = client.get(path)
    assert r.status_code == 403
    assert "役割" in r.content.decode()
    assert "沿岸漁業" not in r.content.decode()


def test_the_user_can_still_sign_out(client, eve):
    client.force_login(eve)
    client.post("/logout/")
    assert "_auth_user_id" not in client.session


def test_a_superuser_without_a_group_is_an_administrator(client, strategy):
    root = User.objects.create_superuser("root", password="password")
    client.force_login(root)
    assert client.get("/strategies/nemuro-2/").status_code == 200


def test_refusals_are_in_japanese(client, charlie, strategy):
    client.force_login(charlie)
    r = client.get("/strategies/nemuro-2/entry/")
    assert r.status_code == 403
    assert "実績値の入力は担当課・事務局のみ利用できます" in r.content.decode()
