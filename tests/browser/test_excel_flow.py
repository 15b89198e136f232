"""A clerk reuses last year's Excel file: the FY2021 template, filled in again, imported into
FY2022 in a real browser; the page then lists the drafts it stored and submits them."""

import re
from io import BytesIO

from openpyxl import load_workbook
from playwright.sync_api import expect

from kpis.excel import layout
from kpis.models import Actual


def test_a_clerks_fy2021_file_is_imported_into_fy2022_and_submitted(
    new_page, accounts, login, shot, assert_accessible, tmp_path
):
    department = accounts["clerk"].department
    clerk = new_page()
    login(clerk, "clerk")

    # -- last year's file, downloaded from the FY2021 entry page ------------------------------
    clerk.goto(f"/strategies/nemuro-2/entry/2021/{department.pk}/")
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name="Excelテンプレートをダウンロード").click()
    wb = load_workbook(BytesIO(open(download.value.path(), "rb").read()))
    ws = wb[layout.DATA_SHEET]
    headers = [c.value for c in ws[layout.HEADER_ROW]]
    assert headers[6] == "実績値"  # column G, as in every year's template
    rows = {ws.cell(r, 1).value: r for r in range(layout.FIRST_DATA_ROW, ws.max_row + 1)}
    # A macro written for last year's layout writes column G: the same column this year.
    ws.cell(rows["nemuro-2/1-ア-1-1"], 7).value = "２４，１００"
    ws.cell(rows["nemuro-2/1-ア-1-3"], 7).value = 4
    path = tmp_path / "実績値入力_2021年度_水産振興課.xlsx"
    wb.save(path)

    # -- uploaded on the FY2022 import page ----------------------------------------------------
    clerk.goto(f"/strategies/nemuro-2/excel/import/2022/{department.pk}/")
    clerk.set_input_files("input[type=file]", str(path))
    clerk.get_by_role("button", name=re.compile("内容を確認する")).click()
    expect(clerk.get_by_role("heading", name=re.compile("取込内容の確認"))).to_be_visible()
    expect(clerk.locator("main")).to_contain_text("2021年度の入力用シートです")
    expect(clerk.locator("main")).not_to_contain_text("取り込めない内容")
    expect(clerk.locator("tr.preview-row.create")).to_have_count(2)
    shot(clerk, "excel-fy2021-into-fy2022-preview")
    clerk.get_by_role("button", name=re.compile("この内容で取り込む")).click()

    # -- the page says they are drafts and offers 提出する ---------------------------------------
    expect(clerk.locator(".messages")).to_contain_text("下書きとして取り込みました")
    drafts = clerk.get_by_role("heading", name=re.compile("下書きのままの実績値"))
    expect(drafts).to_contain_text("2件・未提出")
    expect(clerk.locator("tr.draft-row")).to_have_count(2)
    expect(clerk.locator("tr.draft-row").first).to_contain_text("24,100t")
    shot(clerk, "excel-import-drafts")
    assert_accessible(clerk, "excel import: drafts to submit")
    clerk.get_by_role("button", name="2件を提出する").click()
    expect(clerk).to_have_url(re.compile(rf"/entry/2022/{department.pk}/$"))
    expect(clerk.locator(".messages")).to_contain_text("2件の実績値を提出しました")

    stored = {
        a.indicator.code: (a.value, a.status)
        for a in Actual.objects.filter(fiscal_year=2022).select_related("indicator")
    }
    assert stored == {"1-ア-1-1": (24100, "submitted"), "1-ア-1-3": (4, "submitted")}
    assert not Actual.objects.filter(fiscal_year=2021).exists()
