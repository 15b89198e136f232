"""An exported workbook whose 総合戦略 sheet has another last year, imported as a draft revision:
it becomes the period form's change (revisions/period.py) — the indicators whose latest target row
(目標値の推移 / KPI) has the new last year move, the others keep theirs — the preview shows
計画期間 2021〜2024年度 → 2021〜2025年度 first, and publishing gives what the period form gives:
FY2025 in the API, FY2021–FY2024 judged as then."""

import re

import pytest

from kpis.models import Strategy
from revisions import period
from revisions.draft_import import preview_import
from revisions.models import Revision
from revisions.snapshot import take_snapshot
from tests.revision_helpers import CODE, indicator, publish_through_the_page
from tests.test_revision_import import confirm, upload
from tests.test_revision_period import fill_actuals
from tests.test_revision_period_pages import api_evaluations
from tests.workbook_edits import _headers, _open, _save, exported, find_row, set_cell

pytestmark = pytest.mark.django_db


def extended(data: bytes, last=2025, moved=CODE) -> bytes:
    """The last year on 総合戦略, and `moved`'s target year on KPI and its latest 目標値の推移 row."""
    wb = _open(data)
    set_cell(
        wb["総合戦略"], find_row(wb["総合戦略"], "コード", "nemuro-2"), "計画期間（最終年度）", last
    )
    kpi = wb["KPI"]
    set_cell(kpi, find_row(kpi, "コード", moved), "目標年度", last)
    rows = wb["目標値の推移"]
    h = _headers(rows)
    mine = [r for r in range(2, rows.max_row + 1) if rows.cell(r, h["指標コード"]).value == moved]
    latest = max(mine, key=lambda r: rows.cell(r, h["適用開始年度"]).value)
    rows.cell(latest, h["目標年度"], last)
    return _save(wb)


def test_a_new_last_year_is_previewed_and_published_as_the_period_form_would(
    client, strategy, dave
):
    fill_actuals(strategy)
    client.force_login(dave)
    before = api_evaluations(client)
    candidates = [i["key"] for i in period.candidates(take_snapshot(strategy))]
    assert CODE in candidates and len(candidates) > 1

    preview = upload(client, extended(exported()), title="計画期間の1年延長")
    body = preview.content.decode()
    assert "取り込めない内容" not in body, body
    assert "2021〜2024年度" in body and "2021〜2025年度" in body
    # 総合戦略全体 (the period) is listed before the goals it frames
    assert body.index("総合戦略全体") < body.index("基本目標-1")
    rows = re.findall(r'data-key="([^"]+)" data-action="(\w+)"', body)
    assert ("nemuro-2", "changed") in rows

    assert confirm(client, preview).status_code == 302
    revision = Revision.objects.get(strategy=strategy, number=2)
    (change,) = revision.changes.all()
    # the payload the period form writes: CODE moves, every other candidate is kept
    assert (change.kind, change.object_key, change.field) == ("period", "period", "period")
    assert change.effective_from_year == 2025
    assert change.new_value == {
        "last_fiscal_year": 2025,
        "indicators": {k: {"move": k == CODE, "target_value": None} for k in candidates},
    }

    assert publish_through_the_page(client, 2).status_code == 302
    assert Strategy.objects.get(pk=strategy.pk).last_fiscal_year == 2025
    assert indicator().target_fiscal_year == 2025
    assert indicator("1-ア-1-2").target_fiscal_year == 2024
    api = client.get("/api/v1/strategies").json()
    (mine,) = [s for s in api if s["code"] == "nemuro-2"]
    assert mine["fiscal_years"] == [2021, 2022, 2023, 2024, 2025]
    assert api_evaluations(client) == before  # FY2021–FY2024: as then

    # the published state exported again and imported: nothing to change
    again = upload(client, exported()).content.decode()
    assert "変更はありません" in again


def test_a_shortening_over_years_with_actuals_is_refused_in_the_preview(strategy):
    fill_actuals(strategy)
    wanted = take_snapshot(strategy)
    wanted["strategy"]["last_fiscal_year"] = 2023
    for item in wanted["indicators"]:  # every target year moved into the shorter period
        for row in [item, *item["targets"]]:
            if row["target_fiscal_year"] == 2024:
                row["target_fiscal_year"] = 2023
    preview = preview_import(strategy, wanted)
    messages = [r.message for r in preview.plan.refusals]
    assert any("計画期間を2023年度までに短縮できません" in m for m in messages), messages
    assert not preview.can_import


def _kpi(state, code=CODE):
    return next(i for i in state["indicators"] if i["key"] == code)


def test_a_new_target_value_in_the_moved_row_is_the_period_changes_value(strategy):
    wanted = take_snapshot(strategy)
    wanted["strategy"]["last_fiscal_year"] = 2025
    item = _kpi(wanted)
    latest = max(item["targets"], key=lambda r: r["from"])
    for row in (latest, item):  # 目標値の推移's latest row and its KPI mirror, edited in place
        row["target_fiscal_year"], row["target_value"] = 2025, "28000"
    preview = preview_import(strategy, wanted)
    assert preview.plan.ok, [r.message for r in preview.plan.refusals]
    (change,) = preview.plan.changes
    assert change.new_value["indicators"][CODE] == {"move": True, "target_value": "28000"}
    moved = _kpi(preview.plan.after)
    rows = {r["from"]: (r["target_value"], r["target_fiscal_year"]) for r in moved["targets"]}
    assert rows[latest["from"]] == (latest_before(strategy), 2024)  # judged years: as then
    assert rows[2025] == ("28000", 2025)


def latest_before(strategy):
    item = _kpi(take_snapshot(strategy))
    return max(item["targets"], key=lambda r: r["from"])["target_value"]


def test_a_new_row_from_2025_reads_as_the_same_period_change(strategy):
    wanted = take_snapshot(strategy)
    wanted["strategy"]["last_fiscal_year"] = 2025
    item = _kpi(wanted)
    latest = max(item["targets"], key=lambda r: r["from"])
    item["targets"].append(latest | {"from": 2025, "target_fiscal_year": 2025})
    item["target_fiscal_year"] = 2025
    preview = preview_import(strategy, wanted)
    assert preview.plan.ok, [r.message for r in preview.plan.refusals]
    (change,) = preview.plan.changes
    assert change.kind == "period" and change.new_value["indicators"][CODE]["move"] is True
