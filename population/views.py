import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_http_methods

from kpis.excel.workbook import XLSX, download_response
from population import charts
from population.forms import PopulationEntryForm, PopulationUploadForm
from population.importers import UploadRefused, read_upload, rows_from_payload, template_workbook
from population.models import PopulationFigure, PopulationPoint, PopulationTarget, Source
from population.rules import ENTRY_CATEGORIES
from population.selectors import actual_rows, comparison_rows, load_figures, table_of
from population.services import (
    PopulationEntryError,
    import_year_figures,
    plan_changes,
    save_year_figures,
)

UPLOAD_SALT = "population.upload"
PENDING = "population_upload"  # session key: the nonce of the one preview that may be committed
UPLOAD_MAX_AGE = 60 * 60  # a preview can be committed for an hour


def _get_strategy_for_secretariat(request, code):
    strategy = request.access.strategy
    request.access.require(
        request.access.can_enter_population, "人口の実績値を入力できるのは事務局・管理者です。"
    )
    return strategy


@login_required
def vision(request, code):
    strategy = request.access.strategy
    figures = load_figures(strategy)
    targets = list(PopulationTarget.objects.filter(strategy=strategy))
    points = list(PopulationPoint.objects.filter(strategy=strategy))
    return render(
        request,
        "population/vision.html",
        {
            "strategy": strategy,
            "rows": comparison_rows(table_of(figures)),
            "targets": targets,
            "points": points,
            "suppression": getattr(strategy, "decline_suppression", None),
            "actual_rows": actual_rows(figures),
            "total_chart": charts.total_chart(figures, targets),
            "age_charts": charts.age_charts(figures),
            "point_charts": charts.point_charts(figures, points),
            "can_enter": request.access.can_enter_population,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, code):
    strategy = _get_strategy_for_secretariat(request, code)
    form = PopulationEntryForm(request.POST or None, initial=_initial(strategy, request.GET))
    if request.method == "POST" and form.is_valid():
        figures = form.cleaned_data["figures"]
        try:
            report = save_year_figures(strategy=strategy, figures=figures, user=request.user)
        except PopulationEntryError as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request,
                f"{figures.year}年の人口の実績（{figures.data_source}）を保存しました（{report.summary}）。",
            )
            return redirect("population_vision", code=strategy.code)
    return render(
        request,
        "population/entry.html",
        {"strategy": strategy, "form": form, "actual_rows": actual_rows(load_figures(strategy))},
    )


def _initial(strategy, query):
    """?year=2020 fills the form with that year's figures, to correct them."""
    year = query.get("year", "")
    if not (year.isascii() and year.isdigit() and len(year) <= 4):  # not '²', not 10**5000
        return {}
    figures = PopulationFigure.objects.filter(
        strategy=strategy, source=Source.ACTUAL, year=int(year), category__in=ENTRY_CATEGORIES
    )
    initial = {"year": year}
    for f in figures:
        initial[f.category] = f"{f.value.normalize():f}"
        initial["data_source"] = f.data_source or initial.get("data_source", "")
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, code):
    strategy = _get_strategy_for_secretariat(request, code)
    context = {"strategy": strategy, "form": PopulationUploadForm()}
    if request.method == "POST" and "token" in request.POST:
        return _commit(request, strategy, context)
    if request.method == "POST":
        form = PopulationUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                result = read_upload(form.cleaned_data["file"])
            except UploadRefused as e:
                context["refused"] = e.message
            else:
                context.update(_preview(request, strategy, result, form))
    return render(request, "population/upload.html", context)


def _preview(request, strategy, result, form):
    changes, conflicts = plan_changes(strategy=strategy, rows=result.rows)
    errors = result.errors + conflicts
    # One commit per preview: the nonce is kept in the session and spent by the commit, so a
    # replayed token cannot put back figures corrected since (it did, for an hour).
    nonce = secrets.token_urlsafe(16)
    request.session[PENDING] = nonce
    payload = {
        "nonce": nonce,
        "strategy": strategy.pk,
        "user": request.user.pk,
        "file": form.cleaned_data["file"].name,
        "rows": [r.as_payload() for r in result.rows],
    }
    return {
        "errors": errors,
        "changes": changes,
        "file_name": payload["file"],
        "token": None if errors else signing.dumps(payload, salt=UPLOAD_SALT, compress=True),
    }


def _commit(request, strategy, context):
    try:
        payload = signing.loads(request.POST["token"], salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.SignatureExpired:
        context["refused"] = (
            "確認画面の有効期限（1時間）が切れました。もう一度アップロードしてください。"
        )
        return render(request, "population/upload.html", context)
    except signing.BadSignature:
        context["refused"] = "確認画面の内容を読み取れません。もう一度アップロードしてください。"
        return render(request, "population/upload.html", context)
    if payload.get("strategy") != strategy.pk or payload.get("user") != request.user.pk:
        raise PermissionDenied("この確認画面は別の利用者または別の総合戦略のものです。")
    nonce = request.session.pop(PENDING, None)
    if not nonce or not constant_time_compare(nonce, payload.get("nonce", "")):
        context["refused"] = (
            "この確認画面の内容はすでに取り込んだか、新しい確認画面があります。"
            "もう一度アップロードしてください。何も保存していません。"
        )
        return render(request, "population/upload.html", context)
    try:
        rows = rows_from_payload(payload["rows"])
        report = import_year_figures(strategy=strategy, rows=rows, user=request.user)
    except (UploadRefused, PopulationEntryError) as e:
        context["refused"] = f"{e.message} 何も保存していません。"
        return render(request, "population/upload.html", context)
    messages.success(
        request,
        f"「{payload['file']}」の人口の実績 {len(rows)}年分を取り込みました（{report.summary}）。",
    )
    return redirect("population_vision", code=strategy.code)


@login_required
def template(request, code):
    strategy = _get_strategy_for_secretariat(request, code)
    return download_response(
        template_workbook(), f"人口実績テンプレート_{strategy.code}.xlsx", XLSX
    )
