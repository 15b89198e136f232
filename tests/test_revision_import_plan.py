"""A wanted state of the strategy (a snapshot, as an edited workbook reads) drafted as a revision:
revisions.desired.plan_changes and revisions.draft_import (the workbook and its pages are in
tests/test_revision_import.py). Real rows; each wanted state is take_snapshot's, edited."""

import copy

import pytest
from django.db import transaction

from revisions import services
from revisions.desired import plan_changes
from revisions.diff import ADDED, CHANGED, REMOVED
from revisions.draft_import import PreviewOutdated, draft_revision_from_snapshot, preview_import
from revisions.models import Revision, RevisionChange
from revisions.snapshot import take_snapshot, without_ids
from tests.revision_helpers import CODE, open_revision, publish_through_the_page, target_change

pytestmark = pytest.mark.django_db

PROJECT = "水産資源増大創造支援事業"  # listed under 1-ア-1
NEW_CODE = "1-ア-1-99"


def _item(snapshot, collection, key):
    return next(i for i in snapshot[collection] if i["key"] == key)


def three_changes(snapshot):
    """The issue's edit: 沿岸漁業の生産量 30,000t from FY2023, a KPI added, a project retired."""
    wanted = copy.deepcopy(snapshot)
    ind = _item(wanted, "indicators", CODE)
    ind["targets"].append(
        {
            "from": 2023,
            "baseline_value": "23854",
            "baseline_kind": "implied",
            "target_value": "30000",
            "target_fiscal_year": 2024,
            "revision": None,
        }
    )
    ind["target_value"] = "30000"
    wanted["indicators"].append(new_kpi())
    _item(wanted, "projects", PROJECT)["retired_from_year"] = 2023
    return wanted


def new_kpi():
    """What the indicator-add form makes of FORM_KPI below."""
    return {
        "id": None,
        "key": NEW_CODE,
        "goal": "1",
        "measure": "1-ア-1",
        "level": "kpi",
        "code": NEW_CODE,
        "order": 99,
        "name": "【テスト】ベニザケ養殖の出荷量",
        "unit": "t",
        "baseline_value": "10",
        "baseline_fiscal_year": None,
        "baseline_kind": "stated",
        "target_value": "25",
        "target_fiscal_year": 2024,
        "change_value": None,
        "change_unit": "",
        "direction": "increase",
        "aggregation": "level",
        "decimals": 0,
        "allow_negative": False,
        "source_line": "",
        "reading_note": "",
        "introduced_from_year": 2023,
        "retired_from_year": None,
        "lineage_key": "",
        "department": None,
        "targets": [
            {
                "from": 2023,
                "baseline_value": "10",
                "baseline_kind": "stated",
                "target_value": "25",
                "target_fiscal_year": 2024,
                "revision": None,
            }
        ],
    }


FORM_KPI = {
    "level": "kpi",
    "goal": "1",
    "measure": "1-ア-1",
    "code": NEW_CODE,
    "name": "【テスト】ベニザケ養殖の出荷量",
    "unit": "t",
    "baseline_value": "10",
    "target_value": "25",
    "target_fiscal_year": 2024,
    "direction": "increase",
    "aggregation": "level",
    "introduced_from_year": 2023,
    "version": 0,
}


def test_an_unchanged_state_plans_nothing_and_drafts_nothing(strategy, dave):
    snapshot = take_snapshot(strategy)
    plan = plan_changes(snapshot, copy.deepcopy(snapshot))
    assert plan.empty and plan.ok
    assert (
        draft_revision_from_snapshot(strategy=strategy, snapshot=snapshot, user=dave, title="x")
        is None
    )
    assert Revision.objects.filter(strategy=strategy).count() == 1


def test_the_three_edits_plan_exactly_three_changes_as_the_forms_record_them(strategy):
    snapshot = take_snapshot(strategy)
    plan = plan_changes(snapshot, three_changes(snapshot))
    assert plan.refusals == []
    got = [(c.kind, c.action, c.object_key, c.field, c.effective_from_year) for c in plan.changes]
    assert got == [
        ("indicator", "add", NEW_CODE, "", None),
        ("indicator", "change", CODE, "target", 2023),
        ("project", "retire", PROJECT, "", 2023),
    ]
    target = plan.changes[1]
    assert target.old_value == {
        "baseline_value": "23854",
        "baseline_kind": "implied",
        "target_value": "27700",
        "target_fiscal_year": 2024,
    }
    assert target.new_value["target_value"] == "30000"
    assert plan.changes[2].new_value == {"retired_from_year": 2023}


def test_the_preview_is_the_revision_comparison_of_those_three(strategy):
    preview = preview_import(strategy, three_changes(take_snapshot(strategy)))
    assert preview.can_import
    items = preview.comparison.items
    assert [(i.goal, i.kind, i.action, i.key) for i in items] == [
        ("1", "indicator", ADDED, NEW_CODE),
        ("1", "project", REMOVED, PROJECT),
        ("1", "indicator", CHANGED, CODE),
    ]
    changed = items[2]
    assert (changed.field, changed.old, changed.new, changed.from_year) == (
        "目標値",
        "27,700",
        "30,000",
        2023,
    )


class _Undo(Exception):
    pass


def published_state(strategy, make):
    """The snapshot `make` publishes, rolled back afterwards (both ways start from 第1版)."""
    try:
        with transaction.atomic():
            make()
            state = without_ids(take_snapshot(strategy))
            raise _Undo
    except _Undo:
        return state


def three_changes_by_forms(client, strategy, dave):
    """The same three edits through the revision forms (client logged in as an administrator)."""
    revision = open_revision(strategy, dave, title="取込")
    target_change(revision, dave, year=2023, target="30000", kind="implied")
    base = f"/strategies/nemuro-2/revisions/{revision.number}/changes"
    r = client.post(f"{base}/indicator-add/", FORM_KPI)
    assert r.status_code == 302, r.content.decode()
    r = client.post(
        f"{base}/project-retire/", {"key": PROJECT, "retired_from_year": 2023, "version": 0}
    )
    assert r.status_code == 302, r.content.decode()
    assert revision.changes.count() == 3
    publish_through_the_page(client, revision.number)


def test_publishing_the_import_gives_what_the_forms_give(client, strategy, dave):
    client.force_login(dave)
    wanted = three_changes(take_snapshot(strategy))

    def by_import():
        revision = draft_revision_from_snapshot(
            strategy=strategy, snapshot=wanted, user=dave, title="取込"
        )
        assert revision.changes.count() == 3
        r = publish_through_the_page(client, revision.number)
        assert r.status_code == 302 and Revision.objects.get(pk=revision.pk).is_published

    imported = published_state(strategy, by_import)
    typed = published_state(strategy, lambda: three_changes_by_forms(client, strategy, dave))
    assert _item(imported, "indicators", NEW_CODE)["target_value"] == "25"
    assert imported == typed
    # …and it is the state the workbook asked for, but where a new row takes the next free place
    # in its table and a new lineage (as with the add form).
    assert _differences(imported, wanted) == {
        ("indicators", NEW_CODE, "order"),
        ("indicators", NEW_CODE, "lineage_key"),
    }


def _differences(published, wanted):
    out = set()
    for collection in ("goals", "policies", "measures", "indicators", "projects", "listings"):
        have = {i["key"]: i for i in published[collection]}
        for item in without_ids(wanted[collection]):
            for name, value in item.items():
                if name == "targets":
                    value = [{**r, "revision": None} for r in value]
                    got = [{**r, "revision": None} for r in have[item["key"]]["targets"]]
                else:
                    got = have[item["key"]].get(name)
                if got != value:
                    out.add((collection, item["key"], name))
    return out


def test_what_a_revision_cannot_express_is_refused_naming_sheet_and_column(strategy, dave):
    snapshot = take_snapshot(strategy)
    wanted = copy.deepcopy(snapshot)
    _item(wanted, "indicators", CODE)["direction"] = "decrease"
    wanted["projects"] = [p for p in wanted["projects"] if p["key"] != PROJECT]
    plan = plan_changes(snapshot, wanted)
    got = {(r.sheet, r.key, r.field) for r in plan.refusals}
    assert ("KPI", CODE, "direction") in got
    assert ("事業", PROJECT, "") in got
    messages = " ".join(r.message for r in plan.refusals)
    assert "改善の方向は改訂では変更できません（現在：increase、ファイル：decrease）" in messages
    assert (
        f"「{PROJECT}」の行がありません。廃止するときは、行を残して廃止年度を入力してください。"
        in messages
    )
    with pytest.raises(services.RevisionError):
        draft_revision_from_snapshot(strategy=strategy, snapshot=wanted, user=dave, title="x")
    assert Revision.objects.filter(strategy=strategy).count() == 1
    assert not RevisionChange.objects.exists()


def test_the_rules_of_the_forms_refuse_a_target_year_outside_the_period(strategy):
    snapshot = take_snapshot(strategy)
    wanted = three_changes(snapshot)
    row = _item(wanted, "indicators", CODE)["targets"][-1]
    row["target_fiscal_year"] = 2030
    _item(wanted, "indicators", CODE)["target_fiscal_year"] = 2030
    plan = plan_changes(snapshot, wanted)
    (refusal,) = plan.refusals
    assert (refusal.sheet, refusal.key, refusal.field) == ("目標値の推移", CODE, "targets")
    assert "目標年度が計画期間（2021〜2024年度）の外です。" in refusal.message


def test_a_mirror_that_does_not_follow_the_latest_target_row_is_named(strategy):
    snapshot = take_snapshot(strategy)
    wanted = three_changes(snapshot)
    _item(wanted, "indicators", CODE)["target_value"] = "27700"  # the KPI sheet not updated
    (refusal,) = plan_changes(snapshot, wanted).refusals
    assert refusal.field == "target_value"
    assert (
        "「目標値の推移」シートの最新の行（2023年度から：30000）と一致しません" in refusal.message
    )


def test_an_open_draft_comes_first(strategy, dave):
    draft = open_revision(strategy, dave)
    wanted = three_changes(take_snapshot(strategy))
    preview = preview_import(strategy, wanted)
    assert preview.open_draft == draft and not preview.can_import
    with pytest.raises(services.RevisionError) as e:
        draft_revision_from_snapshot(strategy=strategy, snapshot=wanted, user=dave, title="x")
    assert "作成中の改訂（第2版" in e.value.message
    assert not draft.changes.exists()


def test_a_preview_outdated_by_a_published_revision_is_not_imported(strategy, dave):
    wanted = three_changes(take_snapshot(strategy))
    shown = preview_import(strategy, wanted).fingerprint
    revision = open_revision(strategy, dave, title="別の改訂")
    target_change(revision, dave, year=2022, target="29000")
    services.publish_revision(revision=revision, user=dave)
    with pytest.raises(PreviewOutdated):
        draft_revision_from_snapshot(
            strategy=strategy, snapshot=wanted, user=dave, title="x", expected=shown
        )
    assert Revision.objects.filter(strategy=strategy).count() == 2


def test_two_target_rows_changed_in_one_revision_are_refused(strategy):
    snapshot = take_snapshot(strategy)
    wanted = three_changes(snapshot)
    rows = _item(wanted, "indicators", CODE)["targets"]
    rows.insert(1, {**rows[1], "from": 2022, "target_value": "29000"})
    (refusal,) = plan_changes(snapshot, wanted).refusals
    assert (refusal.sheet, refusal.key, refusal.field) == ("目標値の推移", CODE, "targets")
    assert "2022年度・2023年度から変わっています" in refusal.message


def test_a_new_measure_with_a_new_project_listed_twice_and_a_changed_title(strategy, dave):
    snapshot = take_snapshot(strategy)
    wanted = copy.deepcopy(snapshot)
    wanted["measures"].append(
        {
            "id": None,
            "key": "1-ア-9",
            "policy": "1-ア",
            "goal": "1",
            "number": 9,
            "title": "【テスト】新しい施策",
            "description": "",
        }
    )
    wanted["projects"].append(
        {
            "id": None,
            "key": "【テスト】新規事業",
            "name": "【テスト】新規事業",
            "description": "試験的な取組への助成",
            "is_priority": False,
            "fy2021": "",
            "is_private": True,
            "partners": "根室漁協",
            "is_hokkaido": False,
            "introduced_from_year": 2023,
            "retired_from_year": None,
        }
    )
    for measure, relisted, order in (("1-ア-9", False, 1), ("2-ア-1", True, 99)):
        wanted["listings"].append(
            {
                "id": None,
                "key": f"【テスト】新規事業@{measure}",
                "project": "【テスト】新規事業",
                "measure": measure,
                "order": order,
                "is_relisted": relisted,
                "description": "試験的な取組への助成（この掲載）",
                "source_text": "【テスト】新規事業 試験的な取組への助成",
                "introduced_from_year": None,
                "retired_from_year": None,
            }
        )
    _item(wanted, "measures", "1-ア-1")["title"] = "【テスト】施策名の変更"
    plan = plan_changes(snapshot, wanted)
    assert plan.refusals == []
    assert [(c.kind, c.action, c.object_key, c.field) for c in plan.changes] == [
        ("measure", "add", "1-ア-9", ""),
        ("measure", "change", "1-ア-1", "title"),
        ("project", "add", "【テスト】新規事業", ""),
        ("listing", "add", "【テスト】新規事業@2-ア-1", ""),
    ]
    revision = draft_revision_from_snapshot(
        strategy=strategy, snapshot=wanted, user=dave, title="x"
    )
    services.publish_revision(revision=revision, user=dave)
    published = without_ids(take_snapshot(strategy))
    # What the workbook asked for, but where the new rows went in their tables, and the blank
    # 適用開始年度 of the new project's first listing, which takes the project's (as the add form).
    assert _differences(published, wanted) == {
        ("listings", "【テスト】新規事業@2-ア-1", "order"),
        ("listings", "【テスト】新規事業@1-ア-9", "introduced_from_year"),
    }
    listing = _item(published, "listings", "【テスト】新規事業@1-ア-9")
    assert (listing["introduced_from_year"], listing["source_text"]) == (
        2023,
        "【テスト】新規事業 試験的な取組への助成",
    )


def test_a_new_kpi_takes_its_department_by_name_and_an_unknown_one_is_refused(
    strategy, dave, fisheries
):
    wanted = copy.deepcopy(take_snapshot(strategy))
    wanted["indicators"].append({**new_kpi(), "department": "観光課（存在しない）"})
    (refusal,) = preview_import(strategy, wanted).plan.refusals
    assert (refusal.sheet, refusal.key, refusal.field) == ("KPI", NEW_CODE, "department")
    assert "担当課「観光課（存在しない）」が見つかりません" in refusal.message
    assert "改訂の取込では担当課を作成しません" in refusal.message
    _item(wanted, "indicators", NEW_CODE)["department"] = "水産振興課"
    revision = draft_revision_from_snapshot(
        strategy=strategy, snapshot=wanted, user=dave, title="x"
    )
    services.publish_revision(revision=revision, user=dave)
    assert _item(take_snapshot(strategy), "indicators", NEW_CODE)["department"] == "水産振興課"


def test_the_help_sheet_says_what_each_import_does_with_an_unknown_department(strategy):
    from io import BytesIO

    from openpyxl import load_workbook

    from revisions.workbook.export import export_strategy_workbook

    wb = load_workbook(BytesIO(export_strategy_workbook(take_snapshot(strategy))))
    (help_text,) = [
        r[4] for r in wb["説明"].iter_rows(values_only=True) if r[:2] == ("KPI", "担当課")
    ]
    assert "新しい総合戦略として取り込むときは、ないものを作成します" in help_text
    assert "改訂として取り込むときは" in help_text and "ないものは取り込めません" in help_text
