"""Opinions on any page, in one line:

    {% include "council/_opinions.html" with indicator=indicator %}

needs `strategy`, `opinion_index` (council.selectors.opinion_index(strategy, years): the page's
opinions, read by the view in one query) and `fiscal_year` in the context (without
`fiscal_year`, the year under review: last fiscal year, inside the strategy's period). Or,
passing the target and year explicitly:

    {% load council_opinions %}{% opinions_panel indicator=indicator fiscal_year=year %}

The tags run no query: a context without `opinion_index` is an error, not a hidden query."""

from django import template

from council.selectors import default_review_year
from council.selectors import opinion_panel as build_panel

register = template.Library()

KINDS = ("indicator", "measure", "basic_goal")


@register.simple_tag(takes_context=True)
def opinion_panel(context):
    """The Panel for the target in the context (indicator, else measure, else basic_goal)."""
    kind = next((k for k in KINDS if context.get(k) is not None), None)
    if kind is None:
        return None
    target = context[kind]
    strategy = context["strategy"]
    fiscal_year = context.get("fiscal_year") or default_review_year(strategy)
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    return build_panel(
        strategy=strategy,
        fiscal_year=int(fiscal_year),
        kind=kind,
        target=target,
        user=user,
        index=context["opinion_index"],
    )


@register.inclusion_tag("council/_opinions.html", takes_context=True)
def opinions_panel(context, indicator=None, measure=None, basic_goal=None, fiscal_year=None):
    return {
        "strategy": context["strategy"],
        "fiscal_year": fiscal_year or context.get("fiscal_year"),
        "indicator": indicator,
        "measure": measure,
        "basic_goal": basic_goal,
        "request": context.get("request"),
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "opinion_index": context["opinion_index"],
    }
