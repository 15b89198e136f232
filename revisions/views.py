"""Revision pages under /strategies/<code>/revisions/.

Everyone signed in: the list of published revisions, a published revision, comparisons (page and
.xlsx). Administrators only (kpis.roles.is_admin): drafts, creating, editing, publishing,
discarding, undoing a draft change, starting the next strategy. Others get 403; anonymous users
go to the login page."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kpis.access import Access
from kpis.evaluation import COUNCIL_READER, STAFF_READER, grade_scale, timelines
from kpis.models import Indicator
from kpis.permissions import sees_unconfirmed
from revisions import selectors, services
from revisions.diff import compare as compare_snapshots
from revisions.forms import (
    KEY_FIELDS,
    OPS,
    FieldForm,
    NextStrategyForm,
    RetireForm,
    RevisionForm,
    initial_for,
    key_choices,
    op_for_change,
)
from revisions.models import RevisionChange
from revisions.rules import label as object_label
from revisions.rules import show, stale
from revisions.snapshot import take_snapshot
from revisions.state import EDITABLE, KIND_LABELS, current_value, find, ordered
from revisions.xlsx import comparison_response

ADMIN_ONLY = "改訂の作成・編集・公開は管理者のみが行えます。"


def _require_admin(user):
    access = Access(user)
    access.require(access.can_edit_revision, ADMIN_ONLY)


def _get_strategy_for_user(code, user):
    # The strategy was resolved (404 in preparation for non-administrators) by kpis.access.
    strategy = Access.for_code(user, code).strategy
    return strategy, selectors.revisions_for(strategy)


def _get_draft_for_admin(code, number, user):
    _require_admin(user)
    strategy, _ = _get_strategy_for_user(code, user)
    revision = selectors.get_revision_for_user(strategy, number, user, with_snapshot=False)
    if not revision.is_draft:
        raise Http404("作成中の改訂ではありません。")
    return strategy, revision


def _errors(request, error):
    for message in error.messages:
        messages.error(request, message)


# -- list, create, detail ----------------------------------------------------------------------


@login_required
def revision_list(request, code):
    strategy, revisions = _get_strategy_for_user(code, request.user)
    visible = selectors.visible(revisions, request.user)
    published = [r for r in visible if r.is_published]
    return render(
        request,
        "revisions/list.html",
        {
            "strategy": strategy,
            "revisions": list(reversed(visible)),
            "published": published,
            "can_edit": request.access.can_edit_revision,
            "draft": next((r for r in revisions if r.is_draft), None),
            "compare_from": published[-2].number if len(published) > 1 else None,
            "compare_to": published[-1].number if published else None,
        },
    )


@login_required
def revision_create(request, code):
    _require_admin(request.user)
    strategy, _ = _get_strategy_for_user(code, request.user)
    form = RevisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.create_revision(
                strategy=strategy,
                user=request.user,
                **{
                    k: form.cleaned_data[k] for k in ("title", "reason", "decided_by", "decided_on")
                },
            )
        except services.RevisionError as e:
            _errors(request, e)
        else:
            messages.success(request, f"{revision.label}「{revision.title}」を作成しました。")
            return redirect("revision_detail", code=strategy.code, number=revision.number)
    return render(
        request, "revisions/revision_form.html", {"strategy": strategy, "form": form, "new": True}
    )


@login_required
def revision_detail(request, code, number):
    strategy, _ = _get_strategy_for_user(code, request.user)
    revision = selectors.get_revision_for_user(strategy, number, request.user)
    changes = ordered(revision.changes.select_related("author"))
    context = {"strategy": strategy, "revision": revision, "can_edit": False}
    if revision.is_draft:  # only administrators get here
        before = take_snapshot(strategy)
        state = services.draft_state(revision, before, changes)[1]
        context |= {
            "can_edit": True,
            "rows": [_row(c, before, state) for c in changes],
            "problems": services.validate_revision(revision, before),
            "ops": OPS.values(),
            "review_count": sum(1 for c in changes if c.needs_review),
            "history": revision.changes.model.history.filter(revision_id=revision.pk)
            .select_related("history_user")
            .order_by("-history_date")[:100],
        }
    else:
        state = revision.snapshot or {}
        context |= {
            "rows": _published_rows(revision, state),
            "previous": revision.number - 1 if revision.number > 1 else None,
            "judged": _judged(revision, strategy, request.user),
        }
    return render(request, "revisions/detail.html", context)


def _row(change, before, state):
    name = object_label(state, change.kind, change.object_key)
    op = op_for_change(change)
    params = f"?key={change.object_key}" + (f"&field={change.field}" if op.needs_field else "")
    return {
        "change": change,
        "kind": KIND_LABELS[change.kind],
        "name": name,
        "field": EDITABLE[change.kind].get(change.field, "") if change.field else "",
        "old": show(change.old_value) if change.action == "change" else "",
        "new": _new_text(change),
        "edit_url": reverse(
            "revision_change", args=[state["strategy"]["code"], change.revision.number, op.slug]
        )
        + params,
        "stale": stale(before, change),
    }


def _new_text(change):
    if change.action == "retire":
        return f"{change.effective_from_year}年度から廃止"
    if change.action == "add":
        value = change.new_value or {}
        return value.get("name") or value.get("title") or change.object_key
    return show(change.new_value)


def _published_rows(revision, state):
    """A published revision: what it changed, as the comparison with the version before it."""
    if revision.number == 1:
        return None
    previous = (
        revision.strategy.revisions.published()
        .filter(number__lt=revision.number)
        .order_by("-number")
        .first()
    )
    if previous is None or not previous.snapshot or not state:
        return None
    return compare_snapshots(previous.snapshot, state)


def _judged(revision, strategy, user):
    """For each target this revision changed: every year judged then and under today's target."""
    if revision.number == 1:
        return []
    ids = revision.indicator_targets.values_list("indicator_id", flat=True)
    indicators = list(Indicator.objects.filter(pk__in=ids).order_by("code"))
    if not indicators:
        return []
    # One read-model pass for every indicator and year (a period change touches most of them).
    reader = STAFF_READER if sees_unconfirmed(user) else COUNCIL_READER
    scale = grade_scale(strategy)
    years = strategy.fiscal_years
    out = []
    for line in timelines(strategy, indicators, years, reader=reader, scale=scale):
        rows = []
        for year in years:
            now = line.under_current_target(strategy, year, scale)
            j = selectors.judgements_from(line.at(year).result, now)
            rows.append(
                {"year": year, "then": j.as_judged_then, "now": j.under_current, "differ": j.differ}
            )
        ind = line.indicator
        out.append({"indicator": ind, "years": rows, "timeline": selectors.target_timeline(ind)})
    return out


@login_required
def revision_edit(request, code, number):
    strategy, revision = _get_draft_for_admin(code, number, request.user)
    form = RevisionForm(
        request.POST or None, instance=revision, initial={"version": revision.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_revision(
                revision=revision,
                user=request.user,
                expected_version=form.cleaned_data.get("version") or 0,
                **{
                    k: form.cleaned_data[k] for k in ("title", "reason", "decided_by", "decided_on")
                },
            )
        except services.RevisionError as e:
            _errors(request, e)
        else:
            messages.success(request, "改訂の内容を保存しました。")
            return redirect("revision_detail", code=strategy.code, number=revision.number)
    return render(
        request,
        "revisions/revision_form.html",
        {"strategy": strategy, "form": form, "revision": revision},
    )


NOT_CONFIRMED = (
    "公開は、この確認画面で変更の一覧を確かめてから「公開する」ボタンで行ってください。"
    "まだ公開していません。"
)


@login_required
@require_http_methods(["GET", "POST"])
def revision_publish(request, code, number):
    """GET: the confirmation page with the revision's list of changes (publishing is final).
    POST: publish, only with the `confirm` fingerprint that page sends (services.draft_fingerprint):
    a POST without it, or after the draft changed, gets the confirmation page again."""
    strategy, revision = _get_draft_for_admin(code, number, request.user)
    if request.method == "GET":
        return _publish_confirmation(request, strategy, revision)
    confirmed = request.POST.get("confirm", "")
    if not confirmed:
        return _publish_confirmation(request, strategy, revision, error=NOT_CONFIRMED, status=400)
    try:
        services.publish_revision(revision=revision, user=request.user, confirmed=confirmed)
    except services.ChangedSinceConfirmed as e:
        return _publish_confirmation(request, strategy, revision, error=e.message, status=409)
    except services.RevisionError as e:
        _errors(request, e)
    else:
        messages.success(
            request,
            f"{revision.label}「{revision.title}」を公開しました。すべての利用者に表示されます。",
        )
    return redirect("revision_detail", code=strategy.code, number=revision.number)


def _publish_confirmation(request, strategy, revision, *, error=None, status=200):
    changes = ordered(revision.changes.select_related("author"))
    before = take_snapshot(strategy)
    state = services.draft_state(revision, before, changes)[1]
    context = {
        "strategy": strategy,
        "revision": revision,
        "rows": [_row(c, before, state) for c in changes],
        "problems": services.validate_revision(revision, before),
        "fingerprint": services.draft_fingerprint(revision, changes),
        "error": error,
    }
    return render(request, "revisions/publish_confirm.html", context, status=status)


@login_required
@require_POST
def revision_discard(request, code, number):
    strategy, revision = _get_draft_for_admin(code, number, request.user)
    try:
        services.discard_revision(revision=revision, user=request.user)
    except services.RevisionError as e:
        _errors(request, e)
        return redirect("revision_detail", code=strategy.code, number=revision.number)
    messages.success(request, f"作成中の{revision.label}を破棄しました。")
    return redirect("revision_list", code=strategy.code)


# -- editing a draft -------------------------------------------------------------------------


@login_required
def change_form(request, code, number, op):
    strategy, revision = _get_draft_for_admin(code, number, request.user)
    op = OPS.get(op) or _not_found()
    key = op.key or request.GET.get("key") or request.POST.get("key") or None
    field = op.field or request.GET.get("field") or request.POST.get("field") or ""
    before = take_snapshot(strategy)
    _, after = services.draft_state(revision, before)
    context = {"strategy": strategy, "revision": revision, "op": op}
    if op.needs_key and (not key or find(before, op.kind, key) is None):
        if key:
            messages.error(request, f"{KIND_LABELS[op.kind]}「{key}」が見つかりません。")
        context |= {"choices": key_choices(op, before), "fields": _field_choices(op)}
        return render(request, "revisions/change_pick.html", context)
    if op.needs_field and (field not in EDITABLE[op.kind] or field == "target"):
        context |= {"choices": key_choices(op, before), "fields": _field_choices(op), "key": key}
        return render(request, "revisions/change_pick.html", context)
    existing = _existing_change(revision, op, key, field)
    kwargs = {"before": before, "after": after, "key": key, "field": field}
    if op.form in (FieldForm, RetireForm):
        kwargs["kind"] = op.kind
    initial = initial_for(op, before, key, field, existing)
    form = op.form(request.POST or None, initial=initial, **kwargs)
    if existing is not None and op.action == "add":
        for name in KEY_FIELDS[op.kind]:
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        saved = _save(request, revision, form)
        if saved:
            return redirect("revision_detail", code=strategy.code, number=revision.number)
    context |= {
        "form": form,
        "key": key,
        "field": field,
        "existing": existing,
        "object_name": object_label(before, op.kind, key) if key else "",
        "current": show(initial_current(before, op, key, field)) if op.action == "change" else "",
        "project_names": getattr(form, "project_names", None),
    }
    return render(request, "revisions/change_form.html", context)


def initial_current(before, op, key, field):
    return current_value(before, op.kind, key, field or op.field)


def _not_found():
    raise Http404("この操作はありません。")


def _field_choices(op):
    if not op.needs_field:
        return []
    return [(k, v) for k, v in EDITABLE[op.kind].items() if k != "target"]


def _existing_change(revision, op, key, field):
    if op.action == "add":
        key = key or ""
        if not key:
            return None
        return revision.changes.filter(kind=op.kind, object_key=key, action="add").first()
    return revision.changes.filter(
        kind=op.kind, object_key=key, field=field if op.action == "change" else ""
    ).first()


def _save(request, revision, form):
    changes = form.changes()
    if form.errors:
        return False
    started = form.cleaned_data.get("started_from")
    for kwargs in changes:
        if kwargs["action"] == "change" and started:
            kwargs["started_from"] = json.loads(started)
        try:
            services.save_change(
                revision=revision,
                user=request.user,
                note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("version") or 0,
                **kwargs,
            )
        except services.RevisionError as e:
            for message in e.messages:
                form.add_error(None, message)
            return False
    messages.success(request, "変更を保存しました（公開するまで他の利用者には表示されません）。")
    return True


@login_required
@require_POST
def change_undo(request, code, number, pk):
    strategy, revision = _get_draft_for_admin(code, number, request.user)
    change = get_object_or_404(RevisionChange, pk=pk, revision=revision)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.undo_change(change=change, user=request.user, expected_version=version)
    except services.RevisionError as e:
        _errors(request, e)
    else:
        messages.success(request, "変更を元に戻しました。")
    return redirect("revision_detail", code=strategy.code, number=revision.number)


# -- comparing -------------------------------------------------------------------------------


def _comparison(request, code):
    strategy, revisions = _get_strategy_for_user(code, request.user)
    published = [r for r in revisions if r.is_published]
    try:
        a = int(request.GET.get("from") or (published[-2].number if len(published) > 1 else 1))
        b = int(request.GET.get("to") or (published[-1].number if published else 1))
    except ValueError:
        raise Http404("改訂が見つかりません。") from None
    old = selectors.get_revision_for_user(strategy, a, request.user)
    new = selectors.get_revision_for_user(strategy, b, request.user)
    comparison = compare_snapshots(selectors.snapshot_of(old), selectors.snapshot_of(new))
    return strategy, selectors.visible(revisions, request.user), old, new, comparison


@login_required
def compare(request, code):
    strategy, revisions, old, new, comparison = _comparison(request, code)
    return render(
        request,
        "revisions/compare.html",
        {
            "strategy": strategy,
            "revisions": revisions,
            "old": old,
            "new": new,
            "comparison": comparison,
        },
    )


@login_required
def compare_xlsx(request, code):
    strategy, _, old, new, comparison = _comparison(request, code)
    return comparison_response(strategy, old, new, comparison)


# -- the next strategy -----------------------------------------------------------------------


@login_required
def next_strategy(request, code):
    _require_admin(request.user)
    source, _ = _get_strategy_for_user(code, request.user)
    span = source.last_fiscal_year - source.first_fiscal_year
    form = NextStrategyForm(
        request.POST or None,
        initial={
            "first_fiscal_year": source.last_fiscal_year + 1,
            "last_fiscal_year": source.last_fiscal_year + 1 + span,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.start_next_strategy(
                source=source, user=request.user, **form.cleaned_data
            )
        except services.RevisionError as e:
            for message in e.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"{revision.strategy.name}を作成しました。目標値を見直し、第1版を公開してください。",
            )
            return redirect("revision_detail", code=revision.strategy.code, number=revision.number)
    return render(request, "revisions/next_strategy.html", {"strategy": source, "form": form})
