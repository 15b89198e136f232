"""Writes of the revision workflow: keyword-only, each in one transaction.

create_revision → save_change / undo_change (draft only, nothing live changes) → publish_revision
(validates every change again, writes the live tables, records who/which revision in the audit
trail, stores the snapshot). start_next_strategy copies a strategy into a new one with a draft
第1版. ensure_initial_revision makes the loaded document 第1版「策定」 (called by load_strategy)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from kpis.models import (
    Actual,
    BasicGoal,
    Direction,
    EvaluationSettings,
    GradeBand,
    Indicator,
    IndicatorTarget,
    Measure,
    Policy,
    Strategy,
    target_in_force,
)
from projects.models import KeyProject, KeyProjectAction, Project, ProjectListing
from revisions import rules
from revisions.models import ListingLifecycle, ProjectLifecycle, Revision, RevisionChange
from revisions.snapshot import dec, listing_key, num, take_snapshot
from revisions.state import (
    ADD,
    CHANGE,
    EDITABLE,
    GOAL,
    INDICATOR,
    KIND_LABELS,
    LISTING,
    MEASURE,
    POLICY,
    PROJECT,
    RETIRE,
    TARGET_FIELDS,
    add_key,
    apply_changes,
    current_value,
    find,
    ordered,
)

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
    elif (kind == INDICATOR and field == "target") != isinstance(new_value, dict):
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
    errors = rules.check(before, after, change)
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
    for c in ordered(changes):
        messages = rules.check(before, after, c)
        stale = rules.stale(before, c)
        if stale:
            messages.append(stale)
        errors += [f"{describe(c, after)}：{m}" for m in messages]
    return errors


@transaction.atomic
def publish_revision(*, revision, user) -> Revision:
    revision = _locked_draft(revision)
    strategy = revision.strategy
    changes = list(revision.changes.all())
    if not changes and revision.number > 1:
        raise RevisionError("変更内容がありません。公開する前に変更を追加してください。")
    before = take_snapshot(strategy)
    errors = validate_revision(revision, before)
    if errors:
        raise RevisionError(errors)
    after = apply_changes(before, changes, revision_number=revision.number)
    writer = _Writer(strategy, revision, user)
    for change in ordered(changes):
        writer.apply(change, after)
    revision.status = Revision.Status.PUBLISHED
    revision.published_by = user
    revision.published_at = timezone.now()
    revision.decided_on = revision.decided_on or timezone.localdate()
    revision.version += 1
    revision.snapshot = take_snapshot(strategy)
    revision._history_user = user
    revision.save()
    return revision


class _Writer:
    """Writes the objects of `after` that one change touched into the live tables."""

    def __init__(self, strategy, revision, user):
        self.strategy, self.revision, self.user = strategy, revision, user
        self.goals = {str(g.number): g for g in BasicGoal.objects.filter(strategy=strategy)}
        self.policies = {
            f"{p.basic_goal.number}-{p.symbol}": p
            for p in Policy.objects.filter(basic_goal__strategy=strategy).select_related(
                "basic_goal"
            )
        }
        self.measures = {
            m.code: m
            for m in Measure.objects.filter(policy__basic_goal__strategy=strategy).select_related(
                "policy__basic_goal"
            )
        }
        self.indicators = {i.code: i for i in Indicator.objects.for_strategy(strategy)}
        self.projects = {p.name: p for p in Project.objects.filter(strategy=strategy)}
        self.listings = {
            listing_key(x.project.name, x.measure.code): x
            for x in ProjectListing.objects.filter(project__strategy=strategy).select_related(
                "project", "measure__policy__basic_goal"
            )
        }

    def save(self, obj, fields=None):
        _stamp(obj, self.user, self.revision)
        obj.save(update_fields=fields) if fields else obj.save()
        return obj

    def apply(self, c, after):
        self.after = after
        item = find(after, c.kind, c.object_key)
        if c.action == ADD:
            getattr(self, f"_add_{c.kind}")(item, c)
        elif c.action == RETIRE:
            self._retire(c)
        elif c.kind == INDICATOR and c.field == "target":
            self._target(item, c)
        else:
            obj = self._object(c.kind, c.object_key)
            setattr(obj, c.field, item[c.field])
            self.save(obj, [c.field])

    def _object(self, kind, key):
        return {
            GOAL: self.goals,
            POLICY: self.policies,
            MEASURE: self.measures,
            INDICATOR: self.indicators,
            PROJECT: self.projects,
            LISTING: self.listings,
        }[kind][key]

    def _add_goal(self, item, c):
        goal = BasicGoal(
            strategy=self.strategy,
            number=item["number"],
            title=item["title"],
            package=item["package"],
        )
        self.goals[item["key"]] = self.save(goal)

    def _add_policy(self, item, c):
        policy = Policy(
            basic_goal=self.goals[item["goal"]],
            symbol=item["symbol"],
            order=item["order"],
            title=item["title"],
        )
        self.policies[item["key"]] = self.save(policy)

    def _add_measure(self, item, c):
        measure = Measure(
            policy=self.policies[item["policy"]],
            number=item["number"],
            title=item["title"],
            description=item["description"],
        )
        self.measures[item["key"]] = self.save(measure)

    def _add_indicator(self, item, c):
        ind = Indicator(
            basic_goal=self.goals[item["goal"]],
            measure=self.measures[item["measure"]] if item["measure"] else None,
            level=item["level"],
            code=item["code"],
            order=item["order"],
            name=item["name"],
            unit=item["unit"],
            baseline_fiscal_year=item["baseline_fiscal_year"],
            change_value=None,
            change_unit="",
            direction=item["direction"],
            aggregation=item["aggregation"],
            decimals=item["decimals"],
            source_line=item["source_line"],
            reading_note=item["reading_note"],
            introduced_from_year=item["introduced_from_year"],
            lineage_key=item["lineage_key"],
            **{f: _value(f, item[f]) for f in TARGET_FIELDS},
        )
        self.indicators[item["key"]] = self.save(ind)
        for row in item["targets"]:
            self._target_row(ind, row)

    def _target_row(self, ind, row):
        target = IndicatorTarget.objects.filter(
            indicator=ind, effective_from_year=row["from"]
        ).first() or IndicatorTarget(indicator=ind, effective_from_year=row["from"])
        for f in TARGET_FIELDS:
            setattr(target, f, _value(f, row[f]))
        target.revision = self.revision
        self.save(target)

    def _target(self, item, c):
        ind = self.indicators[c.object_key]
        row = next(r for r in item["targets"] if r["from"] == c.effective_from_year)
        self._target_row(ind, row)
        for f in TARGET_FIELDS:  # Indicator mirrors the latest row
            setattr(ind, f, _value(f, item[f]))
        self.save(ind, list(TARGET_FIELDS))

    def _add_project(self, item, c):
        project = Project(
            strategy=self.strategy,
            name=item["name"],
            description=item["description"],
            is_priority=item["is_priority"],
            fy2021=item["fy2021"],
            is_private=item["is_private"],
            partners=item["partners"],
            is_hokkaido=item["is_hokkaido"],
        )
        self.projects[item["key"]] = self.save(project)
        if item["introduced_from_year"]:
            self.save(
                ProjectLifecycle(project=project, introduced_from_year=item["introduced_from_year"])
            )
        measure = (c.new_value or {}).get("measure")
        if measure:  # a new project comes with its first listing
            self._add_listing(find(self.after, LISTING, listing_key(project.name, measure)), c)

    def _add_listing(self, item, c):
        listing = ProjectListing(
            project=self.projects[item["project"]],
            measure=self.measures[item["measure"]],
            order=item["order"],
            is_relisted=item["is_relisted"],
            description=item["description"],
            source_text=item["source_text"],
        )
        listing.save()  # ProjectListing keeps no history; the RevisionChange row is its record
        self.listings[item["key"]] = listing
        if item["introduced_from_year"]:
            self.save(
                ListingLifecycle(listing=listing, introduced_from_year=item["introduced_from_year"])
            )

    def _retire(self, c):
        year = c.effective_from_year
        if c.kind == INDICATOR:
            ind = self.indicators[c.object_key]
            ind.retired_from_year = year
            self.save(ind, ["retired_from_year"])
        elif c.kind == PROJECT:
            project = self.projects[c.object_key]
            life = ProjectLifecycle.objects.filter(project=project).first() or ProjectLifecycle(
                project=project
            )
            life.retired_from_year = year
            self.save(life)
        elif c.kind == LISTING:
            listing = self.listings[c.object_key]
            life = ListingLifecycle.objects.filter(listing=listing).first() or ListingLifecycle(
                listing=listing
            )
            life.retired_from_year = year
            self.save(life)


def _value(field, value):
    return dec(value) if field in ("baseline_value", "target_value") else value


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


@dataclass
class _Copy:
    source: Strategy
    new: Strategy
    revision: Revision
    user: object

    def save(self, obj):
        _stamp(obj, self.user, self.revision)
        obj.save()
        return obj


@transaction.atomic
def start_next_strategy(
    *, source, code, name, first_fiscal_year, last_fiscal_year, user
) -> Revision:
    """A new strategy (e.g. the 3rd, FY2025–FY2029) copied from `source`, with a draft 第1版 in
    which every indicator's target is flagged for review. Indicators keep their lineage_key."""
    errors = []
    if Strategy.objects.filter(code=code).exists():
        errors.append(f"コード「{code}」の総合戦略はすでにあります。")
    if last_fiscal_year < first_fiscal_year:
        errors.append("計画期間の最終年度は初年度以降にしてください。")
    if first_fiscal_year <= source.first_fiscal_year:
        errors.append(
            f"次期戦略の初年度は{source.name}の初年度（{source.first_fiscal_year}年度）より後にしてください。"
        )
    if errors:
        raise RevisionError(errors)
    new = Strategy.objects.create(
        code=code,
        name=name,
        municipality=source.municipality,
        first_fiscal_year=first_fiscal_year,
        last_fiscal_year=last_fiscal_year,
    )
    revision = Revision(
        strategy=new,
        number=1,
        title=INITIAL_TITLE,
        reason=f"{source.name}（{source.period_label}）を引き継いで策定",
        decided_by=Revision.Body.HEADQUARTERS,
        created_by=user,
    )
    revision._history_user = user
    revision.save()
    copy = _Copy(source, new, revision, user)
    _copy_settings(copy)
    measures = _copy_tree(copy)
    _copy_indicators(copy, measures)
    _copy_projects(copy, measures)
    _copy_key_projects(copy)
    return revision


def _copy_settings(copy):
    for band in GradeBand.objects.filter(strategy=copy.source):
        band.pk = None
        band.strategy = copy.new
        band.save()
    settings = EvaluationSettings.objects.filter(strategy=copy.source).first()
    if settings:
        settings.pk = None
        settings.strategy = copy.new
        settings.save()
    else:
        EvaluationSettings.objects.create(strategy=copy.new)


def _copy_tree(copy) -> dict:
    measures = {}
    goals = BasicGoal.objects.filter(strategy=copy.source).prefetch_related(
        "directions", "policies__measures"
    )
    for g in goals:
        goal = copy.save(
            BasicGoal(strategy=copy.new, number=g.number, title=g.title, package=g.package)
        )
        for d in g.directions.all():
            Direction.objects.create(basic_goal=goal, order=d.order, text=d.text)
        for p in g.policies.all():
            policy = copy.save(
                Policy(basic_goal=goal, symbol=p.symbol, order=p.order, title=p.title)
            )
            for m in p.measures.all():
                measures[m.pk] = copy.save(
                    Measure(
                        policy=policy, number=m.number, title=m.title, description=m.description
                    )
                )
    return measures


def _copy_indicators(copy, measures):
    source, new = copy.source, copy.new
    first, last = new.first_fiscal_year, new.last_fiscal_year
    goals = {g.number: g for g in BasicGoal.objects.filter(strategy=new)}
    indicators = list(
        Indicator.objects.for_strategy(source)
        .select_related("basic_goal")
        .prefetch_related("targets")
        .in_document_order()
    )
    latest_actual = {}
    for a in Actual.objects.filter(
        indicator__in=indicators, value__isnull=False, not_measurable=False
    ).order_by("fiscal_year"):
        latest_actual[a.indicator_id] = a
    for src in indicators:
        if src.retired_from_year and src.retired_from_year <= source.last_fiscal_year:
            continue  # retired during the source period: not carried over
        row = target_in_force(list(src.targets.all()), source.last_fiscal_year) or src
        target_year = row.target_fiscal_year
        clamped = target_year if first <= target_year <= last else last
        ind = copy.save(
            Indicator(
                basic_goal=goals[src.basic_goal.number],
                measure=measures.get(src.measure_id),
                level=src.level,
                code=src.code,
                order=src.order,
                name=src.name,
                unit=src.unit,
                baseline_value=row.baseline_value,
                baseline_fiscal_year=src.baseline_fiscal_year,
                baseline_kind=row.baseline_kind,
                target_value=row.target_value,
                target_fiscal_year=clamped,
                change_value=src.change_value,
                change_unit=src.change_unit,
                direction=src.direction,
                aggregation=src.aggregation,
                decimals=src.decimals,
                allow_negative=src.allow_negative,  # a rate of change stays one
                department=src.department,
                source_line=src.source_line,
                reading_note=src.reading_note,
                lineage_key=src.lineage_key or f"{source.code}:{src.code}",
            )
        )
        copy.save(
            IndicatorTarget(
                indicator=ind,
                effective_from_year=first,
                baseline_value=row.baseline_value,
                baseline_kind=row.baseline_kind,
                target_value=row.target_value,
                target_fiscal_year=clamped,
                revision=copy.revision,
            )
        )
        value = {
            "baseline_value": num(row.baseline_value),
            "baseline_kind": row.baseline_kind,
            "target_value": num(row.target_value),
            "target_fiscal_year": clamped,
        }
        note = [f"{source.name}の目標値を引き継ぎました。"]
        if clamped != target_year:
            note.append(f"目標年度を{target_year}年度から{clamped}年度に変更しました。")
        actual = latest_actual.get(src.pk)
        if actual:
            note.append(
                f"前期の最新の実績：{actual.fiscal_year}年度 {num(actual.value)}{src.unit}。"
            )
        note.append("基準値・目標値を見直してください。")
        change = RevisionChange(
            revision=copy.revision,
            kind=INDICATOR,
            object_key=src.code,
            action=CHANGE,
            field="target",
            old_value=value,
            new_value=value,
            effective_from_year=first,
            note="".join(note),
            needs_review=True,
            author=copy.user,
        )
        change._history_user = copy.user
        change.save()


def _copy_projects(copy, measures):
    source_last = copy.source.last_fiscal_year
    projects = Project.objects.filter(strategy=copy.source).select_related("lifecycle")
    new_projects = {}
    for p in projects:
        life = getattr(p, "lifecycle", None)  # RelatedObjectDoesNotExist is an AttributeError
        if life and life.retired_from_year and life.retired_from_year <= source_last:
            continue
        new_projects[p.pk] = copy.save(
            Project(
                strategy=copy.new,
                name=p.name,
                description=p.description,
                is_priority=p.is_priority,
                fy2021=p.fy2021,
                is_private=p.is_private,
                partners=p.partners,
                is_hokkaido=p.is_hokkaido,
            )
        )
    listings = ProjectListing.objects.filter(project__strategy=copy.source).select_related(
        "lifecycle"
    )
    orders = defaultdict(int)
    for x in listings.order_by("measure_id", "order"):
        life = getattr(x, "lifecycle", None)
        if life and life.retired_from_year and life.retired_from_year <= source_last:
            continue
        if x.project_id not in new_projects or x.measure_id not in measures:
            continue
        orders[x.measure_id] += 1
        ProjectListing.objects.create(
            project=new_projects[x.project_id],
            measure=measures[x.measure_id],
            order=orders[x.measure_id],
            is_relisted=x.is_relisted,
            description=x.description,
            source_text=x.source_text,
        )


def _copy_key_projects(copy):
    for kp in KeyProject.objects.filter(strategy=copy.source).prefetch_related("actions"):
        new = KeyProject.objects.create(
            strategy=copy.new,
            number=kp.number,
            code=kp.code,
            name=kp.name,
            label=kp.label,
            subtitle=kp.subtitle,
            description=kp.description,
        )
        for a in kp.actions.all():
            KeyProjectAction.objects.create(key_project=new, order=a.order, text=a.text)
