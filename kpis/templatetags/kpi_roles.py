from django import template

from kpis.access import Access
from kpis.selectors import current_strategy as _current_strategy

register = template.Library()


@register.filter
def is_admin(user):
    return Access(user).is_admin


@register.filter
def is_secretariat(user):
    return Access(user).is_secretariat


@register.filter
def is_clerk(user):
    return Access(user).is_clerk


@register.filter
def is_council(user):
    return Access(user).is_council


@register.simple_tag(takes_context=True)
def current_strategy(context):
    # Views that already know the strategy put it in the context; reuse it rather than query again.
    return context.get("strategy") or _current_strategy()
