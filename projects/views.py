from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.forms import ProjectFilterForm
from projects.models import Project
from projects.selectors import filter_projects


@login_required
def projects_list(request, code):
    strategy = request.access.strategy
    form = ProjectFilterForm(request.GET or None, strategy=strategy)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    projects = list(
        filter_projects(
            strategy,
            goal=filters.get("goal"),
            measure=filters.get("measure"),
            badge=filters.get("badge", ""),
            q=filters.get("q", ""),
        )
    )
    return render(
        request,
        "projects/list.html",
        {
            "strategy": strategy,
            "form": form,
            "projects": projects,
            "total": Project.objects.filter(strategy=strategy).count(),
            "filtered": bool(filters and any(filters.values())),
        },
    )
