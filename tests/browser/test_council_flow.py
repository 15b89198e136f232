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
    _check_print(page)
    pages = _pdf_pages_as_png(pdf, "review-pack-2021-print")
    assert len(pages) >= 3
    # page 1 is never nearly blank: the title, 評価の方法 and basic goal 1 start there
    assert "評価の方法" in pages[0] and "基本目標-1" in pages[0] and "数値目標" in pages[0]
    for n, text in enumerate(pages, start=1):  # the grade legend at the foot of every page
        assert "評価の区分：A ◎" in text, f"page {n} has no grade legend"
        # no table header ends a page with its rows on the next (the header's last cell is 担当課)
        body = text.split("評価の区分：A ◎")[0].rstrip()
        assert not body.endswith("担当課"), f"page {n} ends with a table header and no row"


def _check_print(page):
    """On paper (print media): nothing in the body below 10 pt; no grade broken inside a word;
    the baselines print their year, 推定 where the document gives none."""
    smallest = page.evaluate(
        """() => {
        let min = 100;
        for (const el of document.querySelectorAll('main *')) {
          const style = getComputedStyle(el);
          if (style.display === 'none' || style.visibility === 'hidden') continue;
          const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
          if (!own || el.closest('h1, h2, h3, h4, .print-legend')) continue;
          min = Math.min(min, parseFloat(style.fontSize) * 0.75);  // px → pt
        }
        return min;
    }"""
    )
    assert round(smallest, 2) >= 10, f"smallest body text {smallest}pt"  # 13.333px = 10pt
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.pack-table .grade-description')]
            .filter(el => el.getClientRects().length > 1 ||
                          el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).fontSize))
            .map(el => el.textContent)"""
    )
    assert broken == [], broken
    years = page.locator(".pack-table .baseline-year").all_inner_texts()
    assert years and all(re.fullmatch(r"（\d{4}年度(（推定）)?）", y) for y in years), years
    assert "（2020年度（推定））" in years


def _pdf_pages_as_png(pdf, name):
    """Each page of the PDF as artifacts/screenshots/<name>-<n>.png; returns each page's text."""
    import pypdfium2

    from tests.browser.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    texts = []
    doc = pypdfium2.PdfDocument(str(pdf))
    for n, pdf_page in enumerate(doc, start=1):
        bitmap = pdf_page.render(scale=1.5, rev_byteorder=True)  # RGB(x) bytes
        png = _png(
            bitmap.width, bitmap.height, bytes(bitmap.buffer), bitmap.stride, bitmap.n_channels
        )
        (SCREENSHOT_DIR / f"{name}-{n}.png").write_bytes(png)
        texts.append(pdf_page.get_textpage().get_text_range())
    doc.close()
    return texts


def _png(width, height, pixels, stride, channels):
    """A minimal RGB PNG (no Pillow on the machine): filter 0 per row, zlib, three chunks."""
    import struct
    import zlib

    row_bytes = width * channels
    packed = b"".join(pixels[y * stride : y * stride + row_bytes] for y in range(height))
    rgb = bytearray(width * height * 3)
    for c in range(3):  # drop the padding channel of RGBx
        rgb[c::3] = packed[c::channels]
    line = width * 3
    rows = b"".join(b"\x00" + rgb[y * line : (y + 1) * line] for y in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )
