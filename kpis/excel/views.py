"""Excel round trip: entry template download, import (preview, then commit), export."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET, require_http_methods

from kpis import services
from kpis.excel import export, importer
from kpis.excel.forms import UploadForm
from kpis.excel.reader import UploadRefused, read_workbook
from kpis.excel.template import build_template, template_rows
from kpis.excel.workbook import CSV, XLSX, download_response
from kpis.models import Actual, Department

PENDING = "excel_import"  # session key: the checked rows between preview and commit


def _get_department_for_user(request, code, fiscal_year, department_id):
    """Strategy and department of a template/import URL: 404 when unknown, 403 when not allowed."""
    strategy = request.access.strategy
    if fiscal_year not in strategy.fiscal_years:
        raise Http404("計画期間外の年度です。")
    department = get_object_or_404(Department, pk=department_id)
    request.access.require(
        request.access.can_enter(department.pk), "この担当課の実績値を入力する権限がありません。"
    )
    return strategy, department


@login_required
@require_GET
def template_download(request, code, fiscal_year, department_id):
    strategy, department = _get_department_for_user(request, code, fiscal_year, department_id)
    rows = template_rows(
        strategy=strategy, department=department, fiscal_year=fiscal_year, user=request.user
    )
    content = build_template(
        strategy=strategy, department=department, fiscal_year=fiscal_year, rows=rows
    )
    return download_response(content, f"実績値入力_{fiscal_year}年度_{department.name}.xlsx", XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def import_actuals(request, code, fiscal_year, department_id):
    strategy, department = _get_department_for_user(request, code, fiscal_year, department_id)
    where = {"strategy": strategy, "fiscal_year": fiscal_year, "department": department}
    context = {**where, "locked": services.is_locked(strategy, fiscal_year), "form": UploadForm()}
    if request.method == "POST" and context["locked"]:
        context["issues"] = [_file_issue(importer.locked_message(fiscal_year))]
    elif request.method == "POST" and "commit" in request.POST:
        saved = _commit(request, where, context)
        if saved is not None:
            messages.success(
                request,
                f"{saved}件の実績値を下書きとして取り込みました（変更のない行は除く）。"
                "まだ提出されていません。下の一覧を確認して「提出する」を押してください。",
            )
            return redirect("excel_import", code, fiscal_year, department.pk)
    elif request.method == "POST":
        context.update(_preview(request, where))
    if "token" not in context and not context["locked"]:
        context["drafts"] = _drafts(strategy, department, fiscal_year)
    return render(request, "excel/import.html", context)


def _drafts(strategy, department, fiscal_year):
    """The department's drafts of the year (what an import stores), each with its stored values as
    an entry-form row: 提出する posts them unchanged to the entry page, which checks them with the
    same rules (kpis.entry.rules) and submits them."""
    from kpis.entry.forms import ActualForm
    from kpis.entry.selectors import entry_rows, outlier_threshold, previous_value
    from kpis.entry.views import _initial

    threshold = outlier_threshold(strategy)
    rows = [
        r
        for r in entry_rows(strategy, department, fiscal_year)
        if r.current and r.current.status == Actual.Status.DRAFT
    ]
    for r in rows:
        r.form = ActualForm(
            prefix=f"i{r.indicator.pk}",
            indicator=r.indicator,
            previous=previous_value(r, fiscal_year),
            outlier_threshold=threshold,
            initial=_initial(r.current),
        )
    return rows


def _commit(request, where, context) -> int | None:
    """Step 2: apply the rows checked in step 1 (validated again), all or nothing."""
    pending = request.session.pop(PENDING, None)  # one try per preview
    if not _matches(pending, request.POST.get("token", ""), request.user, **where):
        context["issues"] = [
            _file_issue(
                "確認済みの取込データが見つかりません。もう一度ファイルをアップロードしてください。"
            )
        ]
        return None
    try:
        return importer.commit(
            **where, user=request.user, inputs=pending["inputs"], filename=pending["filename"]
        )
    except importer.ImportRejected as e:
        context.update(issues=e.issues, rejected=True)
        return None


def _preview(request, where) -> dict:
    """Step 1: read and check the upload; on success keep its rows in the session for step 2."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return {"form": form}
    try:
        sheet = read_workbook(form.data_bytes)
    except UploadRefused as e:
        return {"issues": [_file_issue(e.message)]}
    issues = importer.check_template(sheet, **where)
    if issues:
        return {"issues": issues}
    inputs, issues = importer.extract_inputs(sheet)
    if issues:
        return {"issues": issues}
    plan = importer.plan(**where, user=request.user, inputs=inputs)
    context = {
        "plan": plan,
        "issues": plan.issues,
        "filename": form.cleaned_data["file"].name,
        "file_year": importer.file_year(sheet),
    }
    if plan.ok:
        token = secrets.token_urlsafe(16)
        request.session[PENDING] = {
            "token": token,
            "user": request.user.pk,
            "strategy": where["strategy"].code,
            "fiscal_year": where["fiscal_year"],
            "department": where["department"].pk,
            "filename": context["filename"],
            "inputs": inputs,
        }
        context["token"] = token
    return context


def _matches(pending, token, user, *, strategy, fiscal_year, department) -> bool:
    return bool(
        pending
        and token
        and constant_time_compare(pending.get("token", ""), token)
        and pending.get("user") == user.pk
        and pending.get("strategy") == strategy.code
        and pending.get("fiscal_year") == fiscal_year
        and pending.get("department") == department.pk
    )


def _file_issue(message):
    return importer.Issue(None, importer.FILE, message)


def _export_year(request, strategy):
    year = request.GET.get("year", "").strip()
    if not year:
        return None
    # isascii(): str.isdigit() also accepts '²', which int() refuses (a 500 before this check).
    if (
        not (year.isascii() and year.isdigit() and len(year) <= 4)
        or int(year) not in strategy.fiscal_years
    ):
        raise Http404("計画期間外の年度です。")
    return int(year)


@login_required
@require_GET
def export_xlsx(request, code):
    strategy = request.access.strategy
    year = _export_year(request, strategy)
    actuals = list(export.export_actuals(strategy, request.user, year))
    evaluations = export.evaluations_for(strategy, request.user, actuals)
    content = export.write_xlsx(actuals, evaluations)
    return download_response(content, f"実績値_{year or '全年度'}_{strategy.code}.xlsx", XLSX)


@login_required
@require_GET
def export_csv(request, code):
    strategy = request.access.strategy
    year = _export_year(request, strategy)
    actuals = list(export.export_actuals(strategy, request.user, year))
    evaluations = export.evaluations_for(strategy, request.user, actuals)
    content = export.write_csv(actuals, evaluations)
    return download_response(content, f"実績値_{year or '全年度'}_{strategy.code}.csv", CSV)
