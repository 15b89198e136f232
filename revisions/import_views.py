"""「Excelのブックから改訂を作成」 under /strategies/<code>/revisions/workbook/revision/ (administrators only).

Step 1 (POST the form with the workbook): read it (revisions.workbook.reader), plan the draft
(revisions.draft_import.preview_import) and show the preview — the revision comparison of the
published state and the state the draft would publish, and every refusal with its sheet, row and
column. Nothing is saved; the wanted state waits in the session for step 2.
Step 2 (POST confirm): plan again, and save the draft only if it is still what the preview showed.
Then the draft is like any other: its page, the comparison, publishing."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from revisions import draft_import
from revisions.desired import field_label
from revisions.held_upload import LOST, get_strategy_for_admin, hold, take
from revisions.import_forms import WorkbookImportForm
from revisions.import_locate import row_locator
from revisions.services import RevisionError
from revisions.workbook.reader import read_strategy_workbook

PENDING = "revision_import"  # session key: the wanted state between preview and confirmation


@login_required
@require_http_methods(["GET", "POST"])
def import_workbook(request, code):
    strategy = get_strategy_for_admin(request)
    form = WorkbookImportForm(request.POST or None, request.FILES or None)
    context = {"strategy": strategy, "form": form}
    if request.method == "POST" and form.is_valid():
        context |= _preview(request, strategy, form)
    return render(request, "revisions/import.html", context)


def _preview(request, strategy, form) -> dict:
    upload = form.cleaned_data["file"]
    result = read_strategy_workbook(upload)
    if result.errors:
        return {"issues": result.errors, "filename": upload.name}
    preview = draft_import.preview_import(strategy, result.snapshot)
    locate = _locator(upload) if preview.plan.refusals else None
    context = {
        "preview": preview,
        "filename": upload.name,
        "issues": [_refusal(r, locate) for r in preview.plan.refusals],
        "fields": form.revision_fields(),
    }
    if preview.can_import:
        context["token"] = hold(
            request,
            PENDING,
            strategy,
            snapshot=result.snapshot,
            fingerprint=preview.fingerprint,
            fields=context["fields"],
            filename=upload.name,
        )
    return context


@login_required
@require_POST
def import_confirm(request, code):
    strategy = get_strategy_for_admin(request)
    pending = take(request, PENDING, strategy)
    if pending is None:
        messages.error(request, LOST)
        return redirect("revision_import", code=strategy.code)
    fields = dict(pending["fields"])
    if fields.get("decided_on"):
        fields["decided_on"] = date.fromisoformat(fields["decided_on"])
    try:
        revision = draft_import.draft_revision_from_snapshot(
            strategy=strategy,
            snapshot=pending["snapshot"],
            user=request.user,
            expected=pending["fingerprint"],
            note=f"Excelのブック「{pending['filename']}」から取り込み",
            **fields,
        )
    except RevisionError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect("revision_import", code=strategy.code)
    if revision is None:
        messages.info(request, draft_import.NO_CHANGES)
        return redirect("revision_list", code=strategy.code)
    count = revision.changes.count()
    messages.success(
        request,
        f"{revision.label}「{revision.title}」を作成し、{count}件の変更を記録しました。"
        "内容を確認してから公開してください（公開するまで他の利用者には表示されません）。",
    )
    return redirect("revision_detail", code=strategy.code, number=revision.number)


def _locator(upload):
    upload.seek(0)
    return row_locator(upload.read())


def _refusal(refusal, locate) -> dict:
    sheet, row = refusal.sheet, None
    if locate is not None:
        found = locate(refusal.kind, refusal.key, refusal.field)
        if found:
            sheet, row = found
    return {
        "sheet": sheet,
        "row": row,
        "column": field_label(refusal.kind, refusal.field) if refusal.field else "",
        "message": refusal.message,
    }
