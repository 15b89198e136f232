"""Reads that need care: the whole strategy tree in a fixed number of queries."""

from django.db.models import Exists, Max, OuterRef, Prefetch

from kpis.models import BasicGoal, Indicator, Measure, Policy, Strategy
from projects.models import ProjectListing


def current_strategy():
    """The strategy whose period is latest: the one staff work on by default. A strategy still in
    preparation (the next one, whose 第1版 is not published yet) is not current."""
    from revisions.models import Revision

    published = Revision.objects.filter(strategy=OuterRef("pk"), status="published")
    any_revision = Revision.objects.filter(strategy=OuterRef("pk"))
    return (
        Strategy.objects.filter(Exists(published) | ~Exists(any_revision))
        .order_by("-first_fiscal_year", "-id")
        .first()
    )


def strategy_goals(strategy):
    """Strategy → goals (directions, numeric targets) → policies → measures (KPIs, listings).
    The strategy comes from kpis.access (which decides whether the reader may see it)."""
    return _goals(strategy)


def _goals(strategy, *, browser=False):
    listings = ProjectListing.objects.select_related("project").order_by("order")
    kpis = Indicator.objects.kpis().select_related("department").order_by("order")
    numeric_targets = Indicator.objects.numeric_targets().order_by("order")
    if browser:
        # Retired projects/listings (revisions app) and the year the target in force applies from.
        listings = listings.select_related("project__lifecycle", "lifecycle")
        kpis = kpis.annotate(target_from=Max("targets__effective_from_year"))
        numeric_targets = numeric_targets.annotate(target_from=Max("targets__effective_from_year"))
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
            Prefetch("indicators", queryset=numeric_targets, to_attr="numeric_targets"),
            Prefetch("policies", queryset=policies, to_attr="policy_list"),
        )
    )
    return list(goals)


def _lifecycle_year(obj):
    life = getattr(obj, "lifecycle", None)  # RelatedObjectDoesNotExist is an AttributeError
    return life.retired_from_year if life else None


def strategy_browser(strategy):
    """The goals of strategy_tree as the strategy browser shows them: `direction_list`, and each
    measure's listings split into `listing_list` (in force) and `retired_listing_list` (廃止, with
    `retired_from`); indicators carry `target_from`. Same number of queries as strategy_tree."""
    goals = _goals(strategy, browser=True)
    for goal in goals:
        goal.direction_list = list(goal.directions.all())
        for policy in goal.policy_list:
            for measure in policy.measure_list:
                current, retired = [], []
                for listing in measure.listing_list:
                    years = [
                        y for y in (_lifecycle_year(listing), _lifecycle_year(listing.project)) if y
                    ]
                    listing.retired_from = min(years) if years else None
                    (retired if listing.retired_from else current).append(listing)
                measure.listing_list, measure.retired_listing_list = current, retired
    return goals
