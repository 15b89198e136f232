import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from dashboard import views
from kpis.models import Actual, Indicator, InterimTarget
from projects.models import ProjectListing
from tests.dashboard_helpers import BASE, add_actual, chart_json, indicator, other_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_opinions(monkeypatch):
    """The page without the council app's opinions panel (its queries are not the page's)."""
    monkeypatch.setattr("dashboard.views.OPINIONS_TEMPLATE", None)


@pytest.fixture
def coastal(strategy):
    return indicator("1-ア-1-1")  # 沿岸漁業における生産量: 23,854 t → 27,700 t


def url(ind, year=None):
    return f"{BASE}indicators/{ind.pk}/" + (f"?year={year}" if year else "")


def test_it_redirects_anonymous_users_to_login(client, coastal):
    r = client.get(url(coastal))
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_it_is_404_for_an_unknown_indicator_or_one_of_another_strategy(client, charlie, strategy):
    *_, foreign = other_strategy()
    client.force_login(charlie)
    assert client.get(f"{BASE}indicators/999999/").status_code == 404
    assert client.get(url(foreign)).status_code == 404
    assert client.get(f"/strategies/other/dashboard/indicators/{foreign.pk}/").status_code == 200


def test_it_shows_the_grade_with_its_formula(client, charlie, coastal, no_opinions, final_basis):
    add_actual("1-ア-1-1", 2022, "26000")
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    assert (
        "進捗率 =（実績値 26,000 − 基準値 23,854）÷（目標値 27,700 − 基準値 23,854）= 55.8%" in body
    )
    assert "達成率 = 実績値 26,000 ÷ 目標値 27,700 = 93.9%" in body
    assert 'data-grade="C">C △ 進捗あり<' in body
    assert "評価：C（△ 進捗あり）" in body
    # the final-target basis shows the interim target for reference, never a second verdict
    assert "中間目標（参考）：実績値 26,000 ≧ 2022年度の中間目標 25,777" in body
    assert "順調" not in body


def test_it_grades_by_the_pace_on_the_default_basis(client, charlie, coastal, no_opinions):
    add_actual("1-ア-1-1", 2022, "26000")
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    assert "進捗ペース = 進捗率 55.8% ÷ 経過割合 s(2022) 2/4 = 111.6%" in body
    assert "評価：A（◎ 中間目標に到達）" in body
    assert 'data-grade="A">A ◎ 中間目標に到達<' in body
    assert "評価の方法" not in body or "年度按分" in body


def legend(body):
    block = re.search(r'<details class="grade-scale">(.*?)</details>', body, re.S).group(1)
    return re.findall(r'data-grade="[^"]+">([^<]+)<', block)


def test_the_grade_legend_speaks_of_the_rate_the_indicator_is_graded_by(
    client, charlie, coastal, strategy, no_opinions
):
    add_actual("1-ア-1-1", 2022, "26000")
    no_baseline = (
        Indicator.objects.for_strategy(strategy)
        .filter(baseline_value__isnull=True)
        .exclude(aggregation="cumulative")
        .exclude(direction="maintain")
        .first()
    )
    client.force_login(charlie)
    # before the target year on the pro-rated basis: the pace
    assert legend(client.get(url(coastal, 2022)).content.decode())[:2] == [
        "A ◎ 中間目標に到達",
        "B ○ 進捗ペース80%以上",
    ]
    # from the target year on: the target itself
    assert legend(client.get(url(coastal, 2024)).content.decode())[:2] == [
        "A ◎ 目標達成",
        "B ○ 進捗率80%以上",
    ]
    # no baseline: the achievement rate, every year (never 「進捗率80%以上」)
    body = client.get(url(no_baseline, 2022)).content.decode()
    assert legend(body)[:2] == ["A ◎ 目標達成", "B ○ 達成率80%以上"]
    assert "進捗率80%以上" not in body


def test_it_names_the_pace_once_and_shows_no_empty_revision_panel(
    client, charlie, coastal, no_opinions
):
    add_actual("1-ア-1-1", 2022, "26000")
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    assert '<dt>進捗ペース</dt><dd data-testid="graded-rate">111.6%</dd>' in body
    assert "目標値の改訂と評価" not in body  # no revision touched this indicator


def test_the_chart_data_has_the_actuals_the_path_the_baseline_and_the_target(
    client, charlie, coastal, no_opinions
):
    add_actual("1-ア-1-1", 2021, "25000")
    add_actual("1-ア-1-1", 2022, "26000")
    client.force_login(charlie)
    fig = chart_json(client.get(url(coastal, 2022)).content.decode())
    traces = {t["name"]: t for t in fig["data"]}
    actual = traces["実績値"]
    assert actual["x"] == ["2021年度", "2022年度"]
    assert actual["y"] == [25000.0, 26000.0]
    interim = traces["中間目標"]
    assert interim["x"][0] == "2020年度" and interim["y"][0] == 23854.0  # starts at the baseline
    assert interim["y"][-1] == 27700.0
    assert traces["基準値 23,854t"]["y"] == [23854.0]
    assert set(traces["目標値 27,700t（2024年度）"]["y"]) == {27700.0}
    assert fig["config"]["displaylogo"] is False and fig["config"]["responsive"] is True
    assert fig["layout"]["xaxis"]["categoryarray"] == [f"{y}年度" for y in range(2020, 2025)]


def test_the_chart_and_the_table_mention_the_data_year_when_it_differs(
    client, charlie, strategy, no_opinions
):
    pop = add_actual("2-N1", 2021, "2.30", data_year=2020, data_source="国勢調査").indicator
    client.force_login(charlie)
    body = client.get(url(pop, 2021)).content.decode()
    actual = next(t for t in chart_json(body)["data"] if t["name"] == "実績値")
    assert actual["text"] == ["2.30%<br>2020年データ"]
    assert "（2020年のデータ）" in actual["hovertext"][0]
    row = re.search(r'<tr class="current" data-year="2021">.*?</tr>', body, re.S).group(0)
    for cell in ("2021年度", "2.30%", "2020年", "2.33%", "確認済み"):  # interim 2.44 − 0.11
        assert cell in row, cell
    assert "出典：国勢調査（2020年のデータ）" in body


def test_a_cumulative_indicator_is_charted_as_a_running_total(
    client, charlie, strategy, no_opinions
):
    farm = indicator("1-ア-1-2")  # 新規農林業就業者数: 15 over four years
    add_actual("1-ア-1-2", 2021, "4")
    add_actual("1-ア-1-2", 2022, "3")
    client.force_login(charlie)
    body = client.get(url(farm, 2022)).content.decode()
    traces = {t["name"]: t for t in chart_json(body)["data"]}
    assert traces["累計実績値"]["y"] == [4.0, 7.0]
    assert traces["各年度の実績値"]["y"] == [4.0, 3.0]
    assert traces["中間目標（累計）"]["y"][:2] == [3.75, 7.5]
    assert "累計実績値 = 2021年度 4 + 2022年度 3 = 7" in body


def test_it_shows_the_analysis_note_of_each_year(client, charlie, coastal, no_opinions):
    add_actual("1-ア-1-1", 2021, "25000", note="ホタテの水揚げが増加した。")
    add_actual(
        "1-ア-1-1", 2022, None, not_measurable=True, not_measurable_reason="統計の公表が遅れたため"
    )
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    assert "ホタテの水揚げが増加した。" in body
    assert "統計の公表が遅れたため" in body


def test_council_members_see_confirmed_values_only_even_in_the_history(
    client, bob, charlie, coastal, no_opinions
):
    a = add_actual("1-ア-1-1", 2022, "25000", status=Actual.Status.DRAFT)
    a.value, a.status, a._change_reason = Decimal("26000"), Actual.Status.CONFIRMED, "確認"
    a.save()
    b = add_actual("1-ア-1-1", 2023, "26500", status=Actual.Status.SUBMITTED)

    client.force_login(charlie)
    body = client.get(url(coastal, 2023)).content.decode()
    assert "25,000" not in body and "26,500" not in body
    assert "26,000t" in body
    assert f'data-history-id="{b.history.first().history_id}"' not in body

    client.force_login(bob)
    body = client.get(url(coastal, 2023)).content.decode()
    assert "26,500t" in body and '<span class="status status-submitted">提出済み</span>' in body
    assert '<span class="old">25,000t</span> → <span class="new">26,000t</span>' in body


def test_the_history_shows_who_when_old_and_new_and_the_reason(
    client, bob, dave, coastal, no_opinions
):
    a = add_actual("1-ア-1-1", 2022, "26000")
    a.value, a._change_reason, a._history_user = Decimal("26100"), "誤記を訂正", bob
    a.save()
    coastal.target_value, coastal._change_reason = Decimal("28000"), "第1回改訂"
    coastal.save()
    client.force_login(dave)
    body = client.get(url(coastal, 2022)).content.decode()
    history = body[body.index('id="history"') :]
    row = re.search(r"<tr data-history-id=.*?</tr>", history, re.S).group(0)  # newest actual row
    assert "bob" in row and "誤記を訂正" in row and "実績値（2022年度）" in row
    assert '<span class="old">26,000t</span> → <span class="new">26,100t</span>' in row
    assert '<span class="old">27,700t</span> → <span class="new">28,000t</span>' in history
    assert "第1回改訂" in history


def test_only_administrators_get_a_restore_button(client, bob, dave, coastal, no_opinions):
    a = add_actual("1-ア-1-1", 2022, "26000")
    a.value = Decimal("26100")
    a.save()
    client.force_login(bob)
    assert "この値に戻す" not in client.get(url(coastal, 2022)).content.decode()
    client.force_login(dave)
    body = client.get(url(coastal, 2022)).content.decode()
    assert body.count("この値に戻す") == 1  # the older row; the current one needs no restoring
    oldest = a.history.order_by("history_id").first().history_id
    assert f'name="history_id" value="{oldest}"' in body
    assert "data-confirm=" in body


def test_it_lists_the_measures_projects_with_badges_and_relistings(
    client, charlie, coastal, no_opinions
):
    client.force_login(charlie)
    body = client.get(url(coastal)).content.decode()
    listings = ProjectListing.objects.filter(measure=coastal.measure).select_related("project")
    for listing in listings:
        assert listing.project.name in body
    assert body.count('class="badge relisted"') == listings.filter(is_relisted=True).count()
    assert 'class="badge badge-0 priority">重点</span>' in body


def test_a_numeric_target_links_to_its_goal_instead_of_projects(
    client, charlie, strategy, no_opinions
):
    client.force_login(charlie)
    body = client.get(url(indicator("2-N1"))).content.decode()
    assert f'href="{BASE}goals/2/?year=2021">基本目標-2</a>の各施策' in body


def test_breadcrumbs_lead_back_through_the_tree(client, charlie, coastal, no_opinions):
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    m = coastal.measure
    for href in (
        f"{BASE}?year=2022",
        f"{BASE}goals/1/?year=2022",
        f"{BASE}policies/{m.policy_id}/?year=2022",
        f"{BASE}measures/{m.pk}/?year=2022",
    ):
        assert f'href="{href}"' in crumbs
    assert '<span aria-current="page">沿岸漁業における生産量</span>' in crumbs


def test_plotly_is_served_locally_and_there_is_no_inline_script(
    client, charlie, coastal, settings, no_opinions
):
    client.force_login(charlie)
    body = client.get(url(coastal)).content.decode()
    # plotly deferred from the head (compiled off the main thread while the page is parsed), before
    # dashboard.js, which draws the chart: deferred scripts run in document order.
    head = body[: body.index("</head>")]
    assert '<script src="/static/vendor/plotly/plotly-scatter-bar.min.js" defer></script>' in head
    assert '<script src="/static/js/dashboard.js" defer></script>' in body[len(head) :]
    for tag in re.findall(r"<script[^>]*>", body):  # CSP without 'unsafe-inline'
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " on" not in "".join(re.findall(r"<[a-z]+ [^>]*\bon[a-z]+=", body))

    assert finders.find("vendor/plotly/plotly-scatter-bar.min.js")
    assert finders.find("js/dashboard.js") and finders.find("css/dashboard.css")
    settings.WHITENOISE_USE_FINDERS = True  # the tests run without collectstatic
    # a new client: whitenoise reads settings
    r = Client().get("/static/vendor/plotly/plotly-scatter-bar.min.js")
    assert r.status_code == 200
    assert b"plotly" in b"".join(r.streaming_content)[:2000].lower()


def test_it_works_without_the_council_opinions_partial(client, charlie, coastal, no_opinions):
    client.force_login(charlie)
    r = client.get(url(coastal, 2022))
    assert r.status_code == 200
    assert r.context["opinions_template"] is None
    assert "有識者会議の意見" not in r.content.decode()


def test_it_includes_the_council_opinions_partial_when_there_is_one(
    client, charlie, coastal, settings, tmp_path, monkeypatch
):
    (tmp_path / "council").mkdir()
    (tmp_path / "council" / "_stub_opinions.html").write_text(
        "<p id='stub'>意見：{{ indicator.name }} {{ fiscal_year }} {{ strategy.code }}</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    monkeypatch.setattr("dashboard.views.OPINIONS_TEMPLATE", "council/_stub_opinions.html")
    client.force_login(charlie)
    body = client.get(url(coastal, 2022)).content.decode()
    assert "有識者会議の意見" in body
    assert "<p id='stub'>意見：沿岸漁業における生産量 2022 nemuro-2</p>" in body


def test_it_renders_with_the_real_council_opinions_partial(client, charlie, coastal):
    client.force_login(charlie)
    r = client.get(url(coastal, 2022))
    assert r.status_code == 200
    assert r.context["opinions_template"] == views.OPINIONS_TEMPLATE
    assert "有識者会議の意見" in r.content.decode()


def test_the_default_year_is_the_indicators_latest_visible_actual(
    client, charlie, coastal, no_opinions
):
    add_actual("1-ア-1-1", 2022, "26000")
    add_actual("1-ア-1-1", 2023, "27000", status=Actual.Status.DRAFT)
    client.force_login(charlie)
    assert client.get(url(coastal)).context["fiscal_year"] == 2022


# 1 session, 2 user, 3 strategy with its evaluation settings, 4 indicator with
# goal/measure/policy/department, 5 the user's groups (confirmed values only?),
# [6 latest year with a visible actual: without ?year=], 6 grade bands,
# kpis.evaluation.timelines: 7 visible actuals, 8 interim overrides, 9 target revisions;
# 10 locked years, 11 history of the actuals (with users), 12 history of the indicator (with
# users), 13 the target timeline (targets in force with their revisions), 14 values across
# strategies (lineage), 15 the measure's project listings (with projects)
INDICATOR_PAGE_QUERIES = 15


@pytest.mark.parametrize("user", ["charlie", "dave"])
def test_it_reads_the_page_in_a_fixed_number_of_queries(
    client, strategy, coastal, user, request, django_assert_num_queries, no_opinions
):
    client.force_login(request.getfixturevalue(user))
    client.get(url(coastal, 2022))
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):
        client.get(url(coastal, 2022))

    # Actuals in every year, each changed several times, interim overrides: the same count.
    for year in strategy.fiscal_years:
        a = add_actual("1-ア-1-1", year, "25000", note=f"{year}年度の分析")
        for value in ("25500", "26000", "26500"):
            a.value = Decimal(value)
            a.save()
        InterimTarget.objects.create(indicator=coastal, fiscal_year=year, value=Decimal("26000"))
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):
        r = client.get(url(coastal, 2022))
    assert len(chart_json(r.content.decode())["data"][-1]["y"]) == 4
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES + 1):  # + the default year
        client.get(url(coastal))


def test_a_numeric_target_page_has_no_listing_query(
    client, charlie, strategy, django_assert_num_queries, no_opinions
):
    target = Indicator.objects.get(code="2-N1")
    client.force_login(charlie)
    client.get(url(target, 2022))
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES - 1):
        client.get(url(target, 2022))
