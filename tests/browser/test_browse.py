"""Reading pages every signed-in role uses: the strategy browser (desktop and tablet) and the
population vision."""

import re

from playwright.sync_api import expect

from kpis.models import BasicGoal


def test_it_shows_the_strategy_browser_on_a_desktop_and_a_tablet(
    page, tablet_page, strategy, accounts, login, shot, assert_accessible
):
    goals = BasicGoal.objects.filter(strategy=strategy).count()
    login(page, "council")
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")  # their task page first
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="総合戦略"
    ).click()  # the document stays in the navigation
    expect(page).to_have_url(re.compile(r"/strategies/nemuro-2/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("根室市創生総合戦略")
    toc = page.get_by_role("navigation", name="目次")
    expect(toc.get_by_role("link")).to_have_count(
        goals + 2
    )  # 基本目標, 重点プロジェクト, 人口ビジョン
    expect(page.locator("main")).to_contain_text("沿岸漁業における生産量")
    shot(page, "strategy-desktop")
    assert_accessible(page, "strategy browser (desktop)")

    login(tablet_page, "clerk")
    tablet_page.goto("/strategies/nemuro-2/")
    expect(tablet_page.get_by_role("heading", level=1)).to_contain_text("根室市創生総合戦略")
    # Nothing is wider than the screen: wide tables scroll inside their own wrappers.
    width = tablet_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 768, f"the page scrolls sideways at 768px ({width}px)"
    shot(tablet_page, "strategy-tablet")
    assert_accessible(tablet_page, "strategy browser (tablet)")


def test_it_shows_the_population_vision(page, accounts, login, shot, assert_accessible):
    login(page, "secretariat")
    page.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="人口ビジョン"
    ).click()
    expect(page).to_have_url(re.compile(r"/strategies/nemuro-2/population/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("人口ビジョン")
    page.locator(".js-plotly-plot").first.wait_for()  # the charts drawn: in the shot, for axe
    shot(page, "population")
    assert_accessible(page, "population vision")
