import pytest

from kpis.models import Actual, Indicator

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/status/2021/"


@pytest.fixture
def entered(strategy, fisheries, alice):
    Indicator.objects.filter(code__startswith="1-ア-1-").update(department=fisheries)
    inds = list(Indicator.objects.filter(code__startswith="1-ア-1-").order_by("code"))
    Actual.objects.create(
        indicator=inds[0], fiscal_year=2021, value=25000, status="submitted", submitted_by=alice
    )
    Actual.objects.create(indicator=inds[1], fiscal_year=2021, value=3, status="draft")
    Actual.objects.create(indicator=inds[2], fiscal_year=2021, value=9, status="confirmed")
    return inds


def test_it_redirects_anonymous_users(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "charlie", "mallory"])
def test_it_is_for_the_secretariat_only(client, user, strategy, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403


def test_it_counts_each_departments_indicators_by_status(client, bob, entered):
    client.force_login(bob)
    r = client.get(URL)
    counts = dict(r.context["counts"])
    fisheries = counts[("水産振興課", entered[0].department_id)]
    assert (
        fisheries["total"],
        fisheries["missing"],
        fisheries["draft"],
        fisheries["submitted"],
        fisheries["confirmed"],
    ) == (4, 1, 1, 1, 1)
    assert counts[("未割当", None)]["total"] == 47 - 4
    assert "沿岸漁業における生産量" in r.content.decode()  # waiting for confirmation


def test_the_index_opens_on_the_year_with_values_waiting(client, bob, entered):
    """FY2021 has a submitted value waiting, FY2023 only a draft: /status/ opens on FY2021."""
    Actual.objects.create(indicator=entered[3], fiscal_year=2023, value=1)
    client.force_login(bob)
    assert (
        client.get("/strategies/nemuro-2/status/")["Location"]
        == "/strategies/nemuro-2/status/2021/"
    )


def test_the_index_goes_to_the_latest_year_with_actuals_when_nothing_waits(client, bob, entered):
    Actual.objects.filter(status="submitted").update(status="confirmed")
    Actual.objects.create(indicator=entered[3], fiscal_year=2023, value=1)
    client.force_login(bob)
    assert (
        client.get("/strategies/nemuro-2/status/")["Location"]
        == "/strategies/nemuro-2/status/2023/"
    )


def test_a_locked_year_with_submitted_values_is_not_the_one_opened(client, bob, entered, strategy):
    from kpis.models import YearReview

    YearReview.objects.create(strategy=strategy, fiscal_year=2021, is_locked=True)
    Actual.objects.create(
        indicator=entered[3], fiscal_year=2022, value=1, status="submitted", submitted_by=bob
    )
    client.force_login(bob)
    assert client.get("/strategies/nemuro-2/status/")["Location"].endswith("/status/2022/")


def test_it_reads_in_a_fixed_number_of_queries(client, bob, entered, django_assert_num_queries):
    client.force_login(bob)
    # 1 session, 2 user, 3 user's groups, 4 strategy, 5 year review (lock and deadline),
    # 6 statuses, 7 indicators with departments, 8 submitted actuals; the read model for their
    # targets and last year (kpis.evaluation.timelines): 9 actuals, 10 interim overrides,
    # 11 targets in force, 12 grade bands, 13 settings; 14 events
    # (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
    with django_assert_num_queries(13):
        client.get(URL)


def test_the_confirm_queue_is_not_pre_ticked_and_shows_target_last_year_and_note(
    client, bob, entered
):
    Actual.objects.filter(indicator=entered[0], fiscal_year=2021).update(note="ホタテが好調。")
    Actual.objects.create(indicator=entered[0], fiscal_year=2020, value=24000, status="confirmed")
    client.force_login(bob)
    r = client.get(URL)
    html = r.content.decode()
    (row,) = r.context["queue"]
    assert row.previous.value == 24000
    assert row.year.interim is not None
    assert f'name="actual" value="{row.actual.pk}" id="confirm-{row.actual.pk}">' in html
    assert "checked" not in html.split('id="confirm-form"')[1].split("</form>")[0]
    assert "24,000t" in html and "ホタテが好調。" in html
    assert row.year.interim_text in html
    assert "最終 27,700t（2024年度）" in html


def test_without_last_years_value_the_queue_shows_the_baseline(client, bob, entered):
    client.force_login(bob)
    html = client.get(URL).content.decode()
    assert '<span class="muted">基準値</span> 23,854t' in html


def _missing_2023_on_every_page(client, alice, bob, fisheries):
    """未入力 of FY2023 as the status board, the clerk's home, the entry index, the secretariat's
    home and the lock page show it: (fisheries on 4 pages, the whole year on 3)."""
    client.force_login(bob)
    board = dict(client.get("/strategies/nemuro-2/status/2023/").context["counts"])
    secretariat = {yc.fiscal_year: yc for yc in client.get("/").context["home"].secretariat}
    gaps = client.get("/strategies/nemuro-2/status/2023/lock/").context["gaps"]
    client.force_login(alice)
    ((_, home_years),) = client.get("/").context["home"].clerk.departments
    (index,) = client.get("/strategies/nemuro-2/entry/").context["departments"]
    fisheries_counts = (
        board[("水産振興課", fisheries.pk)]["missing"],
        {yc.fiscal_year: yc for yc in home_years}[2023].counts["missing"],
        {yc.fiscal_year: yc for yc in index.years}[2023].counts["missing"],
        sum(1 for ind in gaps.missing if ind.department_id == fisheries.pk),
    )
    year_counts = (
        sum(c["missing"] for c in board.values()),
        secretariat[2023].counts["missing"],
        len(gaps.missing),
    )
    return fisheries_counts, year_counts, board[("水産振興課", fisheries.pk)]["total"]


def test_a_retired_indicator_is_not_missing_on_any_page(client, alice, bob, dave, entered):
    """1-ア-1-2 retired from FY2023 by 第2版: the status board counts it no more, like home, the
    entry index and the lock page (one rule: kpis.year_status.entry_state)."""
    from revisions import services as revision_services
    from tests.revision_helpers import open_revision

    fisheries = entered[0].department
    Actual.objects.create(indicator=entered[0], fiscal_year=2023, value=1, status="confirmed")
    before = _missing_2023_on_every_page(client, alice, bob, fisheries)
    assert before[0] == (3, 3, 3, 3)  # 4 indicators, 1 entered
    assert before[1][0] == before[1][1] == before[1][2]
    assert before[2] == 4
    revision = open_revision(entered[0].basic_goal.strategy, dave, title="指標の見直し")
    revision_services.save_change(
        revision=revision,
        user=dave,
        kind="indicator",
        action="retire",
        object_key=entered[1].code,
        effective_from_year=2023,
    )
    revision_services.publish_revision(revision=revision, user=dave)
    after = _missing_2023_on_every_page(client, alice, bob, fisheries)
    assert after[0] == (2, 2, 2, 2)
    assert after[1] == tuple(n - 1 for n in before[1])
    assert after[2] == 3  # the retired indicator is not one of the year's indicators either
    # FY2022 it was still in force: still counted there.
    client.force_login(bob)
    fy2022 = dict(client.get("/strategies/nemuro-2/status/2022/").context["counts"])
    assert fy2022[("水産振興課", fisheries.pk)]["total"] == 4


def test_the_queue_names_the_interim_target_as_the_entry_form_does(client, bob, entered):
    # The clerk's form says 「2021年度の中間目標」 and 「（累計）」 for a running total; the board
    # showed the same number as 「2021年度の目標」, and named the mail command in English.
    Actual.objects.filter(indicator=entered[1], fiscal_year=2021).update(
        status="submitted", value=3
    )
    Indicator.objects.filter(pk=entered[1].pk).update(aggregation="cumulative")
    client.force_login(bob)
    r = client.get(URL)
    html = r.content.decode()
    assert '<th scope="col" class="num">2021年度の中間目標</th>' in html
    cumulative = next(q for q in r.context["queue"] if q.actual.indicator_id == entered[1].pk)
    assert f"{cumulative.year.interim_text}（累計）<br>" in html
    assert "send_reminders" not in html
