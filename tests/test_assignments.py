import pytest

from kpis.models import Indicator

pytestmark = pytest.mark.django_db
URL = "/strategies/nemuro-2/assignments/"


@pytest.mark.parametrize("user", ["alice", "charlie"])
def test_it_is_for_the_secretariat_only(client, user, strategy, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_it_redirects_anonymous_users(client, strategy):
    assert client.get(URL)["Location"].startswith("/login/")


def test_it_assigns_departments_and_records_history(client, bob, strategy, fisheries):
    ind = Indicator.objects.get(code="1-ア-1-1")
    client.force_login(bob)
    assert ind.name in client.get(URL).content.decode()
    client.post(URL, {f"department-{ind.pk}": fisheries.pk, f"was-{ind.pk}": ""})
    ind.refresh_from_db()
    assert ind.department == fisheries
    last = ind.history.first()
    assert last.history_change_reason == "担当課の割当"
    assert last.history_user == bob
    # unassigning
    client.post(URL, {f"department-{ind.pk}": "", f"was-{ind.pk}": fisheries.pk})
    ind.refresh_from_db()
    assert ind.department is None


def _page_form(client):
    """Every field the assignment page sends (the selects with their selected option)."""
    import re

    body = client.get(URL).content.decode()
    data = dict(re.findall(r'name="(was-\d+)" value="(\d*)"', body))
    for pk, was in [(k[4:], v) for k, v in data.copy().items()]:
        data[f"department-{pk}"] = was
    return data


def test_a_post_with_a_single_field_changes_only_that_indicator(client, bob, strategy, fisheries):
    """issue 14: a POST naming one indicator unassigned the 46 others."""
    Indicator.objects.for_strategy(strategy).update(department=fisheries)
    ind = Indicator.objects.get(code="1-ア-1-1")
    client.force_login(bob)
    client.post(URL, {f"department-{ind.pk}": "", f"was-{ind.pk}": fisheries.pk})
    assigned = Indicator.objects.for_strategy(strategy).filter(department=fisheries).count()
    assert assigned == Indicator.objects.for_strategy(strategy).count() - 1


def test_two_members_saving_the_page_do_not_overwrite_each_other(
    client, bob, dave, strategy, fisheries, tourism
):
    """issue 14: the second save put back every row the first had changed."""
    a, b = (Indicator.objects.get(code=c) for c in ("1-ア-1-1", "1-ア-1-2"))
    client.force_login(bob)
    bobs = _page_form(client)
    client.force_login(dave)
    daves = _page_form(client)
    client.force_login(bob)
    client.post(URL, bobs | {f"department-{a.pk}": fisheries.pk})
    client.force_login(dave)
    r = client.post(URL, daves | {f"department-{b.pk}": tourism.pk}, follow=True)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.department, b.department) == (fisheries, tourism)
    # dave's page still showed a unassigned: his form did not change a, so a is kept
    assert "別の利用者が変更したため" not in r.content.decode()


def test_a_row_changed_since_the_page_was_opened_is_not_overwritten(
    client, bob, dave, strategy, fisheries, tourism
):
    a = Indicator.objects.get(code="1-ア-1-1")
    client.force_login(dave)
    daves = _page_form(client)
    Indicator.objects.filter(pk=a.pk).update(department=fisheries)  # bob, meanwhile
    r = client.post(URL, daves | {f"department-{a.pk}": tourism.pk}, follow=True)
    a.refresh_from_db()
    assert a.department == fisheries
    assert "別の利用者が変更したため更新していません" in r.content.decode()
