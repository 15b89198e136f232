from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from kpis.models import Strategy
from population.models import PopulationPoint, PopulationTarget
from population.selectors import comparison_rows, figure_table


@login_required
def vision(request, code):
    strategy = get_object_or_404(Strategy, code=code)
    table = figure_table(strategy)
    return render(
        request,
        "population/vision.html",
        {
            "strategy": strategy,
            "rows": comparison_rows(table),
            "targets": PopulationTarget.objects.filter(strategy=strategy),
            "points": PopulationPoint.objects.filter(strategy=strategy),
            "suppression": getattr(strategy, "decline_suppression", None),
        },
    )
