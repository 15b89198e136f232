"""計画期間の変更 through a revision (revisions/period.py): nemuro-2 extended to FY2025.

The as-then rule: every indicator's FY2021–FY2024 evaluation (grade, rates, interim target,
target and target year in force, formula) is the same before and after publishing; FY2025 is
judged against the moved targets. Shortening is refused when a removed year holds actuals or is
locked."""

from decimal import Decimal

import pytest

from kpis import evaluation
from kpis.models import Actual, FiscalYear, Indicator, IndicatorTarget, Strategy, YearReview
from revisions import period, services
from revisions.diff import compare
from revisions.snapshot import take_snapshot
from tests.revision_helpers import CODE, indicator, open_revision, target_change

pytestmark = pytest.mark.django_db

YEARS = [2021, 2022, 2023, 2024]


def extend(revision, user, *, last=2025, year=2025, indicators=None, version=0):
    """Save the draft's 計画期間の変更 (what the form posts)."""
    return services.save_change(
        revision=revision,
        user=user,
        kind=period.PERIOD,
        action="change",
        object_key=period.KEY,
        field=period.FIELD,
        new_value={"last_fiscal_year": last, "indicators": indicators or {}},
        effective_from_year=year,
        expected_version=version,
    )


def fill_actuals(strategy, years=YEARS):
    """A confirmed actual for every indicator and year: somewhere between baseline and target, so
    the grades spread over A–D (test data, not the city's)."""
    rows = []
    for n, ind in enumerate(Indicator.objects.for_strategy(strategy).order_by("pk")):
        start = ind.baseline_value if ind.baseline_value is not None else ind.target_value * 0
        for year in years:
            share = Decimal((n % 5) + year - 2020) / 6
            value = ind.quantize(start + (ind.target_value - start) * share)
            rows.append(
                Actual(
                    indicator=ind,
                    fiscal_year=year,
                    value=abs(value),
                    status=Actual.Status.CONFIRMED,
                )
            )
    Actual.objects.bulk_create(rows)


def read_model(strategy, years=YEARS):
    """Every indicator × year as the pages show it (the read model, kpis.evaluation)."""
    strategy = Strategy.objects.get(pk=strategy.pk)
    indicators = Indicator.objects.for_strategy(strategy).with_tree()
    out = {}
    for t in evaluation.timelines(strategy, indicators, years, reader=evaluation.STAFF_READER):
        for year in years:
            e = t.at(year)
            r = e.result
            out[(t.indicator.code, year)] = (
                r.grade,
                r.progress_rate,
                r.achievement_rate,
                r.pace,
                r.interim_target,
                r.met,
                r.formula,
                e.target,
                e.target_year,
                e.baseline,
                e.value_text,
                e.grade_text,
            )
    return out


def moved_codes(strategy):
    return sorted(
        Indicator.objects.for_strategy(strategy)
        .filter(target_fiscal_year=2024, retired_from_year__isnull=True)
        .values_list("code", flat=True)
    )


def test_it_extends_the_period_and_keeps_every_judged_year_as_then(strategy, dave):
    fill_actuals(strategy)
    before = read_model(strategy)
    assert len({v[0] for v in before.values()}) >= 3  # the grades differ between indicators
    moved = moved_codes(strategy)
    assert len(moved) > 30
    FiscalYear.objects.filter(year=2025).delete()  # a database loaded without it
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave)
    services.publish_revision(revision=revision, user=dave)

    strategy = Strategy.objects.get(pk=strategy.pk)
    assert strategy.fiscal_years == [2021, 2022, 2023, 2024, 2025]
    assert FiscalYear.objects.get(year=2025).label == "令和7年度（2025年度）"
    assert read_model(strategy) == before  # FY2021–FY2024: every grade, rate and text as then
    for code in moved:
        ind = Indicator.objects.get(basic_goal__strategy=strategy, code=code)
        assert ind.target_fiscal_year == 2025
        rows = list(ind.targets.order_by("effective_from_year"))
        assert [r.effective_from_year for r in rows] == [2021, 2025]
        assert rows[0].target_fiscal_year == 2024 and rows[1].target_fiscal_year == 2025
        assert rows[1].target_value == rows[0].target_value  # no new value given: unchanged
        assert rows[1].revision_id == revision.pk
    revision.refresh_from_db()
    assert take_snapshot(strategy) == revision.snapshot
    assert revision.snapshot["strategy"]["last_fiscal_year"] == 2025


def test_an_indicator_whose_target_year_moved_gets_an_interim_path_to_2025(strategy, dave):
    ind = indicator()  # 沿岸漁業における生産量: 23,854t (FY2019, implied) → 27,700t (FY2024)
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave, year=2024, indicators={CODE: {"move": True, "target_value": "28000"}})
    services.publish_revision(revision=revision, user=dave)

    strategy = Strategy.objects.get(pk=strategy.pk)
    (t,) = evaluation.timelines(
        strategy, [Indicator.objects.get(pk=ind.pk)], strategy.fiscal_years, reader="staff"
    )
    b = t.at(2024).baseline_year
    # FY2023: the target in force then, 27,700t in FY2024
    assert (t.at(2023).target, t.at(2023).target_year) == (Decimal("27700"), 2024)
    # FY2024 on: 28,000t in FY2025; s(2024) = (2024 − b) / (2025 − b)
    assert (t.at(2024).target, t.at(2024).target_year) == (Decimal("28000"), 2025)
    share = Decimal(2024 - b) / Decimal(2025 - b)
    expected = Decimal("23854") + share * (Decimal("28000") - Decimal("23854"))
    assert abs(t.at(2024).interim - expected) < Decimal("1")
    assert t.at(2025).interim == Decimal("28000")  # the target year: the target itself


def test_an_indicator_the_administrator_keeps_stays_at_2024(strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave, indicators={CODE: {"move": False}})
    services.publish_revision(revision=revision, user=dave)
    ind = indicator()
    assert ind.target_fiscal_year == 2024
    assert list(ind.targets.values_list("effective_from_year", flat=True)) == [2021]
    other = Indicator.objects.get(basic_goal__strategy=strategy, code="1-ア-1-2")
    assert other.target_fiscal_year == 2025


def test_a_target_change_in_the_same_draft_may_use_the_new_year(strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave)
    target_change(revision, dave, year=2025, target="31000", target_year=2025)
    services.publish_revision(revision=revision, user=dave)
    row = IndicatorTarget.objects.get(indicator=indicator(), effective_from_year=2025)
    assert (row.target_value, row.target_fiscal_year) == (Decimal("31000"), 2025)


def test_the_comparison_shows_the_period_and_the_moved_target_years(strategy, dave):
    before = take_snapshot(strategy)
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave)
    _, after = services.draft_state(revision)
    comparison = compare(before, after)
    whole = comparison.groups[0]  # listed first: the period frames every other change
    assert whole.label == "総合戦略全体" and whole.goal is None
    assert all(g.goal is not None for g in comparison.groups[1:])
    (item,) = whole.changed
    assert (item.kind_label, item.field, item.old, item.new, item.from_year) == (
        "計画期間",
        "計画期間",
        "2021〜2024年度",
        "2021〜2025年度",
        2025,
    )
    moved = [i for i in comparison.items if i.key == CODE]
    assert [(i.field, i.old, i.new, i.from_year) for i in moved] == [
        ("目標年度", "2024年度", "2025年度", 2025)
    ]


@pytest.mark.parametrize(
    "last, year, message",
    [
        (2024, 2025, "計画期間の最終年度が現在と同じ（2024年度）です。"),
        (2019, 2019, "計画期間の最終年度は初年度（2021年度）以降にしてください。"),
        (2025, 2026, "適用開始年度は2021〜2025年度の中から選んでください"),
        (2040, 2025, "計画期間の延長は10年度までにしてください。"),
    ],
)
def test_it_refuses_a_period_that_makes_no_sense(strategy, dave, last, year, message):
    revision = open_revision(strategy, dave, title="計画期間の変更")
    with pytest.raises(services.RevisionError) as e:
        extend(revision, dave, last=last, year=year)
    assert any(m.startswith(message) for m in e.value.messages), e.value.messages
    assert not revision.changes.exists()


def test_shortening_is_refused_when_a_removed_year_has_actuals(strategy, dave):
    Actual.objects.create(indicator=indicator(), fiscal_year=2024, value=Decimal("27000"))
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    with pytest.raises(services.RevisionError) as e:
        extend(revision, dave, last=2023, year=2023)
    assert (
        "令和6年度（2024年度）には実績値が1件入力されているため、"
        "計画期間を2023年度までに短縮できません。"
    ) in e.value.messages
    assert Strategy.objects.get(pk=strategy.pk).last_fiscal_year == 2024


def test_shortening_is_refused_when_a_removed_year_is_locked(strategy, dave):
    YearReview.objects.create(strategy=strategy, fiscal_year=2024, is_locked=True)
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    with pytest.raises(services.RevisionError) as e:
        extend(revision, dave, last=2023, year=2023)
    assert (
        "令和6年度（2024年度）は有識者会議の検証でロックされているため、"
        "計画期間を2023年度までに短縮できません。"
    ) in e.value.messages


def test_shortening_is_refused_at_publishing_when_actuals_came_meanwhile(strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    extend(revision, dave, last=2023, year=2023)
    Actual.objects.create(indicator=indicator(), fiscal_year=2024, value=Decimal("27000"))
    with pytest.raises(services.RevisionError) as e:
        services.publish_revision(revision=revision, user=dave)
    assert "実績値が1件入力されているため" in e.value.message
    assert Strategy.objects.get(pk=strategy.pk).last_fiscal_year == 2024


def test_shortening_without_actuals_moves_the_targets_into_the_period(strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    extend(revision, dave, last=2023, year=2023)
    services.publish_revision(revision=revision, user=dave)
    assert Strategy.objects.get(pk=strategy.pk).fiscal_years == [2021, 2022, 2023]
    assert indicator().target_fiscal_year == 2023
    assert not Indicator.objects.for_strategy(strategy).filter(target_fiscal_year__gt=2023)


def test_shortening_refuses_to_keep_a_target_year_outside_the_period(strategy, dave):
    revision = open_revision(strategy, dave, title="計画期間の短縮")
    with pytest.raises(services.RevisionError) as e:
        extend(revision, dave, last=2023, year=2023, indicators={CODE: {"move": False}})
    assert any("の目標年度（2024年度）が新しい計画期間" in m for m in e.value.messages)


def test_moving_targets_from_a_locked_year_is_refused(strategy, dave):
    YearReview.objects.create(strategy=strategy, fiscal_year=2023, is_locked=True)
    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    with pytest.raises(services.RevisionError) as e:
        extend(revision, dave, year=2023)
    assert any("ロックされた2023年度の評価が変わります" in m for m in e.value.messages)
    extend(revision, dave, year=2024)  # after the locked year: fine


def test_load_strategy_keeps_a_revised_period(strategy, dave):
    from front.loading import load_strategy

    revision = open_revision(strategy, dave, title="計画期間の1年延長")
    extend(revision, dave)
    services.publish_revision(revision=revision, user=dave)
    load_strategy()
    assert Strategy.objects.get(pk=strategy.pk).last_fiscal_year == 2025
