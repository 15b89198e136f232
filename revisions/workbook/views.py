"""The strategy as a workbook, under /strategies/<code>/revisions/workbook/. Administrators only
(kpis.access: can_edit_revision); others get 403, anonymous users the login page.

- export: the strategy as published, or as of a revision (?revision=n)
- template: the blank workbook
- import: upload → preview (what will be created, or every refusal with sheet/row/column) →
  confirm creates the new strategy with a draft 第1版 (services.import_new_strategy)"""

import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET, require_http_methods

from kpis.excel.workbook import XLSX, download_response
from revisions import selectors, services
from revisions.snapshot import take_snapshot
from revisions.views import ADMIN_ONLY
from revisions.workbook.export import blank_template, export_strategy_workbook
from revisions.workbook.forms import StrategyWorkbookForm
from revisions.workbook.plan import plan_new_strategy
from revisions.workbook.reader import FILE, Problem, read_strategy_workbook

# The session key of the checked snapshot between the preview and the confirmation.
PENDING = "strategy_workbook_import"


def _attachment(content: bytes, filename: str):
    return download_response(content, filename, XLSX)


def _get_strategy_for_admin(request):
    """The strategy of the URL (resolved by kpis.access's middleware: 404 when unknown), 403
    unless the user may edit revisions."""
    access = request.access
    access.require(access.can_edit_revision, ADMIN_ONLY)
    return access.strategy


@login_required
@require_GET
def workbook_export(request, code):
    strategy = _get_strategy_for_admin(request)
    number = request.GET.get("revision")
    if number:
        if not re.fullmatch(r"[0-9]{1,6}", number):  # isdigit() takes ² and 5,000 digits
            raise Http404("改訂が見つかりません。")
        revision = selectors.get_revision_for_user(strategy, int(number), request.user)
        content = export_strategy_workbook(
            selectors.snapshot_of(revision), revision=revision.number
        )
        return _attachment(content, f"{strategy.code}_第{revision.number}版.xlsx")
    content = export_strategy_workbook(take_snapshot(strategy))
    return _attachment(content, f"{strategy.code}_総合戦略.xlsx")


@login_required
@require_GET
def workbook_template(request, code):
    _get_strategy_for_admin(request)
    return _attachment(blank_template(), "総合戦略_空のテンプレート.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def workbook_import(request, code):
    strategy = _get_strategy_for_admin(request)
    context = {"strategy": strategy, "form": StrategyWorkbookForm()}
    if request.method == "POST" and "token" in request.POST:
        revision = _confirm(request, strategy, context)
        if revision is not None:
            messages.success(
                request,
                f"{revision.strategy.name}を作成しました。内容を確かめ、第1版を公開してください。",
            )
            return redirect("revision_detail", code=revision.strategy.code, number=revision.number)
    elif request.method == "POST":
        context.update(_preview(request, strategy))
    return render(request, "revisions/workbook_import.html", context)


def _preview(request, strategy) -> dict:
    form = StrategyWorkbookForm(request.POST, request.FILES)
    if not form.is_valid():
        return {"form": form}
    result = read_strategy_workbook(form.data_bytes)
    if not result.ok:
        return {"form": form, "problems": result.errors}
    as_next = form.cleaned_data["as_next"]
    plan = plan_new_strategy(result.snapshot, strategy if as_next else None)
    context = {"form": form, "plan": plan, "problems": plan.problems, "as_next": as_next}
    if plan.ok:
        token = secrets.token_urlsafe(16)
        request.session[PENDING] = {
            "token": token,
            "user": request.user.pk,
            "strategy": strategy.code,
            "as_next": as_next,
            "filename": form.cleaned_data["file"].name,
            "snapshot": result.snapshot,
        }
        context["token"] = token
    return context


def _confirm(request, strategy, context):
    pending = request.session.pop(PENDING, None)  # one try per preview
    token = request.POST.get("token", "")
    if not (
        pending
        and token
        and constant_time_compare(pending.get("token", ""), token)
        and pending.get("user") == request.user.pk
        and pending.get("strategy") == strategy.code
    ):
        context["problems"] = [
            Problem(
                FILE,
                None,
                "",
                "確認済みの取込データが見つかりません。もう一度ファイルをアップロードしてください。",
            )
        ]
        return None
    try:
        return services.import_new_strategy(
            snapshot=pending["snapshot"],
            user=request.user,
            settings_from=strategy,
            predecessor=strategy if pending["as_next"] else None,
        )
    except services.RevisionError as e:
        context["problems"] = [Problem(FILE, None, "", m) for m in e.messages]
        context["rejected"] = True
        return None
