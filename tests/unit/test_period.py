"""計画期間の変更 on a snapshot, without a database (revisions/period.py through
revisions.state.apply_changes and revisions.rules.check)."""

import copy
from types import SimpleNamespace

from revisions import rules
from revisions.state import apply_changes
from tests.test_revision_diff import _indicator


def _ends_2022(code):
    item = _indicator(code, target_fiscal_year=2022)
    item["targets"][0]["target_fiscal_year"] = 2022
    return item


def _snapshot():
    return {
        "format": 1,
        "strategy": {
            "code": "x",
            "name": "戦略",
            "first_fiscal_year": 2021,
            "last_fiscal_year": 2024,
        },
        "goals": [],
        "policies": [],
        "measures": [],
        "indicators": [
            _indicator("1-ア-1-1"),
            _indicator("1-ア-1-2", target="50"),
            _ends_2022("1-ア-1-3"),
        ],
        "projects": [],
        "listings": [],
        "key_projects": [],
    }


def _period(last=2025, year=2025, indicators=None):
    return SimpleNamespace(
        kind="period",
        action="change",
        object_key="period",
        field="period",
        old_value={"last_fiscal_year": 2024},
        new_value={"last_fiscal_year": last, "indicators": indicators or {}},
        effective_from_year=year,
        pk=1,
    )


def _item(state, code):
    return next(i for i in state["indicators"] if i["key"] == code)


def test_it_moves_the_target_years_from_the_effective_year_only():
    before = _snapshot()
    kept = copy.deepcopy(before)
    after = apply_changes(
        before,
        [_period(indicators={"1-ア-1-2": {"move": False}, "1-ア-1-1": {"target_value": "28000"}})],
        revision_number=2,
    )
    assert before == kept  # pure
    assert after["strategy"]["last_fiscal_year"] == 2025
    moved = _item(after, "1-ア-1-1")
    assert [(r["from"], r["target_value"], r["target_fiscal_year"]) for r in moved["targets"]] == [
        (2021, "27700", 2024),
        (2025, "28000", 2025),
    ]
    assert moved["targets"][1]["baseline_value"] == "23854" and moved["targets"][1]["revision"] == 2
    assert (moved["target_value"], moved["target_fiscal_year"]) == ("28000", 2025)  # the mirror
    assert len(_item(after, "1-ア-1-2")["targets"]) == 1  # the administrator kept it
    assert len(_item(after, "1-ア-1-3")["targets"]) == 1  # its target year was not the end year


def test_shortening_moves_every_target_year_after_the_new_end():
    after = apply_changes(_snapshot(), [_period(last=2023, year=2023)], revision_number=2)
    assert [
        _item(after, c)["target_fiscal_year"] for c in ("1-ア-1-1", "1-ア-1-2", "1-ア-1-3")
    ] == [
        2023,
        2023,
        2022,
    ]


def test_the_rules_refuse_with_japanese_messages():
    before = _snapshot()

    def check(change):
        return rules.check(before, apply_changes(before, [change]), change)

    assert check(_period()) == []
    assert check(_period(last=2024)) == ["計画期間の最終年度が現在と同じ（2024年度）です。"]
    assert check(_period(year=2020))[0].startswith("適用開始年度は2021〜2025年度の中から")
    assert check(_period(last=2023, year=2023, indicators={"1-ア-1-1": {"move": False}})) == [
        "「指標1-ア-1-1」の目標年度（2024年度）が新しい計画期間（2021〜2023年度）の外になります。"
        "目標年度を移してください。"
    ]
    assert check(_period(indicators={"1-ア-1-1": {"target_value": "23854"}})) == [
        "「指標1-ア-1-1」：目標値が基準値と同じです（水準維持の指標を除く）。"
    ]
    assert rules.show(_period().new_value) == "最終年度 2025年度"
