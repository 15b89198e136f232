"""The edit pages of a draft revision: pick an item, edit it, edit an addition again."""

import pytest

from revisions import services
from revisions.models import RevisionChange
from tests.revision_helpers import BASE, open_revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(strategy, dave):
    return open_revision(strategy, dave)


@pytest.fixture
def admin_client(client, dave):
    client.force_login(dave)
    return client


def test_a_change_page_first_asks_which_item(admin_client, draft):
    body = admin_client.get(f"{BASE}/2/changes/indicator-retire/").content.decode()
    assert '<option value="1-ア-1-2">1-ア-1-2 ' in body
    body = admin_client.get(f"{BASE}/2/changes/measure-field/?key=1-ア-1").content.decode()
    assert 'name="field"' in body and '<option value="description">内容</option>' in body
    body = admin_client.get(f"{BASE}/2/changes/indicator-retire/?key=9-X").content.decode()
    assert "指標「9-X」が見つかりません。" in body
    assert admin_client.get(f"{BASE}/2/changes/no-such-op/").status_code == 404


def test_a_text_item_is_changed_with_its_old_value(admin_client, draft):
    url = f"{BASE}/2/changes/measure-field/?key=1-ア-1&field=title"
    page = admin_client.get(url).content.decode()
    assert "現在（公開中）の値" in page
    started = page.split('name="started_from" value="')[1].split('"')[0].replace("&quot;", '"')
    r = admin_client.post(
        url,
        {
            "key": "1-ア-1",
            "field": "title",
            "value": "水産業の振興",
            "version": 0,
            "started_from": started,
        },
    )
    assert r.status_code == 302
    change = RevisionChange.objects.get(revision=draft)
    assert (change.kind, change.field, change.new_value) == ("measure", "title", "水産業の振興")
    assert change.old_value.startswith("農林漁業の持続的な発展")  # the published title


def test_an_unchanged_value_is_not_a_change(admin_client, draft):
    from kpis.models import Measure

    title = Measure.objects.get(policy__basic_goal__number=1, policy__symbol="ア", number=1).title
    r = admin_client.post(
        f"{BASE}/2/changes/measure-field/?key=1-ア-1&field=title",
        {"key": "1-ア-1", "field": "title", "value": title, "version": 0},
    )
    assert "変更がありません。" in r.content.decode()


def test_retiring_through_the_page(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/indicator-retire/?key=1-ア-1-2",
        {"key": "1-ア-1-2", "retired_from_year": 2023, "version": 0},
    )
    assert r.status_code == 302
    change = RevisionChange.objects.get(revision=draft)
    assert (change.action, change.effective_from_year) == ("retire", 2023)
    body = admin_client.get(f"{BASE}/2/").content.decode()
    assert "2023年度から廃止" in body


def test_an_addition_is_edited_with_its_code_locked(admin_client, draft, dave):
    services.save_change(
        revision=draft,
        user=dave,
        kind="project",
        action="add",
        new_value={
            "name": "新事業",
            "measure": "1-ア-1",
            "description": "はじめの内容",
            "partners": "",
            "is_priority": False,
            "introduced_from_year": 2023,
        },
    )
    url = f"{BASE}/2/changes/project-add/?key=新事業"
    page = admin_client.get(url).content.decode()
    assert "はじめの内容" in page and 'name="name"' in page and "disabled" in page
    r = admin_client.post(
        url,
        {
            "key": "新事業",
            "name": "別の名前",
            "measure": "1-ア-1",
            "description": "直した内容",
            "introduced_from_year": 2023,
            "version": 1,
        },
    )
    assert r.status_code == 302
    (change,) = RevisionChange.objects.filter(revision=draft)
    assert (change.object_key, change.new_value["description"], change.version) == (
        "新事業",
        "直した内容",
        2,
    )
