from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from council.models import Opinion, Response
from kpis.models import Actual, BasicGoal, Indicator, Measure

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/council/review/2022/"


def _actual(code, year, value, status=Actual.Status.CONFIRMED, note=""):
    return Actual.objects.create(
        indicator=Indicator.objects.get(code=code),
        fiscal_year=year,
        value=Decimal(value),
        status=status,
        note=note,
    )


@pytest.fixture
def actuals(strategy):
    # 沿岸漁業における生産量: baseline 23,854t → target 27,700t (increase)
    _actual("1-ア-1-1", 2021, "24500")
    _actual("1-ア-1-1", 2022, "25100", note="ホタテの回復により増加")
    # a draft the council must not see
    _actual("1-ア-1-2", 2022, "777777", status=Actual.Status.DRAFT)


def test_it_redirects_anonymous_users_to_login(client, strategy):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("user", ["alice", "bob", "charlie", "dave", "mallory"])
def test_it_shows_the_pack_to_every_role(client, strategy, user, request):
    client.force_login(request.getfixturevalue(user))
    r = client.get(URL)
    assert r.status_code == 200
    assert "第２期根室市創生総合戦略 効果検証資料（令和4年度（2022年度））" in r.content.decode()


def test_it_is_404_outside_the_strategy_period(client, charlie, strategy):
    client.force_login(charlie)
    assert client.get("/strategies/nemuro-2/council/review/2025/").status_code == 404
    assert client.get("/strategies/nope/council/review/2022/").status_code == 404


def test_it_shows_each_goal_with_every_indicator_and_year_column(client, charlie, strategy):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    for goal in BasicGoal.objects.filter(strategy=strategy):
        assert f'id="pack-goal-{goal.number}"' in body
        assert goal.title in body
    for indicator in Indicator.objects.all():
        assert f'data-code="{indicator.code}"' in body
    for measure in Measure.objects.all():
        assert f'id="pack-measure-{measure.pk}"' in body
    for year in (2021, 2022, 2023, 2024):
        assert f"{year}<wbr>年度</th>" in body  # wraps at 年度 on paper
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in body
    assert "人口ビジョン：現状と目標" in body
    assert "22,453人" in body  # 短期目標 2025


def test_it_shows_a_confirmed_value_with_its_progress_grade_and_note(
    client, charlie, actuals, fisheries
):
    Indicator.objects.filter(code="1-ア-1-1").update(department=fisheries)
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    row = body[body.index('data-code="1-ア-1-1"') :]
    row = row[: row.index("</tr>")]
    assert "24,500t" in row and "25,100t" in row  # 2021 and 2022 columns
    assert "23,854t" in row and "27,700t" in row and "（2024年度）" in row
    assert "32.4%" in row  # (25,100 − 23,854) ÷ (27,700 − 23,854)
    assert '<span class="grade-symbol" aria-hidden="true">△</span> C' in row
    assert "進捗あり" in row
    assert "ホタテの回復により増加" in row
    assert '<td class="col-dept">水産振興課</td>' in row


def test_it_hides_drafts_from_council_members(client, charlie, actuals):
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert "777,777" not in body
    assert "実績値は事務局が確認済みのものだけを掲載しています。" in body


def test_it_shows_drafts_to_staff_marked_and_hides_them_on_request(client, bob, actuals):
    client.force_login(bob)
    body = client.get(URL).content.decode()
    assert "777,777" in body and "（下書き）" in body
    body = client.get(URL + "?confirmed=1").content.decode()
    assert "777,777" not in body


def test_it_shows_last_years_opinions_with_their_responses(client, charlie, bob, strategy):
    indicator = Indicator.objects.get(code="1-ア-1-1")
    last_year = Opinion.objects.create(
        strategy=strategy,
        fiscal_year=2021,
        indicator=indicator,
        body="前年度の意見です。",
        author=charlie,
    )
    Response.objects.create(opinion=last_year, body="前年度の対応方針です。", author=bob)
    goal = BasicGoal.objects.get(strategy=strategy, number=2)
    Opinion.objects.create(
        strategy=strategy,
        fiscal_year=2022,
        basic_goal=goal,
        body="今年度の目標への意見。",
        author=charlie,
    )
    Opinion.objects.create(
        strategy=strategy,
        fiscal_year=2020,
        indicator=indicator,
        body="二年前の意見。",
        author=charlie,
    )
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert "前年度（令和3年度（2021年度））の意見と対応方針" in body
    assert "前年度の意見です。" in body and "前年度の対応方針です。" in body
    assert "今年度の目標への意見。" in body
    assert "二年前の意見。" not in body
    assert "意見：charlie" in body and "記入：bob" in body
    # the 2021 pack shows the 2021 opinion as this year's
    assert (
        "前年度の意見です。"
        in client.get("/strategies/nemuro-2/council/review/2021/").content.decode()
    )


def test_it_offers_the_opinion_form_to_council_members_and_the_response_form_to_the_secretariat(
    client, charlie, bob, strategy
):
    indicator = Indicator.objects.get(code="1-ア-1-1")
    opinion = Opinion.objects.create(
        strategy=strategy, fiscal_year=2022, indicator=indicator, body="意見", author=charlie
    )
    client.force_login(charlie)
    body = client.get(URL).content.decode()
    assert f'action="/strategies/nemuro-2/council/opinions/indicator/{indicator.pk}/new/"' in body
    assert f"/opinions/{opinion.pk}/respond/" not in body
    client.force_login(bob)
    body = client.get(URL).content.decode()
    assert "/new/" not in body
    assert f'action="/strategies/nemuro-2/council/opinions/{opinion.pk}/respond/"' in body


# 1 session, 2 user, 3 strategy, 4 the user's groups, 5 goals, 6 measures, 7 indicators (with goal,
# measure, policy, department), 8 grade bands (evaluation, roll-up and legend), evaluate_indicators:
# 9 actuals, 10 interim targets, 11 targets in force, 12 evaluation settings; 13 opinions of this
# and last year (with authors, responses, targets), 14 population figures, 15 population targets,
# 16 population points
# (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
PACK_QUERIES = 15


def test_it_reads_the_pack_in_a_fixed_number_of_queries(
    client, charlie, bob, strategy, django_assert_num_queries
):
    client.force_login(charlie)
    with django_assert_num_queries(PACK_QUERIES):
        client.get(URL)


def test_the_query_count_does_not_grow_with_more_actuals_and_opinions(
    client, charlie, bob, strategy
):
    client.force_login(charlie)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for n, indicator in enumerate(Indicator.objects.all()):
        for year in (2021, 2022):
            Actual.objects.create(
                indicator=indicator,
                fiscal_year=year,
                value=n + year,
                status=Actual.Status.CONFIRMED,
            )
        opinion = Opinion.objects.create(
            strategy=strategy,
            fiscal_year=2022,
            indicator=indicator,
            body=f"意見{n}",
            author=charlie,
        )
        Response.objects.create(opinion=opinion, body=f"対応{n}", author=bob)
    with CaptureQueriesContext(connection) as after:
        body = client.get(URL).content.decode()
    assert "対応46" in body
    assert len(after.captured_queries) == len(before.captured_queries) == PACK_QUERIES
