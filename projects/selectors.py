"""The project list: every project with its listings, filtered, in a fixed number of queries."""

import unicodedata

from django.db.models import Prefetch, Q

from projects.models import Project, ProjectListing

BADGE_FILTERS = {
    "priority": Q(is_priority=True),
    "new": Q(fy2021=Project.FY2021.NEW),
    "expanded": Q(fy2021=Project.FY2021.EXPANDED),
    "private": Q(is_private=True),
    "hokkaido": Q(is_hokkaido=True),
}


def _fullwidth(text):
    """'JR' → 'ＪＲ': the document prints Latin letters and digits full-width."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def search_variants(text):
    """The typed words as typed, half-width and full-width, so 'JR' finds 'ＪＲ花咲線'."""
    half = unicodedata.normalize("NFKC", text)
    return {text, half, _fullwidth(half)}


def filter_projects(strategy, *, goal=None, measure=None, badge="", q=""):
    """Projects (document order) with `listing_list`: each listing with its measure's tree."""
    listings = ProjectListing.objects.select_related("measure__policy__basic_goal").order_by(
        "measure__policy__basic_goal__number", "measure__policy__order", "measure__number", "order"
    )
    projects = Project.objects.filter(strategy=strategy)
    if goal is not None:
        projects = projects.filter(listings__measure__policy__basic_goal=goal)
    if measure is not None:
        projects = projects.filter(listings__measure=measure)
    if badge in BADGE_FILTERS:
        projects = projects.filter(BADGE_FILTERS[badge])
    for word in (q or "").split():
        match = Q()
        for variant in search_variants(word):
            match |= (
                Q(name__icontains=variant)
                | Q(description__icontains=variant)
                | Q(partners__icontains=variant)
                | Q(listings__description__icontains=variant)
            )
        projects = projects.filter(pk__in=Project.objects.filter(match).values("pk"))
    return (
        projects.distinct()
        .order_by("id")
        .prefetch_related(Prefetch("listings", queryset=listings, to_attr="listing_list"))
    )
