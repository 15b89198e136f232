"""Writes that touch several rows: saving actuals with optimistic locking, the review workflow,
restoring from the audit trail. Keyword-only, each inside one transaction."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpis import numfmt
from kpis.access import Access
from kpis.entry.rules import EntryValues
from kpis.models import Actual, Indicator, Strategy, WorkflowEvent, YearReview
from kpis.year_status import year_gaps


class WorkflowError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StaleEdit(WorkflowError):
    """Someone else saved this actual since the form was opened."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


def is_locked(strategy, fiscal_year):
    return YearReview.objects.filter(
        strategy=strategy, fiscal_year=fiscal_year, is_locked=True
    ).exists()


def _history_reason(text: str) -> str:
    """django-simple-history keeps the reason in a varchar(100): the full text stays in
    WorkflowEvent.reason, the audit trail gets the first 100 characters."""
    return text[:100]


def _hold_strategy(strategy):
    """SELECT … FOR UPDATE on the strategy's row until the transaction ends: lock_year,
    reopen_year and every write of actuals take it first (always first, so no deadlock), which
    serialises a lock with the saves racing it. The strategy row, not the year's YearReview, so
    that no row is created by a save."""
    Strategy.objects.select_for_update().filter(pk=strategy.pk).values_list("pk").first()


def _check_open(strategy, fiscal_year):
    """Refuse a locked year, holding the strategy's row (_hold_strategy) until the transaction
    ends: a save, an import, a confirmation or a restore either commits before a lock or waits
    for it and is refused — never a value written after the year was locked (on SQLite, BEGIN
    IMMEDIATE serialises writers anyway)."""
    _hold_strategy(strategy)
    if is_locked(strategy, fiscal_year):
        raise WorkflowError(
            f"{fiscal_year}年度は有識者会議の検証のためロックされています。事務局にロック解除を依頼してください。"
        )


def hold_open_year(strategy, fiscal_year):
    """For a caller's own transaction (the Excel import): refuse a locked year and hold the
    strategy's row until the transaction ends, before anything else is locked."""
    _check_open(strategy, fiscal_year)


def _stale(indicator, fiscal_year):
    current = (
        Actual.objects.select_related("updated_by")
        .filter(indicator=indicator, fiscal_year=fiscal_year)
        .first()
    )
    who = (
        current.updated_by.get_full_name() or current.updated_by.username
        if current and current.updated_by
        else "他の利用者"
    )
    shown = (
        "測定不能"
        if current and current.not_measurable
        else (
            numfmt.number(current.value, indicator.decimals)
            if current and current.value is not None
            else "空欄"
        )
    )
    return StaleEdit(
        f"「{indicator.name}」は、画面を開いた後に{who}さんが更新しました（現在の値：{shown}）。"
        "内容を確認し、必要なら入力し直してください。",
        current,
    )


# What a clerk enters: the fields of EntryValues, under the same names on Actual.
ENTRY_FIELDS = [
    "value",
    "not_measurable",
    "not_measurable_reason",
    "data_year",
    "data_source",
    "note",
    "outlier_confirmed",
]


def _unconfirm(actual):
    actual.status = Actual.Status.DRAFT
    actual.confirmed_by = actual.confirmed_at = None


def _apply(actual, values: EntryValues):
    for name in ENTRY_FIELDS:
        setattr(actual, name, getattr(values, name))


@transaction.atomic
def save_actual(
    *,
    indicator: Indicator,
    fiscal_year: int,
    user,
    values: EntryValues,
    expected_version: int,
    submit: bool = False,
    reason: str = "",
    action=WorkflowEvent.Action.SAVE,
    reply: str | None = None,
) -> Actual:
    """Create or update one actual. `expected_version` is the version the user saw (0: none yet);
    if another save happened since, raise StaleEdit and change nothing. `reply`: the clerk's
    answer to a send-back (差戻しへの回答), recorded as its own event when it changed."""
    strategy = indicator.basic_goal.strategy
    _check_open(strategy, fiscal_year)
    if expected_version == 0:
        actual = Actual(indicator=indicator, fiscal_year=fiscal_year, version=1)
    else:
        # The conditional UPDATE claims the row: a concurrent save with the same version matches 0 rows.
        claimed = Actual.objects.filter(
            indicator=indicator, fiscal_year=fiscal_year, version=expected_version
        ).update(version=F("version") + 1)
        if not claimed:
            raise _stale(indicator, fiscal_year)
        actual = Actual.objects.get(indicator=indicator, fiscal_year=fiscal_year)
        if actual.status == Actual.Status.CONFIRMED and not Access(user).can_change_confirmed:
            raise WorkflowError(
                f"「{indicator.name}」は確認済みです。変更は事務局に依頼してください。"
            )
    _apply(actual, values)
    replied = reply is not None and reply.strip() != actual.reply
    if replied:
        actual.reply = reply.strip()
    actual.updated_by = user
    now = timezone.now()
    if submit:
        actual.status = Actual.Status.SUBMITTED
        actual.submitted_by, actual.submitted_at = user, now
        action = WorkflowEvent.Action.SUBMIT if action == WorkflowEvent.Action.SAVE else action
    else:
        # 下書き保存 is a draft, also the secretariat's on a confirmed actual: a changed value is
        # confirmed again through the workflow, never by being saved.
        _unconfirm(actual)
    actual._change_reason = _history_reason(reason or WorkflowEvent.Action(action).label)
    try:
        with transaction.atomic():
            actual.save()  # a concurrent first save of the same actual hits the unique constraint
    except IntegrityError:
        raise _stale(indicator, fiscal_year) from None
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=fiscal_year,
        actual=actual,
        action=action,
        actor=user,
        reason=reason,
    )
    if replied:
        WorkflowEvent.objects.create(
            strategy=strategy,
            fiscal_year=fiscal_year,
            actual=actual,
            action=WorkflowEvent.Action.REPLY,
            actor=user,
            reason=actual.reply,
        )
    return actual


BULK_UPDATE_FIELDS = [
    *ENTRY_FIELDS,
    "status",
    "confirmed_by",
    "confirmed_at",
    "version",
    "updated_by",
    "updated_at",
]


@transaction.atomic
def save_actuals_in_bulk(*, strategy, fiscal_year: int, user, changes, reason: str) -> int:
    """Save many validated actuals at once, as save_actual would one by one (a draft unless
    confirmed, version + 1, a history row and an IMPORT event each), in a few queries.

    `changes` is [(indicator, current actual or None, EntryValues)]. The caller must hold the
    current actuals with SELECT … FOR UPDATE (importer.plan(lock=True)) since the versions it
    read: that lock, not a per-row conditional UPDATE, is what keeps concurrent saves out. A
    concurrent first save of a missing actual hits the unique constraint: StaleEdit, nothing saved.
    """
    _check_open(strategy, fiscal_year)
    now, new, changed = timezone.now(), [], []
    for indicator, current, values in changes:
        actual = current or Actual(indicator=indicator, fiscal_year=fiscal_year, version=0)
        _apply(actual, values)
        actual.version += 1
        actual.updated_by, actual.updated_at = user, now  # bulk_update skips auto_now
        _unconfirm(actual)  # an imported change is a draft, as a 下書き保存 (save_actual)
        (changed if current else new).append(actual)
    history = {
        "batch_size": 1000,
        "default_user": user,
        "default_change_reason": _history_reason(reason),
        "default_date": now,
    }
    try:
        with transaction.atomic():
            bulk_create_with_history(new, Actual, **history)
    except IntegrityError:
        raise StaleEdit(
            "取込の途中で、同じ指標の実績値が別の画面から入力されました。"
            "データは変更されていません。もう一度アップロードしてください。",
            None,
        ) from None
    if changed:
        bulk_update_with_history(changed, Actual, fields=BULK_UPDATE_FIELDS, **history)
    _record_events(strategy, new + changed, WorkflowEvent.Action.IMPORT, user, reason)
    return len(new) + len(changed)


def _record_events(strategy, actuals, action, user, reason=""):
    """One WorkflowEvent per actual, in one INSERT per thousand."""
    WorkflowEvent.objects.bulk_create(
        (
            WorkflowEvent(
                strategy=strategy,
                fiscal_year=a.fiscal_year,
                actual=a,
                action=action,
                actor=user,
                reason=reason,
            )
            for a in actuals
        ),
        batch_size=1000,
    )


@transaction.atomic
def confirm_actuals(*, strategy: Strategy, fiscal_year: int, actual_ids, user) -> int:
    _check_open(strategy, fiscal_year)
    now = timezone.now()
    actuals = list(
        Actual.objects.select_for_update().filter(
            pk__in=actual_ids,
            fiscal_year=fiscal_year,
            status=Actual.Status.SUBMITTED,
            indicator__basic_goal__strategy=strategy,
        )
    )
    for a in actuals:
        a.status, a.confirmed_by, a.confirmed_at = Actual.Status.CONFIRMED, user, now
        a.version += 1
        a._change_reason = "確認"
        a.save()
    _record_events(strategy, actuals, WorkflowEvent.Action.CONFIRM, user)
    return len(actuals)


@transaction.atomic
def return_actual(*, actual: Actual, user, reason: str) -> Actual:
    """Send a submitted value back to its department as a draft, with the reason."""
    if not reason.strip():
        raise WorkflowError("差戻しの理由を入力してください。")
    strategy = actual.indicator.basic_goal.strategy
    _check_open(strategy, actual.fiscal_year)
    actual.status = Actual.Status.DRAFT
    actual.confirmed_by = actual.confirmed_at = None
    # The clerk sees the reason on the form and answers in `reply` (an earlier answer stays in
    # the history); the returned state lasts until the value is submitted again.
    actual.return_reason, actual.returned_at, actual.reply = reason.strip(), timezone.now(), ""
    actual.version += 1
    actual._change_reason = _history_reason(f"差戻し：{reason}")
    actual.save()
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=actual.fiscal_year,
        actual=actual,
        action=WorkflowEvent.Action.RETURN,
        actor=user,
        reason=reason,
    )
    return actual


@transaction.atomic
def lock_year(*, strategy: Strategy, fiscal_year: int, user, reason: str = "") -> YearReview:
    """Lock a year for the council's review. While a value is missing, unsubmitted or
    unconfirmed, only with a reason (kept in the LOCK event)."""
    _hold_strategy(strategy)
    review, _ = YearReview.objects.select_for_update().get_or_create(
        strategy=strategy, fiscal_year=fiscal_year
    )
    if review.is_locked:
        raise WorkflowError(f"{fiscal_year}年度はすでにロックされています。")
    if not reason.strip() and year_gaps(strategy, fiscal_year).any:
        raise WorkflowError(
            f"{fiscal_year}年度には未入力・未提出・未確認の実績値があります。"
            "それでもロックする場合は理由を入力してください。"
        )
    review.is_locked, review.locked_by, review.locked_at = True, user, timezone.now()
    review.save()
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=fiscal_year,
        action=WorkflowEvent.Action.LOCK,
        actor=user,
        reason=reason.strip(),
    )
    return review


@transaction.atomic
def reopen_year(*, strategy: Strategy, fiscal_year: int, user, reason: str) -> YearReview:
    if not reason.strip():
        raise WorkflowError("ロック解除の理由を入力してください。")
    _hold_strategy(strategy)
    review = (
        YearReview.objects.select_for_update()
        .filter(strategy=strategy, fiscal_year=fiscal_year)
        .first()
    )
    if review is None or not review.is_locked:
        raise WorkflowError(f"{fiscal_year}年度はロックされていません。")
    review.is_locked = False
    review.save()
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=fiscal_year,
        action=WorkflowEvent.Action.REOPEN,
        actor=user,
        reason=reason,
    )
    return review


@transaction.atomic
def restore_actual(*, actual: Actual, history_id: int, user, reason: str = "") -> Actual:
    """Put back the values an actual had at an earlier point of its history (a new history row)."""
    strategy = actual.indicator.basic_goal.strategy
    _check_open(strategy, actual.fiscal_year)
    old = actual.history.get(history_id=history_id)
    for field in ENTRY_FIELDS:
        setattr(actual, field, getattr(old, field))
    if old.status != Actual.Status.CONFIRMED:
        # A value that was never confirmed does not come back confirmed (the council would see it).
        _unconfirm(actual)
    actual.version += 1
    actual.updated_by = user
    full_reason = reason or f"{timezone.localtime(old.history_date):%Y-%m-%d %H:%M} の値に復元"
    actual._change_reason = _history_reason(full_reason)
    actual.save()
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=actual.fiscal_year,
        actual=actual,
        action=WorkflowEvent.Action.RESTORE,
        actor=user,
        reason=full_reason,
    )
    return actual


@transaction.atomic
def set_entry_deadline(*, strategy: Strategy, fiscal_year: int, deadline, user) -> YearReview:
    """The date by which the departments should have submitted the year's actuals (None: no
    deadline); the reminder command mails around it. Recorded as a DEADLINE event."""
    review, _ = YearReview.objects.select_for_update().get_or_create(
        strategy=strategy, fiscal_year=fiscal_year
    )
    review.entry_deadline = deadline
    review.save(update_fields=["entry_deadline"])
    WorkflowEvent.objects.create(
        strategy=strategy,
        fiscal_year=fiscal_year,
        action=WorkflowEvent.Action.DEADLINE,
        actor=user,
        reason=f"{deadline:%Y/%m/%d}" if deadline else "期限なし",
    )
    return review
