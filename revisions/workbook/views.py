"""The strategy as a workbook, under /strategies/<code>/revisions/workbook/. Administrators only
(kpis.access: can_edit_revision); others get 403, anonymous users the login page.

- export: the strategy as published, or as of a revision (?revision=n)
- template: the blank workbook
- import: upload → preview (what will be created, or every refusal with sheet/row/column) →
  confirm creates the new strategy with a draft 第1版 (services.import_new_strategy)"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kpis.excel.workbook import XLSX, download_response
from revisions import selectors, services
from revisions.held_upload import LOST, get_strategy_for_admin, hold, take
from revisions.snapshot import take_snapshot
from revisions.workbook.export import blank_template, export_strategy_workbook
from revisions.workbook.forms import StrategyWorkbookForm
from revisions.workbook.plan import plan_new_strategy
from revisions.workbook.reader import FILE, Problem, read_strategy_workbook

# The session key of the checked snapshot between the preview and the confirmation.
PENDING = "strategy_workbook_import"


@login_required
@require_GET
def workbook_export(request, code):
    strategy = get_strategy_for_admin(request)
    number = request.GET.get("revision")
    if number:
        if not re.fullmatch(r"[0-9]{1,6}", number):  # isdigit() takes ² and 5,000 digits
            raise Http404("改訂が見つかりません。")
        revision = selectors.get_revision_for_user(strategy, int(number), request.user)
        content = export_strategy_workbook(
            selectors.snapshot_of(revision), revision=revision.number
        )
        return download_response(content, f"{strategy.code}_第{revision.number}版.xlsx", XLSX)
    content = export_strategy_workbook(take_snapshot(strategy))
    return download_response(content, f"{strategy.code}_総合戦略.xlsx", XLSX)


@login_required
@require_GET
def workbook_template(request, code):
    get_strategy_for_admin(request)
    return download_response(blank_template(), "総合戦略_空のテンプレート.xlsx", XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def workbook_import(request, code):
    strategy = get_strategy_for_admin(request)
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
        context["token"] = hold(
            request,
            PENDING,
            strategy,
            as_next=as_next,
            filename=form.cleaned_data["file"].name,
            snapshot=result.snapshot,
        )
    return context


def _confirm(request, strategy, context):
    pending = take(request, PENDING, strategy)
    if pending is None:
        context["problems"] = [Problem(FILE, None, "", LOST)]
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
