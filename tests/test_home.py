"""`/` after login: each role's task first; the strategy document stays in the navigation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kpis import services
from kpis.models import Actual, Indicator, WorkflowEvent, YearReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(strategy, fisheries, alice, bob):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    inds = list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))
    Actual.objects.create(indicator=inds[0], fiscal_year=2021, value=25000, status="submitted")
    returned = Actual.objects.create(
        indicator=inds[2], fiscal_year=2021, value=9, status="submitted"
    )
    services.return_actual(actual=returned, user=bob, reason="2021年度の取得者数を確認してください")
    Actual.objects.create(indicator=inds[1], fiscal_year=2022, value=3, status="submitted")
    YearReview.objects.create(strategy=strategy, fiscal_year=2021, entry_deadline="2022-05-31")
    return inds


def test_it_redirects_anonymous_users_to_login(client, strategy):
    assert client.get("/")["Location"].startswith("/login/")


def test_login_lands_on_home(client, alice, strategy):
    r = client.post("/login/", {"username": "alice", "password": "password"})
    assert r["Location"] == "/"


def test_a_clerk_sees_their_years_with_counts_the_deadline_and_the_send_back(
    client, alice, entered
):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'id="home-clerk"' in html and 'id="home-secretariat"' not in html
    assert "<caption>水産振興課</caption>" in html
    assert "2022/05/31" in html
    assert "未入力 2" in html and "差戻し 1" in html and "提出済み 1" in html
    assert "差し戻された実績値が1件あります" in html
    assert "2021年度の取得者数を確認してください" in html
    assert "新規狩猟免許取得者数" in html


def test_a_clerk_sees_the_secretariats_recent_confirmations_and_send_backs(
    client, alice, bob, entered, strategy
):
    """Not only by email: the last 14 days of 確認 and 差戻し of the clerk's departments."""
    services.confirm_actuals(
        strategy=strategy, fiscal_year=2021, actual_ids=[entered[0].actuals.get().pk], user=bob
    )
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "事務局の確認・差戻し（最近14日間）" in html
    decisions = html[html.index('id="home-decisions"') :]
    decisions = decisions[: decisions.index("</ul>")]
    assert '<span class="status status-confirmed">確認済み</span>' in decisions
    assert "2021年度「沿岸漁業における生産量」" in decisions
    assert '<span class="status status-returned">差戻し</span>' in decisions
    assert "：2021年度の取得者数を確認してください" in decisions
    assert decisions.index("確認済み") < decisions.index("差戻し")  # newest first
    # Older than 14 days: no longer listed.
    WorkflowEvent.objects.filter(action__in=["confirm", "return"]).update(
        at=timezone.now() - timedelta(days=15)
    )
    html = client.get("/").content.decode()
    assert "この14日間に確認・差戻しされた実績値はありません" in html


def test_another_departments_clerk_sees_none_of_it(client, mallory, entered):
    client.force_login(mallory)
    html = client.get("/").content.decode()
    assert "2021年度の取得者数を確認してください" not in html
    assert "入力できる担当課がありません" in html
    assert 'id="home-decisions"' not in html and "沿岸漁業における生産量" not in html


def test_the_secretariat_sees_the_year_with_pending_work_first(client, bob, entered):
    client.force_login(bob)
    r = client.get("/")
    years = [yc.fiscal_year for yc in r.context["home"].secretariat]
    assert years == [2021, 2022, 2023, 2024]  # both have submitted values: in year order
    YearReview.objects.filter(fiscal_year=2021).update(is_locked=True)
    years = [yc.fiscal_year for yc in client.get("/").context["home"].secretariat]
    assert years == [2022, 2023, 2024, 2021]  # the locked year last
    html = client.get("/").content.decode()
    assert "確認待ち1件を確認する" in html


def test_a_council_member_sees_the_latest_reviewed_year(client, charlie, strategy):
    client.force_login(charlie)
    assert "まだ検証に進んだ年度はありません" in client.get("/").content.decode()
    YearReview.objects.create(strategy=strategy, fiscal_year=2021, is_locked=True)
    YearReview.objects.create(strategy=strategy, fiscal_year=2022, is_locked=True)
    html = client.get("/").content.decode()
    assert 'href="/strategies/nemuro-2/dashboard/?year=2022"' in html
    assert 'href="/strategies/nemuro-2/council/review/2022/"' in html
    assert 'id="home-clerk"' not in html


def test_an_administrator_sees_revisions_and_accounts(client, dave, alice, strategy):
    client.force_login(dave)
    html = client.get("/").content.decode()
    assert 'id="home-admin"' in html
    assert 'href="/strategies/nemuro-2/revisions/1/">第1版' in html
    assert "入力担当 1人" in html
    assert 'href="/admin/auth/user/"' in html
    assert 'id="home-secretariat"' in html  # 管理者 is also 事務局


def test_it_reads_in_a_fixed_number_of_queries(client, alice, entered, django_assert_num_queries):
    client.force_login(alice)
    # 1 session, 2 user, 3 current strategy, 4 user's groups, 5 user's departments,
    # 6 indicators, 7 actuals, 8 year reviews, 9 departments, 10 send-backs,
    # 11 the secretariat's recent confirmations and send-backs
    with django_assert_num_queries(11):
        client.get("/")


def test_the_secretariats_home_reads_in_a_fixed_number_of_queries(
    client, bob, entered, django_assert_num_queries
):
    client.force_login(bob)
    # 1 session, 2 user, 3 current strategy, 4 user's groups, 5 indicators, 6 actuals,
    # 7 year reviews
    with django_assert_num_queries(7):
        client.get("/")
