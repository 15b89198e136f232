"""Thin delegates to kpis.access.Access (where every access rule is decided), for callers that
have a user but no strategy at hand. New code asks `request.access` instead."""

from kpis.access import Access


def department_ids(user):
    return Access(user).department_ids


def can_enter_for_department(user, department_id):
    return Access(user).can_enter(department_id)


def can_edit_indicator(user, indicator):
    return Access(user).can_edit_indicator(indicator)


def sees_unconfirmed(user):
    """Staff see drafts and submissions; council members and the public see confirmed values only."""
    return Access(user).sees_unconfirmed
