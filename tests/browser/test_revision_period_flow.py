"""An administrator extends the plan period to FY2025 through a revision (計画期間の変更): the form
lists the indicators whose target year moves, the comparison shows the period, and after
publishing the dashboard's year selector and the clerk's entry index offer FY2025."""

from playwright.sync_api import expect

from kpis.models import Strategy
from tests.revision_helpers import CODE, indicator


def test_an_administrator_extends_the_period_and_the_clerk_enters_fy2025(
    new_page, strategy, accounts, login, shot, assert_accessible
):
    admin, clerk = new_page(), new_page()
    login(admin, "admin")
    admin.goto("/strategies/nemuro-2/revisions/new/")
    admin.get_by_label("件名").fill("計画期間の1年延長")
    admin.get_by_role("button", name="作成する").click()
    admin.get_by_role("link", name="計画期間の変更").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("計画期間の変更")
    expect(admin.locator("[data-current]")).to_contain_text("最終年度 2024年度")
    move = admin.get_by_label(
        f"{CODE} 沿岸漁業における生産量：目標年度（2024年度）を新しい最終年度に移す"
    )
    expect(move).to_be_checked()  # moving is the default
    assert_accessible(admin, "period change form")
    admin.get_by_label("新しい計画期間の最終年度").fill("2025")
    admin.get_by_label(f"{CODE} の目標値（t）").fill("28,000")
    admin.get_by_role("button", name="この改訂に保存する").click()
    expect(admin.get_by_role("status")).to_contain_text("変更を保存しました")
    expect(admin.locator('tr[data-key="period"]')).to_contain_text("最終年度 2025年度")

    admin.goto("/strategies/nemuro-2/revisions/compare/?from=1&to=2")
    period = admin.locator('table.comparison tr[data-key="nemuro-2"]')
    expect(period).to_contain_text("2021〜2024年度")
    expect(period).to_contain_text("2021〜2025年度")
    shot(admin, "revision-period-compare")

    admin.goto("/strategies/nemuro-2/revisions/2/publish/")
    admin.get_by_role("button", name="第2版を公開する").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("公開済み")
    assert Strategy.objects.get(pk=strategy.pk).last_fiscal_year == 2025
    assert indicator().target_fiscal_year == 2025

    admin.goto("/strategies/nemuro-2/dashboard/")
    expect(admin.locator('select[name="year"] option[value="2025"]')).to_have_count(1)
    login(clerk, "clerk")
    clerk.goto("/strategies/nemuro-2/entry/")
    expect(clerk.locator("thead")).to_contain_text("令和7年度（2025年度）")
