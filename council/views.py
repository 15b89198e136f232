from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from council.forms import OpinionForm, ResponseForm
from council.models import Opinion
from council.review import build_review_pack
from council.review_xlsx import build_workbook
from council.selectors import default_review_year, get_target_or_404, opinion_panel, opinions
from council.services import CouncilError, create_opinion, record_response
from kpis.excel.workbook import XLSX, download_response
from kpis.models import YearReview


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: redirect() would take a bare word such as "review" for a URL name and fail
    # with NoReverseMatch after the opinion was saved (a retry then stored it twice).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _get_strategy_and_year(request, fiscal_year):
    strategy = request.access.strategy
    if fiscal_year not in strategy.fiscal_years:
        raise Http404(f"{fiscal_year}年度は計画期間外です。")
    return strategy


@login_required
@require_http_methods(["GET", "POST"])
def opinion_create(request, code, kind, pk):
    strategy = request.access.strategy
    request.access.require(
        request.access.can_write_opinion, "意見を記入できるのは有識者会議の委員です。"
    )
    target = get_target_or_404(strategy, kind, pk)
    year = request.POST.get("fiscal_year") or request.GET.get("fiscal_year")
    # isascii(): str.isdigit() is also true for '²', which int() refuses; 4 digits: a year.
    fiscal_year = (
        int(year)
        if year and year.isascii() and year.isdigit() and len(year) <= 4
        else default_review_year(strategy)
    )
    form = OpinionForm(
        request.POST or None, strategy=strategy, initial={"fiscal_year": fiscal_year}
    )
    if request.method == "POST" and form.is_valid():
        fiscal_year = form.cleaned_data["fiscal_year"]
        try:
            opinion = create_opinion(
                strategy=strategy,
                fiscal_year=fiscal_year,
                target=target,
                body=form.cleaned_data["body"],
                author=request.user,
            )
        except CouncilError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"{opinion.target_label}への意見を登録しました。")
            default = reverse("review_pack", args=[strategy.code, fiscal_year])
            return redirect(_next_url(request, f"{default}#opinions-{kind}-{target.pk}"))
    panel = opinion_panel(
        strategy=strategy, fiscal_year=fiscal_year, kind=kind, target=target, user=request.user
    )
    return render(
        request,
        "council/opinion_form.html",
        {"strategy": strategy, "form": form, "panel": panel, "next_url": _next_url(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def opinion_respond(request, code, pk):
    strategy = request.access.strategy
    request.access.require(request.access.can_respond, "対応方針を記入できるのは事務局です。")
    opinion = get_object_or_404(opinions(), strategy=strategy, pk=pk)
    response = opinion.response_or_none
    form = ResponseForm(request.POST or None, initial={"body": response.body if response else ""})
    if request.method == "POST" and form.is_valid():
        try:
            record_response(opinion=opinion, body=form.cleaned_data["body"], author=request.user)
        except CouncilError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"{opinion.target_label}への意見に対応方針を記録しました。")
            default = reverse("review_pack", args=[strategy.code, opinion.fiscal_year])
            return redirect(_next_url(request, f"{default}#opinion-{opinion.pk}"))
    return render(
        request,
        "council/response_form.html",
        {
            "strategy": strategy,
            "form": form,
            "opinion": opinion,
            "response": response,
            "next_url": _next_url(request, ""),
        },
    )


@login_required
def review_pack_index(request, code):
    strategy = request.access.strategy
    locks = {
        r.fiscal_year: r
        for r in YearReview.objects.filter(strategy=strategy).select_related("locked_by")
    }
    counts = dict(
        Opinion.objects.filter(strategy=strategy)
        .values_list("fiscal_year")
        .annotate(n=Count("id"))
        .order_by()
    )
    years = [
        {"year": y, "lock": locks.get(y), "opinions": counts.get(y, 0)}
        for y in reversed(strategy.fiscal_years)
    ]
    return render(
        request,
        "council/review_pack_index.html",
        {"strategy": strategy, "years": years, "review_year": default_review_year(strategy)},
    )


def _confirmed_only(request):
    """Council members see confirmed values only; staff may ask for the same (?confirmed=1)."""
    return request.access.confirmed_only or request.GET.get("confirmed") == "1"


@login_required
def review_pack(request, code, fiscal_year):
    strategy = _get_strategy_and_year(request, fiscal_year)
    pack = build_review_pack(
        strategy, fiscal_year, confirmed_only=_confirmed_only(request), reader=request.user
    )
    return render(
        request,
        "council/review_pack.html",
        {
            "strategy": strategy,
            "fiscal_year": fiscal_year,
            "pack": pack,
            "opinion_index": pack.opinion_index,
            "can_see_unconfirmed": request.access.sees_unconfirmed,
            "can_write_opinion": request.access.can_write_opinion,
            "compact_opinions": True,  # an indicator without opinions shows only the form
        },
    )


@login_required
def review_pack_xlsx(request, code, fiscal_year):
    strategy = _get_strategy_and_year(request, fiscal_year)
    pack = build_review_pack(
        strategy, fiscal_year, confirmed_only=_confirmed_only(request), reader=request.user
    )
    return download_response(
        build_workbook(pack), f"効果検証資料_{strategy.code}_{fiscal_year}年度.xlsx", XLSX
    )
