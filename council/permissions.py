"""Who may write what in the council's pages: thin delegates to kpis.access.Access."""

from kpis.access import Access


def can_write_opinion(user):
    """有識者 (council members) write opinions; 管理者 may too. The secretariat and clerks may not."""
    return Access(user).can_write_opinion


def can_respond(user):
    """事務局 (and 管理者) record the city's response to an opinion."""
    return Access(user).can_respond
