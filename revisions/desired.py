"""What a wanted state of a strategy asks of a draft revision (pure: no database).

A wanted state is a snapshot in take_snapshot's format (revisions/snapshot.py), e.g. a workbook
exported from the app, edited in Excel and read back (revisions.workbook.reader). plan_changes()
compares it with the strategy as published and says which change records a draft revision needs
— the same records the revision forms create (revisions.services.save_change): additions, a
changed field (old → new), an indicator's target and baseline from a fiscal year, retirements.

Whatever those records cannot express (a changed 改善の方向, a deleted row, a new 基本的な方向)
is refused, never dropped: the plan applies its changes to the published state in memory
(revisions.state.apply_changes, the one definition of what a change means) and every field where
the result still differs from the wanted state becomes a refusal naming the item and the column.
So a plan without refusals gives, once published, exactly the wanted state."""

from dataclasses import dataclass, field

from revisions import period, rules
from revisions.kinds import BY_NAME
from revisions.state import (
    ADD,
    CHANGE,
    COLLECTION,
    EDITABLE,
    GOAL,
    INDICATOR,
    KIND_LABELS,
    KIND_ORDER,
    LISTING,
    MEASURE,
    PERIOD,
    POLICY,
    PROJECT,
    RETIRE,
    TARGET_FIELDS,
    add_key,
    apply_changes,
    current_value,
    find,
    ordered,
    touched,
)

# What each kind's add carries (the payload of the revision forms' add, revisions/forms.py) on top
# of the kind's own fields, which revisions.state._new_item takes as they are given.
ADD_REFS = {
    GOAL: (),
    POLICY: ("goal",),
    MEASURE: ("policy",),
    INDICATOR: ("goal", "measure", "department"),
    PROJECT: (),
    LISTING: ("project", "measure"),
}
# Fields no comparison looks at: database ids, and the key (items are matched by it).
IGNORED = {"id", "key"}
SHEETS = {
    GOAL: "基本目標",
    POLICY: "具体的な施策",
    MEASURE: "施策",
    PROJECT: "事業",
    LISTING: "掲載",
}
EXTRA_LABELS = {
    "goal": "基本目標",
    "policy": "具体的な施策",
    "measure": "施策",
    "project": "事業",
    "department": "担当課",
    "directions": "基本的な方向",
    "targets": "適用開始年度・目標値",
    "retired_from_year": "廃止年度",
    "introduced_from_year": "適用開始年度",
}
STRATEGY_LABELS = {
    "key_projects": "重点プロジェクト",
    "code": "コード",
    "name": "名称",
    "municipality": "自治体",
    "first_fiscal_year": "計画期間（初年度）",
    "last_fiscal_year": "計画期間（最終年度）",
    "adopted_on": "策定日",
}
NO_CHANGES = "変更はありません。"


@dataclass
class PlannedChange:
    """A change record not saved yet: what RevisionChange holds (duck-typed for apply_changes,
    rules.check and locked_years.check)."""

    kind: str
    action: str
    object_key: str
    field: str = ""
    old_value: object = None
    new_value: object = None
    effective_from_year: int | None = None
    pk = None  # revisions.state.ordered: unsaved, in the order planned

    def as_fields(self) -> dict:
        return {
            "kind": self.kind,
            "action": self.action,
            "object_key": self.object_key,
            "field": self.field,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "effective_from_year": self.effective_from_year,
        }


@dataclass(frozen=True)
class Refusal:
    """Why the wanted state cannot be drafted: `kind` and `key` name the item (kind None: the
    strategy itself), `field` the snapshot field (its column; '' for the whole row)."""

    kind: str | None
    key: str
    field: str
    message: str
    sheet: str = ""


@dataclass
class Plan:
    before: dict
    after: dict  # `before` with the changes applied (what publishing would give)
    changes: list = field(default_factory=list)
    refusals: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def empty(self) -> bool:
        return not self.changes and not self.refusals


def field_label(kind, name) -> str:
    if kind is None:
        return STRATEGY_LABELS.get(name, name)
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    try:
        return str(BY_NAME[kind].model_field(name).verbose_name)
    except Exception:  # a field the model does not have (a typo'd key in a hand-made snapshot)
        return name


def sheet_of(kind, item, name="") -> str:
    """The workbook sheet an item's field is on (revisions/workbook/columns.py)."""
    if kind is None:
        return "総合戦略"
    if name == "targets":
        return "目標値の推移"
    if name == "directions":
        return "基本的な方向"
    if kind == INDICATOR:
        return "数値目標" if (item or {}).get("level") == "goal" else "KPI"
    return SHEETS.get(kind, KIND_LABELS.get(kind, kind))


# -- the plan --------------------------------------------------------------------------------


def plan_changes(
    before: dict, desired: dict, *, revision_number=None, locked=(), departments=None
) -> Plan:
    """The change records that turn `before` (the published state) into `desired`, and every
    reason it cannot. `locked`: the strategy's locked fiscal years (revisions.locked_years);
    `departments`: the names of the 担当課 there are (None: not checked)."""
    plan = Plan(before=before, after=before)
    _check_strategy(plan, before, desired)
    # A changed 計画期間（最終年度） is the period form's change; the items are then compared with
    # the state it gives (its moved target rows), so they do not plan those moves again.
    base = before
    moved = _period_change(before, desired)
    if moved is not None:
        plan.changes.append(moved)
        base = apply_changes(before, [moved], revision_number=revision_number)
        desired = _with_moved_targets(before, base, desired, moved)
    for kind in KIND_ORDER:
        if COLLECTION[kind] not in desired:
            continue  # a workbook without that sheet says nothing about it
        _plan_kind(plan, kind, base, desired)
    plan.changes = ordered(plan.changes)
    plan.after = apply_changes(before, plan.changes, revision_number=revision_number)
    _check_rules(plan, locked)
    _check_departments(plan, departments)
    _check_result(plan, desired)
    return plan


def _check_strategy(plan, before, desired):
    wanted = desired.get("strategy") or {}
    if wanted.get("code") not in (None, before["strategy"]["code"]):
        plan.refusals.append(
            Refusal(
                None,
                wanted["code"],
                "code",
                f"このファイルは別の総合戦略（{wanted['code']}）のものです。"
                f"{before['strategy']['name']}から書き出したファイルを使ってください。",
                "総合戦略",
            )
        )
        return
    for name, value in wanted.items():
        if name == "last_fiscal_year":
            continue  # a period change (_period_change)
        if name in before["strategy"] and value != before["strategy"][name]:
            plan.refusals.append(
                Refusal(
                    None,
                    before["strategy"]["code"],
                    name,
                    f"{field_label(None, name)}は改訂の取込では変更できません"
                    f"（現在：{_show(before['strategy'][name])}、ファイル：{_show(value)}）。",
                    "総合戦略",
                )
            )
    if "key_projects" in desired and _plain(desired["key_projects"]) != _plain(
        before["key_projects"]
    ):
        plan.refusals.append(
            Refusal(
                None,
                "",
                "key_projects",
                "重点プロジェクトは改訂の取込では変更できません。",
                "重点プロジェクト",
            )
        )


def _latest_row(item) -> dict:
    rows = item.get("targets") or [item]
    return max(rows, key=lambda r: r.get("from") or 0)


def _period_change(before, desired) -> PlannedChange | None:
    """The period form's change (revisions/period.py) for a workbook whose 総合戦略 sheet has
    another last year: an indicator whose target year followed the period moves when its latest
    target row (目標値の推移 / KPI) has the new last year, with that row's value when it differs;
    the moved targets apply from the first new year (or the new last year, when shortening)."""
    new_last = (desired.get("strategy") or {}).get("last_fiscal_year")
    old_last = before["strategy"]["last_fiscal_year"]
    if not isinstance(new_last, int) or new_last == old_last:
        return None
    wanted = {i["key"]: i for i in desired.get("indicators", [])}
    choices = {}
    for item in period.candidates(before, new_last):
        want = wanted.get(item["key"])
        if want is None:
            continue  # a missing row is refused (_missing)
        latest, was = _latest_row(want), _latest_row(item)
        move = latest.get("target_fiscal_year") == new_last
        value = latest.get("target_value")
        changed = move and value not in (None, "") and value != was.get("target_value")
        choices[item["key"]] = {"move": move, "target_value": value if changed else None}
    return PlannedChange(
        PERIOD,
        CHANGE,
        period.KEY,
        period.FIELD,
        old_value=period.current(before),
        new_value={"last_fiscal_year": new_last, "indicators": choices},
        effective_from_year=min(old_last + 1, new_last),
    )


def _with_moved_targets(before, base, desired, change) -> dict:
    """`desired` where a moved indicator's latest target row was edited in place (its target year
    set to the new last year) reads as the period change writes it: the old row kept for the
    years already judged, and a row from the change's year (the as-then rule)."""
    old = {i["key"]: i for i in before["indicators"]}
    moved = {i["key"]: i for i in base["indicators"] if i["key"] in change.new_value["indicators"]}
    out = []
    for want in desired.get("indicators", []):
        item, got = old.get(want["key"]), moved.get(want["key"])
        if got is not None and "targets" in want and _edited_in_place(item, want):
            want = want | {"targets": got["targets"]} | {f: got.get(f) for f in TARGET_FIELDS}
        out.append(want)
    return desired | {"indicators": out}


def _edited_in_place(item, want) -> bool:
    """The wanted rows are the published ones but for the latest row's target year and value."""
    rows_before = {r["from"]: _row(r) for r in item["targets"]}
    rows_after = {r["from"]: _row(r) for r in want["targets"]}
    if set(rows_before) != set(rows_after) or not rows_before:
        return False
    latest = max(rows_before)
    keep = [f for f in TARGET_FIELDS if f not in ("target_fiscal_year", "target_value")]
    a = dict(zip(TARGET_FIELDS, rows_before[latest], strict=True))
    b = dict(zip(TARGET_FIELDS, rows_after[latest], strict=True))
    same_rest = all(rows_before[y] == rows_after[y] for y in rows_before if y != latest)
    return same_rest and all(a[f] == b[f] for f in keep)


def _plan_kind(plan, kind, before, desired):
    old = {i["key"]: i for i in before[COLLECTION[kind]]}
    new = {i["key"]: i for i in desired[COLLECTION[kind]]}
    for key, item in old.items():
        if key not in new:
            plan.refusals.append(_missing(kind, item))
    for key, item in new.items():
        if key not in old:
            if not _first_listing_of_new_project(kind, item, before, desired):
                plan.changes.append(_add(kind, item, desired))
            continue
        plan.changes += _field_changes(kind, old[key], item)
        if kind == INDICATOR:
            _target_changes(plan, old[key], item)
        _retirement(plan, kind, old[key], item)


def _missing(kind, item) -> Refusal:
    if kind in (INDICATOR, PROJECT, LISTING):
        hint = "廃止するときは、行を残して廃止年度を入力してください。"
    else:
        hint = f"{KIND_LABELS[kind]}は改訂で削除・廃止できません。"
    return Refusal(
        kind,
        item["key"],
        "",
        f"「{_name(kind, item)}」の行がありません。{hint}",
        sheet_of(kind, item),
    )


def _payload(kind, item) -> dict:
    """The add's payload: the kind's own fields and its parents' keys, as the wanted item has
    them (lifecycle years included: a new project may start from a later year)."""
    names = [*BY_NAME[kind].fields, *ADD_REFS[kind], "introduced_from_year"]
    payload = {n: item[n] for n in names if n in item}
    payload.pop("retired_from_year", None)  # adding something already retired: refused below
    if kind == INDICATOR:
        payload["lineage_key"] = item.get("lineage_key") or None
        if not payload["lineage_key"]:
            del payload["lineage_key"]  # a new lineage, as the add form's blank 系譜キー
    return payload


def _add(kind, item, desired) -> PlannedChange:
    payload = _payload(kind, item)
    if kind == PROJECT:
        first = _first_listing(item["key"], desired)
        if first is not None:
            payload["measure"] = first["measure"]
            # What revisions.state._first_listing takes for the listing a new project brings.
            payload["listing_description"] = first.get("description", "")
            payload["listing_source_text"] = first.get("source_text", "")
    return PlannedChange(kind, ADD, add_key(kind, payload), new_value=payload)


def _first_listing(project_key, desired):
    listings = [x for x in desired.get("listings", []) if x["project"] == project_key]
    listings.sort(key=lambda x: (bool(x.get("is_relisted")), x.get("order") or 0, x["key"]))
    return listings[0] if listings else None


def _first_listing_of_new_project(kind, item, before, desired) -> bool:
    """A new project's first listing comes with the project's add (as with the add form)."""
    if kind != LISTING or find(before, PROJECT, item["project"]) is not None:
        return False
    first = _first_listing(item["project"], desired)
    return first is not None and first["key"] == item["key"]


def _field_changes(kind, old, new) -> list[PlannedChange]:
    out = []
    for name in EDITABLE[kind]:
        if name == "target" or name not in new:
            continue
        if new[name] != old.get(name):
            out.append(
                PlannedChange(
                    kind,
                    CHANGE,
                    old["key"],
                    name,
                    old_value=old.get(name),
                    new_value=new[name],
                )
            )
    return out


def _row(row) -> tuple:
    return tuple(row.get(f) for f in TARGET_FIELDS)


def _target_changes(plan, old, new):
    """One target change per fiscal year whose row is new or differs (the target form's
    「適用開始年度」); a row that is gone cannot be expressed (a later row replaces it)."""
    if "targets" not in new:
        return
    rows_before = {r["from"]: r for r in old["targets"]}
    rows_after = {r["from"]: r for r in new["targets"]}
    for year in sorted(set(rows_before) - set(rows_after)):
        plan.refusals.append(
            Refusal(
                INDICATOR,
                old["key"],
                "targets",
                f"「{_name(INDICATOR, old)}」の{year}年度から適用の目標値の行がありません。"
                "適用中の目標値は削除できません。変更するときは、新しい適用開始年度の行を追加してください。",
                sheet_of(INDICATOR, old, "targets"),
            )
        )
    differing = [
        y
        for y in sorted(rows_after)
        if y not in rows_before or _row(rows_before[y]) != _row(rows_after[y])
    ]
    if len(differing) > 1:
        # A revision holds one target change per indicator (the forms' 適用開始年度 is one year).
        years = "・".join(f"{y}年度" for y in differing)
        plan.refusals.append(
            Refusal(
                INDICATOR,
                old["key"],
                "targets",
                f"「{_name(INDICATOR, old)}」の目標値が{years}から変わっています。1つの改訂で変更できる"
                "目標値は、1つの適用開始年度からだけです（残りは次の改訂で変更してください）。",
                sheet_of(INDICATOR, old, "targets"),
            )
        )
        return
    for year in differing:
        row = rows_after[year]
        plan.changes.append(
            PlannedChange(
                INDICATOR,
                CHANGE,
                old["key"],
                "target",
                old_value=current_value(plan.before, INDICATOR, old["key"], "target"),
                new_value={f: row.get(f) for f in TARGET_FIELDS},
                effective_from_year=year,
            )
        )


def _retirement(plan, kind, old, new):
    was, wanted = old.get("retired_from_year"), new.get("retired_from_year")
    if was == wanted:
        return
    if was is None and kind in (INDICATOR, PROJECT, LISTING):
        plan.changes.append(
            PlannedChange(
                kind,
                RETIRE,
                old["key"],
                new_value={"retired_from_year": wanted},
                effective_from_year=wanted,
            )
        )
        return
    # A retirement cannot be undone or moved by a revision; _check_result names the column.


# -- checks ----------------------------------------------------------------------------------


def _check_rules(plan, locked):
    """The rules the revision forms and publishing apply (revisions.rules, locked years)."""
    from revisions.locked_years import check as locked_check

    for c in plan.changes:
        messages = rules.check(plan.before, plan.after, c)
        messages += locked_check(None, c, sorted(locked))
        item = find(plan.after, c.kind, c.object_key) or find(plan.before, c.kind, c.object_key)
        for message in messages:
            plan.refusals.append(
                Refusal(
                    c.kind,
                    c.object_key,
                    _column_of(c),
                    f"「{_name(c.kind, item) if item else c.object_key}」：{message}",
                    sheet_of(c.kind, item, _column_of(c)),
                )
            )


def _check_departments(plan, departments):
    if departments is None:
        return
    for c in plan.changes:
        name = (c.new_value or {}).get("department") if c.action == ADD else None
        if c.kind == INDICATOR and name and name not in departments:
            plan.refusals.append(
                Refusal(
                    INDICATOR,
                    c.object_key,
                    "department",
                    f"担当課「{name}」が見つかりません。改訂の取込では担当課を作成しません"
                    "（管理画面で担当課を追加するか、管理画面の担当課の名称と同じにしてください）。",
                    sheet_of(INDICATOR, c.new_value),
                )
            )


def _column_of(change) -> str:
    if change.action == RETIRE:
        return "retired_from_year"
    if change.field == "target":
        return "targets"
    return change.field


def _check_result(plan, desired):
    """Every field where the state the changes give still differs from the wanted one."""
    # Added items, with the first listing a new project brings (revisions.state.touched).
    added = touched([c for c in plan.changes if c.action == ADD])
    refused = {(r.kind, r.key) for r in plan.refusals}
    said = {(r.kind, r.key, r.field) for r in plan.refusals}
    for kind in KIND_ORDER:
        if COLLECTION[kind] not in desired:
            continue
        result = {i["key"]: i for i in plan.after[COLLECTION[kind]]}  # not find(): one pass
        for want in desired[COLLECTION[kind]]:
            got = result.get(want["key"])
            if got is None:
                continue  # an add the rules refused (already reported)
            is_new = (kind, want["key"]) in added
            if is_new and (kind, want["key"]) in refused:
                continue  # the add itself is refused: its fields say nothing more
            for name in want:
                if name in IGNORED or (is_new and name == "order"):
                    continue
                if _said(said, kind, want["key"], name):
                    continue  # refused already, with its reason
                a, b = _comparable(name, got.get(name)), _comparable(name, want[name])
                if a == b or (is_new and b in (None, "", [])):
                    continue
                if is_new and name == "targets" and _one_row_from_start(plan.after, got, want):
                    continue
                plan.refusals.append(_unexpressible(kind, want, got, name, is_new))


def _comparable(name, value):
    if name == "targets" and isinstance(value, list):
        return sorted(((r.get("from"), *_row(r)) for r in value), key=str)
    return value


def _said(said, kind, key, name) -> bool:
    if (kind, key, name) in said:
        return True
    return name in TARGET_FIELDS and (kind, key, "targets") in said  # the mirrors of the rows


def _one_row_from_start(state, got, want) -> bool:
    """A new indicator's one target row, dated from the period's first year (the reader's
    default when the 目標値の推移 sheet has no row for it): the add dates it from the year the
    indicator is introduced, as the add form does."""
    first = state["strategy"]["first_fiscal_year"]
    if len(got.get("targets") or []) != 1 or len(want.get("targets") or []) != 1:
        return False
    a, b = got["targets"][0], want["targets"][0]
    return b.get("from") in (first, a["from"]) and _row(a) == _row(b)


def _unexpressible(kind, want, got, name, is_new) -> Refusal:
    label = field_label(kind, name)
    what = _name(kind, want)
    if name == "retired_from_year" and got.get(name):
        message = (
            f"「{what}」は{got[name]}年度から廃止されています。廃止の取消しや廃止年度の変更は"
            "改訂ではできません。"
        )
    elif kind == INDICATOR and name in TARGET_FIELDS:
        latest = max(want.get("targets") or [{}], key=lambda r: r.get("from") or 0)
        message = (
            f"「{what}」の{label}（{_show(want[name])}）が、「目標値の推移」シートの最新の行"
            f"（{latest.get('from')}年度から：{_show(latest.get(name))}）と一致しません。"
            "同じ値にしてください。"
        )
    elif is_new:
        message = (
            f"新しく追加する「{what}」の{label}は、改訂の取込では指定できません"
            f"（ファイル：{_show(want[name])}）。空欄にしてください。"
        )
    else:
        message = (
            f"「{what}」の{label}は改訂では変更できません"
            f"（現在：{_show(got.get(name))}、ファイル：{_show(want[name])}）。"
        )
    return Refusal(kind, want["key"], name, message, sheet_of(kind, want, name))


def _show(value) -> str:
    if isinstance(value, list):
        return f"{len(value)}行"
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if value is None or value == "":
        return "空欄"
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _name(kind, item) -> str:
    if kind == INDICATOR:
        return f"{item.get('code')} {item.get('name')}"
    if kind == GOAL:
        return f"基本目標-{item.get('number')}"
    if kind in (POLICY, MEASURE):
        return f"{item['key']} {item.get('title', '')}".strip()
    if kind == LISTING:
        return f"{item.get('project')}（{item.get('measure')}）"
    return item.get("name") or item["key"]


def _plain(items):
    return [{k: v for k, v in i.items() if k not in IGNORED} for i in items]


def fingerprint(plan) -> str:
    """What the preview showed: the planned changes (a plan computed again at confirmation must
    give the same, else the strategy moved meanwhile)."""
    import hashlib
    import json

    text = json.dumps(
        [c.as_fields() for c in plan.changes], ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
