"""The next strategy: copied from the current one (e.g. the 3rd, FY2025–FY2029), then revised.
Indicators keep their lineage, so an indicator's values can be shown across strategies."""

from decimal import Decimal

import pytest

from front.selectors import current_strategy
from kpis.models import (
    Actual,
    BasicGoal,
    GradeBand,
    Indicator,
    IndicatorTarget,
    Measure,
    Policy,
    Strategy,
)
from projects.models import KeyProject, Project, ProjectListing
from revisions import selectors, services
from revisions.models import Revision, RevisionChange
from tests.revision_helpers import CODE, add_actuals, indicator, open_revision

pytestmark = pytest.mark.django_db


def start(strategy, dave, **kwargs):
    return services.start_next_strategy(
        source=strategy,
        user=dave,
        **{
            "code": "nemuro-3",
            "name": "第３期根室市創生総合戦略",
            "first_fiscal_year": 2025,
            "last_fiscal_year": 2029,
        }
        | kwargs,
    )


def test_it_copies_the_whole_strategy(strategy, dave):
    revision = start(strategy, dave)
    new = revision.strategy
    assert (new.code, new.first_fiscal_year, new.last_fiscal_year) == ("nemuro-3", 2025, 2029)
    assert BasicGoal.objects.filter(strategy=new).count() == 3
    assert Policy.objects.filter(basic_goal__strategy=new).count() == 8
    assert Measure.objects.filter(policy__basic_goal__strategy=new).count() == 17
    assert Indicator.objects.for_strategy(new).count() == 47
    assert Project.objects.filter(strategy=new).count() == 93
    assert ProjectListing.objects.filter(project__strategy=new).count() == 117
    assert KeyProject.objects.filter(strategy=new).count() == 3
    assert GradeBand.objects.filter(strategy=new).count() == 4
    assert Indicator.objects.for_strategy(strategy).count() == 47  # the source is untouched


def test_indicators_keep_their_lineage_and_targets_are_rebased(strategy, dave):
    revision = start(strategy, dave)
    old, new = indicator(), indicator(strategy_code="nemuro-3")
    assert new.lineage_key == old.lineage_key == "nemuro-2:1-ア-1-1"
    assert (new.target_value, new.target_fiscal_year) == (Decimal("27700"), 2029)  # clamped
    (row,) = IndicatorTarget.objects.filter(indicator=new)
    assert (row.effective_from_year, row.target_fiscal_year, row.revision) == (2025, 2029, revision)


def test_every_target_is_flagged_for_review_in_a_draft_first_revision(strategy, dave):
    add_actuals({2023: "28000", 2024: "29000"})
    revision = start(strategy, dave)
    assert (revision.number, revision.status) == (1, Revision.Status.DRAFT)
    flagged = RevisionChange.objects.filter(revision=revision, needs_review=True)
    assert flagged.count() == 47
    note = flagged.get(object_key=CODE).note
    assert "目標年度を2024年度から2029年度に変更しました。" in note
    assert "前期の最新の実績：2024年度 29000t。" in note


def test_it_carries_the_latest_target_and_leaves_retired_indicators(strategy, dave):
    from tests.revision_helpers import raise_target

    raise_target(strategy, dave)  # 30,000t from FY2023
    retired = open_revision(strategy, dave, title="廃止")
    services.save_change(
        revision=retired,
        user=dave,
        kind="indicator",
        action="retire",
        object_key="1-ア-1-2",
        effective_from_year=2023,
    )
    services.publish_revision(revision=retired, user=dave)
    revision = start(strategy, dave)
    assert indicator(strategy_code="nemuro-3").target_value == Decimal("30000")
    assert Indicator.objects.for_strategy(revision.strategy).count() == 46


def test_lineage_values_span_both_strategies(strategy, dave, charlie):
    add_actuals({2023: "28000", 2024: "29000"})
    start(strategy, dave)
    new = indicator(strategy_code="nemuro-3")
    Actual.objects.create(
        indicator=new, fiscal_year=2025, value=Decimal("29500"), status="confirmed"
    )
    Actual.objects.create(indicator=new, fiscal_year=2026, value=Decimal("29900"), status="draft")
    values = selectors.lineage_values(new)
    assert [(v.strategy_name, v.fiscal_year, v.value) for v in values] == [
        ("第２期根室市創生総合戦略", 2023, Decimal("28000")),
        ("第２期根室市創生総合戦略", 2024, Decimal("29000")),
        ("第３期根室市創生総合戦略", 2025, Decimal("29500")),
        ("第３期根室市創生総合戦略", 2026, Decimal("29900")),
    ]
    assert [v.fiscal_year for v in selectors.lineage_values(indicator(), user=charlie)] == [
        2023,
        2024,
        2025,  # council members see confirmed values only
    ]


def test_it_becomes_current_once_its_first_revision_is_published(client, strategy, dave, charlie):
    revision = start(strategy, dave)
    assert current_strategy() == strategy
    services.save_change(
        revision=revision,
        user=dave,
        kind="indicator",
        action="change",
        object_key=CODE,
        field="target",
        effective_from_year=2025,
        expected_version=1,  # the flagged row
        new_value={
            "target_value": "31000",
            "target_fiscal_year": 2029,
            "baseline_value": "29000",
            "baseline_kind": "stated",
        },
    )
    services.publish_revision(revision=revision, user=dave)
    assert current_strategy() == revision.strategy
    new = indicator(strategy_code="nemuro-3")
    assert (new.target_value, new.baseline_value) == (Decimal("31000"), Decimal("29000"))
    (row,) = IndicatorTarget.objects.filter(indicator=new)  # the 2025 row, updated in place
    assert row.target_value == Decimal("31000")
    assert not RevisionChange.objects.get(revision=revision, object_key=CODE).needs_review
    client.force_login(charlie)
    assert client.get("/").context["strategy"].code == "nemuro-3"


def test_saving_a_flagged_target_unchanged_marks_it_reviewed(strategy, dave):
    revision = start(strategy, dave)
    flagged = RevisionChange.objects.get(revision=revision, object_key=CODE)
    services.save_change(
        revision=revision,
        user=dave,
        kind="indicator",
        action="change",
        object_key=CODE,
        field="target",
        effective_from_year=2025,
        new_value=flagged.new_value,
        expected_version=flagged.version,
    )
    flagged.refresh_from_db()
    assert not flagged.needs_review and flagged.version == 2


def test_the_page_starts_it(client, strategy, dave):
    client.force_login(dave)
    page = client.get("/strategies/nemuro-2/revisions/next/").content.decode()
    assert 'value="2025"' in page and 'value="2028"' in page  # the next period, same length
    r = client.post(
        "/strategies/nemuro-2/revisions/next/",
        {
            "code": "nemuro-3",
            "name": "第３期根室市創生総合戦略",
            "first_fiscal_year": 2025,
            "last_fiscal_year": 2029,
        },
    )
    assert r.status_code == 302 and r["Location"] == "/strategies/nemuro-3/revisions/1/"
    body = client.get(r["Location"]).content.decode()
    assert "要確認の項目が47件あります" in body


def test_the_page_refuses_a_code_in_use_and_a_backwards_period(client, strategy, dave):
    client.force_login(dave)
    body = client.post(
        "/strategies/nemuro-2/revisions/next/",
        {"code": "nemuro-2", "name": "x", "first_fiscal_year": 2025, "last_fiscal_year": 2029},
    ).content.decode()
    assert "コード「nemuro-2」の総合戦略はすでにあります。" in body
    body = client.post(
        "/strategies/nemuro-2/revisions/next/",
        {"code": "nemuro-3", "name": "x", "first_fiscal_year": 2029, "last_fiscal_year": 2025},
    ).content.decode()
    assert "計画期間の最終年度は初年度以降にしてください。" in body
    assert not Strategy.objects.filter(code="nemuro-3").exists()


def test_it_refuses_a_first_year_inside_the_previous_period_even_when_extended(strategy, dave):
    with pytest.raises(services.RevisionError) as e:
        start(strategy, dave, first_fiscal_year=2024)
    assert (
        "次期戦略の初年度（2024年度）が第２期根室市創生総合戦略の計画期間（2021〜2024年度）と"
        in str(e.value)
    )
    Strategy.objects.filter(pk=strategy.pk).update(last_fiscal_year=2025)  # as a period revision
    strategy.refresh_from_db()
    with pytest.raises(services.RevisionError) as e:
        start(strategy, dave, first_fiscal_year=2025)
    assert "（2021〜2025年度）と重なっています。2026年度以降にしてください。" in str(e.value)
    assert not Strategy.objects.filter(code="nemuro-3").exists()
    assert start(strategy, dave, first_fiscal_year=2026, last_fiscal_year=2030).strategy.code
