from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from front.home import home_for
from front.selectors import current_strategy, strategy_browser
from projects.models import KeyProject
from revisions import selectors as revision_selectors
from revisions.browser import strategy_as_of, tree_from_snapshot


@login_required
def home(request):
    """Each role's task first (front/home.py); the strategy document stays in the navigation."""
    strategy = current_strategy()
    if strategy is None:
        return render(request, "kpis/empty.html")
    home = home_for(request.user, strategy)
    return render(request, "kpis/home.html", {"strategy": strategy, "home": home})


def _selected_revision(request, revisions):
    """?revision=<number>: the strategy as of that revision; none given: the live (latest
    published) state. An unknown number, and a draft for a non-administrator, is 404."""
    text = request.GET.get("revision", "")
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise Http404("改訂が見つかりません。") from None
    revision = next((r for r in revisions if r.number == number), None)
    if revision is None:
        raise Http404("改訂が見つかりません。")
    if revision.is_draft and not request.access.can_edit_revision:
        raise Http404("改訂が見つかりません。")  # a draft's number is not revealed
    return revision


@login_required
def strategy_detail(request, code):
    strategy = request.access.strategy
    revisions = revision_selectors.revisions_for(strategy)
    selected = _selected_revision(request, revisions)
    if selected is None:
        goals = strategy_browser(strategy)
        key_projects = list(
            KeyProject.objects.filter(strategy=strategy).prefetch_related("actions")
        )
        for kp in key_projects:
            kp.action_list = list(kp.actions.all())
    else:
        selected.refresh_from_db(fields=["snapshot"])
        snapshot = revision_selectors.snapshot_of(selected)
        goals, key_projects = tree_from_snapshot(snapshot)
        strategy = strategy_as_of(strategy, snapshot)  # the plan period of that revision
    kpi_count = sum(
        1
        for g in goals
        for p in g.policy_list
        for m in p.measure_list
        for k in m.kpi_list
        if not k.retired_from_year
    )
    visible = revision_selectors.visible(revisions, request.user)
    return render(
        request,
        "kpis/strategy_detail.html",
        {
            "strategy": strategy,
            "goals": goals,
            "key_projects": key_projects,
            "kpi_count": kpi_count,
            "revisions": visible,
            "selected_revision": selected,
            "latest_revision": next((r for r in reversed(visible) if r.is_published), None),
        },
    )
