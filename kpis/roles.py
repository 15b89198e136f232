"""The four roles are Django groups. Every view asks these helpers, never group names directly."""

CLERK = "入力担当"
SECRETARIAT = "事務局"
COUNCIL = "有識者"
ADMINISTRATOR = "管理者"
ALL_ROLES = [CLERK, SECRETARIAT, COUNCIL, ADMINISTRATOR]


def _groups(user):
    # Cached on the user object: templates and views ask several times per request.
    if not hasattr(user, "_role_names"):
        user._role_names = (
            set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        )
    return user._role_names


def is_admin(user):
    return user.is_authenticated and (user.is_superuser or ADMINISTRATOR in _groups(user))


def is_secretariat(user):
    """事務局 or 管理者: sees and edits every indicator."""
    return is_admin(user) or SECRETARIAT in _groups(user)


def is_council(user):
    return user.is_authenticated and COUNCIL in _groups(user)


def is_clerk(user):
    return user.is_authenticated and CLERK in _groups(user)


def role_labels(user):
    if user.is_superuser:
        return [ADMINISTRATOR]
    return [r for r in ALL_ROLES if r in _groups(user)]
