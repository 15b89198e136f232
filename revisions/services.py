"""Writes of the revision workflow: keyword-only, each in one transaction.

create_revision → save_change / undo_change (draft only, nothing live changes) → publish_revision
(validates every change again, writes the live tables, records who/which revision in the audit
trail, stores the snapshot). start_next_strategy copies a strategy into a new one with a draft
第1版. ensure_initial_revision makes the loaded document 第1版「策定」 (called by load_strategy)."""

import copy
import hashlib
from collections import defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from kpis.access import locked_fiscal_years
from kpis.models import (
    Actual,
    Department,
    EvaluationSettings,
    GradeBand,
    Strategy,
)
from revisions import locked_years, period, rules
from revisions.models import Revision, RevisionChange
from revisions.snapshot import dec, num, take_snapshot
from revisions.state import (
    ADD,
    CHANGE,
    DICT_FIELDS,
    EDITABLE,
    INDICATOR,
    KIND_LABELS,
    RETIRE,
    TARGET_FIELDS,
    add_key,
    apply_changes,
    current_value,
    find,
    ordered,
    touched,
)
from revisions.state import target_in_force as state_target_in_force
from revisions.workbook.plan import new_strategy_problems, with_lineage
from revisions.writer import Writer

INITIAL_TITLE = "策定"
_MISSING = object()


class RevisionError(Exception):
    """A refused write; .messages are Japanese sentences to show as they are."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))

    @property
    def message(self):
        return "\n".join(self.messages)


class ChangedSinceConfirmed(RevisionError):
    """The draft is no longer what the administrator confirmed before publishing."""


class StaleChange(RevisionError):
    """Someone else saved this item since the form was opened; .current is their value."""

    def __init__(self, message, current=None):
        super().__init__(message)
        self.current = current


def _who(user) -> str:
    if user is None:
        return "他の管理者"
    return user.get_full_name() or user.username


def _stamp(obj, user, revision):
    """The audit trail (django-simple-history) records who and which revision."""
    obj._history_user = user
    obj._change_reason = revision.change_reason
    return obj


CHANGED_SINCE_CONFIRMED = "確認画面を開いた後に改訂の内容が変わりました。変更の一覧をもう一度確かめてから公開してください。"


def _locked_draft(revision) -> Revision:
    revision = Revision.objects.select_for_update().select_related("strategy").get(pk=revision.pk)
    if not revision.is_draft:
        raise RevisionError(f"{revision.label}はすでに公開されているため、変更できません。")
    return revision


# -- revisions -------------------------------------------------------------------------------


@transaction.atomic
def create_revision(*, strategy, user, title, reason="", decided_by, decided_on=None) -> Revision:
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    draft = Revision.objects.filter(strategy=strategy).drafts().first()
    if draft:
        raise RevisionError(
            f"作成中の改訂（{draft.label}「{draft.title}」）があります。"
            "公開するか破棄してから、新しい改訂を作成してください。"
        )
    last = Revision.objects.filter(strategy=strategy).order_by("-number").first()
    revision = Revision(
        strategy=strategy,
        number=(last.number + 1) if last else 1,
        title=title,
        reason=reason,
        decided_by=decided_by,
        decided_on=decided_on,
        created_by=user,
    )
    revision._history_user = user
    revision.save()
    return revision


@transaction.atomic
def update_revision(*, revision, user, expected_version, **fields) -> Revision:
    revision = _locked_draft(revision)
    if revision.version != expected_version:
        raise StaleChange(
            f"{revision.label}の件名・理由は、画面を開いた後に他の管理者が変更しました"
            f"（現在の件名：{revision.title}）。内容を確認してください。",
            revision,
        )
    for name in ("title", "reason", "decided_by", "decided_on"):
        if name in fields:
            setattr(revision, name, fields[name])
    revision.version += 1
    revision._history_user = user
    revision.save()
    return revision


@transaction.atomic
def discard_revision(*, revision, user) -> None:
    revision = _locked_draft(revision)
    if revision.indicator_targets.exists():
        raise RevisionError(
            "この改訂には次期戦略の目標値が結び付いているため破棄できません。"
            "総合戦略ごと削除する場合は管理画面から行ってください。"
        )
    for change in revision.changes.all():
        change._history_user = user
        change.delete()
    revision._history_user = user
    revision.delete()


# -- draft changes ---------------------------------------------------------------------------


def draft_state(revision, before=None, changes=None) -> tuple[dict, dict]:
    """(published state, state with the draft's changes applied)."""
    before = before if before is not None else take_snapshot(revision.strategy)
    changes = list(revision.changes.all()) if changes is None else changes
    return before, apply_changes(before, changes, revision_number=revision.number)


@transaction.atomic
def save_change(
    *,
    revision,
    user,
    kind,
    action,
    object_key="",
    field="",
    new_value=None,
    effective_from_year=None,
    note="",
    expected_version=0,
    started_from=_MISSING,
) -> RevisionChange:
    """Add or update one change of a draft. `expected_version` is the version of the change row
    the form was opened on (0: there was none); `started_from` the published value it showed.
    Raises StaleChange when either moved meanwhile, RevisionError when a rule refuses it."""
    revision = _locked_draft(revision)
    new_value = _normalised(kind, new_value)
    if action == ADD and not isinstance(new_value, dict):
        raise RevisionError("追加する内容の形式が正しくありません。")
    if action == ADD:
        object_key = add_key(kind, new_value or {})
        field = ""
    elif action == RETIRE:
        field = ""
        new_value = {"retired_from_year": effective_from_year}
    elif field not in EDITABLE.get(kind, {}):
        raise RevisionError(f"{KIND_LABELS[kind]}の「{field}」は改訂で変更できません。")
    elif ((kind, field) in DICT_FIELDS) != isinstance(new_value, dict):
        raise RevisionError("変更後の値の形式が正しくありません。")
    existing = (
        RevisionChange.objects.select_for_update()
        .select_related("author")
        .filter(revision=revision, kind=kind, object_key=object_key, field=field)
        .first()
    )
    before = take_snapshot(revision.strategy)
    _check_version(before, kind, object_key, field, existing, expected_version)
    old_value = current_value(before, kind, object_key, field) if action == CHANGE else None
    if action == CHANGE and started_from is not _MISSING and started_from != old_value:
        name = rules.label(before, kind, object_key)
        raise StaleChange(
            f"「{name}」の{EDITABLE[kind][field]}は、画面を開いた後に変更されています"
            f"（現在の値：{rules.show(old_value)}）。内容を確認し、入力し直してください。",
            old_value,
        )
    change = existing or RevisionChange(
        revision=revision, kind=kind, object_key=object_key, field=field
    )
    was_review = bool(existing and existing.needs_review)
    change.action = action
    change.old_value = old_value
    change.new_value = new_value
    change.effective_from_year = effective_from_year
    change.note = note
    change.needs_review = False
    change.author = user
    others = [c for c in revision.changes.all() if c.pk != change.pk]
    _, after = draft_state(revision, before, others + [change])
    errors = (
        rules.check(before, after, change)
        + locked_years.check(revision.strategy, change)
        + period.check_live(revision.strategy, change)
    )
    if not errors and action == CHANGE and new_value == old_value and not was_review:
        if not (kind == INDICATOR and field == "target" and _new_year(before, change)):
            errors = ["変更がありません。"]
    if errors:
        raise RevisionError(errors)
    if existing:
        change.version += 1
    change._history_user = user
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError:  # another administrator created the same change a moment ago
        raise StaleChange(
            "同じ項目の変更を他の管理者が保存しました。内容を確認してください。"
        ) from None
    return change


def _normalised(kind, value):
    """Figures as canonical text ('10.0' → '10'), as snapshots hold them."""
    if kind == period.PERIOD and isinstance(value, dict):
        moves = {k: _normalised(INDICATOR, v) for k, v in (value.get("indicators") or {}).items()}
        return {**value, "indicators": moves}
    if kind != INDICATOR or not isinstance(value, dict):
        return value
    value = dict(value)
    for name, label in (("target_value", "目標値"), ("baseline_value", "基準値")):
        if value.get(name) not in (None, ""):
            try:
                value[name] = num(dec(value[name]))
            except (ArithmeticError, ValueError):
                raise RevisionError(f"{label}を数値で入力してください。") from None
        elif name in value:
            value[name] = None
    return value


def _new_year(before, change) -> bool:
    """A target change from a year with no row yet is a change even with the same values."""
    item = find(before, INDICATOR, change.object_key)
    return bool(item) and all(r["from"] != change.effective_from_year for r in item["targets"])


def _check_version(before, kind, object_key, field, existing, expected_version):
    if existing is None and expected_version == 0:
        return
    if existing is not None and existing.version == expected_version:
        return
    name = rules.label(before, kind, object_key)
    if existing is None:
        raise StaleChange(
            f"「{name}」の変更は、画面を開いた後に他の管理者が取り消しました。内容を確認してください。"
        )
    what = "内容" if existing.action != CHANGE else EDITABLE[kind].get(field, field)
    raise StaleChange(
        f"「{name}」の{what}は、画面を開いた後に{_who(existing.author)}さんが変更しました"
        f"（現在の値：{rules.show(existing.new_value)}）。内容を確認し、必要なら入力し直してください。",
        existing.new_value,
    )


@transaction.atomic
def undo_change(*, change, user, expected_version) -> None:
    """元に戻す: drop one change of a draft (the audit trail keeps it, with who undid it)."""
    _locked_draft(change.revision)
    current = RevisionChange.objects.select_for_update().filter(pk=change.pk).first()
    if current is None:
        raise StaleChange("この変更はすでに取り消されています。")
    if current.version != expected_version:
        raise StaleChange(
            f"この変更は、画面を開いた後に{_who(current.author)}さんが変更しました"
            f"（現在の値：{rules.show(current.new_value)}）。内容を確認してください。",
            current.new_value,
        )
    current._history_user = user
    current.delete()


# -- publishing ------------------------------------------------------------------------------


def describe(change, state) -> str:
    name = rules.label(state, change.kind, change.object_key)
    return f"{KIND_LABELS[change.kind]}「{name}」"


def validate_revision(revision, before=None) -> list[str]:
    """Every message that would refuse publishing this draft (empty: it can be published)."""
    changes = list(revision.changes.all())
    before, after = draft_state(revision, before, changes)
    errors = []
    locked = locked_fiscal_years(revision.strategy)
    for c in ordered(changes):
        messages = (
            rules.check(before, after, c)
            + locked_years.check(revision.strategy, c, locked)
            + period.check_live(revision.strategy, c, locked)
        )
        stale = rules.stale(before, c)
        if stale:
            messages.append(stale)
        errors += [f"{describe(c, after)}：{m}" for m in messages]
    return errors


def draft_fingerprint(revision, changes) -> str:
    """What the administrator confirmed: the draft's version and every change with its version.
    Editing the title, adding, changing or undoing a change all give a new fingerprint, so a
    confirmation page opened before such an edit no longer publishes."""
    parts = [str(revision.version)] + sorted(f"{c.pk}:{c.version}" for c in changes)
    return hashlib.sha256(",".join(parts).encode()).hexdigest()[:16]


@transaction.atomic
def publish_revision(*, revision, user, confirmed=None) -> Revision:
    """`confirmed`: the draft_fingerprint the confirmation page showed (the publish page always
    passes it); checked under the row lock so a change saved meanwhile is never published unseen."""
    revision = _locked_draft(revision)
    strategy = revision.strategy
    changes = list(revision.changes.all())
    if confirmed is not None and confirmed != draft_fingerprint(revision, changes):
        raise ChangedSinceConfirmed(CHANGED_SINCE_CONFIRMED)
    if not changes and revision.number > 1:
        raise RevisionError("変更内容がありません。公開する前に変更を追加してください。")
    before = take_snapshot(strategy)
    errors = validate_revision(revision, before)
    if errors:
        raise RevisionError(errors)
    after = apply_changes(before, changes, revision_number=revision.number)
    # The objects the changes add, change or retire, as they stand in `after`, parents first.
    only = touched(changes) | period.touched(before, after, changes)
    Writer(strategy, revision=revision, user=user).write(after, only=only)
    period.write_strategy(strategy, after, changes)
    revision.status = Revision.Status.PUBLISHED
    revision.published_by = user
    revision.published_at = timezone.now()
    revision.decided_on = revision.decided_on or timezone.localdate()
    revision.version += 1
    revision.snapshot = take_snapshot(strategy)
    revision._history_user = user
    revision.save()
    return revision


# -- the document's strategy as 第1版 --------------------------------------------------------


def initial_revision(strategy) -> tuple[Revision, bool]:
    """第1版「策定」 of a loaded strategy: published, decided by the headquarters on the day the
    strategy was adopted. Returns (revision, created)."""
    return Revision.objects.get_or_create(
        strategy=strategy,
        number=1,
        defaults={
            "title": INITIAL_TITLE,
            "reason": "総合戦略の策定（原文から読み込み）",
            "decided_by": Revision.Body.HEADQUARTERS,
            "decided_on": strategy.adopted_on,
            "status": Revision.Status.PUBLISHED,
            "published_at": timezone.now(),
        },
    )


def has_later_revisions(strategy) -> bool:
    """Published revisions after 第1版: the live strategy is theirs, not the fixtures'."""
    return Revision.objects.filter(strategy=strategy, number__gt=1).published().exists()


def refresh_initial_snapshot(revision) -> bool:
    """Store the snapshot of 第1版 when it differs from the live tables; True when stored."""
    snapshot = take_snapshot(revision.strategy)
    if revision.snapshot == snapshot:
        return False
    revision.snapshot = snapshot
    revision.save(update_fields=["snapshot"])
    return True


# -- the next strategy -----------------------------------------------------------------------


@transaction.atomic
def start_next_strategy(
    *, source, code, name, first_fiscal_year, last_fiscal_year, user
) -> Revision:
    """A new strategy (e.g. the 3rd, FY2025–FY2029) copied from `source`, with a draft 第1版 in
    which every indicator's target is flagged for review. Indicators keep their lineage_key."""
    errors = next_strategy_errors(source, code, first_fiscal_year, last_fiscal_year)
    if errors:
        raise RevisionError(errors)
    revision = _new_strategy(
        settings_from=source,
        user=user,
        reason=f"{source.name}（{source.period_label}）を引き継いで策定",
        code=code,
        name=name,
        municipality=source.municipality,
        first_fiscal_year=first_fiscal_year,
        last_fiscal_year=last_fiscal_year,
    )
    new = revision.strategy
    state = carried_over(take_snapshot(source), source, new)
    Writer(new, revision=revision, user=user).write_new(state)
    _flag_targets_for_review(state, source, revision, user)
    return revision


def next_strategy_errors(source, code, first_fiscal_year, last_fiscal_year) -> list[str]:
    """Why a strategy with this code and period cannot be made (after `source`, when given)."""
    errors = []
    if Strategy.objects.filter(code=code).exists():
        errors.append(f"コード「{code}」の総合戦略はすでにあります。")
    if last_fiscal_year < first_fiscal_year:
        errors.append("計画期間の最終年度は初年度以降にしてください。")
    message = period.next_period_error(source, first_fiscal_year)
    if message:
        errors.append(message)
    return errors


def _new_strategy(*, settings_from, user, reason, **fields) -> Revision:
    """The strategy row, its draft 第1版 and its grade scale and evaluation settings (copied
    from `settings_from` when given)."""
    new = Strategy.objects.create(**fields)
    revision = Revision(
        strategy=new,
        number=1,
        title=INITIAL_TITLE,
        reason=reason,
        decided_by=Revision.Body.HEADQUARTERS,
        created_by=user,
    )
    revision._history_user = user
    revision.save()
    if settings_from is not None:
        _copy_settings(settings_from, new)
    else:
        EvaluationSettings.objects.create(strategy=new)
    return revision


@transaction.atomic
def import_new_strategy(*, snapshot, user, settings_from=None, predecessor=None) -> Revision:
    """A new strategy written as `snapshot` says (a workbook read by
    revisions.workbook.reader.read_strategy_workbook), with a draft 第1版 to review and publish.
    `predecessor`: the previous strategy; an indicator whose code it has too (and whose lineage
    the workbook leaves blank) continues that indicator's lineage. `settings_from`: whose grade
    scale and evaluation settings to copy (default: the predecessor's, else the defaults)."""
    problems = new_strategy_problems(snapshot, predecessor)
    if problems:
        raise RevisionError([str(p) for p in problems])
    fields = snapshot["strategy"]
    revision = _new_strategy(
        settings_from=settings_from or predecessor,
        user=user,
        reason=(
            f"Excelのブックから策定（前期：{predecessor.name}）"
            if predecessor
            else "Excelのブックから策定"
        ),
        code=fields["code"],
        name=fields["name"],
        municipality=fields["municipality"],
        first_fiscal_year=fields["first_fiscal_year"],
        last_fiscal_year=fields["last_fiscal_year"],
        adopted_on=date.fromisoformat(fields["adopted_on"]) if fields.get("adopted_on") else None,
    )
    state = with_lineage(snapshot, predecessor)
    _ensure_departments(state)
    Writer(revision.strategy, revision=revision, user=user).write_new(state)
    return revision


def _ensure_departments(state):
    """担当課 the workbook names that the app does not know yet (a city starting from the blank
    template): created, so that each indicator keeps its 担当課."""
    names = {i["department"] for i in state["indicators"] if i.get("department")}
    known = set(Department.objects.filter(name__in=names).values_list("name", flat=True))
    Department.objects.bulk_create([Department(name=n) for n in sorted(names - known)])


def _copy_settings(source, new):
    for band in GradeBand.objects.filter(strategy=source):
        band.pk = None
        band.strategy = new
        band.save()
    settings = EvaluationSettings.objects.filter(strategy=source).first()
    if settings:
        settings.pk = None
        settings.strategy = new
        settings.save()
    else:
        EvaluationSettings.objects.create(strategy=new)


def carried_over(snapshot: dict, source, new) -> dict:
    """The part of `source`'s snapshot the next strategy starts from (pure): what was retired
    during the source period stays behind; each indicator keeps the target in force in the
    source's last year (its target year moved into the new period), as one row from the new
    first year; listings are numbered again per measure."""
    first, last, source_last = new.first_fiscal_year, new.last_fiscal_year, source.last_fiscal_year
    state = copy.deepcopy(snapshot)

    def kept(item):
        retired = item.get("retired_from_year")
        return not (retired and retired <= source_last)

    indicators = []
    for item in filter(kept, state["indicators"]):
        row = state_target_in_force(item["targets"], source_last) or item
        target_year = row["target_fiscal_year"]
        clamped = target_year if first <= target_year <= last else last
        values = {f: row[f] for f in TARGET_FIELDS} | {"target_fiscal_year": clamped}
        item.update(values, introduced_from_year=None, retired_from_year=None)
        item["lineage_key"] = item["lineage_key"] or f"{source.code}:{item['code']}"
        item["targets"] = [{"from": first, **values, "revision": 1}]
        item["source_target_fiscal_year"] = target_year  # for the review note only
        indicators.append(item)
    state["indicators"] = indicators
    state["projects"] = [
        p | {"introduced_from_year": None, "retired_from_year": None}
        for p in state["projects"]
        if kept(p)
    ]
    projects = {p["key"] for p in state["projects"]}
    orders = defaultdict(int)
    listings = []
    for x in state["listings"]:  # canonical order: by measure, then order
        if kept(x) and x["project"] in projects:
            orders[x["measure"]] += 1
            listings.append(
                x
                | {
                    "order": orders[x["measure"]],
                    "introduced_from_year": None,
                    "retired_from_year": None,
                }
            )
    state["listings"] = listings
    return state


def _flag_targets_for_review(state, source, revision, user):
    """A change row per indicator, flagged for review, saying where its target came from."""
    latest_actual = {}
    for a in Actual.objects.filter(
        indicator_id__in=[i["id"] for i in state["indicators"]],
        value__isnull=False,
        not_measurable=False,
    ).order_by("fiscal_year"):
        latest_actual[a.indicator_id] = a
    for item in state["indicators"]:
        value = {f: item[f] for f in TARGET_FIELDS}
        note = [f"{source.name}の目標値を引き継ぎました。"]
        if item["target_fiscal_year"] != item["source_target_fiscal_year"]:
            note.append(
                f"目標年度を{item['source_target_fiscal_year']}年度から"
                f"{item['target_fiscal_year']}年度に変更しました。"
            )
        actual = latest_actual.get(item["id"])
        if actual:
            note.append(
                f"前期の最新の実績：{actual.fiscal_year}年度 {num(actual.value)}{item['unit']}。"
            )
        note.append("基準値・目標値を見直してください。")
        change = RevisionChange(
            revision=revision,
            kind=INDICATOR,
            object_key=item["key"],
            action=CHANGE,
            field="target",
            old_value=value,
            new_value=value,
            effective_from_year=revision.strategy.first_fiscal_year,
            note="".join(note),
            needs_review=True,
            author=user,
        )
        change._history_user = user
        change.save()
