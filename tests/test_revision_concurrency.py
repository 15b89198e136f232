"""Two administrators editing the same item cannot silently overwrite each other; every edit is in
the audit trail (who, when, which revision); a mistaken edit can be undone — in a draft with
「元に戻す」, after publishing from the Django admin's history (django-simple-history revert)."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from kpis import roles
from kpis.models import Indicator
from revisions.models import RevisionChange
from tests.revision_helpers import BASE, CODE, indicator, open_revision, raise_target, target_change

pytestmark = pytest.mark.django_db
PUBLISHED = {
    "baseline_value": "23854",
    "baseline_kind": "implied",
    "target_value": "27700",
    "target_fiscal_year": 2024,
}
FORM = f"{BASE}/2/changes/indicator-target/?key={CODE}"


@pytest.fixture
def erin(db):
    """A second 管理者."""
    user = User.objects.create_user(
        "erin", password="password", last_name="管理 恵理", is_staff=True
    )
    user.groups.add(Group.objects.get_or_create(name=roles.ADMINISTRATOR)[0])
    return user


@pytest.fixture
def draft(strategy, dave):
    return open_revision(strategy, dave)


def post(client, target, version, started=PUBLISHED):
    return client.post(
        FORM,
        {
            "key": CODE,
            "target_value": target,
            "baseline_value": "23854",
            "target_fiscal_year": 2024,
            "effective_from_year": 2023,
            "version": version,
            "started_from": json.dumps(started, ensure_ascii=False),
        },
    )


def test_the_second_save_of_the_same_item_is_refused_with_the_first_value(
    client, draft, dave, erin
):
    client.force_login(erin)
    assert post(client, "31000", version=0).status_code == 302
    client.force_login(dave)  # dave opened the form before erin saved: version 0
    r = post(client, "30000", version=0)
    assert r.status_code == 200
    body = r.content.decode()
    assert (
        "「沿岸漁業における生産量」の目標値・基準値は、画面を開いた後に管理 恵理さんが変更しました"
        in body
    )
    assert "現在の値：目標値 31,000、目標年度 2024年度、基準値 23,854" in body
    assert RevisionChange.objects.get(revision=draft).new_value["target_value"] == "31000"


def test_editing_from_the_current_version_updates_the_change(client, draft, dave, erin):
    target_change(draft, erin, target="31000")
    client.force_login(dave)
    page = client.get(FORM).content.decode()
    assert 'name="version" value="1"' in page and 'value="31000"' in page
    assert post(client, "30000", version=1).status_code == 302
    change = RevisionChange.objects.get(revision=draft)
    assert (change.new_value["target_value"], change.version, change.author) == ("30000", 2, dave)


def test_a_published_value_that_moved_since_the_form_opened_is_refused(client, draft, dave):
    client.force_login(dave)
    Indicator.objects.filter(code=CODE).update(target_value=28000)
    body = post(client, "30000", version=0).content.decode()
    assert "画面を開いた後に変更されています（現在の値：目標値 28,000" in body
    assert not RevisionChange.objects.exists()


def test_every_edit_is_recorded_with_who_and_which_revision(client, draft, dave, erin):
    client.force_login(erin)
    post(client, "31000", version=0)
    client.force_login(dave)
    post(client, "30000", version=1)
    history = RevisionChange.history.filter(revision_id=draft.pk).order_by("history_date")
    assert [(h.history_type, h.history_user, h.new_value["target_value"]) for h in history] == [
        ("+", erin, "31000"),
        ("~", dave, "30000"),
    ]
    body = client.get(f"{BASE}/2/").content.decode()
    assert "編集の記録（2件）" in body


def test_undo_drops_a_draft_change_and_records_who(client, draft, dave):
    change = target_change(draft, dave)
    client.force_login(dave)
    r = client.post(f"{BASE}/2/changes/{change.pk}/undo/", {"version": change.version}, follow=True)
    assert "変更を元に戻しました。" in r.content.decode()
    assert not RevisionChange.objects.filter(pk=change.pk).exists()
    deleted = RevisionChange.history.filter(id=change.pk, history_type="-").get()
    assert deleted.history_user == dave
    r = client.post(f"{BASE}/2/changes/{change.pk}/undo/", {"version": change.version})
    assert r.status_code == 404  # already gone


def test_undo_of_a_change_edited_meanwhile_is_refused(client, draft, dave, erin):
    change = target_change(draft, dave)
    target_change(draft, erin, target="31000", version=1)  # erin edits it: now version 2
    client.force_login(dave)
    r = client.post(f"{BASE}/2/changes/{change.pk}/undo/", {"version": 1}, follow=True)
    assert "画面を開いた後に管理 恵理さんが変更しました" in r.content.decode()
    assert RevisionChange.objects.filter(pk=change.pk).exists()


def test_the_revision_title_cannot_be_overwritten_silently(client, draft, dave, erin):
    client.force_login(erin)
    data = {
        "title": "恵理の件名",
        "reason": "",
        "decided_by": "council",
        "decided_on": "",
        "version": 1,
    }
    assert client.post(f"{BASE}/2/edit/", data).status_code == 302
    client.force_login(dave)
    r = client.post(f"{BASE}/2/edit/", data | {"title": "デイブの件名"}, follow=True)
    assert "他の管理者が変更しました（現在の件名：恵理の件名）" in r.content.decode()
    draft.refresh_from_db()
    assert draft.title == "恵理の件名"


def test_the_admin_reverts_a_published_edit_from_the_history(client, strategy, dave):
    raise_target(strategy, dave)
    ind = indicator()
    before_revision = ind.history.filter(target_value=Decimal("27700")).latest()
    count = ind.history.count()
    client.force_login(dave)
    url = f"/admin/kpis/indicator/{ind.pk}/history/{before_revision.history_id}/"
    assert client.get(url).status_code == 200
    fields = [
        "basic_goal",
        "measure",
        "level",
        "code",
        "order",
        "name",
        "unit",
        "baseline_value",
        "baseline_fiscal_year",
        "baseline_kind",
        "target_value",
        "target_fiscal_year",
        "change_value",
        "change_unit",
        "direction",
        "aggregation",
        "decimals",
        "department",
        "source_line",
        "reading_note",
    ]
    data = {}
    for name in fields:
        field = Indicator._meta.get_field(name)
        value = getattr(before_revision, field.attname)
        data[name] = "" if value is None else str(value)
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    ind.refresh_from_db()
    assert ind.target_value == Decimal("27700")
    assert ind.history.count() == count + 1
    latest = ind.history.latest()
    assert (latest.history_user, latest.target_value) == (dave, Decimal("27700"))
