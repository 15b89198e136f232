"""An administrator downloads the strategy as a workbook, edits it (here openpyxl, as in Excel:
one target from FY2023, a KPI added, a project retired), uploads it as a draft revision, reads the
preview, confirms, and publishes through the publish confirmation page."""

import re

from playwright.sync_api import expect

from kpis.models import Indicator
from projects.models import Project
from revisions.models import Revision
from tests.workbook_edits import CODE, NEW_CODE, PROJECT, edit, three_edits


def test_an_edited_workbook_becomes_a_draft_revision_that_is_published(
    new_page, strategy, accounts, login, shot, assert_accessible, tmp_path
):
    admin = new_page()
    login(admin, "admin")

    # -- export -----------------------------------------------------------------------------------
    admin.goto("/strategies/nemuro-2/revisions/")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Excelのブックで出力").click()
    path = tmp_path / "nemuro-2_edited.xlsx"
    exported = open(download.value.path(), "rb").read()
    path.write_bytes(three_edits(exported))
    bad = tmp_path / "nemuro-2_bad.xlsx"
    bad.write_bytes(edit(three_edits(exported), "KPI", "コード", CODE, "目標値", "たくさん"))

    # -- upload → preview -------------------------------------------------------------------------
    admin.get_by_role("link", name="Excelのブックから改訂を作成").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Excelのブックから改訂を作成")
    admin.get_by_label("件名").fill("指標の見直し（Excelで作成）")
    admin.get_by_label("決定機関").select_option(label="根室市創生有識者会議")
    # First a file with a word where a number belongs: refused with sheet, row and column.
    admin.set_input_files("input[type=file]", str(bad))
    admin.get_by_role("button", name="読み込んで確認する").click()
    refused = admin.locator("#import-issues tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.locator("td").nth(0)).to_have_text("KPI")
    expect(refused.locator("td").nth(1)).to_have_text("2行目")
    expect(refused.locator("td").nth(2)).to_have_text("目標値（I列）")
    shot(admin, "revision-import-refused")
    assert_accessible(admin, "revision import refused")
    assert Revision.objects.filter(strategy=strategy).count() == 1
    # Then the corrected file (the form keeps the title; the file is chosen again).
    expect(admin.get_by_label("件名")).to_have_value("指標の見直し（Excelで作成）")
    admin.set_input_files("input[type=file]", str(path))
    admin.get_by_role("button", name="読み込んで確認する").click()
    expect(admin.get_by_role("heading", name=re.compile("取込内容の確認"))).to_be_visible()
    expect(admin.locator("main")).not_to_contain_text("取り込めない内容")
    expect(admin.locator("[data-summary]")).to_have_text("追加 1件 ・ 廃止 1件 ・ 変更 1件")
    rows = admin.locator("table.comparison tbody tr")
    expect(rows).to_have_count(3)
    expect(admin.locator(f'tr[data-key="{NEW_CODE}"][data-action="added"]')).to_be_visible()
    expect(admin.locator(f'tr[data-key="{PROJECT}"][data-action="removed"]')).to_be_visible()
    target = admin.locator(f'tr[data-key="{CODE}"][data-action="changed"]')
    expect(target).to_contain_text("27,700t")
    expect(target).to_contain_text("30,000t")
    expect(target).to_contain_text("2023年度から")
    assert Revision.objects.filter(strategy=strategy).count() == 1  # nothing saved yet
    shot(admin, "revision-import-preview")
    assert_accessible(admin, "revision import preview")

    # -- confirm: the usual draft page ------------------------------------------------------------
    admin.get_by_role("button", name=re.compile("作成中の改訂として取り込む")).click()
    expect(admin.get_by_role("status")).to_contain_text("3件の変更を記録しました")
    expect(admin.get_by_role("heading", level=1)).to_contain_text(
        "第2版「指標の見直し（Excelで作成）」"
    )
    expect(admin.locator("table.changes tbody tr")).to_have_count(3)

    # -- publish (through its confirmation page) --------------------------------------------------
    admin.get_by_role("link", name="第2版を公開する…").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("を公開する前に")
    expect(admin.locator("#publish-changes tbody tr")).to_have_count(3)
    admin.get_by_role("button", name="第2版を公開する").click()
    expect(admin.get_by_role("status")).to_contain_text("を公開しました")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("公開済み")
    shot(admin, "revision-import-published")

    revision = Revision.objects.get(strategy=strategy, number=2)
    assert revision.is_published and revision.published_by == accounts["admin"]
    indicators = Indicator.objects.for_strategy(strategy)
    assert indicators.get(code=CODE).target_value == 30000
    assert indicators.get(code=NEW_CODE).introduced_from_year == 2023
    project = Project.objects.get(strategy=strategy, name=PROJECT)
    assert project.lifecycle.retired_from_year == 2023
