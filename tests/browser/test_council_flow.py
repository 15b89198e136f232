"""The council member's flow: overview dashboard → an indicator page with its plotly chart and
grade → an opinion → the review pack, printed. URLs come from their names (django.urls.reverse)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpis.evaluation import evaluate_indicators
from kpis.models import Actual, Indicator, YearReview
from tests.browser.conftest import ARTIFACTS_DIR

YEAR = 2021
CONFIRMED_2021 = {"1-ア-1-1": "25100", "1-ア-1-2": "3", "1-ア-1-3": "9", "1-ア-1-4": "262"}
OPINION = "沿岸漁業は中間目標を上回っている。ホタテ以外の魚種の動向も示してほしい。"


@pytest.fixture
def reviewed_year(strategy, accounts):
    """FY2021 as the council finds it: the clerk's values confirmed, the year locked."""
    for code, value in CONFIRMED_2021.items():
        Actual.objects.create(
            indicator=Indicator.objects.for_strategy(strategy).get(code=code),
            fiscal_year=YEAR,
            value=Decimal(value),
            note="ホタテ・コンブが好調。" if code == "1-ア-1-1" else "",
            status=Actual.Status.CONFIRMED,
            confirmed_by=accounts["secretariat"],
        )
    YearReview.objects.create(
        strategy=strategy, fiscal_year=YEAR, is_locked=True, locked_by=accounts["secretariat"]
    )
    return YEAR


def test_a_council_member_reviews_an_indicator_and_prints_the_review_pack(
    page, strategy, accounts, reviewed_year, login, shot, assert_accessible
):
    indicator = Indicator.objects.for_strategy(strategy).get(code="1-ア-1-1")
    overview_url = reverse("dashboard_overview", kwargs={"code": strategy.code})
    indicator_url = reverse(
        "dashboard_indicator", kwargs={"code": strategy.code, "pk": indicator.pk}
    )
    pack_url = reverse("review_pack", kwargs={"code": strategy.code, "fiscal_year": YEAR})
    # The grade the engine gives (independently of the dashboard's own code).
    (evaluated,) = evaluate_indicators(strategy, [indicator], YEAR, confirmed_only=True)
    result = evaluated.result
    assert result.value == Decimal("25100")

    # -- the overview dashboard ------------------------------------------------------------------
    login(page, "council")
    page.goto(f"{overview_url}?year={YEAR}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ダッシュボード")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2021年度")
    row = page.locator(f'tr[data-code="{indicator.code}"]')
    expect(row).to_have_attribute("data-grade", result.grade)
    shot(page, "council-dashboard-overview-2021")
    assert_accessible(page, "dashboard overview")

    # -- drill into the indicator: chart, value, grade -------------------------------------------
    row.get_by_role("link", name=indicator.name).click()
    expect(page).to_have_url(re.compile(re.escape(indicator_url) + r"(\?year=2021)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(indicator.name)
    page.locator(".js-plotly-plot, .plot-container").first.wait_for(state="visible")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    summary = page.locator("section.summary")
    expect(summary).to_contain_text("25,100")
    grade = summary.locator("[data-grade]").first
    expect(grade).to_have_attribute("data-grade", result.grade)
    expect(grade).to_contain_text(result.grade)
    expect(grade).to_contain_text(result.grade_description)
    if result.symbol != result.grade:
        expect(grade).to_contain_text(result.symbol)
    shot(page, "council-indicator-2021")
    assert_accessible(page, "indicator dashboard")

    # -- write an opinion ------------------------------------------------------------------------
    opinion = page.get_by_role("textbox", name="意見", exact=True)
    if not opinion.is_visible():  # the form is folded in a <details>
        page.locator("details.opinion-form > summary").first.click()
    opinion.fill(OPINION)
    opinion.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("意見を登録しました")
    expect(page.locator(".opinion-list")).to_contain_text(OPINION)
    expect(page.locator(".opinion-list")).to_contain_text("有識 太郎")
    shot(page, "council-indicator-opinion")
    assert_accessible(page, "indicator dashboard with an opinion")

    # -- the review pack, on screen and printed --------------------------------------------------
    page.goto(pack_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("2021")
    pack_row = page.locator(f'tr[data-code="{indicator.code}"]')
    expect(pack_row).to_contain_text("25,100")
    expect(pack_row).to_contain_text(result.grade)
    expect(page.locator("main")).to_contain_text(OPINION)
    shot(page, "council-review-pack-2021")
    assert_accessible(page, "review pack")

    page.emulate_media(media="print")
    expect(page.locator(".no-print").first).to_be_hidden()  # print.css hides the screen controls
    shot(page, "council-review-pack-2021-print")
    pdf = ARTIFACTS_DIR / "pdf" / "review-pack-2021.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000, len(data)
