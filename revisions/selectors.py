"""Reads for revisions, and what other pages need from them:

- judgements(indicator, strategy, fiscal_year, confirmed_only) → Judgements(as_judged_then,
  under_current, differ): the indicator page's "as judged then" / "under the current target".
- target_timeline(indicator): the IndicatorTarget rows with the revision that decided each.
- lineage_values(indicator): every actual of the same indicator across strategies.
- retired_in(obj, fiscal_year): whether an indicator (or project/listing) is 廃止 in that year.
"""

from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from kpis import achievement, roles
from kpis.evaluation import COUNCIL_READER, STAFF_READER, grade_scale, timelines
from kpis.models import Actual, Indicator, Strategy
from revisions.models import Revision


def get_strategy(code) -> Strategy:
    return get_object_or_404(Strategy, code=code)


def revisions_for(strategy) -> list[Revision]:
    """Every revision of a strategy, without the (large) snapshots; 1 query."""
    return list(Revision.objects.filter(strategy=strategy).defer("snapshot").order_by("number"))


def visible(revisions, user) -> list[Revision]:
    return [r for r in revisions if r.is_published or roles.is_admin(user)]


def is_in_preparation(revisions) -> bool:
    """A strategy whose 第1版 is still a draft (the next strategy being prepared)."""
    return bool(revisions) and not any(r.is_published for r in revisions)


def check_strategy_visible(strategy, revisions, user):
    if is_in_preparation(revisions) and not roles.is_admin(user):
        raise Http404("総合戦略が見つかりません。")


def get_revision_for_user(strategy, number, user, *, with_snapshot=True) -> Revision:
    """A revision the user may see: 404 when there is none, 403 for someone else's draft."""
    qs = Revision.objects.filter(strategy=strategy).select_related(
        "created_by", "published_by", "strategy"
    )
    if not with_snapshot:
        qs = qs.defer("snapshot")
    revision = get_object_or_404(qs, number=number)
    if revision.is_draft and not roles.is_admin(user):
        raise PermissionDenied("作成中の改訂は管理者のみが見られます。")
    return revision


def snapshot_of(revision) -> dict:
    """A published revision's stored snapshot, or a draft's preview (published state + its
    changes applied in memory)."""
    if revision.is_published:
        if revision.snapshot is None:
            raise Http404("この改訂の内容は記録されていません。")
        return revision.snapshot
    from revisions.services import draft_state

    return draft_state(revision)[1]


# -- both judgements -------------------------------------------------------------------------


class Judgements(NamedTuple):
    as_judged_then: achievement.Result  # against the target in force in that year
    under_current: achievement.Result  # against today's target
    differ: bool


def judgements(indicator, strategy, fiscal_year, confirmed_only) -> Judgements:
    """How `fiscal_year` was judged against the target then in force, and how it would be judged
    against the current target: one read-model timeline (kpis.evaluation, 5 queries)."""
    reader = COUNCIL_READER if confirmed_only else STAFF_READER
    scale = grade_scale(strategy)
    (line,) = timelines(strategy, [indicator], [fiscal_year], reader=reader, scale=scale)
    now = line.under_current_target(strategy, fiscal_year, scale)
    return judgements_from(line.at(fiscal_year).result, now)


def judgements_from(then, now) -> Judgements:
    """Both judgements from two engine results a page already has (no query)."""
    differ = (then.grade, then.progress_rate, then.achievement_rate, then.met) != (
        now.grade,
        now.progress_rate,
        now.achievement_rate,
        now.met,
    ) or then.inputs.get("target") != now.inputs.get("target")
    return Judgements(then, now, differ)


@dataclass(frozen=True)
class TimelineRow:
    from_year: int
    until_year: int | None  # the last year this row was in force; None = still in force
    target_value: object
    target_fiscal_year: int
    baseline_value: object
    revision: Revision | None


def target_timeline(indicator) -> list[TimelineRow]:
    """The indicator's targets in force, oldest first, each with the revision that decided it."""
    rows = list(indicator.targets.select_related("revision").order_by("effective_from_year"))
    out = []
    for n, t in enumerate(rows):
        until = rows[n + 1].effective_from_year - 1 if n + 1 < len(rows) else None
        out.append(
            TimelineRow(
                t.effective_from_year,
                until,
                t.target_value,
                t.target_fiscal_year,
                t.baseline_value,
                t.revision,
            )
        )
    return out


# -- lineage across strategies ---------------------------------------------------------------


@dataclass(frozen=True)
class LineageValue:
    strategy_code: str
    strategy_name: str
    indicator: Indicator
    fiscal_year: int
    actual: Actual

    @property
    def value(self):
        return self.actual.value if self.actual.has_value else None


def lineage_values(indicator, user=None) -> list[LineageValue]:
    """Every Actual of every indicator sharing `indicator`'s lineage_key, across strategies,
    oldest first (1 query). With `user`, only what that user may see (confirmed values for
    council members)."""
    if indicator.lineage_key:
        qs = Actual.objects.filter(indicator__lineage_key=indicator.lineage_key)
    else:
        qs = Actual.objects.filter(indicator=indicator)
    if user is not None:
        qs = qs.visible_to(user)
    qs = qs.select_related("indicator__basic_goal__strategy").order_by(
        "fiscal_year", "indicator__basic_goal__strategy__first_fiscal_year"
    )
    return [
        LineageValue(
            a.indicator.basic_goal.strategy.code,
            a.indicator.basic_goal.strategy.name,
            a.indicator,
            a.fiscal_year,
            a,
        )
        for a in qs
    ]


# -- retired ---------------------------------------------------------------------------------


def retired_from(obj) -> int | None:
    """The year an indicator, project or listing is retired from (None: in force)."""
    year = getattr(obj, "retired_from_year", None) or getattr(obj, "retired_from", None)
    if year:
        return year
    life = getattr(obj, "lifecycle", None)  # projects and listings (RelatedObjectDoesNotExist
    return life.retired_from_year if life else None  # is an AttributeError)


def retired_in(obj, fiscal_year) -> bool:
    """廃止 in `fiscal_year`: retired from that year or earlier. Years before it stay as they
    were (the indicator is shown, judged and listed normally)."""
    year = retired_from(obj)
    return bool(year) and fiscal_year is not None and int(fiscal_year) >= year
