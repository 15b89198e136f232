from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from kpis.selectors import current_strategy, strategy_tree
from projects.models import KeyProject


@login_required
def home(request):
    strategy = current_strategy()
    if strategy is None:
        return render(request, "kpis/empty.html")
    return redirect("strategy", code=strategy.code)


@login_required
def strategy_detail(request, code):
    strategy, goals = strategy_tree(code)
    key_projects = KeyProject.objects.filter(strategy=strategy).prefetch_related("actions")
    kpi_count = sum(len(m.kpi_list) for g in goals for p in g.policy_list for m in p.measure_list)
    return render(
        request,
        "kpis/strategy_detail.html",
        {
            "strategy": strategy,
            "goals": goals,
            "key_projects": key_projects,
            "kpi_count": kpi_count,
        },
    )
