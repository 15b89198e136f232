"""Who may see and change what: decided here, and only here.

`Access(user, strategy)` answers every question a page, the API, a template tag or the admin asks:
which strategy (a strategy in preparation — the next one, whose 第1版 is not published — exists
for administrators only: 404 for everyone else), the reader's role and departments, what they may
change (`can_enter`, `can_confirm`, `can_edit_revision`, …) and the one queryset of actuals they
may see (`visible_actuals`). It is built for every strategy page by
`kpis.middleware.StrategyAccessMiddleware` (as `request.access`) and for the API by
`front.api._access`; kpis/permissions.py, council/permissions.py and `Actual.objects.visible_to`
are thin delegates kept for callers that have no strategy at hand.

The rules (docs/security.md has them as one table, enforced by
tests/security/test_permission_matrix.py):
- public (anonymous, or signed in without a role): confirmed values of locked fiscal years only;
- 有識者 (council): confirmed values of any year; writes opinions;
- 入力担当 (clerk): every value, drafts included; enters the actuals of their own departments;
- 事務局 (secretariat): every value; enters for every department, confirms, returns, locks,
  reopens, assigns departments, enters population figures, answers opinions;
- 管理者 (administrator): everything the secretariat may, plus revisions, drafts, restoring an
  actual from its history, the Django admin and strategies in preparation.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404

from kpis import roles

PUBLIC = "public"
COUNCIL = "council"
STAFF = "staff"

NOT_FOUND = "総合戦略が見つかりません。"


# -- strategies ---------------------------------------------------------------------------------


def _revisions():
    """The manager of revisions.Revision, reached through the reverse relation `Strategy.revisions`:
    whether a strategy is in preparation is decided by its revisions, but the revisions app sits
    above kpis and kpis imports nothing from it (docs/architecture.md, "Layers")."""
    from kpis.models import Strategy

    return Strategy.revisions.rel.related_model.objects


def _in_preparation_filter():
    """Q-able: the strategy has revisions and none of them is published."""
    any_revision = _revisions().filter(strategy=OuterRef("pk"))
    published = any_revision.filter(status="published")
    return Exists(any_revision) & ~Exists(published)


def visible_strategies(user):
    """The strategies `user` may know of: all for administrators, else those not in preparation."""
    from kpis.models import Strategy

    qs = Strategy.objects.all()
    if roles.is_admin(user):
        return qs
    return qs.exclude(_in_preparation_filter())


def is_in_preparation(strategy) -> bool:
    revisions = _revisions().filter(strategy=strategy)
    return revisions.exists() and not revisions.filter(status="published").exists()


def resolve_strategy(user, code):
    """The strategy of a URL: Http404 when unknown or when in preparation and `user` is not an
    administrator (the same answer, so its existence does not leak)."""
    if not isinstance(code, str) or "\x00" in code:
        raise Http404(NOT_FOUND)
    # With its evaluation settings (kpis.evaluation.settings_for then needs no query of its own).
    strategy = (
        visible_strategies(user).select_related("evaluation_settings").filter(code=code).first()
    )
    if strategy is None:
        raise Http404(NOT_FOUND)
    return strategy


# -- the reader's view of the actuals -------------------------------------------------------


def level_of(user) -> str:
    """Which of the three views of the actuals `user` gets (see the module docstring)."""
    if roles.is_secretariat(user) or roles.is_clerk(user):
        return STAFF
    if roles.is_council(user):
        return COUNCIL
    return PUBLIC


def visible_actuals_at(strategy, level: str, locked_years):
    """THE filter deciding which actuals a reader at `level` sees (the one visible-actuals rule:
    the API, dashboards, exports and the evaluation read model all come here)."""
    from kpis.models import Actual

    qs = (
        Actual.objects.all()
        if strategy is None
        else Actual.objects.filter(indicator__basic_goal__strategy=strategy)
    )
    if level == STAFF:
        return qs
    qs = qs.confirmed()
    if level == COUNCIL:
        return qs
    return qs.filter(fiscal_year__in=list(locked_years))


def locked_fiscal_years(strategy) -> list[int]:
    from kpis.models import YearReview

    return list(
        YearReview.objects.filter(strategy=strategy, is_locked=True)
        .order_by("fiscal_year")
        .values_list("fiscal_year", flat=True)
    )


# -- Access ---------------------------------------------------------------------------------


@dataclass
class Access:
    user: object
    strategy: object = None  # None: a question that does not depend on the strategy

    @classmethod
    def for_code(cls, user, code) -> "Access":
        return cls(user, resolve_strategy(user, code))

    # roles
    @cached_property
    def is_admin(self) -> bool:
        return roles.is_admin(self.user)

    @cached_property
    def is_secretariat(self) -> bool:
        return roles.is_secretariat(self.user)

    @cached_property
    def is_clerk(self) -> bool:
        return roles.is_clerk(self.user)

    @cached_property
    def is_council(self) -> bool:
        return roles.is_council(self.user)

    @cached_property
    def department_ids(self) -> set:
        user = self.user
        if not getattr(user, "is_authenticated", False):
            return set()
        if not hasattr(user, "_department_ids"):
            user._department_ids = set(user.departments.values_list("id", flat=True))
        return user._department_ids

    # what the reader sees
    @cached_property
    def level(self) -> str:
        return level_of(self.user)

    @property
    def sees_unconfirmed(self) -> bool:
        """Staff see drafts and submissions; the council and the public confirmed values only."""
        return self.level == STAFF

    @property
    def confirmed_only(self) -> bool:
        return not self.sees_unconfirmed

    @cached_property
    def locked_years(self) -> list[int]:
        return locked_fiscal_years(self.strategy) if self.strategy is not None else []

    def visible_actuals(self):
        """The actuals of the strategy this reader may see."""
        locked = self.locked_years if self.level == PUBLIC else ()
        return visible_actuals_at(self.strategy, self.level, locked)

    # what the reader may do
    @property
    def can_use_entry(self) -> bool:
        """The entry index: clerks and the secretariat."""
        return self.is_clerk or self.is_secretariat

    def can_enter(self, department_id) -> bool:
        """Enter the actuals of a department (page, Excel template and import)."""
        return self.is_secretariat or (self.is_clerk and department_id in self.department_ids)

    def can_edit_indicator(self, indicator) -> bool:
        return self.is_secretariat or (
            self.is_clerk
            and indicator.department_id is not None
            and indicator.department_id in self.department_ids
        )

    @property
    def can_change_confirmed(self) -> bool:
        """A confirmed actual is changed by the secretariat only."""
        return self.is_secretariat

    @property
    def can_confirm(self) -> bool:
        """Status board, confirm, return, lock, reopen, assignments."""
        return self.is_secretariat

    @property
    def can_enter_population(self) -> bool:
        return self.is_secretariat

    @property
    def can_write_opinion(self) -> bool:
        return self.is_council or self.is_admin

    @property
    def can_respond(self) -> bool:
        return self.is_secretariat

    @property
    def can_edit_revision(self) -> bool:
        """Revisions (create, edit, publish, discard), drafts, the next strategy."""
        return self.is_admin

    @property
    def can_restore(self) -> bool:
        return self.is_admin

    def require(self, allowed: bool, message: str):
        if not allowed:
            raise PermissionDenied(message)


def access_for(request) -> Access:
    """The request's Access (built by the middleware for strategy pages), else a strategy-less one."""
    access = getattr(request, "access", None)
    if access is None:
        access = request.access = Access(request.user)
    return access
