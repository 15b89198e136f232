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


def test_behind_the_proxy_an_attacker_does_not_lock_out_a_colleague(client, charlie, settings):
    """issue 14: behind the reverse proxy every client had the proxy's address, so five wrong
    passwords from anywhere locked the account for everyone. The lock is by account and real
    client address (TRUSTED_PROXY_COUNT=1: the address nginx appended to X-Forwarded-For)."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "10.0.0.99, 203.0.113.7"}  # forged + real
    for _ in range(6):
        client.post("/login/", {"username": "charlie", "password": "wrong"}, **attacker)
    r = client.post("/login/", {"username": "charlie", "password": "password"}, **attacker)
    assert r.status_code == 429  # the attacker's address is locked out
    colleague = {**proxy, "HTTP_X_FORWARDED_FOR": "10.0.0.99, 192.0.2.10"}
    r = client.post("/login/", {"username": "charlie", "password": "password"}, **colleague)
    assert r.status_code == 302  # charlie, from his own desk, signs in
