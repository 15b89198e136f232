"""Reads of opinions: always with their author, response and target in the same query."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404

from council.models import TARGET_KINDS, Opinion, target_label
from kpis.models import BasicGoal, Indicator, Measure


def opinions():
    return Opinion.objects.select_related(
        "author",
        "response__author",
        "indicator",
        "measure__policy__basic_goal",
        "basic_goal",
    ).order_by("fiscal_year", "created_at", "id")


def opinion_index(strategy, fiscal_years) -> dict:
    """{(kind, target id, fiscal year): [Opinion]} for a whole page, in one query."""
    index = defaultdict(list)
    for o in opinions().filter(strategy=strategy, fiscal_year__in=list(fiscal_years)):
        index[(o.target_kind, o.target_id, o.fiscal_year)].append(o)
    return index


def get_target_or_404(strategy, kind, pk):
    """The indicator, measure or basic goal `pk` of `strategy`."""
    if kind == "indicator":
        qs = Indicator.objects.select_related("basic_goal").filter(basic_goal__strategy=strategy)
    elif kind == "measure":
        qs = Measure.objects.select_related("policy__basic_goal").filter(
            policy__basic_goal__strategy=strategy
        )
    elif kind == "basic_goal":
        qs = BasicGoal.objects.filter(strategy=strategy)
    else:
        raise Http404("意見の対象が見つかりません。")
    target = qs.filter(pk=pk).first()
    if target is None:
        raise Http404("意見の対象が見つかりません。")
    return target


def current_fiscal_year(today: date | None = None) -> int:
    today = today or date.today()
    return today.year if today.month >= 4 else today.year - 1


def default_review_year(strategy, today: date | None = None) -> int:
    """The year the council reviews now: last fiscal year, kept inside the strategy's period."""
    year = current_fiscal_year(today) - 1
    return min(max(year, strategy.first_fiscal_year), strategy.last_fiscal_year)


@dataclass
class Panel:
    """What council/_opinions.html shows for one target and fiscal year."""

    strategy: object
    fiscal_year: int
    kind: str
    target: object
    current: list = field(default_factory=list)  # this year's opinions
    previous: list = field(default_factory=list)  # last year's, with their responses
    can_write: bool = False
    can_respond: bool = False

    @property
    def previous_year(self):
        return self.fiscal_year - 1

    @property
    def kind_label(self):
        return TARGET_KINDS[self.kind]

    @property
    def label(self):
        return target_label(self.kind, self.target)

    @property
    def anchor(self):
        return f"opinions-{self.kind}-{self.target.pk}"


def opinion_panel(*, strategy, fiscal_year, kind, target, user, index=None) -> Panel:
    """The panel of one target; with `index` (opinion_index()) it runs no query."""
    from council.permissions import can_respond, can_write_opinion

    if index is None:
        index = defaultdict(list)
        for o in opinions().filter(
            strategy=strategy,
            fiscal_year__in=[fiscal_year - 1, fiscal_year],
            **{kind: target},
        ):
            index[(kind, target.pk, o.fiscal_year)].append(o)
    return Panel(
        strategy=strategy,
        fiscal_year=fiscal_year,
        kind=kind,
        target=target,
        current=list(index.get((kind, target.pk, fiscal_year), [])),
        previous=list(index.get((kind, target.pk, fiscal_year - 1), [])),
        can_write=can_write_opinion(user) and fiscal_year in strategy.fiscal_years,
        can_respond=can_respond(user),
    )
