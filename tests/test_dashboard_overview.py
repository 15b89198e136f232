import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kpis.models import Actual, Indicator, InterimTarget
from tests.dashboard_helpers import (
    BASE,
    add_actual,
    card,
    counts,
    fill_every_year,
    indicator,
    row,
    row_ids,
)

pytestmark = pytest.mark.django_db


def kpi_count(goal_number):
    return Indicator.objects.kpis().filter(basic_goal__number=goal_number).count()


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(BASE)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={BASE}"


def test_it_is_404_for_an_unknown_strategy(client, charlie, strategy):
    client.force_login(charlie)
    assert client.get("/strategies/nope/dashboard/").status_code == 404


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_shows_every_basic_goal_to_every_role(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    body = client.get(BASE).content.decode()
    for goal in strategy.basic_goals.all():
        assert f'id="goal-{goal.number}"' in body
        assert goal.title in body


def test_the_navigation_links_to_the_dashboard(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get("/strategies/nemuro-2/").content.decode()
    assert f'<a href="{BASE}">ダッシュボード</a>' in body


def test_it_grades_known_actuals_and_counts_them_per_goal(client, charlie, final_basis):
    add_actual("1-ア-1-1", 2022, "27700")  # = target → A
    add_actual("2-N1", 2022, "2.05")  # 人口減少率 2.44 → 2.00: (2.44−2.05)/(2.44−2.00) = 88.6% → B
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()

    coastal = row(body, indicator("1-ア-1-1").pk)
    assert "27,700t" in coastal
    assert "100.0%" in coastal
    assert 'class="grade grade-a" data-grade="A">A ◎ 目標達成<' in coastal

    goal1 = card(body, 1)
    assert counts(goal1) == {"A": 1, "B": 0, "C": 0, "D": 0, "−": kpi_count(1) - 1}

    goal2 = card(body, 2)  # 人口減少率 is a numeric target: a progress bar on the card
    assert "人口減少率" in goal2
    assert "88.6%" in goal2 and 'value="88.6"' in goal2
    assert "実績 <strong>2.05%</strong> ／ 目標 2.00%（基準 2.44%）" in goal2
    assert 'data-grade="B">B ○ 進捗率80%以上<' in goal2
    assert counts(goal2)["−"] == kpi_count(2)  # numeric targets are not counted with the KPIs


def test_the_grade_chips_speak_the_terms_of_the_method_legend(client, charlie, strategy):
    """Pro-rated (the default): the roll-up chips say 進捗ペース, as 評価の方法's legend and every
    row graded before the target year do; never 「進捗率80%以上」 beside a row's 「進捗ペース」."""
    add_actual("1-ア-1-1", 2022, "26000")  # pace 111.6% → A 中間目標に到達
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()
    chips = re.findall(
        r'<li data-grade="[^"]+" data-count="\d+"><span[^>]*>([^<]+)<', card(body, 1)
    )
    assert chips[:4] == [
        "A ◎ 中間目標に到達",
        "B ○ 進捗ペース80%以上",
        "C △ 進捗あり",
        "D × 進捗なし・悪化",
    ]
    assert "B（○）進捗ペース80.0%以上" in body.split('id="method"')[1]  # 評価の方法
    assert 'data-grade="A">A ◎ 中間目標に到達<' in row(body, indicator("1-ア-1-1").pk)
    assert "進捗率80%以上" not in body


def test_it_shows_progress_below_the_target_as_c(client, charlie, final_basis):
    add_actual("1-ア-1-1", 2022, "26000")  # (26000 − 23854) ÷ (27700 − 23854) = 55.8%
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()
    coastal = row(body, indicator("1-ア-1-1").pk)
    assert "26,000t" in coastal and "55.8%" in coastal
    assert 'data-grade="C">C △ 進捗あり<' in coastal
    assert counts(card(body, 1))["C"] == 1
    assert '平均進捗率 <span class="progress"><span class="progress-text">55.8%' in card(body, 1)
    assert "進捗率を計算できたKPI 1件の平均" in card(body, 1)
    # Goal 2 has no value: its card says there is no average, not 「KPI 0件の平均」.
    assert "進捗率を計算できるKPIの実績がまだないため、平均はありません" in card(body, 2)
    assert "KPI 0件の平均" not in body
    # The value column names the year shown (「今年度」 read as the current fiscal year).
    assert "2022年度の実績<" in body and "今年度の実績" not in body
    assert "2021年度の実績<" in client.get(BASE + "?year=2021").content.decode()  # per request


def test_the_default_year_is_the_latest_with_a_value_the_user_may_see(
    client, bob, charlie, strategy
):
    add_actual("1-ア-1-1", 2022, "26000")
    add_actual("1-ア-1-1", 2023, "27000", status=Actual.Status.DRAFT)
    client.force_login(charlie)
    assert client.get(BASE).context["fiscal_year"] == 2022  # the 2023 draft is not theirs to see
    client.force_login(bob)
    assert client.get(BASE).context["fiscal_year"] == 2023


def test_without_any_actual_the_default_year_is_the_first(client, charlie, strategy):
    client.force_login(charlie)
    r = client.get(BASE + "?year=1999")  # not a year of the strategy: ignored
    assert r.context["fiscal_year"] == 2021
    assert '<option value="2021" selected>令和3年度（2021年度）</option>' in r.content.decode()


def test_council_members_do_not_see_a_draft_value_staff_do_with_its_status(
    client, bob, charlie, alice, strategy
):
    add_actual("1-ア-1-1", 2022, "26000", status=Actual.Status.DRAFT)
    add_actual("2-N1", 2022, "2.05", status=Actual.Status.SUBMITTED)
    add_actual("2-N2", 2022, "10.1")  # confirmed
    pk = indicator("1-ア-1-1").pk

    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()
    assert "26,000" not in body and "2.05%" not in body
    assert "下書き" not in row(body, pk)
    assert "− 実績なし" in row(body, pk)
    assert "10.1%" in body and "確認済みの値のみ" in body

    for user in (bob, alice):
        client.force_login(user)
        body = client.get(BASE + "?year=2022").content.decode()
        assert "26,000t" in row(body, pk)
        assert '<span class="status status-draft">下書き</span>' in row(body, pk)
        assert "提出済み" in row(body, indicator("2-N1").pk)
        assert "確認済み" in row(body, indicator("2-N2").pk)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("goal=2", lambda i: i.basic_goal.number == 2),
        ("direction=decrease", lambda i: i.direction == "decrease"),
        ("grade=A", lambda i: i.code in {"1-ア-1-1", "2-N1"}),
        ("grade=C", lambda i: i.code == "1-ア-1-2"),
        ("goal=1&grade=A", lambda i: i.code == "1-ア-1-1"),
        (
            "goal=3&direction=increase",
            lambda i: i.basic_goal.number == 3 and i.direction == "increase",
        ),
    ],
)
def test_filters_narrow_the_table(client, bob, strategy, query, expected):
    add_actual("1-ア-1-1", 2022, "27700")  # A
    add_actual("2-N1", 2022, "1.90")  # A (decrease, below the target)
    add_actual("1-ア-1-2", 2022, "3")  # cumulative 3 of 15: C
    client.force_login(bob)
    r = client.get(f"{BASE}?year=2022&{query}")
    body = r.content.decode()
    want = [
        i.pk for i in Indicator.objects.for_strategy(strategy).in_document_order() if expected(i)
    ]
    assert want and sorted(row_ids(body)) == sorted(want)
    assert f"{len(want)}件を表示" in body


def test_it_filters_by_department_and_policy(client, bob, strategy, fisheries, tourism):
    fish = Indicator.objects.filter(code__in=["1-ア-1-1", "1-ア-1-2"])
    fish.update(department=fisheries)
    Indicator.objects.filter(code="2-N1").update(department=tourism)
    client.force_login(bob)
    body = client.get(f"{BASE}?department={fisheries.pk}").content.decode()
    assert sorted(row_ids(body)) == sorted(fish.values_list("pk", flat=True))
    assert f'<option value="{tourism.pk}">観光振興課</option>' in body

    body = client.get(f"{BASE}?department=none").content.decode()
    unassigned = Indicator.objects.for_strategy(strategy).filter(department__isnull=True)
    assert sorted(row_ids(body)) == sorted(unassigned.values_list("pk", flat=True))

    policy = indicator("1-ア-1-1").measure.policy
    body = client.get(f"{BASE}?policy={policy.pk}").content.decode()
    want = Indicator.objects.filter(measure__policy=policy).values_list("pk", flat=True)
    assert sorted(row_ids(body)) == sorted(want)


def test_an_invalid_filter_is_reported_and_left_off(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(f"{BASE}?grade=Z").content.decode()
    assert "正しく選択してください" in body
    assert len(row_ids(body)) == Indicator.objects.for_strategy(strategy).count()


def test_it_sorts_by_progress_and_by_grade(client, charlie, strategy):
    a = add_actual("1-ア-1-1", 2022, "27700").indicator  # 100%, A
    b = add_actual("2-N1", 2022, "2.05").indicator  # 88.6%, B
    c = add_actual("1-イ-1-1", 2022, None, not_measurable=True).indicator  # no value
    client.force_login(charlie)

    ids = row_ids(client.get(f"{BASE}?year=2022&sort=-progress").content.decode())
    assert ids[:2] == [a.pk, b.pk]
    assert c.pk in ids[2:]

    ids = row_ids(client.get(f"{BASE}?year=2022&sort=progress").content.decode())
    assert ids[-2:] == [b.pk, a.pk]

    body = client.get(f"{BASE}?year=2022&sort=grade").content.decode()
    assert row_ids(body)[:2] == [a.pk, b.pk]
    assert 'aria-sort="ascending"' in body
    assert "測定不能" in row(body, c.pk)


def test_the_default_order_is_the_documents(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(BASE).content.decode()
    want = list(
        Indicator.objects.for_strategy(strategy).in_document_order().values_list("pk", flat=True)
    )
    assert row_ids(body) == want


def test_it_downloads_the_filtered_sorted_table_as_xlsx(client, bob, final_basis):
    add_actual("1-ア-1-1", 2022, "26000")
    add_actual("2-N1", 2022, "2.05", status=Actual.Status.DRAFT, data_year=2021)
    Indicator.objects.filter(code="2-N2").update(name='=HYPERLINK("http://example.com")')
    client.force_login(bob)
    r = client.get(f"{BASE}?year=2022&goal=2&sort=-progress&format=xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"] and ".xlsx" in r["Content-Disposition"]

    wb = load_workbook(BytesIO(r.content))
    ws = wb["指標一覧"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "基本目標",
        "施策",
        "施策①",
        "指標",
        "単位",
        "基準値",
        "目標値",
        "今年度の実績",
        "状態",
        "データの対象年",
        "進捗率",
        "評価",
    )
    assert ws.freeze_panes == "A2"
    goal2 = Indicator.objects.filter(basic_goal__number=2)
    assert len(rows) - 1 == goal2.count()
    first = rows[1]  # sorted by progress, highest first: 人口減少率 88.6%
    assert first[3] == "人口減少率"
    assert first[5] == pytest.approx(2.44) and first[6] == pytest.approx(2.0)
    assert first[7] == pytest.approx(2.05)
    assert first[8] == "下書き" and first[9] == 2021
    assert first[10] == pytest.approx(float(Decimal("0.39") / Decimal("0.44")))
    assert first[11] == "B ○ 進捗率80%以上"
    assert ws.cell(row=2, column=8).number_format == '#,##0.00;"▲"#,##0.00'
    assert ws.cell(row=2, column=11).number_format == '0.0%;"▲"0.0%'
    names = [r[3] for r in rows[1:]]
    assert '\'=HYPERLINK("http://example.com")' in names  # neutralised, not a formula
    assert "沿岸漁業における生産量" not in names  # goal 1 was filtered out
    assert wb["条件"]["B4"].value == "基本目標：基本目標-2"


def test_the_council_xlsx_has_confirmed_values_only_and_no_status_column(client, charlie, strategy):
    add_actual("1-ア-1-1", 2022, "26000", status=Actual.Status.DRAFT)
    add_actual("2-N1", 2022, "2.05")
    client.force_login(charlie)
    wb = load_workbook(BytesIO(client.get(f"{BASE}?year=2022&format=xlsx").content))
    rows = list(wb["指標一覧"].iter_rows(values_only=True))
    assert "状態" not in rows[0]
    by_name = {r[3]: r for r in rows[1:]}
    assert by_name["沿岸漁業における生産量"][7] is None
    assert by_name["人口減少率"][7] == pytest.approx(2.05)
    assert len(rows) - 1 == Indicator.objects.for_strategy(strategy).count()


def _overview_queries(year_given):
    # 1 session, 2 user, 3 strategy with its evaluation settings, 4 the user's groups,
    # [5 latest fiscal year with a visible actual: only without ?year=],
    # 5 the strategy's indicators with goal/measure/policy/department (select_related; the
    #   goals, policies and departments of the filter form come with them),
    # 6 grade bands (roll-ups, badges and the evaluation),
    # kpis.evaluation.timelines: 7 visible actuals, 8 interim overrides, 9 targets in force
    return 9 if year_given else 10


@pytest.mark.parametrize("query, year_given", [("?year=2022", True), ("", False)])
def test_it_reads_everything_in_a_fixed_number_of_queries(
    client, charlie, strategy, django_assert_num_queries, query, year_given
):
    client.force_login(charlie)
    client.get(BASE)  # warm the session
    with django_assert_num_queries(_overview_queries(year_given)):
        client.get(BASE + query)

    # Many more actuals, years and interim targets: still the same number of queries.
    fill_every_year(strategy)
    InterimTarget.objects.bulk_create(
        InterimTarget(indicator=i, fiscal_year=2022, value=i.target_value)
        for i in Indicator.objects.for_strategy(strategy)
    )
    with django_assert_num_queries(_overview_queries(year_given)):
        r = client.get(BASE + query + ("&" if query else "?") + "sort=-progress&direction=increase")
    assert counts(r.content.decode())["A"] > 0


def test_the_xlsx_download_reads_in_the_same_fixed_number_of_queries(
    client, bob, strategy, django_assert_num_queries
):
    fill_every_year(strategy, status=Actual.Status.DRAFT)
    client.force_login(bob)
    client.get(BASE)
    with django_assert_num_queries(_overview_queries(True)):
        r = client.get(BASE + "?year=2024&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"  # the workbook, not an error page
    assert ".xlsx" in r["Content-Disposition"]


def test_an_english_browser_still_gets_japanese_messages(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022&goal=9", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "正しく選択してください" in body
    assert "Select a valid choice" not in body


def test_a_kpi_without_a_baseline_says_its_rate_is_achievement(client, charlie, strategy):
    """Judged by 達成率 (a level to reach): the 進捗率 column labels it, a KPI with a baseline not."""
    add_actual("2-ア-1-1", 2022, "1")
    add_actual("1-ア-1-1", 2022, "26000")
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()
    assert '<small class="muted">達成率</small>' in row(body, indicator("2-ア-1-1").pk)
    assert "達成率" not in row(body, indicator("1-ア-1-1").pk)


def test_a_numeric_target_without_a_value_has_no_empty_rate_line(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(BASE + "?year=2022").content.decode()
    targets = re.search(r'<ul class="targets">(.*?)</ul>', card(body, 1), re.S).group(1)
    assert '<span class="muted">−</span>' not in targets
    assert "実績 <strong>" in targets
