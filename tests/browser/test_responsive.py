"""Every main page at 390 px (phone), 768 px (tablet) and 1280 px (desktop): a full-page screenshot
of each in artifacts/screenshots/ and no page that scrolls sideways (wide tables scroll inside
their own box, the indicator name column kept in view). At 1280 px nothing is clipped: the
dashboard's grade badges fit their cells and the secretariat's header stays on one line."""

from decimal import Decimal

import pytest

from kpis.models import Actual, Department, Indicator, YearReview

WIDTHS = (390, 768, 1280)  # phone, tablet, desktop
BASE = "/strategies/nemuro-2"


@pytest.fixture
def year_data(strategy, accounts):
    """Confirmed FY2021 and FY2022 actuals for every indicator (near the baseline), FY2021 locked,
    so the dashboards, the status board and the review pack have full tables."""
    indicators = list(Indicator.objects.for_strategy(strategy))
    for i, ind in enumerate(indicators):
        base = ind.baseline_value if ind.baseline_value is not None else ind.target_value
        for year, step in ((2021, Decimal("1.02")), (2022, Decimal("1.05"))):
            Actual.objects.create(
                indicator=ind,
                fiscal_year=year,
                value=(base * step).quantize(Decimal("0.01")),
                status="confirmed" if i % 5 else "submitted",
                updated_by=accounts["clerk"],
                submitted_by=accounts["clerk"],
                confirmed_by=accounts["secretariat"] if i % 5 else None,
                note="前年度並みに推移した。" * (3 if i % 7 == 0 else 1),
            )
    YearReview.objects.create(
        strategy=strategy, fiscal_year=2021, is_locked=True, locked_by=accounts["secretariat"]
    )
    return indicators


def _pages(indicators):
    department = Department.objects.get(name="水産振興課")
    first_kpi = next(i for i in indicators if i.level == "kpi")
    return {
        "secretariat": {
            "home-secretariat": "/",
            "strategy": f"{BASE}/",
            "status-board": f"{BASE}/status/2022/",
            "entry-index": f"{BASE}/entry/",
            "assignments": f"{BASE}/assignments/",
            "dashboard": f"{BASE}/dashboard/?year=2022",
            "dashboard-goal": f"{BASE}/dashboard/goals/1/?year=2022",
            "indicator": f"{BASE}/dashboard/indicators/{first_kpi.pk}/?year=2022",
            "review-pack": f"{BASE}/council/review/2021/",
            "population": f"{BASE}/population/",
            "population-entry": f"{BASE}/population/entry/",
            "projects": f"{BASE}/projects/",
            "revisions": f"{BASE}/revisions/",
            "revision-1": f"{BASE}/revisions/1/",
        },
        "clerk": {
            "home-clerk": "/",
            "entry": f"{BASE}/entry/2022/{department.pk}/",
            "excel-import": f"{BASE}/excel/import/2022/{department.pk}/",
        },
        "council": {"home-council": "/", "council-dashboard": f"{BASE}/dashboard/?year=2021"},
    }


OVERFLOW = """() => {
  const vw = window.innerWidth;
  const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
    if (getComputedStyle(p).overflowX !== "visible") return true; return false; };
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && !clipped(el) && !wide.some(w => w.el.contains(el)))
      wide.push({el, right: Math.round(r.right)});  // the outermost offender only
  }
  const label = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  return {
    scroll: document.scrollingElement.scrollWidth,
    inner: vw,
    wide: wide.slice(0, 6).map(w => label(w.el) + " → " + w.right),
  };
}"""


BROKEN_BADGES = """() => [...document.querySelectorAll('.status')].filter(b => {
  const r = b.getBoundingClientRect();
  return r.height > 1.6 * parseFloat(getComputedStyle(b).lineHeight || 0 || 16);
}).map(b => b.textContent.trim())"""


# One test per width: three of ~15 s that two workers share, instead of one of 45 s at the end.
@pytest.mark.parametrize("width", WIDTHS)
def test_no_main_page_scrolls_sideways(new_page, year_data, login, shot, width):
    problems = []
    for role, pages in _pages(year_data).items():
        page = new_page({"width": width, "height": 900})
        login(page, role)
        for name, url in pages.items():
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            page.wait_for_load_state("load")
            if name in ("indicator", "population"):
                page.locator(".js-plotly-plot").first.wait_for()
            shot(page, f"{name}-{width}")
            m = page.evaluate(OVERFLOW)
            if m["scroll"] > m["inner"]:
                problems.append(f"{name} @{width}px: {m['scroll']} > {m['inner']} {m['wide']}")
            # 評価の方法 on a phone: the text takes the full width, under its term.
            narrow = page.evaluate(
                "() => [...document.querySelectorAll('.method-list dd')].filter(d =>"
                " d.getBoundingClientRect().width < 0.8 * d.parentElement.clientWidth).length"
            )
            if width == 390 and narrow:
                problems.append(f"{name} @{width}px: 評価の方法 runs in a narrow column")
            if name == "assignments":  # the department's name readable in its select
                least = page.evaluate(
                    "() => Math.min(...[...document.querySelectorAll('table.assignments select')]"
                    ".map(s => s.getBoundingClientRect().width))"
                )
                if least < 120:
                    problems.append(f"assignments @{width}px: a select is {least:.0f}px wide")
            # A status badge is one line: 「提出済/み 10」 broke inside the word in a phone's cell.
            broken = page.evaluate(BROKEN_BADGES)
            if broken:
                problems.append(f"{name} @{width}px: status badges wrap: {broken[:3]}")
        page.context.close()
    assert not problems, "\n".join(problems)


def test_nothing_is_clipped_at_1280_px(new_page, year_data, login):
    page = new_page({"width": 1280, "height": 900})
    # One line: the title, every menu item and the user's name share a row (a second row would
    # start at least a line height, ~27 px, lower). The administrator has the longest menu.
    for role in ("admin", "secretariat"):
        page = new_page({"width": 1280, "height": 900})
        login(page, role)
        tops = page.evaluate(
            """() => [...document.querySelectorAll('.site-title, .site-nav li, .site-user')]
                     .map(e => Math.round(e.getBoundingClientRect().top))"""
        )
        assert max(tops) - min(tops) < 16, f"the {role}'s header wraps at 1280px: {tops}"

    page.goto(f"{BASE}/dashboard/?year=2022")
    clipped = page.evaluate(
        """() => {
          const name = e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className
            ? "." + e.className.trim().split(/\\s+/).join(".") : "");
          const out = [];
          for (const b of document.querySelectorAll('.grade, .badge, [class*="grade-"]')) {
            const r = b.getBoundingClientRect();
            if (!r.width) continue;
            let by = null;
            const cell = b.closest('td, th');
            if (cell) { const c = cell.getBoundingClientRect();
              if (r.left < c.left - 1 || r.right > c.right + 1) by = name(cell); }
            for (let p = b.parentElement; !by && p && p !== document.body; p = p.parentElement) {
              if (getComputedStyle(p).overflowX !== 'visible') {
                const q = p.getBoundingClientRect();
                if (r.left < q.left - 1 || r.right > q.right + 1) by = name(p);
              }
            }
            if (!by && b.scrollWidth > b.clientWidth + 1) by = "itself";
            if (by) out.push(b.textContent.trim() + " (clipped by " + by + ")");
          }
          return out;
        }"""
    )
    assert clipped == [], f"grade badges clipped at 1280px: {clipped[:5]}"
    # …and readable: a label wraps to two lines at most, never one character a line.
    lines = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('table.dashboard-table .grade')]
             .map(b => b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight)))"""
    )
    assert lines <= 2.2, f"a grade label takes {lines:.1f} lines at 1280px"
    # The whole indicator table fits the desktop page: no column hidden behind a scroll bar.
    hidden = page.locator("table.dashboard-table").first.evaluate(
        "t => t.parentElement.scrollWidth - t.parentElement.clientWidth"
    )
    assert hidden <= 1, f"the dashboard table needs {hidden}px more at 1280px"


def test_the_name_column_stays_in_view_when_a_table_scrolls_on_a_phone(new_page, year_data, login):
    page = new_page({"width": 390, "height": 800})
    login(page, "council")
    page.goto(f"{BASE}/council/review/2021/")
    table = page.locator("table.pack-table").first
    name = table.locator("tbody tr").first.locator("th, td").first
    before = name.bounding_box()
    scrolled = table.evaluate(
        "t => { const box = t.scrollWidth > t.clientWidth ? t : t.parentElement;"
        " box.scrollLeft = 400; return box.scrollLeft; }"
    )
    assert scrolled > 0, "the table does not scroll inside its box"
    after = name.bounding_box()
    assert abs(after["x"] - before["x"]) < 2, "the indicator name scrolled out of view"
    header = table.locator("thead th").first
    assert header.evaluate("h => getComputedStyle(h).whiteSpace") == "nowrap"  # no 1-char lines


def test_scrolling_tables_are_reachable_by_keyboard_on_a_phone(
    new_page, year_data, login, assert_accessible
):
    # A table that scrolls inside its box must take keyboard focus (axe: scrollable-region-focusable).
    page = new_page({"width": 390, "height": 800})
    login(page, "secretariat")
    for url in (
        f"{BASE}/",
        f"{BASE}/status/2022/",
        f"{BASE}/council/review/2021/",
        f"{BASE}/population/",
        f"{BASE}/dashboard/?year=2022",
    ):
        page.goto(url)
        assert_accessible(page, f"{url} at 390px")


CHART_LABELS = """el => {
  const box = el.querySelector('svg.main-svg').getBoundingClientRect();
  const rect = e => e.getBoundingClientRect();
  const out = [];
  for (const chart of [el]) {
    const ticks = [...chart.querySelectorAll('.xtick text, .ytick text')].filter(t => rect(t).width);
    const titles = [...chart.querySelectorAll('.xtitle, .ytitle, .legend .bg')]
      .filter(t => rect(t).width);
    for (const t of [...ticks, ...titles]) {
      const r = rect(t);
      if (t.matches('.bg')) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
          || r.bottom > box.bottom + 1) out.push(`${t.textContent} outside the chart`);
    }
    const x = ticks;  // x and y tick labels, against each other, the axis titles and the legend
    const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (let i = 0; i < x.length; i++) {
      for (const o of [...x.slice(i + 1), ...titles])
        if (hit(rect(x[i]), rect(o))) out.push(`${x[i].textContent} over ${o.textContent || "the legend"}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", (390, 1280))
def test_chart_axis_labels_fit_on_a_phone(new_page, year_data, login, width):
    # At 390 px the rotated 「2024年度」 was cut at the chart's right edge and lay over the axis
    # title 「年度」: every tick label and axis title stays inside the chart and clear of the others.
    first_kpi = next(i for i in year_data if i.level == "kpi")
    page = new_page({"width": width, "height": 800})
    login(page, "secretariat")
    problems = []
    for url in (f"{BASE}/dashboard/indicators/{first_kpi.pk}/?year=2022", f"{BASE}/population/"):
        page.goto(url)
        charts = page.locator(".js-plotly-plot")
        charts.first.wait_for()
        for i in range(charts.count()):
            problems += [
                f"{url} chart {i + 1} @{width}px: {p}" for p in charts.nth(i).evaluate(CHART_LABELS)
            ]
    assert not problems, "\n".join(problems)
