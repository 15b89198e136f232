"""Adding and retiring indicators and projects: a retired indicator keeps its history and stays
visible (marked 廃止) for the years it was in force; nothing is deleted."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from kpis.models import Actual, Indicator
from projects.models import Project, ProjectListing
from revisions import selectors, services
from revisions.diff import ADDED, REMOVED, compare
from revisions.models import ProjectLifecycle, Revision
from tests.revision_helpers import add_actuals, indicator, open_revision

pytestmark = pytest.mark.django_db
STRATEGY = "/strategies/nemuro-2/"
RETIRED = "1-ア-1-2"


def _publish(strategy, dave, *changes, title="指標の見直し"):
    revision = open_revision(strategy, dave, title=title)
    for kwargs in changes:
        services.save_change(revision=revision, user=dave, **kwargs)
    return services.publish_revision(revision=revision, user=dave)


def retire(kind, key, year):
    return {"kind": kind, "action": "retire", "object_key": key, "effective_from_year": year}


def test_a_retired_indicator_keeps_its_row_actuals_and_history(strategy, dave):
    add_actuals({2021: "10", 2022: "12"}, code=RETIRED)
    _publish(strategy, dave, retire("indicator", RETIRED, 2023))
    ind = indicator(RETIRED)
    assert ind.retired_from_year == 2023
    assert Actual.objects.filter(indicator=ind).count() == 2
    assert ind.history.latest().history_change_reason == "第2版 指標の見直し"
    assert ind.in_force(2022) and not ind.in_force(2023)
    assert ind in Indicator.objects.in_force(2022) and ind not in Indicator.objects.in_force(2023)


def test_it_is_marked_retired_only_from_that_year(strategy, dave):
    _publish(strategy, dave, retire("indicator", RETIRED, 2023))
    ind = indicator(RETIRED)
    badge = Template("{% load revision_tags %}[{% retired_badge ind year %}]")
    assert badge.render(Context({"ind": ind, "year": 2022})) == "[]"
    assert "廃止" in badge.render(Context({"ind": ind, "year": 2023}))
    assert "廃止" in badge.render(Context({"ind": ind, "year": 2024}))
    assert not selectors.retired_in(ind, 2022) and selectors.retired_in(ind, 2024)


def test_the_browser_marks_it_and_the_earlier_revision_does_not(client, strategy, dave, charlie):
    _publish(strategy, dave, retire("indicator", RETIRED, 2023))
    client.force_login(charlie)
    body = client.get(STRATEGY).content.decode()
    assert f'data-code="{RETIRED}" class="retired"' in body and "2023年度から廃止" in body
    assert "KPI 39" in body  # in force now: 40 − 1
    first = client.get(f"{STRATEGY}?revision=1").content.decode()
    assert "年度から廃止" not in first and "KPI 40" in first


def test_the_comparison_lists_it_as_removed_from_that_year(strategy, dave):
    revision = _publish(strategy, dave, retire("indicator", RETIRED, 2023))
    first = Revision.objects.get(strategy=strategy, number=1)
    (item,) = compare(first.snapshot, revision.snapshot).items
    assert (item.action, item.key, item.from_year) == (REMOVED, RETIRED, 2023)


def test_a_retired_project_stays_with_its_listings(client, strategy, dave, charlie):
    name = "根室本線花咲線維持確保対策事業"  # listed under 1-イ-1, 3-ア-1 and 3-ウ-1
    _publish(strategy, dave, retire("project", name, 2024))
    project = Project.objects.get(name=name)
    assert ProjectLifecycle.objects.get(project=project).retired_from_year == 2024
    assert ProjectListing.objects.filter(project=project).count() == 3
    client.force_login(charlie)
    body = client.get(STRATEGY).content.decode()
    assert body.count(f"{name}（2024年度から）") == 3
    assert body.count('class="badge relisted"') == 24 - 2  # its two relistings are now 廃止


def test_adding_an_indicator_from_a_later_year(client, strategy, dave, charlie):
    revision = _publish(
        strategy,
        dave,
        {
            "kind": "indicator",
            "action": "add",
            "new_value": {
                "level": "kpi",
                "goal": "1",
                "measure": "1-ア-1",
                "code": "1-ア-1-5",
                "name": "ウニの漁獲量",
                "unit": "t",
                "baseline_value": "100",
                "target_value": "150",
                "target_fiscal_year": 2024,
                "direction": "increase",
                "aggregation": "level",
                "decimals": 0,
                "introduced_from_year": 2023,
            },
        },
        title="指標の追加",
    )
    ind = indicator("1-ア-1-5")
    assert (ind.introduced_from_year, ind.order, ind.lineage_key) == (2023, 5, "nemuro-2:1-ア-1-5")
    assert [(t.effective_from_year, t.target_value, t.revision) for t in ind.targets.all()] == [
        (2023, Decimal("150"), revision)
    ]
    assert not ind.in_force(2022) and ind.in_force(2023)
    first = Revision.objects.get(strategy=strategy, number=1)
    (item,) = compare(first.snapshot, revision.snapshot).items
    assert (item.action, item.key, item.from_year) == (ADDED, "1-ア-1-5", 2023)
    client.force_login(charlie)
    assert "2023年度から追加" in client.get(STRATEGY).content.decode()


def test_adding_and_relisting_a_project(strategy, dave):
    _publish(
        strategy,
        dave,
        {
            "kind": "project",
            "action": "add",
            "new_value": {
                "name": "ウニ養殖実証事業",
                "measure": "1-ア-1",
                "description": "陸上養殖の実証",
                "partners": "",
                "introduced_from_year": 2023,
            },
        },
        {
            "kind": "listing",
            "action": "add",
            "new_value": {
                "project": "ウニ養殖実証事業",
                "measure": "1-イ-1",
                "description": "陸上養殖の実証",
                "is_relisted": True,
            },
        },
        title="事業の追加",
    )
    project = Project.objects.get(name="ウニ養殖実証事業")
    assert sorted((x.measure.code, x.is_relisted) for x in project.listings.all()) == [
        ("1-ア-1", False),
        ("1-イ-1", True),
    ]
    assert project.lifecycle.introduced_from_year == 2023
    assert project.history.latest().history_user == dave
