"""Each role's home after login, and the confirmation pages before the irreversible steps, at
390, 768 and 1280 px: usable (no sideways scroll of the page), accessible, screenshotted."""

import re

import pytest
from playwright.sync_api import expect

from kpis.models import Actual, Indicator, YearReview

WIDTHS = {"phone": 390, "tablet": 768, "desktop": 1280}


@pytest.fixture
def year_with_work(strategy, accounts):
    from kpis import services

    inds = list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))
    for ind in inds[:3]:
        Actual.objects.create(indicator=ind, fiscal_year=2021, value=1, status="submitted")
    services.return_actual(
        actual=Actual.objects.get(indicator=inds[2], fiscal_year=2021),
        user=accounts["secretariat"],
        reason="出典を記入してください",
    )
    YearReview.objects.create(strategy=strategy, fiscal_year=2021, entry_deadline="2022-05-31")
    YearReview.objects.create(strategy=strategy, fiscal_year=2022, is_locked=True)


def _no_sideways_scroll(page, width, name):
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways at {width}px ({scroll}px)"


@pytest.mark.parametrize("size", WIDTHS)
def test_every_roles_home_fits_the_screen(
    new_page, accounts, year_with_work, login, shot, assert_accessible, size
):
    width = WIDTHS[size]
    viewport = {"width": width, "height": 900}
    expected = {
        "clerk": ("#home-clerk", "差戻し 1"),
        "secretariat": ("#home-secretariat", "確認待ち2件を確認する"),
        "council": ("#home-council", "2022年度の効果検証資料"),
        "admin": ("#home-admin", "アカウントを管理する"),
    }
    for username, (section, text) in expected.items():
        page = new_page(viewport)
        login(page, username)
        expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
        expect(page.locator(section)).to_contain_text(text)
        if username == "clerk":  # the send-back is in the app, not only in the mail
            expect(page.locator("#home-decisions")).to_contain_text("出典を記入してください")
        _no_sideways_scroll(page, width, f"{username}'s home")
        shot(page, f"home-{username}-{width}")
        assert_accessible(page, f"{username}'s home at {width}px")


def test_the_lock_and_publish_confirmations_fit_a_phone(
    new_page, accounts, year_with_work, login, shot, assert_accessible, strategy
):
    from tests.revision_helpers import open_revision, target_change

    revision = open_revision(
        strategy, accounts["admin"], title="目標の見直し", reason="有識者会議の意見"
    )
    target_change(revision, accounts["admin"])  # 1-ア-1-1: 30,000t from FY2023
    page = new_page({"width": 390, "height": 900})
    login(page, "admin")
    page.goto("/strategies/nemuro-2/status/2021/lock/")
    expect(page.locator("#lock-gaps-summary")).to_contain_text("未提出（下書き・差戻し） 1件")
    _no_sideways_scroll(page, 390, "the lock confirmation")
    shot(page, "lock-confirm-390")
    assert_accessible(page, "lock confirmation at 390px")
    page.goto(f"/strategies/nemuro-2/revisions/{revision.number}/")
    page.get_by_role("link", name=re.compile("を公開する…")).click()
    expect(page.locator("#publish-changes tbody tr")).to_have_count(1)
    _no_sideways_scroll(page, 390, "the publish confirmation")
    shot(page, "publish-confirm-390")
    assert_accessible(page, "publish confirmation at 390px")
