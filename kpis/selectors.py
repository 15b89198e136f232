"""Reads that need care: the whole strategy tree in a fixed number of queries."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from kpis.models import BasicGoal, Indicator, Measure, Policy, Strategy
from projects.models import ProjectListing


def current_strategy():
    """The strategy whose period is latest: the one staff work on by default."""
    return Strategy.objects.order_by("-first_fiscal_year", "-id").first()


def strategy_tree(code):
    """Strategy → goals (directions, numeric targets) → policies → measures (KPIs, listings)."""
    strategy = get_object_or_404(Strategy, code=code)
    listings = ProjectListing.objects.select_related("project").order_by("order")
    kpis = Indicator.objects.kpis().select_related("department").order_by("order")
    measures = Measure.objects.order_by("number").prefetch_related(
        Prefetch("indicators", queryset=kpis, to_attr="kpi_list"),
        Prefetch("listings", queryset=listings, to_attr="listing_list"),
    )
    policies = Policy.objects.order_by("order").prefetch_related(
        Prefetch("measures", queryset=measures, to_attr="measure_list")
    )
    goals = (
        BasicGoal.objects.filter(strategy=strategy)
        .order_by("number")
        .prefetch_related(
            "directions",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.numeric_targets().order_by("order"),
                to_attr="numeric_targets",
            ),
            Prefetch("policies", queryset=policies, to_attr="policy_list"),
        )
    )
    return strategy, list(goals)
