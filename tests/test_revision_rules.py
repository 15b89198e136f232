"""Edits are validated, on the form and again when publishing, with Japanese messages:
a target equal to its baseline, a target year outside the strategy period, a measure without a
policy, a relisting of a project that does not exist, and the other rules of revisions/rules.py."""

import json

import pytest

from kpis.models import Indicator
from projects.models import Project
from revisions import services
from revisions.models import RevisionChange
from tests.revision_helpers import (
    BASE,
    CODE,
    open_revision,
    publish_through_the_page,
    target_change,
)

pytestmark = pytest.mark.django_db

PUBLISHED = {
    "baseline_value": "23854",
    "baseline_kind": "implied",
    "target_value": "27700",
    "target_fiscal_year": 2024,
}


@pytest.fixture
def draft(strategy, dave):
    return open_revision(strategy, dave)


@pytest.fixture
def admin_client(client, dave):
    client.force_login(dave)
    return client


def post_target(
    client,
    code=CODE,
    *,
    target="30000",
    baseline="23854",
    target_year=2024,
    year=2023,
    started=PUBLISHED,
    version=0,
):
    return client.post(
        f"{BASE}/2/changes/indicator-target/?key={code}",
        {
            "key": code,
            "target_value": target,
            "baseline_value": baseline,
            "target_fiscal_year": target_year,
            "effective_from_year": year,
            "version": version,
            "started_from": json.dumps(started, ensure_ascii=False),
        },
    )


def errors(response):
    return response.content.decode()


def test_a_valid_target_change_is_saved_in_the_draft_only(admin_client, draft):
    r = post_target(admin_client, target="３０，０００")  # typed as the document prints it
    assert r.status_code == 302
    change = RevisionChange.objects.get(revision=draft)
    assert change.new_value["target_value"] == "30000" and change.effective_from_year == 2023
    assert change.old_value == PUBLISHED
    assert Indicator.objects.get(code=CODE).target_value == 27700  # nothing live yet


def test_it_refuses_a_target_equal_to_its_baseline(admin_client, draft):
    r = post_target(admin_client, target="23854")
    assert r.status_code == 200
    assert "目標値が基準値と同じです（水準維持の指標を除く）。" in errors(r)
    assert not RevisionChange.objects.exists()


def test_a_maintained_level_may_equal_its_baseline(admin_client, draft):
    # 2-N3 合計特殊出生率: 1.67（現状値）以上の水準維持
    started = {
        "baseline_value": "1.67",
        "baseline_kind": "stated",
        "target_value": "1.67",
        "target_fiscal_year": 2024,
    }
    r = post_target(admin_client, "2-N3", target="1.70", baseline="1.70", started=started)
    assert r.status_code == 302, errors(r)


def test_it_refuses_a_target_year_outside_the_period(admin_client, draft):
    r = post_target(admin_client, target_year=2026)
    assert "目標年度が計画期間（2021〜2024年度）の外です。" in errors(r)


def test_it_refuses_an_effective_year_outside_the_period(admin_client, draft):
    r = post_target(admin_client, year=2025)
    assert "適用開始年度が計画期間（2021〜2024年度）の外です。" in errors(r)


def test_it_refuses_a_change_before_a_later_target_row(strategy, dave, admin_client):
    from tests.revision_helpers import raise_target

    raise_target(strategy, dave)  # 第2版: from 2023
    open_revision(strategy, dave, title="第3版")
    started = PUBLISHED | {"target_value": "30000"}
    r = admin_client.post(
        f"{BASE}/3/changes/indicator-target/?key={CODE}",
        {
            "key": CODE,
            "target_value": "31000",
            "baseline_value": "23854",
            "target_fiscal_year": 2024,
            "effective_from_year": 2022,
            "version": 0,
            "started_from": json.dumps(started, ensure_ascii=False),
        },
    )
    assert (
        "2023年度から適用の目標値があります。適用開始年度は2023年度以降にしてください。"
        in errors(r)
    )


def test_it_refuses_a_typed_figure_it_cannot_read(admin_client, draft):
    r = post_target(admin_client, target="3万")
    assert "目標値：「3万」は" in errors(r)


def test_it_refuses_a_measure_without_a_policy(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/measure-add/",
        {"policy": "", "number": 6, "title": "新しい施策", "description": "", "version": 0},
    )
    assert r.status_code == 200
    assert "施策（①②③）には所属する具体的な施策（ア・イ・ウ）が必要です。" in errors(r)


def test_a_measure_with_its_policy_is_accepted(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/measure-add/",
        {"policy": "1-ア", "number": 6, "title": "新しい施策", "description": "", "version": 0},
    )
    assert r.status_code == 302
    assert RevisionChange.objects.get(revision=draft).object_key == "1-ア-6"


def test_it_refuses_a_relisting_of_a_project_that_does_not_exist(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/listing-add/",
        {"project": "存在しない事業", "measure": "2-ア-1", "description": "", "version": 0},
    )
    assert r.status_code == 200
    assert "再掲する事業「存在しない事業」が存在しません。" in errors(r)


def test_a_relisting_of_an_existing_project_is_accepted(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/listing-add/",
        {
            "project": "水産資源増大創造支援事業",
            "measure": "2-ア-1",
            "description": "",
            "version": 0,
        },
    )
    assert r.status_code == 302
    change = RevisionChange.objects.get(revision=draft)
    assert change.object_key == "水産資源増大創造支援事業@2-ア-1"
    assert change.new_value["description"] == "将来的な水産資源増大に向けた取組みへの助成"


def test_it_refuses_a_listing_that_is_already_there(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/listing-add/",
        {
            "project": "水産資源増大創造支援事業",
            "measure": "1-ア-1",
            "description": "",
            "version": 0,
        },
    )
    assert "すでに施策「1-ア-1」に掲載されています" in errors(r)


def test_it_refuses_an_indicator_code_that_exists_and_a_kpi_without_a_measure(admin_client, draft):
    r = admin_client.post(
        f"{BASE}/2/changes/indicator-add/",
        {
            "level": "kpi",
            "goal": "1",
            "measure": "",
            "code": CODE,
            "name": "新しい指標",
            "unit": "t",
            "baseline_value": "",
            "target_value": "100",
            "target_fiscal_year": 2024,
            "direction": "increase",
            "aggregation": "level",
            "introduced_from_year": 2023,
            "version": 0,
        },
    )
    body = errors(r)
    assert f"コード「{CODE}」の指標はすでにあります。" in body
    assert "KPIには施策（①②③）を指定してください。" in body


def test_publishing_checks_every_change_again(strategy, dave, draft):
    services.save_change(
        revision=draft,
        user=dave,
        kind="listing",
        action="add",
        new_value={
            "project": "水産資源増大創造支援事業",
            "measure": "2-ア-1",
            "description": "再掲",
        },
    )
    Project.objects.filter(name="水産資源増大創造支援事業").update(name="改名された事業")
    with pytest.raises(services.RevisionError) as e:
        services.publish_revision(revision=draft, user=dave)
    assert "再掲する事業「水産資源増大創造支援事業」が存在しません。" in e.value.message
    draft.refresh_from_db()
    assert draft.is_draft


def test_publishing_refuses_a_change_whose_starting_value_moved(strategy, dave, draft):
    target_change(draft, dave)
    Indicator.objects.filter(code=CODE).update(target_value=28000)  # e.g. edited in the admin
    with pytest.raises(services.RevisionError) as e:
        services.publish_revision(revision=draft, user=dave)
    assert "この変更を作成した後に別の改訂などで変更されています" in e.value.message
    assert "目標値 28,000" in e.value.message


def test_the_draft_page_lists_what_would_stop_publishing(strategy, dave, draft, admin_client):
    target_change(draft, dave)
    Indicator.objects.filter(code=CODE).update(target_value=28000)
    body = admin_client.get(f"{BASE}/2/").content.decode()
    assert "公開できない理由（1件）" in body
    r = publish_through_the_page(admin_client, 2, follow=True)
    assert "別の改訂などで変更されています" in r.content.decode()


def test_only_one_draft_at_a_time(strategy, dave, draft):
    with pytest.raises(services.RevisionError, match="作成中の改訂（第2版"):
        open_revision(strategy, dave, title="もう一つ")


def test_an_empty_revision_cannot_be_published(strategy, dave, draft):
    with pytest.raises(services.RevisionError, match="変更内容がありません"):
        services.publish_revision(revision=draft, user=dave)
