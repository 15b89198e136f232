"""The fixtures hold the whole document, and `load_strategy` loads them idempotently."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from front.loading import load_strategy
from kpis.models import BasicGoal, Direction, Indicator, Measure, Policy
from population.models import PopulationFigure, PopulationPoint, PopulationTarget
from projects.models import KeyProject, KeyProjectAction, Project, ProjectListing

pytestmark = pytest.mark.django_db


def test_it_loads_every_item_of_the_document(strategy):
    assert strategy.name == "第２期根室市創生総合戦略"
    assert (strategy.first_fiscal_year, strategy.last_fiscal_year) == (2021, 2024)
    assert BasicGoal.objects.filter(strategy=strategy).count() == 3
    assert Indicator.objects.numeric_targets().count() == 7  # 2 + 3 + 2
    assert Policy.objects.count() == 8  # ア・イ / ア・イ・ウ / ア・イ・ウ
    assert Measure.objects.count() == 17  # 5+2 / 1+3+1 / 3+1+1
    assert Indicator.objects.kpis().count() == 40  # 17 / 10 / 13
    assert ProjectListing.objects.count() == 117  # every row of every 具体的な事業 table
    assert ProjectListing.objects.filter(is_relisted=True).count() == 24  # 【再掲】 rows
    assert Project.objects.count() == 93  # 117 rows − 24 relistings
    assert KeyProject.objects.count() == 3
    assert KeyProjectAction.objects.count() == 16  # 5 + 5 + 6 bullets
    assert PopulationTarget.objects.count() == 3
    assert PopulationPoint.objects.count() == 3


def test_it_counts_kpis_per_goal_as_printed(strategy):
    per_goal = {
        g.number: g.indicators.filter(level="kpi").count() for g in strategy.basic_goals.all()
    }
    assert per_goal == {1: 17, 2: 10, 3: 13}
    per_measure = {
        m.code: m.indicators.count() for m in Measure.objects.select_related("policy__basic_goal")
    }
    assert per_measure["1-ア-1"] == 4
    assert per_measure["3-イ-1"] == 5
    assert Direction.objects.filter(basic_goal__number=1).count() == 12


def test_it_is_idempotent(strategy):
    history_before = Indicator.history.count()
    report = load_strategy()
    assert report.changed == 0
    assert Indicator.history.count() == history_before
    assert Project.objects.count() == 93


def test_the_command_says_nothing_changed_on_a_second_run(strategy, capsys):
    call_command("load_strategy")
    assert "変更はありません" in capsys.readouterr().out


def test_it_restores_a_value_edited_by_hand(strategy):
    Indicator.objects.filter(code="1-ア-1-1").update(target_value=1)
    report = load_strategy()
    assert report.changed == 1
    assert Indicator.objects.get(code="1-ア-1-1").target_value == Decimal("27700")


def test_every_relisted_project_is_one_row_linked_to_each_measure(strategy):
    for listing in ProjectListing.objects.filter(is_relisted=True).select_related("project"):
        project = listing.project
        assert project.listings.filter(is_relisted=False).count() == 1, project.name
        assert Project.objects.filter(name=project.name).count() == 1
    hanasaki = Project.objects.get(name="根室本線花咲線維持確保対策事業")
    assert sorted(m.code for m in hanasaki.measures.all()) == ["1-イ-1", "3-ア-1", "3-ウ-1"]


def test_population_figures_are_transcribed(strategy):
    def fig(source, year, category):
        return PopulationFigure.objects.get(
            strategy=strategy, source=source, year=year, category=category
        ).value

    assert fig("actual", 2015, "total") == 26917
    assert (
        fig("actual", 2015, "young")
        + fig("actual", 2015, "working")
        + fig("actual", 2015, "elderly")
        == 26917
    )
    assert fig("ipss", 2025, "total") == 22006
    assert fig("ipss", 2030, "total") == 19613
    assert fig("ipss", 2060, "total") == 8358
    assert fig("city_target", 2060, "total") == 9345
    assert fig("city_target", 2060, "elderly") == 4343
    assert fig("ipss", 2060, "share_elderly") == Decimal("48.2")
    targets = {
        t.term: (t.year, t.total, t.suppressed_decline) for t in PopulationTarget.objects.all()
    }
    assert targets == {
        "short": (2025, 22453, 447),
        "mid": (2035, 18109, 781),
        "long": (2060, 9345, 987),
    }
    women = PopulationPoint.objects.get(number=1)
    assert (women.current_value, women.target_value, women.suppressed_decline) == (2409, 534, 88)
    tfr = PopulationPoint.objects.get(number=3)
    assert (tfr.current_year, tfr.current_value, tfr.target_value) == (
        2012,
        Decimal("1.53"),
        Decimal("1.61"),
    )
    assert strategy.decline_suppression.natural + strategy.decline_suppression.social == 987
