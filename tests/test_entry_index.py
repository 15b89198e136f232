import pytest

from kpis.models import Indicator

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/entry/"


@pytest.fixture
def assigned(strategy, fisheries, tourism):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    Indicator.objects.filter(code__startswith="1-イ-1-").update(department=tourism)


def test_it_redirects_anonymous_users(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


def test_the_council_cannot_enter_values(client, charlie, assigned):
    client.force_login(charlie)
    assert client.get(URL).status_code == 403


def test_a_clerk_sees_only_his_departments(client, alice, assigned):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "水産振興課" in body
    assert "観光振興課" not in body


def test_the_secretariat_sees_every_department(client, bob, assigned):
    client.force_login(bob)
    body = client.get(URL).content.decode()
    assert "水産振興課" in body and "観光振興課" in body


def test_each_year_shows_its_status_counts_and_deadline(client, alice, bob, assigned, strategy):
    from kpis import services
    from kpis.models import Actual, YearReview

    inds = list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))
    Actual.objects.create(indicator=inds[0], fiscal_year=2022, value=1, status="confirmed")
    sent = Actual.objects.create(indicator=inds[1], fiscal_year=2022, value=1, status="submitted")
    services.return_actual(actual=sent, user=bob, reason="確認してください")
    YearReview.objects.create(strategy=strategy, fiscal_year=2022, entry_deadline="2023-05-31")
    client.force_login(alice)
    r = client.get(URL)
    (department,) = r.context["departments"]
    years = {yc.fiscal_year: yc for yc in department.years}
    assert dict(years[2021].counts) == {"missing": 4}
    assert (years[2022].counts["missing"], years[2022].counts["returned"]) == (2, 1)
    assert years[2022].counts["confirmed"] == 1
    html = r.content.decode()
    assert '<span class="status status-returned">差戻し 1</span>' in html
    assert "期限 2023/05/31" in html


def test_it_reads_in_a_fixed_number_of_queries(client, alice, assigned, django_assert_num_queries):
    client.force_login(alice)
    # 1 session, 2 user, 3 strategy, 4 user's groups, 5 departments with indicators,
    # 6 user's departments, 7 their indicators, 8 actuals, 9 year reviews
    with django_assert_num_queries(9):
        client.get(URL)
