"""The pure parts of revisions, without a database: applying changes to a snapshot
(revisions.state), the rules (revisions.rules) and the comparison (revisions.diff)."""

import copy
from types import SimpleNamespace

import pytest

from revisions import rules
from revisions.diff import ADDED, CHANGED, REMOVED, compare
from revisions.state import apply_changes


def _indicator(code, goal="1", measure="1-ア-1", target="27700", baseline="23854", **extra):
    row = {
        "from": 2021,
        "baseline_value": baseline,
        "baseline_kind": "implied",
        "target_value": target,
        "target_fiscal_year": 2024,
        "revision": 1,
    }
    return {
        "key": code,
        "id": None,
        "goal": goal,
        "measure": measure,
        "level": "kpi",
        "order": 1,
        "code": code,
        "name": f"指標{code}",
        "unit": "t",
        "baseline_value": baseline,
        "baseline_fiscal_year": None,
        "baseline_kind": "implied",
        "target_value": target,
        "target_fiscal_year": 2024,
        "change_value": None,
        "change_unit": "",
        "direction": "increase",
        "aggregation": "level",
        "decimals": 0,
        "department": None,
        "source_line": "",
        "reading_note": "",
        "introduced_from_year": None,
        "retired_from_year": None,
        "lineage_key": f"x:{code}",
        "targets": [row],
    } | extra


@pytest.fixture
def snapshot():
    return {
        "format": 1,
        "strategy": {
            "code": "x",
            "name": "戦略",
            "municipality": "根室市",
            "first_fiscal_year": 2021,
            "last_fiscal_year": 2024,
            "adopted_on": None,
        },
        "goals": [
            {
                "key": "1",
                "id": None,
                "number": 1,
                "title": "目標1",
                "package": "employment",
                "directions": [],
            },
            {
                "key": "2",
                "id": None,
                "number": 2,
                "title": "目標2",
                "package": "childcare",
                "directions": [],
            },
        ],
        "policies": [
            {"key": "1-ア", "id": None, "goal": "1", "symbol": "ア", "order": 1, "title": "施策ア"},
            {
                "key": "2-ア",
                "id": None,
                "goal": "2",
                "symbol": "ア",
                "order": 1,
                "title": "施策2ア",
            },
        ],
        "measures": [
            {
                "key": "1-ア-1",
                "id": None,
                "goal": "1",
                "policy": "1-ア",
                "number": 1,
                "title": "水産",
                "description": "",
            },
            {
                "key": "2-ア-1",
                "id": None,
                "goal": "2",
                "policy": "2-ア",
                "number": 1,
                "title": "教育",
                "description": "",
            },
        ],
        "indicators": [
            _indicator("1-ア-1-1"),
            _indicator("2-ア-1-1", goal="2", measure="2-ア-1", target="100", baseline=None),
        ],
        "projects": [
            {
                "key": "事業A",
                "id": 1,
                "name": "事業A",
                "description": "内容A",
                "is_priority": False,
                "fy2021": "",
                "is_private": False,
                "partners": "",
                "is_hokkaido": False,
                "introduced_from_year": None,
                "retired_from_year": None,
            },
        ],
        "listings": [
            {
                "key": "事業A@1-ア-1",
                "id": 1,
                "project": "事業A",
                "measure": "1-ア-1",
                "order": 1,
                "is_relisted": False,
                "description": "内容A",
                "source_text": "",
                "introduced_from_year": None,
                "retired_from_year": None,
            },
            {
                "key": "事業A@2-ア-1",
                "id": 2,
                "project": "事業A",
                "measure": "2-ア-1",
                "order": 1,
                "is_relisted": True,
                "description": "内容A",
                "source_text": "",
                "introduced_from_year": None,
                "retired_from_year": None,
            },
        ],
        "key_projects": [],
    }


def change(kind, action, key="", field="", new_value=None, year=None, pk=None):
    return SimpleNamespace(
        kind=kind,
        action=action,
        object_key=key,
        field=field,
        new_value=new_value,
        effective_from_year=year,
        old_value=None,
        pk=pk,
    )


def raise_target(year=2023, target="30000", baseline="23854"):
    return change(
        "indicator",
        "change",
        "1-ア-1-1",
        "target",
        {
            "target_value": target,
            "target_fiscal_year": 2024,
            "baseline_value": baseline,
            "baseline_kind": "implied",
        },
        year,
    )


# -- apply_changes -----------------------------------------------------------------------------


def test_a_target_change_adds_a_row_and_mirrors_it(snapshot):
    original = copy.deepcopy(snapshot)
    after = apply_changes(snapshot, [raise_target()], revision_number=2)
    assert snapshot == original  # pure: the input is left alone
    kpi = after["indicators"][0]
    assert [(r["from"], r["target_value"], r["revision"]) for r in kpi["targets"]] == [
        (2021, "27700", 1),
        (2023, "30000", 2),
    ]
    assert kpi["target_value"] == "30000"


def test_a_change_from_the_same_year_replaces_that_row(snapshot):
    after = apply_changes(snapshot, [raise_target(year=2021)], revision_number=2)
    assert [(r["from"], r["target_value"]) for r in after["indicators"][0]["targets"]] == [
        (2021, "30000")
    ]


def test_additions_come_before_what_depends_on_them(snapshot):
    changes = [
        change(
            "listing",
            "add",
            "新事業@1-ア-2",
            new_value={"project": "新事業", "measure": "1-ア-2"},
            pk=1,
        ),
        change(
            "project",
            "add",
            "新事業",
            new_value={"name": "新事業", "measure": "1-ア-1", "description": "d"},
            pk=2,
        ),
        change(
            "measure",
            "add",
            "1-ア-2",
            new_value={"policy": "1-ア", "number": 2, "title": "新施策"},
            pk=3,
        ),
    ]
    after = apply_changes(snapshot, changes)
    keys = [x["key"] for x in after["listings"]]
    assert "新事業@1-ア-1" in keys and "新事業@1-ア-2" in keys
    relisting = next(x for x in after["listings"] if x["key"] == "新事業@1-ア-2")
    assert relisting["is_relisted"] is True
    for c in changes:
        assert rules.check(snapshot, after, c) == []


# -- rules -------------------------------------------------------------------------------------


def _check(snapshot, c):
    return rules.check(snapshot, apply_changes(snapshot, [c]), c)


def test_rules_refuse_a_target_equal_to_the_baseline(snapshot):
    assert _check(snapshot, raise_target(target="23854")) == [rules.SAME_AS_BASELINE]


def test_rules_refuse_years_outside_the_period(snapshot):
    c = raise_target()
    c.new_value["target_fiscal_year"] = 2020
    assert _check(snapshot, c) == ["目標年度が計画期間（2021〜2024年度）の外です。"]


def test_rules_refuse_a_measure_without_a_policy(snapshot):
    c = change("measure", "add", "-3", new_value={"policy": None, "number": 3, "title": "t"})
    assert _check(snapshot, c) == [rules.MEASURE_NEEDS_POLICY]


def test_rules_refuse_relisting_a_missing_or_retired_project(snapshot):
    c = change("listing", "add", "ない事業@2-ア-1", new_value={})
    assert _check(snapshot, c) == ["再掲する事業「ない事業」が存在しません。"]
    snapshot["projects"][0]["retired_from_year"] = 2023
    c = change("listing", "add", "事業A@1-ア-1", new_value={})
    assert "再掲する事業「事業A」が存在しません。" in _check(snapshot, c)


def test_rules_refuse_retiring_twice(snapshot):
    snapshot["indicators"][0]["retired_from_year"] = 2023
    c = change("indicator", "retire", "1-ア-1-1", year=2024)
    assert _check(snapshot, c) == ["「指標1-ア-1-1」はすでに2023年度から廃止されています。"]


def test_stale_says_what_the_value_is_now(snapshot):
    c = raise_target()
    c.old_value = {
        "target_value": "27000",
        "target_fiscal_year": 2024,
        "baseline_value": "23854",
        "baseline_kind": "implied",
    }
    assert "現在の値：目標値 27,700、目標年度 2024年度、基準値 23,854" in rules.stale(snapshot, c)
    c.old_value = {k: snapshot["indicators"][0][k] for k in c.old_value}
    assert rules.stale(snapshot, c) is None


# -- compare -----------------------------------------------------------------------------------


def test_identical_snapshots_have_no_changes(snapshot):
    assert compare(snapshot, copy.deepcopy(snapshot)).total == 0


def test_a_raised_target_is_one_change_with_its_year(snapshot):
    after = apply_changes(snapshot, [raise_target()], revision_number=2)
    (item,) = compare(snapshot, after).items
    assert (item.action, item.field, item.old, item.new, item.unit, item.from_year) == (
        CHANGED,
        "目標値",
        "27,700",
        "30,000",
        "t",
        2023,
    )
    (back,) = compare(after, snapshot).items  # and the other way round
    assert (back.old, back.new, back.from_year) == ("30,000", "27,700", 2023)


def test_a_baseline_change_is_its_own_item(snapshot):
    after = apply_changes(snapshot, [raise_target(baseline="24000")], revision_number=2)
    items = compare(snapshot, after).items
    assert [(i.field, i.old, i.new) for i in items] == [
        ("目標値", "27,700", "30,000"),
        ("基準値", "23,854", "24,000"),
    ]


def test_retirements_and_additions_grouped_by_goal(snapshot):
    changes = [
        change("indicator", "retire", "1-ア-1-1", year=2023),
        change("project", "retire", "事業A", year=2024),
        change(
            "indicator",
            "add",
            "2-ア-1-2",
            new_value={
                "goal": "2",
                "measure": "2-ア-1",
                "level": "kpi",
                "code": "2-ア-1-2",
                "name": "新指標",
                "unit": "人",
                "target_value": "50",
                "target_fiscal_year": 2024,
                "direction": "increase",
                "aggregation": "annual",
                "introduced_from_year": 2023,
            },
        ),
        change("measure", "change", "1-ア-1", "title", "水産業の振興"),
    ]
    result = compare(snapshot, apply_changes(snapshot, changes, revision_number=2))
    assert [g.label for g in result.groups] == ["基本目標-1", "基本目標-2"]
    one, two = result.groups
    assert [(i.kind, i.from_year) for i in one.removed] == [("indicator", 2023), ("project", 2024)]
    assert [(i.field, i.old, i.new) for i in one.changed] == [("施策名", "水産", "水産業の振興")]
    assert [(i.key, i.new, i.from_year) for i in two.added] == [
        ("2-ア-1-2", "目標値 50人（2024年度）", 2023)
    ]
    assert result.counts == {ADDED: 1, REMOVED: 2, CHANGED: 1}  # listings go with their project


def test_operational_fields_are_not_revisions(snapshot):
    after = copy.deepcopy(snapshot)
    after["indicators"][0]["department"] = "水産振興課"
    after["indicators"][0]["id"] = 99
    assert compare(snapshot, after).total == 0
