"""Who may do what, asked by every view. Roles are in kpis/roles.py."""

from kpis import roles


def department_ids(user):
    if not hasattr(user, "_department_ids"):
        user._department_ids = (
            set(user.departments.values_list("id", flat=True)) if user.is_authenticated else set()
        )
    return user._department_ids


def can_enter_for_department(user, department_id):
    return roles.is_secretariat(user) or (
        roles.is_clerk(user) and department_id in department_ids(user)
    )


def can_edit_indicator(user, indicator):
    return roles.is_secretariat(user) or (
        roles.is_clerk(user)
        and indicator.department_id is not None
        and indicator.department_id in department_ids(user)
    )


def sees_unconfirmed(user):
    """Staff see drafts and submissions; council members and the public see confirmed values only."""
    return roles.is_secretariat(user) or roles.is_clerk(user)
