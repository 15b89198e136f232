"""An administrator starts a strategy from the blank workbook template in a real browser: downloads
it from 改訂履歴, fills it in (テスト用の架空データ, typed with openpyxl as Excel would save it),
uploads a version with a mistake and reads where it is, uploads the corrected one, checks the
preview, creates the strategy and publishes its 第1版; its dashboard then opens."""

import copy
import re

from playwright.sync_api import expect

from kpis.models import Indicator, Strategy
from tests.workbook_helpers import CODE, ROWS, filled


def test_an_administrator_creates_a_strategy_from_the_blank_template(
    new_page, accounts, login, shot, assert_accessible, tmp_path
):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/strategies/nemuro-2/revisions/")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="空のテンプレート").click()
    template = open(download.value.path(), "rb").read()

    wrong = copy.deepcopy(ROWS)
    wrong["KPI"][1]["施策"] = "1-イ-1"  # a 施策 the workbook does not have
    (tmp_path / "wrong.xlsx").write_bytes(filled(template, data=wrong).getvalue())
    (tmp_path / "right.xlsx").write_bytes(filled(template).getvalue())

    admin.get_by_role("link", name="Excelのブックから総合戦略を作成").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Excelのブックから総合戦略を作成する"
    )
    admin.set_input_files("input[type=file]", str(tmp_path / "wrong.xlsx"))
    admin.get_by_role("button", name="アップロードして確認する").click()
    problems = admin.locator("tr.import-error")
    expect(problems).to_have_count(1)
    expect(problems).to_contain_text("KPI")
    expect(problems).to_contain_text("3行目")
    expect(problems).to_contain_text("施策（A列）")
    expect(problems).to_contain_text("「施策」シートにコード「1-イ-1」がありません")
    shot(admin, "strategy-workbook-refused")
    assert_accessible(admin, "strategy workbook: refused")
    assert not Strategy.objects.filter(code=CODE).exists()

    admin.set_input_files("input[type=file]", str(tmp_path / "right.xlsx"))
    admin.get_by_role("button", name="アップロードして確認する").click()
    expect(admin.get_by_role("heading", name=re.compile("作成する内容の確認"))).to_be_visible()
    counts = admin.locator("table.workbook-counts")
    expect(counts.locator("tr", has_text="KPI")).to_contain_text("3")
    expect(counts.locator("tr", has_text="事業").first).to_contain_text("2")
    expect(admin.locator("main")).to_contain_text("架空水産課")
    shot(admin, "strategy-workbook-preview")
    assert_accessible(admin, "strategy workbook: preview")
    admin.get_by_role("button", name="この内容で総合戦略を作成する").click()

    expect(admin).to_have_url(re.compile(rf"/strategies/{CODE}/revisions/1/$"))
    expect(admin.get_by_role("status")).to_contain_text("を作成しました")
    admin.get_by_role("link", name="第1版を公開する…").click()
    admin.get_by_role("button", name="第1版を公開する").click()
    expect(admin.get_by_role("status")).to_contain_text("を公開しました")
    admin.goto(f"/strategies/{CODE}/dashboard/")
    expect(admin.locator("main")).to_contain_text("架空の漁獲量")
    assert Indicator.objects.filter(basic_goal__strategy__code=CODE).count() == 3
