"""Revision marks for any page: {% load revision_tags %}

- {% judgements_panel indicator strategy fiscal_year %}: the indicator page's "as judged then" /
  "under the current target" box (templates/revisions/_judgements.html), shown when they differ
  and always with the targets in force per year.
- {% retired_badge obj fiscal_year %}: 「廃止」 for an indicator/project/listing retired in that
  year (nothing for the years before).
- {{ obj|is_retired_in:fiscal_year }}, {{ rate|rate }}.
"""

from django import template
from django.utils.html import format_html

from kpis import achievement
from kpis.permissions import sees_unconfirmed
from revisions import selectors

register = template.Library()


@register.filter
def rate(value):
    return achievement.format_rate(value)


@register.filter
def is_retired_in(obj, fiscal_year):
    return selectors.retired_in(obj, fiscal_year)


@register.simple_tag
def retired_badge(obj, fiscal_year=None):
    """「廃止」 from the retirement year on; with no year, 「N年度から廃止」 when retired at all."""
    year = selectors.retired_from(obj)
    if not year:
        return ""
    if fiscal_year is None:
        return format_html('<span class="tag retired">{}年度から廃止</span>', year)
    if selectors.retired_in(obj, fiscal_year):
        return format_html('<span class="tag retired" title="{}年度から廃止">廃止</span>', year)
    return ""


@register.inclusion_tag("revisions/_judgements.html", takes_context=True)
def judgements_panel(context, indicator, strategy, fiscal_year, then=None, now=None):
    """Pass `then`/`now` (the page's own results) to avoid evaluating the indicator again."""
    if then is not None and now is not None:
        j = selectors.judgements_from(then, now)
    else:
        user = context.get("user")
        confirmed_only = not sees_unconfirmed(user) if user is not None else True
        j = selectors.judgements(indicator, strategy, int(fiscal_year), confirmed_only)
    return {
        "indicator": indicator,
        "fiscal_year": int(fiscal_year),
        "judgements": j,
        "timeline": selectors.target_timeline(indicator),
    }


@register.inclusion_tag("revisions/_lineage.html", takes_context=True)
def lineage_panel(context, indicator):
    """The indicator's actuals across strategies (the 2nd and the next), shown only when another
    strategy shares its lineage."""
    values = selectors.lineage_values(indicator, user=context.get("user"))
    other = any(v.indicator.pk != indicator.pk for v in values)
    return {"indicator": indicator, "values": values if other else []}
