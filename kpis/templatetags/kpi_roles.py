from django import template

from kpis.access import Access

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
