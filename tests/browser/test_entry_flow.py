"""The PDCA entry flow in a real browser: a clerk enters and submits FY2021, the secretariat
confirms and locks the year, the clerk then finds it locked."""

import re

from playwright.sync_api import expect

from kpis.models import Actual, YearReview

COASTAL = "1-ア-1-1"  # 沿岸漁業における生産量 (t), baseline 23,854
FARM = "1-ア-1-2"  # 新規農林業就業者数 (人, cumulative)
HUNTING = "1-ア-1-3"  # 新規狩猟免許取得者数 (人, cumulative)
TRAINEES = "1-ア-1-4"  # 外国人技能実習生の受入人数 (人)


def _row(page, code):
    return page.locator(f'fieldset[id="row-{code}"]')


def _field(page, code, label):
    return _row(page, code).get_by_label(label, exact=True)


def test_a_clerk_submits_and_the_secretariat_confirms_and_locks_the_year(
    new_page, accounts, login, shot, assert_accessible
):
    department = accounts["clerk"].department

    # -- the clerk opens 実績入力 from the menu and picks FY2021 -----------------------------------
    clerk = new_page()
    login(clerk, "clerk")
    clerk.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="実績入力"
    ).click()
    expect(clerk.get_by_role("heading", level=1)).to_have_text("実績入力")
    clerk.get_by_role("row", name=re.compile("水産振興課")).get_by_role(
        "link", name="2021年度を入力"
    ).click()
    expect(clerk).to_have_url(re.compile(rf"/entry/2021/{department.pk}/$"))
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("水産振興課")
    expect(clerk.locator("fieldset.entry-row")).to_have_count(4)
    expect(_row(clerk, COASTAL)).to_contain_text("23,854")  # the baseline is printed
    shot(clerk, "entry-2021-empty")
    assert_accessible(clerk, "entry page (empty)")

    # -- typed as a clerk would: full-width digits and comma, half-width, 測定不能 --------------------
    _field(clerk, COASTAL, "実績値").fill("２５，１００")
    _field(clerk, COASTAL, "データの対象年").fill("2021")
    _field(clerk, COASTAL, "出典").fill("北海道水産現勢")
    _field(clerk, COASTAL, "要因分析・課題・今後の方向性").fill("ホタテ・コンブが好調。")
    _field(clerk, FARM, "実績値").fill("3")
    _field(clerk, HUNTING, "実績値").fill("９")
    _field(clerk, TRAINEES, "測定不能").check()
    _field(clerk, TRAINEES, "測定不能の理由").fill("入国制限により受入なし")
    clerk.get_by_role("button", name="下書き保存").click()

    expect(clerk.locator(".messages")).to_contain_text("4件の実績値を下書き保存しました。")
    for code in (COASTAL, FARM, HUNTING, TRAINEES):
        expect(_row(clerk, code).locator(".status")).to_have_text("下書き")
    expect(_field(clerk, COASTAL, "実績値")).to_have_value("25100")
    actual = Actual.objects.get(indicator__code=COASTAL, fiscal_year=2021)
    assert (actual.value, actual.status, actual.updated_by) == (25100, "draft", accounts["clerk"])
    shot(clerk, "entry-2021-draft")
    assert_accessible(clerk, "entry page (drafts saved)")

    clerk.get_by_role("button", name="提出する").click()
    expect(clerk.locator(".messages")).to_contain_text("4件の実績値を提出しました。")
    for code in (COASTAL, FARM, HUNTING, TRAINEES):
        expect(_row(clerk, code).locator(".status")).to_have_text("提出済み")
    assert set(Actual.objects.values_list("status", flat=True)) == {"submitted"}

    # -- the secretariat reviews the submissions on 進捗状況 --------------------------------------
    office = new_page()
    login(office, "secretariat")
    office.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="進捗状況"
    ).click()
    expect(office).to_have_url(re.compile(r"/status/2021/$"))  # the latest year with actuals
    expect(office.locator(".year-state")).to_contain_text("入力受付中")
    counts = office.get_by_role("table", name="担当課別の件数").get_by_role(
        "row", name=re.compile("水産振興課")
    )
    expect(counts.locator("td")).to_have_text(["4", "0", "0", "0", "4", "0"])
    pending = office.locator("#confirm-form")
    expect(pending.get_by_role("row", name=re.compile("沿岸漁業における生産量"))).to_contain_text(
        "25,100t"
    )
    expect(pending.get_by_role("row", name=re.compile("沿岸漁業における生産量"))).to_contain_text(
        "ホタテ・コンブが好調。"
    )
    expect(pending.get_by_role("row", name=re.compile("外国人技能実習生"))).to_contain_text(
        "測定不能：入国制限により受入なし"
    )
    expect(pending.get_by_role("checkbox")).to_have_count(4)
    for box in pending.get_by_role("checkbox").all():  # nothing is pre-ticked
        expect(box).not_to_be_checked()
        box.check()
    shot(office, "status-board-2021-submitted")
    assert_accessible(office, "status board (submitted)")

    office.get_by_role("button", name="選択した実績値を確認済みにする").click()
    expect(office.locator(".messages")).to_contain_text("4件の実績値を確認済みにしました。")
    expect(counts.locator("td")).to_have_text(["4", "0", "0", "0", "0", "4"])
    office.get_by_role("link", name="2021年度をロックする…").click()
    expect(office.locator("#lock-gaps-summary")).to_contain_text("未入力 43件")  # other departments
    office.get_by_label("ロックする理由", exact=False).fill("他課分は次回の会議で報告")
    office.get_by_role("button", name="2021年度をロックする").click()
    expect(office.locator(".messages")).to_contain_text("2021年度をロックしました。")
    expect(office.locator(".year-state")).to_contain_text("ロック中（有識者会議の検証中）")
    expect(office.get_by_role("button", name="ロックを解除する")).to_be_visible()
    expect(office.locator("ul.events")).to_contain_text("総合 政策")
    assert YearReview.objects.get(fiscal_year=2021).is_locked
    shot(office, "status-board-2021-locked")
    assert_accessible(office, "status board (locked)")

    # -- the clerk finds FY2021 locked and read-only ----------------------------------------------
    clerk.reload()
    expect(clerk.get_by_text("2021年度は有識者会議の検証のためロックされています")).to_be_visible()
    expect(clerk.get_by_role("button", name="下書き保存")).to_have_count(0)
    expect(clerk.get_by_role("button", name="提出する")).to_have_count(0)
    for code in (COASTAL, FARM, HUNTING, TRAINEES):
        expect(_row(clerk, code).locator(".status")).to_have_text("確認済み")
    shot(clerk, "entry-2021-locked")
    assert_accessible(clerk, "entry page (locked)")
