from django import template

from kpis import roles
from kpis.selectors import current_strategy as _current_strategy

register = template.Library()


@register.filter
def is_admin(user):
    return roles.is_admin(user)


@register.filter
def is_secretariat(user):
    return roles.is_secretariat(user)


@register.filter
def is_clerk(user):
    return roles.is_clerk(user)


@register.filter
def is_council(user):
    return roles.is_council(user)


@register.simple_tag(takes_context=True)
def current_strategy(context):
    # Views that already know the strategy put it in the context; reuse it rather than query again.
    return context.get("strategy") or _current_strategy()
