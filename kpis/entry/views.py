"""City staff enter a fiscal year's actuals for their department; the secretariat reviews them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kpis import services, year_status
from kpis.entry.forms import ActualForm, DeadlineForm, LockForm, ReasonForm, ReplyForm
from kpis.entry.selectors import (
    departments_for,
    entry_rows,
    outlier_threshold,
    previous_value,
    status_counts,
)
from kpis.models import Actual, Department, Indicator, WorkflowEvent, YearReview


def _get_strategy_and_year(request, fiscal_year):
    strategy = request.access.strategy
    if fiscal_year not in strategy.fiscal_years:
        raise Http404("計画期間外の年度です。")
    return strategy, fiscal_year


def _get_department_for_user(request, department_id):
    department = get_object_or_404(Department, pk=department_id)
    request.access.require(
        request.access.can_enter(department.pk), "この担当課の実績を入力する権限がありません。"
    )
    return department


def _require_secretariat(request):
    request.access.require(request.access.can_confirm, "事務局のみ利用できます。")


@login_required
def entry_index(request, code):
    strategy = request.access.strategy
    request.access.require(
        request.access.can_use_entry, "実績値の入力は担当課・事務局のみ利用できます。"
    )
    departments = departments_for(request.user, strategy)
    counts = year_status.counts_by_department_and_year(strategy, [d.pk for d in departments])
    for d in departments:
        d.years = counts.get(d.pk, [])
    return render(
        request, "kpis/entry_index.html", {"strategy": strategy, "departments": departments}
    )


@login_required
def entry(request, code, fiscal_year, department_id):
    strategy, fiscal_year = _get_strategy_and_year(request, fiscal_year)
    department = _get_department_for_user(request, department_id)
    locked = services.is_locked(strategy, fiscal_year)
    rows = entry_rows(strategy, department, fiscal_year)
    submitting = request.POST.get("action") == "submit"
    threshold = outlier_threshold(strategy)
    secretariat = request.access.can_change_confirmed
    for row in rows:
        row.read_only_reason = _read_only_reason(row, locked, secretariat, fiscal_year)
        row.form = _row_form(row, request.POST or None, fiscal_year, threshold, submitting)
        row.reply_form = _reply_form(request.POST or None, row, submitting)
    if request.method == "POST" and not locked:
        to_save = [
            r
            for r in rows
            if _posted(request, r)
            and (
                _edited(r.form)
                or (r.reply_form and r.reply_form.has_changed())
                or (submitting and _submittable(r.current))
            )
        ]
        # Only the rows being saved are checked: an untouched row is shown as stored, so a
        # blank row never gets 「提出するには値を入力するか…」 because another row had a typo.
        for r in rows:
            if r not in to_save:
                r.form = _row_form(r, None, fiscal_year, threshold, submitting)
                r.reply_form = _reply_form(None, r, submitting)
        if not to_save:
            messages.warning(request, _nothing_to_save(submitting))
            return redirect(
                "entry", code=code, fiscal_year=fiscal_year, department_id=department.pk
            )
        if all(
            r.form.is_valid() and (not r.reply_form or r.reply_form.is_valid()) for r in to_save
        ):
            try:
                _save_rows(to_save, request.access, fiscal_year, submitting)
            except services.WorkflowError as e:
                messages.error(request, e.message)
            else:
                verb = "提出しました" if submitting else "下書き保存しました"
                messages.success(request, f"{len(to_save)}件の実績値を{verb}。")
                return redirect(
                    "entry", code=code, fiscal_year=fiscal_year, department_id=department.pk
                )
        else:
            messages.error(
                request,
                "入力内容に誤りがあります。赤字のメッセージを確認してください（何も保存していません）。",
            )
    ctx = {
        "strategy": strategy,
        "fiscal_year": fiscal_year,
        "department": department,
        "rows": rows,
        "locked": locked,
        # Every row confirmed (or the year locked): nothing to save, so no save/submit buttons.
        "editable": any(not r.read_only_reason for r in rows),
    }
    return render(request, "kpis/entry.html", ctx)


def _row_form(row, data, fiscal_year, threshold, submitting):
    return ActualForm(
        data,
        prefix=f"i{row.indicator.pk}",
        indicator=row.indicator,
        previous=previous_value(row, fiscal_year),
        outlier_threshold=threshold,
        submitting=submitting,
        initial=_initial(row.current),
        read_only=bool(row.read_only_reason),
    )


def _read_only_reason(row, locked, secretariat, fiscal_year):
    """Why a row cannot be changed here, shown on the row itself (empty when it can)."""
    if locked:
        return f"{fiscal_year}年度は有識者会議の検証のためロックされているため、変更できません。"
    actual = row.current
    if actual and actual.status == Actual.Status.CONFIRMED and not secretariat:
        return "事務局が確認済みのため変更できません。変更が必要な場合は事務局に依頼してください。"
    return ""


def _nothing_to_save(submitting):
    if submitting:
        return (
            "提出する実績値はありません（変更した行も、提出待ちの下書きもありません）。"
            "値を入力してから「提出する」を押してください。"
        )
    return "変更された行がないため、何も保存していません。"


def _initial(actual):
    if actual is None:
        return {"version": 0}
    return {
        "value": "" if actual.value is None else f"{actual.value.normalize():f}",
        "not_measurable": actual.not_measurable,
        "not_measurable_reason": actual.not_measurable_reason,
        "data_year": actual.data_year,
        "data_source": actual.data_source,
        "note": actual.note,
        "confirm_outlier": actual.outlier_confirmed,
        "version": actual.version,
    }


def _reply_form(data, row, submitting):
    """A returned row gets a 回答 field (the answer never goes into 要因分析)."""
    if row.current is None or not row.current.is_returned:
        return None
    return ReplyForm(
        data,
        prefix=f"i{row.indicator.pk}",
        indicator=row.indicator,
        submitting=submitting,
        initial={"reply": row.current.reply},
    )


def _posted(request, row):
    return f"{row.form.prefix}-version" in request.POST


def _edited(form):
    return any(name != "version" for name in form.changed_data)


def _submittable(actual):
    return actual is not None and actual.status == Actual.Status.DRAFT


@transaction.atomic
def _save_rows(rows, access, fiscal_year, submitting):
    # One transaction for the page: a stale row or a locked year saves nothing at all.
    user = access.user
    for row in rows:
        if not access.can_edit_indicator(row.indicator):
            raise services.WorkflowError(f"「{row.indicator.name}」を編集する権限がありません。")
        services.save_actual(
            indicator=row.indicator,
            fiscal_year=fiscal_year,
            user=user,
            values=row.form.entry_values,
            expected_version=row.form.cleaned_data["version"],
            submit=submitting,
            reply=row.reply_form.cleaned_data["reply"] if row.reply_form else None,
        )


@login_required
def status_index(request, code):
    strategy = request.access.strategy
    _require_secretariat(request)
    return redirect(
        "status_board", code=code, fiscal_year=year_status.year_with_pending_work(strategy)
    )


@login_required
def status_board(request, code, fiscal_year):
    strategy, fiscal_year = _get_strategy_and_year(request, fiscal_year)
    _require_secretariat(request)
    review = YearReview.objects.filter(strategy=strategy, fiscal_year=fiscal_year).first()
    events = WorkflowEvent.objects.filter(
        strategy=strategy, fiscal_year=fiscal_year
    ).select_related("actor", "actual__indicator")[:30]
    ctx = {
        "strategy": strategy,
        "fiscal_year": fiscal_year,
        "counts": status_counts(strategy, fiscal_year),
        "queue": year_status.confirm_queue(strategy, fiscal_year),
        "events": events,
        "locked": bool(review and review.is_locked),
        "deadline": review.entry_deadline if review else None,
        "deadline_form": DeadlineForm(
            initial={"entry_deadline": review.entry_deadline if review else None}
        ),
        "reason_form": ReasonForm(),
    }
    return render(request, "kpis/status_board.html", ctx)


def _workflow_post(request, code, fiscal_year, action):
    strategy, fiscal_year = _get_strategy_and_year(request, fiscal_year)
    _require_secretariat(request)
    try:
        message = action(strategy, fiscal_year)
    except services.WorkflowError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, message)
    return redirect("status_board", code=code, fiscal_year=fiscal_year)


@login_required
@require_POST
def confirm(request, code, fiscal_year):
    def action(strategy, fy):
        ids = [
            int(i)
            for i in request.POST.getlist("actual")
            if i.isascii() and i.isdigit() and len(i) <= 18  # '²' and 10**30 are not ids
        ]
        n = services.confirm_actuals(
            strategy=strategy, fiscal_year=fy, actual_ids=ids, user=request.user
        )
        return f"{n}件の実績値を確認済みにしました。"

    return _workflow_post(request, code, fiscal_year, action)


@login_required
@require_POST
def return_actual(request, code, fiscal_year, actual_id):
    def action(strategy, fy):
        actual = get_object_or_404(
            Actual, pk=actual_id, fiscal_year=fy, indicator__basic_goal__strategy=strategy
        )
        services.return_actual(
            actual=actual, user=request.user, reason=request.POST.get("reason", "")
        )
        return f"「{actual.indicator.name}」を担当課に差し戻しました。"

    return _workflow_post(request, code, fiscal_year, action)


@login_required
@require_http_methods(["GET", "POST"])
def lock(request, code, fiscal_year):
    """GET: what locking would freeze unfinished, and the reason field; POST: lock."""
    strategy, fiscal_year = _get_strategy_and_year(request, fiscal_year)
    _require_secretariat(request)
    form = LockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lock_year(
                strategy=strategy,
                fiscal_year=fiscal_year,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.WorkflowError as e:
            messages.error(request, e.message)
            return redirect("status_lock", code=code, fiscal_year=fiscal_year)
        messages.success(
            request, f"{fiscal_year}年度をロックしました。有識者会議の検証に進めます。"
        )
        return redirect("status_board", code=code, fiscal_year=fiscal_year)
    ctx = {
        "strategy": strategy,
        "fiscal_year": fiscal_year,
        "gaps": year_status.year_gaps(strategy, fiscal_year),
        "locked": services.is_locked(strategy, fiscal_year),
        "form": form,
    }
    return render(request, "kpis/lock_confirm.html", ctx)


@login_required
@require_POST
def deadline(request, code, fiscal_year):
    strategy, fiscal_year = _get_strategy_and_year(request, fiscal_year)
    _require_secretariat(request)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        date = form.cleaned_data["entry_deadline"]
        services.set_entry_deadline(
            strategy=strategy, fiscal_year=fiscal_year, deadline=date, user=request.user
        )
        shown = f"{date:%Y/%m/%d}" if date else "なし"
        messages.success(request, f"{fiscal_year}年度の入力期限を{shown}にしました。")
    else:
        messages.error(request, " ".join(form.errors["entry_deadline"]))
    return redirect("status_board", code=code, fiscal_year=fiscal_year)


@login_required
@require_POST
def reopen(request, code, fiscal_year):
    def action(strategy, fy):
        services.reopen_year(
            strategy=strategy,
            fiscal_year=fy,
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
        return f"{fy}年度のロックを解除しました。"

    return _workflow_post(request, code, fiscal_year, action)


@login_required
def assignments(request, code):
    strategy = request.access.strategy
    _require_secretariat(request)
    indicators = list(
        Indicator.objects.for_strategy(strategy)
        .select_related("department", "measure__policy", "basic_goal")
        .in_document_order()
    )
    departments = list(Department.objects.order_by("name"))
    if request.method == "POST":
        valid = {str(d.pk): d for d in departments}
        changed, conflicts = 0, []
        with transaction.atomic():
            # Re-read under a row lock: the page shows what each row was (was-<pk>), and a row
            # another secretariat member changed since is left as they set it (no lost update).
            current = dict(
                Indicator.objects.select_for_update()
                .filter(pk__in=[i.pk for i in indicators])
                .values_list("pk", "department_id")
            )
            for ind in indicators:
                field, was = f"department-{ind.pk}", f"was-{ind.pk}"
                if field not in request.POST or was not in request.POST:
                    continue  # a row the form did not send is left as it is (not unassigned)
                chosen = request.POST[field]
                if chosen == request.POST[was]:
                    continue  # not changed on this page: whatever is stored now stays
                new = valid.get(chosen)
                if chosen and new is None:
                    continue  # an unknown id is ignored rather than clearing the assignment
                new_id = new.pk if new else None
                if new_id == current[ind.pk]:
                    continue
                if request.POST[was] != ("" if current[ind.pk] is None else str(current[ind.pk])):
                    conflicts.append(ind.name)
                    continue
                ind.department = new
                ind._change_reason = "担当課の割当"
                ind.save(update_fields=["department"])
                changed += 1
        messages.success(request, f"{changed}件の指標の担当課を更新しました。")
        if conflicts:
            messages.error(
                request,
                f"{len(conflicts)}件（{'、'.join(conflicts[:5])}など）は、画面を開いた後に"
                "別の利用者が変更したため更新していません。内容を確認してください。",
            )
        return redirect("assignments", code=code)
    return render(
        request,
        "kpis/assignments.html",
        {"strategy": strategy, "indicators": indicators, "departments": departments},
    )
