"""Revision marks for any page: {% load revision_tags %}. The tags format what the view read;
none runs a query.

- {% judgements_panel indicator fiscal_year judgements timeline %}: the indicator page's "as
  judged then" / "under the current target" box (templates/revisions/_judgements.html), shown when
  they differ and always with the targets in force per year.
- {% lineage_panel indicator values %}: the actuals across strategies.
- {% retired_badge obj fiscal_year %}: 「廃止」 for an indicator/project/listing retired in that
  year (nothing for the years before).
- {{ obj|is_retired_in:fiscal_year }}, {{ rate|rate }}.
"""

from django import template
from django.utils.html import format_html

from kpis import achievement
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


@register.inclusion_tag("revisions/_judgements.html")
def judgements_panel(indicator, fiscal_year, judgements, timeline):
    """Shows what the view worked out (revisions.selectors.judgements / judgements_from and
    target_timeline): a template tag runs no query."""
    return {
        "indicator": indicator,
        "fiscal_year": int(fiscal_year),
        "judgements": judgements,
        "timeline": timeline,
    }


@register.inclusion_tag("revisions/_lineage.html")
def lineage_panel(indicator, values):
    """The indicator's actuals across strategies (revisions.selectors.lineage_values, read by the
    view), shown only when another strategy shares its lineage."""
    other = any(v.indicator.pk != indicator.pk for v in values)
    return {"indicator": indicator, "values": values if other else []}
