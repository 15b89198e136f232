"""Who may write what in the council's pages. Roles come from kpis.roles."""

from kpis import roles


def can_write_opinion(user):
    """有識者 (council members) write opinions; 管理者 may too. The secretariat and clerks may not."""
    return roles.is_council(user) or roles.is_admin(user)


def can_respond(user):
    """事務局 (and 管理者) record the city's response to an opinion."""
    return roles.is_secretariat(user)
