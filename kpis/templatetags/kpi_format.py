"""Number formatting as the city prints it: thousands separators, the document's decimals, ▲ for minus."""

from django import template

from kpis import numfmt

register = template.Library()


def format_number(value, decimals=None) -> str:
    """kpis.numfmt.number: the indicator's decimals, or more when the value has them."""
    return numfmt.number(value, decimals)


@register.filter
def num(value, decimals=None):
    """{{ value|num }} or {{ value|num:2 }}."""
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.simple_tag
def ind_value(indicator, value):
    """A value of an indicator at the scale its target is printed with."""
    return format_number(value, indicator.decimals)


@register.filter
def with_unit(text, unit):
    if text == "−" or not unit:
        return text
    return f"{text}{unit}" if unit != "%" else f"{text}%"


@register.filter
def fy(year):
    from kpis.fiscal import fiscal_year_label

    return fiscal_year_label(year)
