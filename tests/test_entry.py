"""The department entry page: parse, validate, save draft, submit, optimistic locking."""

from decimal import Decimal

import pytest

from kpis.models import Actual, Indicator, WorkflowEvent, YearReview

pytestmark = pytest.mark.django_db
FISHERIES_CODES = ["1-ア-1-1", "1-ア-1-2", "1-ア-1-3", "1-ア-1-4"]


@pytest.fixture
def assigned(strategy, fisheries):
    Indicator.objects.filter(code__in=FISHERIES_CODES).update(department=fisheries)
    return {i.code: i for i in Indicator.objects.filter(code__in=FISHERIES_CODES)}


def url(department, year=2021):
    return f"/strategies/nemuro-2/entry/{year}/{department.pk}/"


def form_data(indicator, action="save", version=0, **fields):
    p = f"i{indicator.pk}-"
    data = {"action": action, f"{p}version": str(version)}
    for k, v in fields.items():
        data[p + k] = v if not isinstance(v, bool) else ("on" if v else "")
    return data


def test_it_redirects_anonymous_users(client, assigned, fisheries):
    assert client.get(url(fisheries))["Location"].startswith("/login/")


def test_it_shows_the_departments_indicators(client, alice, assigned, fisheries):
    client.force_login(alice)
    body = client.get(url(fisheries)).content.decode()
    for ind in assigned.values():
        assert ind.name in body
    assert "23,854" in body  # baseline
    # interim target FY2021: 23,854 + (27,700 − 23,854) / 4 = 24,815.5, shown at the
    # indicator's precision (whole tonnes)
    assert "24,816t" in body


@pytest.mark.parametrize("user", ["mallory", "charlie"])
def test_it_refuses_other_departments_and_the_council(client, user, assigned, fisheries, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url(fisheries)).status_code == 403
    ind = assigned["1-ア-1-1"]
    assert client.post(url(fisheries), form_data(ind, value="1")).status_code == 403
    assert not Actual.objects.exists()


@pytest.mark.parametrize("user", ["bob", "dave"])
def test_secretariat_and_admin_may_enter_for_any_department(
    client, user, assigned, fisheries, request
):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url(fisheries)).status_code == 200


def test_it_parses_full_width_digits_and_saves_a_draft(client, alice, assigned, fisheries):
    client.force_login(alice)
    ind = assigned["1-ア-1-1"]
    r = client.post(
        url(fisheries),
        form_data(ind, value="２５，１００ｔ", data_source="北海道水産現勢", note="ホタテが好調"),
    )
    assert r.status_code == 302
    actual = Actual.objects.get(indicator=ind, fiscal_year=2021)
    assert actual.value == Decimal("25100")
    assert actual.status == "draft"
    assert actual.updated_by == alice
    assert actual.history.count() == 1
    assert WorkflowEvent.objects.filter(actual=actual, action="save", actor=alice).exists()


def test_it_rejects_text_with_a_japanese_message_and_saves_nothing(
    client, alice, assigned, fisheries
):
    client.force_login(alice)
    data = form_data(assigned["1-ア-1-1"], value="27700")
    data.update(form_data(assigned["1-ア-1-2"], value="たくさん"))
    r = client.post(url(fisheries), data)
    assert r.status_code == 200
    body = r.content.decode()
    assert "「新規農林業就業者数」の実績値" in body
    assert "数値として読み取れません" in body
    assert not Actual.objects.exists()  # the valid row was not saved either


def test_it_rejects_a_negative_count(client, alice, assigned, fisheries):
    client.force_login(alice)
    r = client.post(url(fisheries), form_data(assigned["1-ア-1-2"], value="▲3"))
    assert "0以上の値を入力してください" in r.content.decode()
    assert not Actual.objects.exists()


def test_not_measurable_needs_a_reason(client, alice, assigned, fisheries):
    client.force_login(alice)
    ind = assigned["1-ア-1-4"]
    r = client.post(url(fisheries), form_data(ind, not_measurable=True))
    assert "測定不能の理由を入力してください" in r.content.decode()
    client.post(
        url(fisheries),
        form_data(ind, not_measurable=True, not_measurable_reason="入国制限で受入なし"),
    )
    actual = Actual.objects.get(indicator=ind)
    assert actual.not_measurable and actual.value is None


def test_submitting_requires_a_value(client, alice, assigned, fisheries):
    client.force_login(alice)
    r = client.post(
        url(fisheries), form_data(assigned["1-ア-1-1"], action="submit", note="メモだけ")
    )
    assert "提出するには値を入力するか" in r.content.decode()
    assert not Actual.objects.exists()


def test_it_submits_drafts(client, alice, assigned, fisheries):
    client.force_login(alice)
    ind = assigned["1-ア-1-1"]
    client.post(url(fisheries), form_data(ind, value="25100"))
    actual = Actual.objects.get()
    client.post(
        url(fisheries), form_data(ind, action="submit", version=actual.version, value="25100")
    )
    actual.refresh_from_db()
    assert actual.status == "submitted"
    assert actual.submitted_by == alice and actual.submitted_at is not None


def test_a_large_change_needs_confirmation_and_a_note(client, alice, assigned, fisheries):
    ind = assigned["1-ア-1-1"]
    Actual.objects.create(indicator=ind, fiscal_year=2021, value=25000, status="confirmed")
    client.force_login(alice)
    r = client.post(url(fisheries, 2022), form_data(ind, value="40000"))
    body = r.content.decode()
    assert "50%を超えて変化しています" in body
    assert "大きく変化した理由" in body
    assert not Actual.objects.filter(fiscal_year=2022).exists()
    client.post(
        url(fisheries, 2022),
        form_data(ind, value="40000", confirm_outlier=True, note="大型定置網の新設"),
    )
    assert Actual.objects.get(fiscal_year=2022).outlier_confirmed


def test_the_second_of_two_editors_is_refused_with_the_other_value(
    client, alice, bob, assigned, fisheries
):
    ind = assigned["1-ア-1-1"]
    client.force_login(alice)
    client.post(url(fisheries), form_data(ind, value="25000"))
    seen_version = Actual.objects.get().version
    # bob saves from a page he opened at the same version
    client.force_login(bob)
    client.post(url(fisheries), form_data(ind, version=seen_version, value="26000"))
    # alice saves from her stale page
    client.force_login(alice)
    r = client.post(
        url(fisheries), form_data(ind, version=seen_version, value="25500"), follow=True
    )
    body = r.content.decode()
    assert "画面を開いた後に" in body and "26,000" in body
    assert Actual.objects.get().value == Decimal("26000")


def test_a_clerk_cannot_change_a_confirmed_value(client, alice, assigned, fisheries):
    ind = assigned["1-ア-1-1"]
    a = Actual.objects.create(indicator=ind, fiscal_year=2021, value=25000, status="confirmed")
    client.force_login(alice)
    body = client.get(url(fisheries)).content.decode()
    # Read-only before saving, with the reason on the row (not refused only after saving).
    assert "事務局が確認済みのため変更できません" in body
    assert f'name="i{ind.pk}-value" value="25000" maxlength="40" disabled' in body
    assert "提出する</button>" in body  # the other rows are still open
    for other in assigned.values():
        if other != ind:
            Actual.objects.create(indicator=other, fiscal_year=2021, value=1, status="confirmed")
    body = client.get(url(fisheries)).content.decode()
    assert "提出する</button>" not in body  # nothing left to save: no buttons
    r = client.post(url(fisheries), form_data(ind, version=a.version, value="1"), follow=True)
    a.refresh_from_db()
    assert a.value == 25000
    assert "何も保存していません" in r.content.decode()


def test_a_locked_year_is_read_only(client, alice, bob, assigned, fisheries, strategy):
    YearReview.objects.create(strategy=strategy, fiscal_year=2021, is_locked=True, locked_by=bob)
    client.force_login(alice)
    body = client.get(url(fisheries)).content.decode()
    assert "ロックされています" in body
    client.post(url(fisheries), form_data(assigned["1-ア-1-1"], value="1"))
    assert not Actual.objects.exists()


def test_a_year_outside_the_strategy_is_404(client, alice, assigned, fisheries):
    client.force_login(alice)
    assert client.get(url(fisheries, 2030)).status_code == 404


def test_it_reads_the_page_in_a_fixed_number_of_queries(
    client, alice, assigned, fisheries, django_assert_num_queries
):
    for year in (2021, 2022, 2023):
        for ind in assigned.values():
            Actual.objects.create(indicator=ind, fiscal_year=year, value=10, status="confirmed")
    client.force_login(alice)
    # 1 session, 2 user, 3 strategy, 4 department, 5 user's groups, 6 user's departments,
    # 7 year lock, 8 indicators (with tree), then kpis.evaluation.timelines: 9 actuals,
    # 10 interim overrides, 11 targets in force (revisions), 12 grade bands, 13 evaluation
    # settings; 14 evaluation settings again (the outlier threshold)
    # (since issue 14 the evaluation settings come with the strategy from kpis.access: no query)
    with django_assert_num_queries(12):
        r = client.get(url(fisheries, 2024))
    assert r.status_code == 200


def blank_rows(*indicators, action="save"):
    """What a browser posts for rows the clerk did not touch: every field, empty."""
    data = {"action": action}
    for ind in indicators:
        p = f"i{ind.pk}-"
        data |= {p + "version": "0", p + "value": "", p + "note": "", p + "data_source": ""}
    return data


def test_a_typo_marks_only_the_row_that_was_typed_in(client, alice, assigned, fisheries):
    client.force_login(alice)
    typo = assigned["1-ア-1-2"]
    others = [i for c, i in assigned.items() if c != "1-ア-1-2"]
    data = blank_rows(*others, action="submit") | form_data(typo, action="submit", value="3人s")
    body = client.post(url(fisheries), data).content.decode()
    assert body.count('role="alert">「') == 1  # the one typo, nothing on the untouched rows
    assert "提出するには値を入力するか" not in body
    assert not Actual.objects.exists()


def test_submitting_nothing_is_a_warning_not_a_success(client, alice, assigned, fisheries):
    client.force_login(alice)
    r = client.post(url(fisheries), blank_rows(*assigned.values(), action="submit"), follow=True)
    body = r.content.decode()
    assert "提出する実績値はありません" in body
    assert "0件" not in body
    assert [m.level_tag for m in r.context["messages"]] == ["warning"]
    assert not Actual.objects.exists()


def test_the_first_year_is_checked_against_the_baseline(client, alice, assigned, fisheries):
    client.force_login(alice)
    ind = assigned["1-ア-1-1"]  # baseline 23,854 t, no FY2020 value
    body = client.post(url(fisheries), form_data(ind, value="251,000")).content.decode()
    assert "251,000tは基準値（23,854t）から50%を超えて変化しています" in body
    assert not Actual.objects.exists()


def test_a_small_count_moves_without_a_reason(client, alice, assigned, fisheries):
    ind = assigned["1-ア-1-3"]
    Actual.objects.create(indicator=ind, fiscal_year=2021, value=9, status="confirmed")
    client.force_login(alice)
    r = client.post(url(fisheries, 2022), form_data(ind, value="4"))
    assert r.status_code == 302
    assert Actual.objects.get(fiscal_year=2022).value == 4


def test_a_rate_of_change_may_be_negative(client, alice, assigned, fisheries, strategy):
    ind = Indicator.objects.get(code="2-N1")  # 人口減少率: allow_negative in the fixture
    ind.department = fisheries
    ind.save()
    client.force_login(alice)
    r = client.post(
        url(fisheries),
        form_data(ind, value="▲0.5", confirm_outlier=True, note="転入超過"),
    )
    assert r.status_code == 302
    assert Actual.objects.get(indicator=ind).value == Decimal("-0.5")


def test_last_years_value_carries_its_unit_like_the_targets_beside_it(
    client, alice, assigned, fisheries
):
    Actual.objects.create(
        indicator=assigned["1-ア-1-1"],
        fiscal_year=2021,
        value=Decimal("24331.08"),
        status="confirmed",
    )
    client.force_login(alice)
    body = client.get(url(fisheries, 2022)).content.decode()
    assert "<dt>2021年度実績</dt><dd>24,331.08t</dd>" in body
