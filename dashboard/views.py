"""Council dashboards: overview, drill-down (goal → policy → measure) and the indicator page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from council.selectors import opinion_index
from dashboard import charts, selectors
from dashboard.export import xlsx_response
from dashboard.forms import FilterForm
from dashboard.tables import IndicatorTable
from kpis import services
from kpis.models import Actual, BasicGoal, Measure, Policy
from projects.models import ProjectListing
from revisions import selectors as revision_selectors

# The council panel on the goal/measure/indicator pages (None leaves it out: the dashboard tests
# pin the pages' own queries without the panel's).
OPINIONS_TEMPLATE = "council/_opinions.html"


def _get_strategy(request):
    return request.access.strategy


def _get_year(request, strategy, default):
    """?year= when it is one of the strategy's years, else default() (a query, so only then)."""
    return selectors.parse_year(request.GET.get("year"), strategy) or default()


def _url(name, strategy, *args, year=None):
    url = reverse(name, args=[strategy.code, *args])
    return f"{url}?year={year}" if year else url


def _crumbs(strategy, year, *objs):
    """[(label, url)] from the overview down to the page's object (the last has no link)."""
    crumbs = [("ダッシュボード", _url("dashboard_overview", strategy, year=year))]
    if not objs:
        return [("ダッシュボード", None)]
    for obj in objs:
        if isinstance(obj, BasicGoal):
            crumbs.append((obj.label, _url("dashboard_goal", strategy, obj.number, year=year)))
        elif isinstance(obj, Policy):
            crumbs.append(
                (f"{obj.label}{obj.title}", _url("dashboard_policy", strategy, obj.pk, year=year))
            )
        elif isinstance(obj, Measure):
            crumbs.append(
                (f"{obj.label} {obj.title}", _url("dashboard_measure", strategy, obj.pk, year=year))
            )
        else:
            crumbs.append((str(obj), None))
    return crumbs[:-1] + [(crumbs[-1][0], None)]


def _table(request, rows, strategy, year, exclude=()):
    table = IndicatorTable(
        rows,
        strategy=strategy,
        fiscal_year=year,
        show_status=request.access.sees_unconfirmed,
        exclude=exclude,
    )
    RequestConfig(request, paginate=False).configure(table)
    return table


def _base_context(request, strategy, year):
    return {
        "strategy": strategy,
        "fiscal_year": year,
        "show_status": request.access.sees_unconfirmed,
        "keep": [(k, v) for k, v in request.GET.items() if k not in ("year", "format")],
    }


@login_required
def overview(request, code):
    strategy = _get_strategy(request)
    staff = request.access.sees_unconfirmed
    year = _get_year(request, strategy, lambda: selectors.default_year(strategy, request.user))
    if request.GET.get("format") == "xlsx":
        data, form, table = _overview_data(request, strategy, year)
        return xlsx_response(
            [row.record for row in table.rows],
            strategy=strategy,
            fiscal_year=year,
            show_status=staff,
            conditions=form.describe(),
            method=data.method,
        )
    # Not cached: computed for every request, within 5× a page of only the site's shell
    # (docs/benchmarks.md, "Issue 10: the overview without a cache").
    body = _overview_body(request, strategy, year)
    context = _base_context(request, strategy, year) | {
        "body": body,
        "crumbs": _crumbs(strategy, year),
    }
    return render(request, "dashboard/overview.html", context)


def _overview_data(request, strategy, year):
    data = selectors.overview(strategy, year, request.user)
    form = FilterForm(
        request.GET or None,
        goals=[g.obj for g in data.goals],
        policies=data.policies,
        departments=data.departments,
        grades=data.grades,
    )
    table = _table(request, selectors.filter_rows(data.rows, **form.filters()), strategy, year)
    return data, form, table


def _overview_body(request, strategy, year):
    data, form, table = _overview_data(request, strategy, year)
    xlsx = request.GET.copy()
    xlsx["year"], xlsx["format"] = str(year), "xlsx"
    context = _base_context(request, strategy, year) | {
        "data": data,
        "form": form,
        "table": table,
        "shown": len(table.rows),
        "xlsx_url": f"?{xlsx.urlencode()}",
        "sort": request.GET.get("sort", ""),
    }
    return render_to_string("dashboard/_overview_body.html", context, request)


@login_required
def goal(request, code, number):
    strategy = _get_strategy(request)
    goal = get_object_or_404(BasicGoal, strategy=strategy, number=number)
    year = _get_year(request, strategy, lambda: selectors.default_year(strategy, request.user))
    page = selectors.drill_down(
        strategy,
        year,
        request.user,
        selectors.indicator_queryset(strategy).filter(basic_goal=goal),
        children=list(goal.policies.order_by("order")),
        key=lambda row: row.policy.pk if row.policy else None,
    )
    context = _base_context(request, strategy, year) | {
        "goal": goal,
        "basic_goal": goal,  # for the council opinions panel
        "page": page,
        "table": _table(request, page.group.kpis, strategy, year, exclude=("goal",)),
        "crumbs": _crumbs(strategy, year, goal),
        "opinions_template": OPINIONS_TEMPLATE,
        "opinion_index": _opinion_index(strategy, year),
    }
    return render(request, "dashboard/goal.html", context)


@login_required
def policy(request, code, pk):
    strategy = _get_strategy(request)
    policy = get_object_or_404(
        Policy.objects.select_related("basic_goal"), pk=pk, basic_goal__strategy=strategy
    )
    year = _get_year(request, strategy, lambda: selectors.default_year(strategy, request.user))
    page = selectors.drill_down(
        strategy,
        year,
        request.user,
        selectors.indicator_queryset(strategy).filter(measure__policy=policy),
        children=list(policy.measures.order_by("number")),
        key=lambda row: row.measure.pk,
    )
    context = _base_context(request, strategy, year) | {
        "policy": policy,
        "page": page,
        "table": _table(request, page.group.kpis, strategy, year, exclude=("goal", "policy")),
        "crumbs": _crumbs(strategy, year, policy.basic_goal, policy),
    }
    return render(request, "dashboard/policy.html", context)


@login_required
def measure(request, code, pk):
    strategy = _get_strategy(request)
    measure = get_object_or_404(
        Measure.objects.select_related("policy__basic_goal"),
        pk=pk,
        policy__basic_goal__strategy=strategy,
    )
    year = _get_year(request, strategy, lambda: selectors.default_year(strategy, request.user))
    page = selectors.drill_down(
        strategy,
        year,
        request.user,
        selectors.indicator_queryset(strategy).filter(measure=measure),
    )
    excluded = ("goal", "policy", "measure")
    context = _base_context(request, strategy, year) | {
        "measure": measure,
        "page": page,
        "table": _table(request, page.group.kpis, strategy, year, exclude=excluded),
        "listings": ProjectListing.objects.filter(measure=measure)
        .select_related("project")
        .order_by("order"),
        "crumbs": _crumbs(strategy, year, measure.policy.basic_goal, measure.policy, measure),
        "opinions_template": OPINIONS_TEMPLATE,
        "opinion_index": _opinion_index(strategy, year),
    }
    return render(request, "dashboard/measure.html", context)


def _opinion_index(strategy, year):
    """The council panel's opinions of this year and the last (one query; none without it)."""
    return opinion_index(strategy, [year - 1, year]) if OPINIONS_TEMPLATE else {}


def _get_indicator(strategy, pk):
    indicator = selectors.get_indicator(strategy, pk)
    if indicator is None:
        raise Http404("指標が見つかりません。")
    return indicator


@login_required
def indicator(request, code, pk):
    strategy = _get_strategy(request)
    ind = _get_indicator(strategy, pk)
    year = _get_year(
        request, strategy, lambda: selectors.indicator_default_year(strategy, request.user, ind)
    )
    detail = selectors.indicator_detail(
        strategy, ind, request.user, year, can_restore=request.access.can_restore
    )
    listings = (
        ProjectListing.objects.filter(measure_id=ind.measure_id)
        .select_related("project")
        .order_by("order")
        if ind.measure_id
        else []
    )
    objs = [ind.basic_goal] + ([ind.measure.policy, ind.measure] if ind.measure_id else [])
    context = _base_context(request, strategy, year) | {
        "indicator": ind,
        "detail": detail,
        "chart": charts.indicator_figure(detail),
        # 改訂: the year under the target then in force and under today's; the targets per year;
        # the actuals across strategies (the template tags only show them).
        "judgements": revision_selectors.judgements_from(detail.result, detail.current_result),
        "timeline": revision_selectors.target_timeline(ind),
        "lineage": revision_selectors.lineage_values(ind, user=request.user),
        "listings": listings,
        "opinions_template": OPINIONS_TEMPLATE,
        "opinion_index": _opinion_index(strategy, year),
        "crumbs": _crumbs(strategy, year, *objs, ind.name),
    }
    return render(request, "dashboard/indicator.html", context)


@login_required
@require_POST
def restore_actual(request, code, pk):
    """管理者: put an actual back to the values of one of its history rows."""
    strategy = _get_strategy(request)
    request.access.require(request.access.can_restore, "履歴から値を戻せるのは管理者のみです。")
    ind = _get_indicator(strategy, pk)
    try:
        history_id = int(request.POST.get("history_id", ""))
    except ValueError:
        raise Http404("履歴が見つかりません。") from None
    record = get_object_or_404(Actual.history.all(), history_id=history_id, indicator_id=ind.pk)
    actual = get_object_or_404(Actual, pk=record.id, indicator=ind)
    actual.indicator = ind  # already read with its tree
    try:
        services.restore_actual(
            actual=actual,
            history_id=history_id,
            user=request.user,
            reason=request.POST.get("reason", "").strip(),
        )
    except services.WorkflowError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"{actual.fiscal_year}年度の実績値を {timezone.localtime(record.history_date):%Y-%m-%d %H:%M} の値に戻しました。",
        )
    return redirect(
        f"{_url('dashboard_indicator', strategy, ind.pk, year=actual.fiscal_year)}#history"
    )
