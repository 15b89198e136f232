"""An administrator opens a revision, edits a KPI's target under it, publishes it; a council member
sees nothing of the draft, then the published target, and compares 第1版 → 第2版 (page and .xlsx)."""

import re
from io import BytesIO

from openpyxl import load_workbook
from playwright.sync_api import expect

from kpis.models import Indicator
from revisions import services
from revisions.models import Revision
from tests.browser.conftest import SCREENSHOT_DIR

CODE = "1-ア-1-1"  # 沿岸漁業における生産量


def test_an_administrator_opens_edits_and_publishes_a_revision_that_the_council_compares(
    new_page, strategy, accounts, login, shot, assert_accessible
):
    admin, council = new_page(), new_page()

    # -- open a revision ---------------------------------------------------------------------------
    login(admin, "admin")
    admin.goto("/strategies/nemuro-2/")
    admin.get_by_role("link", name="改訂履歴・比較").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("改訂履歴")
    expect(admin.locator("tr[data-revision]")).to_have_count(1)  # 第1版「策定」
    admin.get_by_role("link", name="改訂を作成する").click()
    admin.get_by_label("件名").fill("沿岸漁業の生産量目標の上方修正")
    admin.get_by_label("改訂の理由").fill(
        "有識者会議の効果検証を踏まえ、2023年度から目標値を引き上げる。"
    )
    admin.get_by_label("決定機関").select_option(label="根室市創生有識者会議")
    admin.get_by_role("button", name="作成する").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(
        "第2版「沿岸漁業の生産量目標の上方修正」"
    )
    expect(admin.get_by_role("heading", level=1)).to_contain_text("作成中")

    # -- edit the strategy under it ----------------------------------------------------------------
    admin.get_by_role("link", name="指標の目標値・基準値を変更").click()
    admin.get_by_label("対象").select_option(CODE)
    admin.get_by_role("button", name="選ぶ").click()
    expect(admin.locator("[data-current]")).to_contain_text("目標値 27,700")
    assert_accessible(admin, "revision change form")
    admin.get_by_label("目標値（t）").fill("23854")  # the same as the baseline: refused
    admin.get_by_label("適用開始年度").select_option("2023")
    admin.get_by_role("button", name="この改訂に保存する").click()
    expect(admin.get_by_role("alert").first).to_contain_text("目標値が基準値と同じです")
    admin.get_by_label("目標値（t）").fill("30,000")
    admin.get_by_role("button", name="この改訂に保存する").click()
    row = admin.locator(f'tr[data-key="{CODE}"]')
    expect(row).to_contain_text("目標値 27,700")
    expect(row).to_contain_text("目標値 30,000")
    expect(row).to_contain_text("2023年度から")
    shot(admin, "revision-draft")
    assert_accessible(admin, "draft revision")

    # -- the council member sees nothing of the draft ----------------------------------------------
    login(council, "council")
    council.goto("/strategies/nemuro-2/")
    expect(council.locator(f'tr[data-code="{CODE}"]')).to_contain_text("27,700t")
    council.goto("/strategies/nemuro-2/revisions/")
    expect(council.locator("tr[data-revision]")).to_have_count(1)
    assert (
        council.goto("/strategies/nemuro-2/revisions/2/").status == 404
    )  # a draft is not there for the council

    # -- publish -----------------------------------------------------------------------------------
    admin.get_by_role("link", name="第2版を公開する…").click()  # the confirmation page first
    expect(admin.get_by_role("heading", level=1)).to_contain_text("を公開する前に")
    expect(admin.locator("#publish-changes tbody tr")).to_have_count(1)
    expect(admin.locator("#publish-changes")).to_contain_text("30,000")
    assert Revision.objects.get(strategy=strategy, number=2).is_draft  # nothing yet
    shot(admin, "revision-publish-confirm")
    assert_accessible(admin, "revision publish confirmation")
    # Another administrator edits the draft's reason while this page is open: the button no longer
    # publishes what was confirmed, so the page comes back with the draft as it now is.
    draft = Revision.objects.get(strategy=strategy, number=2)
    services.update_revision(
        revision=draft,
        user=accounts["admin"],
        expected_version=draft.version,
        reason=draft.reason + "（追記）",
    )
    admin.get_by_role("button", name="第2版を公開する").click()
    expect(admin.get_by_role("alert")).to_contain_text(
        "確認画面を開いた後に改訂の内容が変わりました"
    )
    assert Revision.objects.get(strategy=strategy, number=2).is_draft
    admin.get_by_role("button", name="第2版を公開する").click()
    expect(admin.get_by_role("status")).to_contain_text(
        "第2版「沿岸漁業の生産量目標の上方修正」を公開しました"
    )
    expect(admin.get_by_role("heading", level=1)).to_contain_text("公開済み")
    assert Indicator.objects.for_strategy(strategy).get(code=CODE).target_value == 30000
    assert Revision.objects.get(strategy=strategy, number=2).published_by == accounts["admin"]

    # -- the council member compares the revisions -------------------------------------------------
    council.goto("/strategies/nemuro-2/")
    expect(council.locator(f'tr[data-code="{CODE}"]')).to_contain_text("30,000t")
    expect(council.locator(f'tr[data-code="{CODE}"]')).to_contain_text("2023年度から改訂")
    council.get_by_label("表示する版", exact=True).select_option("1")
    council.get_by_role("button", name="表示", exact=True).click()
    expect(council).to_have_url(re.compile(r"\?revision=1$"))
    expect(council.locator(f'tr[data-code="{CODE}"]')).to_contain_text("27,700t")
    expect(council.get_by_role("note")).to_contain_text("第1版「策定」")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    council.screenshot(path=str(SCREENSHOT_DIR / "strategy-as-of-revision-1.png"))  # the top only
    council.get_by_role("link", name="改訂履歴・比較").click()
    council.get_by_role("button", name="比較する").click()
    expect(council.get_by_role("heading", level=1)).to_have_text("改訂の比較：第1版 → 第2版")
    changes = council.locator("table.comparison tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text("27,700t")
    expect(changes.first).to_contain_text("30,000t")
    expect(changes.first).to_contain_text("2023年度から")
    shot(council, "revision-compare")
    assert_accessible(council, "revision comparison")
    with council.expect_download() as download:
        council.get_by_role("link", name="Excel（.xlsx）でダウンロード").click()
    ws = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "27,700t" in values and "30,000t" in values and "2023年度から" in values

    council.goto("/strategies/nemuro-2/revisions/2/")
    judged = council.locator('tr[data-year="2022"]')
    expect(judged).to_be_visible()
    assert_accessible(council, "published revision")
