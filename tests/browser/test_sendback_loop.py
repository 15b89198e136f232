"""The yearly loop between a department and the secretariat in a real browser: the clerk submits
→ the secretariat returns one value with a reason → the clerk sees it on home and on the form,
answers in its own field and resubmits → the secretariat sees the answer and confirms → the year
is locked through the confirmation step."""

import re

from playwright.sync_api import expect

from kpis.models import Actual, WorkflowEvent, YearReview

COASTAL = "1-ア-1-1"
FARM = "1-ア-1-2"
HUNTING = "1-ア-1-3"  # 新規狩猟免許取得者数
TRAINEES = "1-ア-1-4"
REASON = "2020年度の取得者数が入っています。2021年度の値を確認してください。"
ANSWER = "2021年度の取得者数に修正しました。"


def _row(page, code):
    return page.locator(f'fieldset[id="row-{code}"]')


def _field(page, code, label):
    return _row(page, code).get_by_label(label, exact=True)


def test_a_send_back_reaches_the_clerk_and_the_answer_reaches_the_secretariat(
    new_page, accounts, login, shot, assert_accessible
):
    department = accounts["clerk"].department

    # -- the clerk lands on home, opens FY2021 from there and submits ---------------------------
    clerk = new_page()
    login(clerk, "clerk")
    expect(clerk.get_by_role("heading", level=1)).to_have_text("ホーム")
    years = clerk.get_by_role("table", name="水産振興課")
    expect(years.get_by_role("row", name=re.compile("2021年度"))).to_contain_text("未入力 4")
    years.get_by_role("link", name="2021年度を入力").click()
    expect(clerk).to_have_url(re.compile(rf"/entry/2021/{department.pk}/$"))
    _field(clerk, COASTAL, "実績値").fill("25100")
    _field(clerk, FARM, "実績値").fill("3")
    _field(clerk, HUNTING, "実績値").fill("12")
    _field(clerk, HUNTING, "要因分析・課題・今後の方向性").fill("講習会を2回開催した。")
    _field(clerk, TRAINEES, "実績値").fill("260")  # near the baseline (250): no outlier check
    clerk.get_by_role("button", name="提出する").click()
    expect(clerk.locator(".messages")).to_contain_text("4件の実績値を提出しました。")

    # -- the secretariat's home puts FY2021 first; it returns 新規狩猟免許取得者数 ---------------
    office = new_page()
    login(office, "secretariat")
    first = office.locator("#home-secretariat tbody tr").first
    expect(first).to_contain_text("2021年度")
    first.get_by_role("link", name="確認待ち4件を確認する").click()
    expect(office).to_have_url(re.compile(r"/status/2021/$"))
    office.locator("details", has_text="差し戻す").locator("summary").click()
    office.get_by_label("「新規狩猟免許取得者数」の差戻し理由").fill(REASON)
    office.locator(
        "form", has=office.get_by_label("「新規狩猟免許取得者数」の差戻し理由")
    ).get_by_role("button", name="差し戻す").click()
    expect(office.locator(".messages")).to_contain_text(
        "「新規狩猟免許取得者数」を担当課に差し戻しました。"
    )
    counts = office.get_by_role("table", name="担当課別の件数").get_by_role(
        "row", name=re.compile("水産振興課")
    )
    expect(counts.locator("td")).to_have_text(["4", "0", "0", "1", "3", "0"])

    # -- the clerk sees it on home and on the form, answers in 回答, resubmits ------------------
    clerk.goto("/")
    notice = clerk.locator("#home-returned")
    expect(notice).to_contain_text("差し戻された実績値が1件あります")
    expect(notice).to_contain_text(REASON)
    expect(years.get_by_role("row", name=re.compile("2021年度"))).to_contain_text("差戻し 1")
    shot(clerk, "home-clerk-returned")
    assert_accessible(clerk, "clerk home (a send-back)")
    notice.get_by_role("link", name=re.compile("新規狩猟免許取得者数")).click()
    row = _row(clerk, HUNTING)
    expect(row.locator(".status-returned")).to_have_text("差戻し")
    expect(row.locator(".returned")).to_contain_text(REASON)
    expect(_field(clerk, HUNTING, "要因分析・課題・今後の方向性")).to_have_value(
        "講習会を2回開催した。"
    )
    clerk.get_by_role("button", name="提出する").click()  # no answer yet: refused, nothing saved
    expect(row).to_contain_text("差戻しへの回答を入力してください")
    _field(clerk, HUNTING, "実績値").fill("9")
    _field(clerk, HUNTING, "差戻しへの回答").fill(ANSWER)
    shot(clerk, "entry-returned-answer")
    assert_accessible(clerk, "entry page (a send-back answered)")
    clerk.get_by_role("button", name="提出する").click()
    expect(clerk.locator(".messages")).to_contain_text("1件の実績値を提出しました。")
    expect(row.locator(".status")).to_have_text("提出済み")
    expect(row.locator(".status-returned")).to_have_count(0)
    actual = Actual.objects.get(indicator__code=HUNTING, fiscal_year=2021)
    assert (actual.value, actual.note, actual.reply) == (9, "講習会を2回開催した。", ANSWER)

    # -- the secretariat sees the answer beside the value, confirms (nothing pre-ticked) -------
    office.reload()
    pending = office.locator("#confirm-form")
    hunting = pending.get_by_role("row", name=re.compile("新規狩猟免許取得者数"))
    expect(hunting).to_contain_text(REASON)
    expect(hunting).to_contain_text(ANSWER)
    expect(hunting).to_contain_text("講習会を2回開催した。")
    shot(office, "status-board-answer")
    # Short headers and department names on one line, not one or two characters a line.
    tall = office.evaluate(
        """() => [...document.querySelectorAll('#confirm-form table .short')].filter(c => {
             const r = document.createRange(); r.selectNodeContents(c);
             return r.getClientRects().length > 1 && c.textContent.trim().length < 8;
           }).map(c => c.textContent.trim())"""
    )
    assert tall == [], f"wrapped in the confirm queue: {tall}"
    assert_accessible(office, "status board (an answer)")
    boxes = pending.get_by_role("checkbox")
    expect(boxes).to_have_count(4)
    for box in boxes.all():
        expect(box).not_to_be_checked()
        box.check()
    office.get_by_role("button", name="選択した実績値を確認済みにする").click()
    expect(office.locator(".messages")).to_contain_text("4件の実績値を確認済みにしました。")

    # -- lock, through the confirmation step ----------------------------------------------------
    office.get_by_role("link", name="2021年度をロックする…").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("ロックする前に")
    expect(office.locator("#lock-gaps-summary")).to_contain_text("未入力 43件")
    shot(office, "lock-confirm")
    # 43 names in a box that scrolls after a dozen: framed, or the list seems to end there.
    missing = office.locator("#gaps-missing")
    assert missing.evaluate("e => e.scrollHeight > e.clientHeight")
    assert missing.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 1
    assert_accessible(office, "lock confirmation")
    office.get_by_role("button", name="2021年度をロックする").click()  # no reason: refused
    expect(office.locator(".messages")).to_contain_text("理由を入力してください")
    assert not YearReview.objects.filter(fiscal_year=2021, is_locked=True).exists()
    office.get_by_label("ロックする理由", exact=False).fill("他課分は次回の会議で報告する")
    office.get_by_role("button", name="2021年度をロックする").click()
    expect(office.locator(".messages")).to_contain_text("2021年度をロックしました。")
    assert YearReview.objects.get(fiscal_year=2021).is_locked
    assert WorkflowEvent.objects.get(action="lock").reason == "他課分は次回の会議で報告する"
    actions = list(
        WorkflowEvent.objects.filter(actual=actual)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["submit", "return", "submit", "reply", "confirm"]
    assert actual.history.filter(return_reason=REASON, reply="").exists()  # both kept
