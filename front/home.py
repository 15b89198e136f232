"""What each role sees first after signing in (the `/` page): their task, not the document.

clerk: their departments' years with counts by state, the deadline and the send-backs to answer;
secretariat: the years, pending work first; council: the latest locked (reviewed) year;
administrator: the revisions and the accounts. A user with several roles gets every section."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db.models import Count

from kpis import permissions, roles, year_status
from kpis.models import YearReview


@dataclass
class ClerkHome:
    departments: list  # [(Department, [YearCounts])]
    returned: list  # [Actual] sent back, to answer
    decisions: list = field(default_factory=list)  # [WorkflowEvent] recent 確認 and 差戻し
    decision_days: int = year_status.RECENT_DAYS


@dataclass
class AdminHome:
    revisions: list
    accounts: list  # [(role name, count)]
    without_role: int
    user_count: int


@dataclass
class Home:
    clerk: ClerkHome | None = None
    secretariat: list = field(default_factory=list)  # [YearCounts], pending work first
    council_year: int | None = None  # the latest locked year, if any
    council_shown: bool = False
    admin: AdminHome | None = None


def _pending_first(years):
    """Open years with values waiting for the secretariat first, then open years with work still
    owed by the departments, then the rest (locked years last), each in year order."""

    def key(yc):
        if yc.locked:
            return (3, yc.fiscal_year)
        if yc.counts["submitted"]:
            return (0, yc.fiscal_year)
        if yc.counts["returned"] or yc.counts["draft"]:
            return (1, yc.fiscal_year)
        return (2, yc.fiscal_year)

    return sorted(years, key=key)


def home_for(user, strategy) -> Home:
    from revisions import selectors as revision_selectors

    home = Home()
    if roles.is_clerk(user):
        ids = permissions.department_ids(user)
        counts = year_status.counts_by_department_and_year(strategy, ids)
        names = year_status.departments_by_id(counts)
        home.clerk = ClerkHome(
            departments=sorted(
                ((names[pk], years) for pk, years in counts.items()), key=lambda d: d[0].name
            ),
            returned=year_status.returned_actuals(strategy, ids),
            decisions=year_status.recent_decisions(strategy, ids),
        )
    if roles.is_secretariat(user):
        home.secretariat = _pending_first(year_status.counts_by_year(strategy))
    if roles.is_council(user):
        home.council_shown = True
        home.council_year = (
            YearReview.objects.filter(strategy=strategy, is_locked=True)
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .first()
        )
    if roles.is_admin(user):
        groups = dict(
            Group.objects.filter(name__in=roles.ALL_ROLES)
            .annotate(n=Count("user"))
            .values_list("name", "n")
        )
        revisions = revision_selectors.revisions_for(strategy)
        home.admin = AdminHome(
            revisions=revision_selectors.visible(revisions, user),
            accounts=[(r, groups.get(r, 0)) for r in roles.ALL_ROLES],
            without_role=User.objects.filter(is_active=True, is_superuser=False)
            .exclude(groups__name__in=roles.ALL_ROLES)
            .count(),
            user_count=User.objects.filter(is_active=True).count(),
        )
    return home
