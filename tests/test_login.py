import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_the_right_password(client, charlie, strategy):
    r = client.post("/login/", {"username": "charlie", "password": "password"})
    assert r.status_code == 302
    assert r["Location"] == "/"


def test_it_refuses_a_wrong_password_in_japanese(client, charlie):
    r = client.post("/login/", {"username": "charlie", "password": "wrong"})
    assert r.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません" in r.content.decode()


def test_it_locks_out_after_five_failures(client, charlie):
    for _ in range(5):
        client.post("/login/", {"username": "charlie", "password": "wrong"})
    r = client.post("/login/", {"username": "charlie", "password": "password"})
    assert r.status_code == 429
    assert "ログインを一時停止しています" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_affect_other_users(client, charlie, bob):
    for _ in range(5):
        client.post("/login/", {"username": "charlie", "password": "wrong"})
    r = client.post("/login/", {"username": "bob", "password": "password"})
    assert r.status_code == 302


def test_logout_needs_post(client, charlie):
    client.force_login(charlie)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(username="charlie").exists()
