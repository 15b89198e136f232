"""Signing in through the real login form: who gets in, who is refused, where anonymous users land."""

import re

from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

WRONG_LOGIN = "ユーザー名またはパスワードが正しくありません。"


def test_it_shows_the_login_page_to_anonymous_visitors_of_the_strategy(
    page, shot, assert_accessible
):  # no data needed: login_required answers before the strategy is looked up
    page.goto("/strategies/nemuro-2/")
    assert re.search(r"/login/\?next=/strategies/nemuro-2/$", page.url), page.url
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_have_count(0)
    shot(page, "login")
    assert_accessible(page, "login")


def test_it_signs_in_returns_to_the_requested_page_and_signs_out(page, accounts):
    page.goto("/strategies/nemuro-2/population/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/strategies/nemuro-2/population/$"))
    expect(page.locator(".site-user")).to_contain_text("入力 花子")

    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/strategies/nemuro-2/entry/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_it_refuses_a_wrong_password_or_an_unknown_user(page, login, settings):
    # One account is enough here (loading the strategy would double the test's time).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("clerk", password=PASSWORD)
    for username, password in [("clerk", "wrong-password"), ("nobody", PASSWORD)]:
        login(page, username, password, expect_success=False)
        expect(page).to_have_url(re.compile(r"/login/$"))
        expect(page.get_by_role("alert")).to_have_text(WRONG_LOGIN)
        expect(page.get_by_role("navigation", name="メインメニュー")).to_have_count(0)
    page.goto("/strategies/nemuro-2/entry/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))  # still signed out


def test_it_refuses_every_page_to_a_user_without_a_role(page, accounts, login):
    # An outsider who can sign in but was never given a role sees only a refusal, on every page.
    login(page, "outsider")
    expect(page.get_by_role("heading", name="利用権限がありません")).to_be_visible()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_have_count(0)
    clerk_department = accounts["clerk"].department
    for path in (
        "/strategies/nemuro-2/",
        "/strategies/nemuro-2/dashboard/",
        "/strategies/nemuro-2/entry/",
        f"/strategies/nemuro-2/entry/2021/{clerk_department.pk}/",
        "/strategies/nemuro-2/status/2021/",
    ):
        response = page.goto(path)
        assert response.status == 403, f"{path}: {response.status}"
        expect(page.get_by_role("alert")).to_contain_text("役割")
