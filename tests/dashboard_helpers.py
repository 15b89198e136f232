"""Shared set-up for the dashboard tests (tests/test_dashboard_*.py): real rows, real HTTP."""

import json
import re
from decimal import Decimal

from kpis.models import Actual, BasicGoal, Indicator, Measure, Policy, Strategy

BASE = "/strategies/nemuro-2/dashboard/"


def indicator(code):
    return Indicator.objects.get(basic_goal__strategy__code="nemuro-2", code=code)


def add_actual(code, fiscal_year, value, status=Actual.Status.CONFIRMED, **fields):
    return Actual.objects.create(
        indicator=indicator(code),
        fiscal_year=fiscal_year,
        value=None if value is None else Decimal(value),
        status=status,
        **fields,
    )


def fill_every_year(strategy, status=Actual.Status.CONFIRMED):
    """An actual for every indicator and every year: the load the query counts must not feel."""
    Actual.objects.bulk_create(
        Actual(indicator=ind, fiscal_year=year, value=ind.target_value, status=status)
        for ind in Indicator.objects.for_strategy(strategy)
        for year in strategy.fiscal_years
        if not Actual.objects.filter(indicator=ind, fiscal_year=year).exists()
    )


def row(body, pk):
    """The HTML of the table row of indicator `pk`."""
    m = re.search(rf'<tr id="row-{pk}".*?</tr>', body, re.S)
    assert m, f"no row for indicator {pk}"
    return m.group(0)


def row_ids(body):
    return [int(x) for x in re.findall(r'<tr id="row-(\d+)"', body)]


def card(body, number):
    m = re.search(rf'<article class="card goal-card" id="goal-{number}".*?</article>', body, re.S)
    assert m, f"no card for goal {number}"
    return m.group(0)


def counts(html):
    """{grade label: count} of a grade roll-up (data-count attributes) inside `html`."""
    return {g: int(n) for g, n in re.findall(r'<li data-grade="([^"]+)" data-count="(\d+)"', html)}


def chart_json(body):
    m = re.search(
        r'<script id="indicator-chart-data" type="application/json">(.*?)</script>', body, re.S
    )
    assert m, "no chart data"
    return json.loads(m.group(1))


def other_strategy():
    """A second strategy with one goal, policy, measure and KPI (for the 404 tests)."""
    s = Strategy.objects.create(
        code="other",
        name="他の戦略",
        municipality="他市",
        first_fiscal_year=2021,
        last_fiscal_year=2024,
    )
    goal = BasicGoal.objects.create(strategy=s, number=1, title="他の目標", package="employment")
    policy = Policy.objects.create(basic_goal=goal, symbol="ア", order=1, title="他の施策")
    measure = Measure.objects.create(policy=policy, number=1, title="他の施策①")
    ind = Indicator.objects.create(
        basic_goal=goal,
        measure=measure,
        level=Indicator.Level.KPI,
        code="X-1",
        order=1,
        name="他の指標",
        unit="件",
        baseline_kind=Indicator.BaselineKind.NONE,
        target_value=Decimal(10),
        target_fiscal_year=2024,
        direction=Indicator.Direction.INCREASE,
        aggregation=Indicator.Aggregation.LEVEL,
        source_line="他の指標",
    )
    return s, goal, policy, measure, ind


def rollup_row(body, pk):
    """{grade label: count} of the roll-up table row of a policy or measure."""
    m = re.search(rf'<tr data-pk="{pk}">.*?</tr>', body, re.S)
    assert m, f"no roll-up row for {pk}"
    return {
        g: int(n) for g, n in re.findall(r'data-grade="([^"]+)" data-count="(\d+)"', m.group(0))
    }
