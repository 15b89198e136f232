"""Publishing a revision that raises one KPI's target from FY2023 (the issue's "done means"):
FY2021–FY2022 stay judged against 27,700t, FY2023 on against 30,000t, and the comparison 1→2
lists exactly that change."""

import re
from decimal import Decimal

import pytest

from kpis.evaluation import CURRENT, IN_FORCE, evaluate_indicators
from kpis.models import Actual, Indicator, IndicatorTarget
from revisions import selectors, services
from revisions.diff import CHANGED, compare
from revisions.models import Revision
from revisions.snapshot import take_snapshot, without_ids
from revisions.state import apply_changes
from tests.revision_helpers import (
    BASE,
    CODE,
    add_actuals,
    indicator,
    open_revision,
    publish_through_the_page,
    raise_target,
    target_change,
)

pytestmark = pytest.mark.django_db


def _grades(strategy, ind, rule):
    out = {}
    for year in strategy.fiscal_years:
        (e,) = evaluate_indicators(strategy, [ind], year, confirmed_only=True, rule=rule)
        out[year] = (
            e.result.grade,
            round(e.result.progress_rate * 100, 1),
            e.result.inputs["target"],
        )
    return out


def test_it_judges_each_year_against_the_target_in_force_then(final_basis, dave):
    strategy = final_basis
    add_actuals()
    raise_target(strategy, dave)
    ind = indicator()
    assert ind.target_value == Decimal("30000")  # the indicator mirrors the latest row
    assert _grades(strategy, ind, IN_FORCE) == {
        # (25,000 − 23,854) ÷ (27,700 − 23,854) = 29.8%
        2021: ("C", Decimal("29.8"), Decimal("27700")),
        # 27,800 ≧ 27,700: met under the target in force in FY2022
        2022: ("A", Decimal("102.6"), Decimal("27700")),
        # (28,000 − 23,854) ÷ (30,000 − 23,854) = 67.5%
        2023: ("C", Decimal("67.5"), Decimal("30000")),
        # (29,000 − 23,854) ÷ 6,146 = 83.7%
        2024: ("B", Decimal("83.7"), Decimal("30000")),
    }
    current = _grades(strategy, ind, CURRENT)
    assert current[2021] == ("C", Decimal("18.6"), Decimal("30000"))
    assert current[2022] == ("C", Decimal("64.2"), Decimal("30000"))
    assert current[2023] == _grades(strategy, ind, IN_FORCE)[2023]


def test_the_judgements_selector_says_where_they_differ(final_basis, dave):
    strategy = final_basis
    add_actuals()
    raise_target(strategy, dave)
    ind = indicator()
    then, now, differ = selectors.judgements(ind, strategy, 2022, True)
    assert (then.grade, now.grade, differ) == ("A", "C", True)
    then, now, differ = selectors.judgements(ind, strategy, 2024, True)
    assert then.grade == now.grade == "B" and not differ


def test_it_adds_a_target_row_linked_to_the_revision_and_keeps_the_old_one(strategy, dave):
    revision = raise_target(strategy, dave)
    rows = list(
        IndicatorTarget.objects.filter(indicator=indicator()).order_by("effective_from_year")
    )
    assert [(r.effective_from_year, r.target_value, r.revision.number) for r in rows] == [
        (2021, Decimal("27700"), 1),
        (2023, Decimal("30000"), 2),
    ]
    assert revision.status == Revision.Status.PUBLISHED
    assert revision.published_by == dave and revision.decided_on is not None


def test_the_comparison_lists_exactly_that_change(strategy, dave):
    raise_target(strategy, dave)
    first, second = Revision.objects.filter(strategy=strategy).order_by("number")
    comparison = compare(first.snapshot, second.snapshot)
    assert comparison.total == 1
    (item,) = comparison.items
    assert (item.goal, item.kind, item.action, item.key) == ("1", "indicator", CHANGED, CODE)
    assert (item.field, item.old, item.new, item.unit, item.from_year) == (
        "目標値",
        "27,700",
        "30,000",
        "t",
        2023,
    )


def test_the_comparison_page_shows_it_grouped_by_goal(client, charlie, strategy, dave):
    raise_target(strategy, dave)
    client.force_login(charlie)
    r = client.get(f"{BASE}/compare/?from=1&to=2")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.count('data-action="changed"') == 1
    assert 'data-action="added"' not in body and 'data-action="removed"' not in body
    assert "基本目標-1" in body and "基本目標-2" not in body
    assert "27,700t" in body and "30,000t" in body and "2023年度から" in body
    assert "追加 0件 ・ 廃止 0件 ・ 変更 1件" in body


def test_the_published_revision_page_shows_both_judgements(client, charlie, final_basis, dave):
    strategy = final_basis
    Actual.objects.filter(indicator=add_actuals(), fiscal_year=2024).delete()
    raise_target(strategy, dave)
    client.force_login(charlie)
    body = client.get(f"{BASE}/2/").content.decode()
    assert "2021年度〜2022年度：目標値 27,700t（2024年度） ・ 第1版" in body
    assert "2023年度から：目標値 30,000t（2024年度） ・ 第2版" in body
    assert "A（◎）進捗率 102.6% ・ 目標値 27,700t" in body  # FY2022 as judged then
    assert "C（△）進捗率 64.2% ・ 目標値 30,000t" in body  # FY2022 under the current target
    # FY2024 has no value yet: said in words, and the target keeps its unit as in the list above.
    row = body.split('<tr data-year="2024">')[1].split("</tr>")[0]
    assert "実績なし ・ 目標値 30,000t" in row and "進捗率 −" not in row


def test_the_audit_trail_records_who_and_which_revision(strategy, dave):
    raise_target(strategy, dave)
    record = indicator().history.latest()
    assert record.history_user == dave
    assert record.history_change_reason == "第2版 沿岸漁業の生産量目標の上方修正"
    assert record.target_value == Decimal("30000")
    row = IndicatorTarget.history.filter(effective_from_year=2023).latest()
    assert (row.history_user, row.history_change_reason) == (dave, record.history_change_reason)


def test_the_stored_snapshot_is_what_the_preview_said(strategy, dave):
    before = take_snapshot(strategy)
    revision = open_revision(strategy, dave)
    change = target_change(revision, dave)
    preview = apply_changes(before, [change], revision_number=revision.number)
    published = services.publish_revision(revision=revision, user=dave)
    assert without_ids(published.snapshot) == without_ids(preview)
    assert published.snapshot == take_snapshot(strategy)


def test_it_refuses_to_publish_twice(strategy, dave):
    revision = raise_target(strategy, dave)
    with pytest.raises(services.RevisionError, match="すでに公開"):
        services.publish_revision(revision=revision, user=dave)


def test_publishing_through_the_page(client, dave, strategy):
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    client.force_login(dave)
    r = publish_through_the_page(client, 2, follow=True)
    assert "第2版「沿岸漁業の生産量目標の上方修正」を公開しました" in r.content.decode()
    assert Indicator.objects.get(code=CODE).target_value == Decimal("30000")


def test_it_refuses_a_post_that_skipped_the_confirmation_page(client, dave, strategy):
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    client.force_login(dave)
    for data in ({}, {"confirm": ""}):
        r = client.post(f"{BASE}/2/publish/", data)
        assert r.status_code == 400
        html = r.content.decode()
        assert "確認画面で変更の一覧を確かめてから" in html and "まだ公開していません" in html
        assert "変更の一覧（1件）" in html and 'name="confirm" value="' in html
    revision.refresh_from_db()
    assert revision.is_draft and revision.published_at is None
    assert Indicator.objects.get(code=CODE).target_value == Decimal("27700")


def test_it_asks_again_when_the_draft_changed_after_the_confirmation_page_opened(
    client, dave, strategy
):
    revision = open_revision(strategy, dave)
    change = target_change(revision, dave)
    client.force_login(dave)
    html = client.get(f"{BASE}/2/publish/").content.decode()
    seen = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
    # Another administrator edits the change (31,000t) after this page was opened.
    target_change(revision, dave, target="31000", version=change.version)
    r = client.post(f"{BASE}/2/publish/", {"confirm": seen})
    assert r.status_code == 409
    body = r.content.decode()
    assert "確認画面を開いた後に改訂の内容が変わりました" in body and "31,000" in body
    revision.refresh_from_db()
    assert revision.is_draft
    assert Indicator.objects.get(code=CODE).target_value == Decimal("27700")
    # A made-up fingerprint is refused the same way; the fresh page's one publishes 31,000t.
    assert client.post(f"{BASE}/2/publish/", {"confirm": "0" * 16}).status_code == 409
    publish_through_the_page(client, 2)
    assert Indicator.objects.get(code=CODE).target_value == Decimal("31000")


def test_the_fingerprint_changes_with_every_edit_of_the_draft(dave, strategy):
    revision = open_revision(strategy, dave)
    first = target_change(revision, dave)
    seen = {services.draft_fingerprint(revision, [first])}
    second = target_change(revision, dave, target="31000", version=first.version)
    seen.add(services.draft_fingerprint(revision, [second]))
    revision.version += 1  # the title or reason edited
    seen.add(services.draft_fingerprint(revision, [second]))
    seen.add(services.draft_fingerprint(revision, []))  # the change undone
    assert len(seen) == 4


def test_the_publish_page_asks_for_confirmation_with_the_list_of_changes(client, dave, strategy):
    revision = open_revision(strategy, dave)
    target_change(revision, dave)
    client.force_login(dave)
    detail = client.get(f"{BASE}/2/").content.decode()
    assert f'href="{BASE}/2/publish/">第2版を公開する…</a>' in detail
    assert f'action="{BASE}/2/publish/"' not in detail  # no one-click publish on the detail page
    html = client.get(f"{BASE}/2/publish/").content.decode()
    assert "公開後は取り消せません" in html
    assert "変更の一覧（1件）" in html and CODE in html and "30,000" in html
    assert f'<form method="post" action="{BASE}/2/publish/"' in html
    revision.refresh_from_db()
    assert revision.is_draft  # the page itself publishes nothing


def test_every_kind_of_change_publishes_as_previewed(client, strategy, dave):
    """Publishing writes exactly what revisions.state.apply_changes says a change means."""
    revision = open_revision(strategy, dave, title="全種類の変更")
    edits = [
        {
            "kind": "goal",
            "action": "add",
            "new_value": {"number": 4, "title": "新しい基本目標", "package": "employment"},
        },
        {
            "kind": "goal",
            "action": "change",
            "object_key": "1",
            "field": "title",
            "new_value": "基本目標１の新しい表現",
        },
        {
            "kind": "policy",
            "action": "add",
            "new_value": {"goal": "4", "symbol": "ア", "title": "新しい施策"},
        },
        {
            "kind": "policy",
            "action": "change",
            "object_key": "1-ア",
            "field": "title",
            "new_value": "水産業の振興",
        },
        {
            "kind": "measure",
            "action": "add",
            "new_value": {
                "policy": "4-ア",
                "number": 1,
                "title": "新しい施策①",
                "description": "説明",
            },
        },
        {
            "kind": "measure",
            "action": "change",
            "object_key": "1-ア-1",
            "field": "description",
            "new_value": "新しい内容",
        },
        {
            "kind": "indicator",
            "action": "add",
            "new_value": {
                "level": "kpi",
                "goal": "4",
                "measure": "4-ア-1",
                "code": "4-ア-1-1",
                "name": "新しいKPI",
                "unit": "%",
                "baseline_value": "10.0",
                "target_value": "12.5",
                "target_fiscal_year": 2024,
                "direction": "increase",
                "aggregation": "level",
                "decimals": 1,
                "introduced_from_year": 2022,
            },
        },
        {
            "kind": "indicator",
            "action": "add",
            "new_value": {
                "level": "goal",
                "goal": "4",
                "measure": None,
                "code": "4-N1",
                "name": "新しい数値目標",
                "unit": "人",
                "baseline_value": None,
                "target_value": "300",
                "target_fiscal_year": 2024,
                "direction": "reach",
                "aggregation": "annual",
                "decimals": 0,
                "introduced_from_year": 2022,
            },
        },
        {
            "kind": "indicator",
            "action": "change",
            "object_key": "1-ア-1-3",
            "field": "name",
            "new_value": "新しい名称",
        },
        {
            "kind": "indicator",
            "action": "retire",
            "object_key": "1-ア-1-4",
            "effective_from_year": 2023,
        },
        {
            "kind": "project",
            "action": "add",
            "new_value": {
                "name": "新しい事業",
                "measure": "4-ア-1",
                "description": "d",
                "introduced_from_year": 2022,
            },
        },
        {
            "kind": "project",
            "action": "change",
            "object_key": "人材確保対策事業",
            "field": "partners",
            "new_value": "ハローワーク根室",
        },
        {
            "kind": "project",
            "action": "retire",
            "object_key": "根室本線花咲線維持確保対策事業",
            "effective_from_year": 2024,
        },
        {
            "kind": "listing",
            "action": "add",
            "new_value": {
                "project": "新しい事業",
                "measure": "1-ア-1",
                "description": "再掲",
                "is_relisted": True,
            },
        },
        {
            "kind": "listing",
            "action": "change",
            "object_key": "水産資源増大創造支援事業@1-ア-1",
            "field": "description",
            "new_value": "新しい掲載内容",
        },
        {
            "kind": "listing",
            "action": "retire",
            "object_key": "人材確保対策事業@1-ア-4",
            "effective_from_year": 2023,
        },
    ]
    for kwargs in edits:
        services.save_change(revision=revision, user=dave, **kwargs)
    target_change(revision, dave)
    before = take_snapshot(strategy)
    preview = apply_changes(before, list(revision.changes.all()), revision_number=revision.number)
    published = services.publish_revision(revision=revision, user=dave)
    assert without_ids(published.snapshot) == without_ids(preview)
    counts = compare(before, published.snapshot).counts
    # added: goal, policy, measure, 2 indicators, the project (its listings go with it);
    # removed: indicator, project, listing; changed: 6 fields + the target from 2023
    assert counts == {"added": 6, "removed": 3, "changed": 7}
    client.force_login(dave)
    body = client.get("/strategies/nemuro-2/").content.decode()
    assert "新しい基本目標" in body and "新しいKPI" in body and "12.5%" in body
    assert client.get("/strategies/nemuro-2/?revision=1").status_code == 200


def test_the_judgements_include_for_the_indicator_page(
    rf, final_basis, dave, charlie, django_assert_num_queries
):
    """What another page gets from {% judgements_panel indicator year judgements timeline %},
    with what the view read (revisions.selectors): the tag itself runs no query."""
    strategy = final_basis
    from django.template import Context, Template

    add_actuals()
    raise_target(strategy, dave)
    template = Template("{% load revision_tags %}{% judgements_panel ind year j timeline %}")

    def render(year):
        ind = indicator()
        context = {
            "ind": ind,
            "year": year,
            "j": selectors.judgements(ind, strategy, year, confirmed_only=True),
            "timeline": selectors.target_timeline(ind),
        }
        with django_assert_num_queries(0):
            return template.render(Context(context))

    html = render(2022)
    assert "2021年度〜2022年度：目標値 27,700t（2024年度）" in html
    assert "当時の目標での評価" in html and "A（◎ 目標達成）・ 進捗率 102.6%" in html
    assert "現在の目標での評価" in html and "C（△ 進捗あり）・ 進捗率 64.2%" in html
    same = render(2024)
    assert "当時の目標での評価" not in same and "当時の目標でも現在の目標でも同じです" in same
