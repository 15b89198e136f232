from django import template

from kpis import roles

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
