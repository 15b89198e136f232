"""Compare two snapshots: what was added, removed (retired) and changed, old → new, grouped by
basic goal (pure: no database; unit-tested in tests/test_revision_diff.py).

Indicator targets are compared per fiscal year: a row added from FY2023 shows as one change
「目標値 27,700 → 30,000（2023年度から）」, not as a changed mirror field plus a new row."""

from dataclasses import dataclass, field

from kpis import numfmt
from revisions.snapshot import dec
from revisions.state import (
    COLLECTION,
    GOAL,
    INDICATOR,
    KIND_LABELS,
    KIND_ORDER,
    LISTING,
    MEASURE,
    PERIOD,
    POLICY,
    PROJECT,
    target_in_force,
)

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
ACTION_LABELS = {ADDED: "追加", REMOVED: "廃止・削除", CHANGED: "変更"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"

# The fields compared per kind, with their labels. Operational data (an indicator's department,
# database ids) and derived values (the mirrors of the target rows) are left out on purpose.
FIELDS = {
    GOAL: {"title": "基本目標", "package": "政策パッケージ"},
    POLICY: {"title": "施策"},
    MEASURE: {"title": "施策名", "description": "内容"},
    INDICATOR: {
        "name": "指標名",
        "unit": "単位",
        "level": "区分",
        "measure": "施策（①②③）",
        "direction": "改善の方向",
        "aggregation": "集計方法",
        "reading_note": "解釈メモ",
    },
    PROJECT: {
        "description": "内容",
        "partners": "連携機関（民間等）",
        "is_priority": "重点",
        "fy2021": "R3区分",
        "is_hokkaido": "北海道",
    },
    LISTING: {"description": "内容（この掲載）", "is_relisted": "再掲"},
}
CHOICES = {
    "package": {"employment": "雇用対策", "childcare": "子育て支援", "human_resources": "人材育成"},
    "level": {"goal": "数値目標", "kpi": "KPI"},
    "direction": {
        "increase": "増加",
        "decrease": "減少",
        "maintain": "水準維持（以上）",
        "reach": "水準到達",
    },
    "aggregation": {"level": "各年度の水準", "annual": "年間", "cumulative": "期間累計"},
    "fy2021": {"new": "R3 新規", "expanded": "R3 拡充", "": "なし"},
}


@dataclass(frozen=True)
class Item:
    goal: str | None  # the basic goal's key ('1'), None for the strategy as a whole
    kind: str
    action: str  # ADDED / REMOVED / CHANGED
    key: str  # the object's stable code
    name: str
    field: str = ""  # the changed item's label, e.g. 目標値
    old: str = ""
    new: str = ""
    unit: str = ""
    from_year: int | None = None  # a target/baseline change: the fiscal year it applies from

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def action_label(self):
        return ACTION_LABELS[self.action]


@dataclass
class Group:
    goal: str | None
    label: str
    title: str
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)

    @property
    def items(self):
        return self.added + self.removed + self.changed


@dataclass
class Comparison:
    groups: list

    @property
    def items(self):
        return [i for g in self.groups for i in g.items]

    @property
    def total(self):
        return len(self.items)

    @property
    def counts(self):
        items = self.items
        return {a: sum(1 for i in items if i.action == a) for a in (ADDED, REMOVED, CHANGED)}


def compare(old: dict, new: dict) -> Comparison:
    """Everything that differs between two snapshots of one strategy, grouped by basic goal."""
    items = _period_items(old, new)
    skipped_projects = set()
    for kind in KIND_ORDER:
        before = {i["key"]: i for i in old[COLLECTION[kind]]}
        after = {i["key"]: i for i in new[COLLECTION[kind]]}
        for key in list(before) + [k for k in after if k not in before]:
            o, n = before.get(key), after.get(key)
            o_live = o is not None and not o.get("retired_from_year")
            n_live = n is not None and not n.get("retired_from_year")
            if kind == LISTING and (o or n)["project"] in skipped_projects:
                continue  # a project added or retired brings its listings with it
            goal = _goal_of(kind, n or o, new, old)
            name = _name(kind, n or o)
            if o_live != n_live:
                if kind == PROJECT:
                    skipped_projects.add(key)
                items.append(_lifecycle_item(kind, key, goal, name, o, n, n_live))
                continue
            if o is None or n is None:
                continue  # present in only one, retired in it: nothing to say
            items += _field_items(kind, key, goal, name, o, n)
            if kind == INDICATOR:
                items += _target_items(key, goal, name, o, n)
    return Comparison(groups=_group(items, old, new))


def _period_items(old, new) -> list[Item]:
    """計画期間: one item for the strategy as a whole (the targets it moved show per indicator)."""
    a, b = old["strategy"], new["strategy"]
    if (a["first_fiscal_year"], a["last_fiscal_year"]) == (
        b["first_fiscal_year"],
        b["last_fiscal_year"],
    ):
        return []
    name = b.get("name") or b.get("code", "")
    # an extension adds years from the one after the old end; a shortening removes them
    extended = b["last_fiscal_year"] > a["last_fiscal_year"]
    period = "{}〜{}年度".format
    return [
        Item(
            None,
            PERIOD,
            CHANGED,
            b.get("code", ""),
            name,
            "計画期間",
            period(a["first_fiscal_year"], a["last_fiscal_year"]),
            period(b["first_fiscal_year"], b["last_fiscal_year"]),
            from_year=a["last_fiscal_year"] + 1 if extended else None,
        )
    ]


def _lifecycle_item(kind, key, goal, name, o, n, added) -> Item:
    if added:
        return Item(goal, kind, ADDED, key, name, new=_summary(kind, n), from_year=_since(n))
    year = n.get("retired_from_year") if n else None
    return Item(goal, kind, REMOVED, key, name, old=_summary(kind, o), from_year=year)


def _since(item):
    return item.get("introduced_from_year") if item else None


def _summary(kind, item) -> str:
    if item is None:
        return ""
    if kind == INDICATOR:
        target = _number(item["target_value"], item["decimals"], item["unit"])
        return f"目標値 {target}（{item['target_fiscal_year']}年度）"
    if kind == PROJECT:
        return item.get("description", "")
    if kind == LISTING:
        return f"{item['project']}（{item['measure']}）"
    return item.get("title", "")


def _field_items(kind, key, goal, name, o, n) -> list[Item]:
    out = []
    for f, text in FIELDS[kind].items():
        if o.get(f) != n.get(f):
            out.append(
                Item(goal, kind, CHANGED, key, name, text, _text(f, o.get(f)), _text(f, n.get(f)))
            )
    return out


def _target_items(key, goal, name, o, n) -> list[Item]:
    """One item per fiscal year from which the target (or baseline) in force differs."""
    out, last = [], None
    years = sorted({r["from"] for r in o["targets"]} | {r["from"] for r in n["targets"]})
    for year in years:
        a, b = target_in_force(o["targets"], year), target_in_force(n["targets"], year)
        pair = (_target_tuple(a), _target_tuple(b))
        if pair[0] == pair[1] or pair == last:
            last = pair
            continue
        last = pair
        for f, text, fmt in (
            ("target_value", "目標値", "number"),
            ("target_fiscal_year", "目標年度", "year"),
            ("baseline_value", "基準値", "number"),
        ):
            va, vb = (a or {}).get(f), (b or {}).get(f)
            if (dec(va) if fmt == "number" else va) == (dec(vb) if fmt == "number" else vb):
                continue
            if fmt == "number":
                old_text = _number(va, n["decimals"])
                new_text = _number(vb, n["decimals"])
                unit = n["unit"]
            else:
                old_text, new_text, unit = _year(va), _year(vb), ""
            out.append(
                Item(goal, INDICATOR, CHANGED, key, name, text, old_text, new_text, unit, year)
            )
    return out


def _target_tuple(row):
    if row is None:
        return None
    return (dec(row["target_value"]), row["target_fiscal_year"], dec(row["baseline_value"]))


def _group(items, old, new) -> list[Group]:
    goals = {g["key"]: g for g in old["goals"]} | {g["key"]: g for g in new["goals"]}
    groups = {}
    for item in items:
        if item.goal not in groups:
            g = goals.get(item.goal)
            groups[item.goal] = Group(
                goal=item.goal,
                label=f"基本目標-{g['number']}" if g else "総合戦略全体",
                title=g["title"] if g else "",
            )
        getattr(groups[item.goal], item.action).append(item)

    def order(goal):
        # 総合戦略全体 (the plan period, projects outside any goal) first: it frames the rest.
        g = goals.get(goal)
        return (1, g["number"]) if g else (0, 0)

    return [groups[k] for k in sorted(groups, key=order)]


def _goal_of(kind, item, new, old):
    if kind == GOAL:
        return item["key"]
    if kind in (POLICY, MEASURE, INDICATOR):
        return item["goal"]
    for snapshot in (new, old):
        if kind == LISTING:
            measure = _by_key(snapshot["measures"], item["measure"])
            if measure:
                return measure["goal"]
        if kind == PROJECT:
            listings = [x for x in snapshot["listings"] if x["project"] == item["key"]]
            listings.sort(key=lambda x: x["is_relisted"])  # the original listing first
            for x in listings:
                measure = _by_key(snapshot["measures"], x["measure"])
                if measure:
                    return measure["goal"]
    return None


def _by_key(items, key):
    return next((i for i in items if i["key"] == key), None)


def _name(kind, item) -> str:
    if kind == GOAL:
        return f"基本目標-{item['number']}"
    if kind == POLICY:
        return f"（{item['symbol']}）{item['title']}"
    if kind == MEASURE:
        n = item["number"]
        mark = CIRCLED[n - 1] if isinstance(n, int) and 0 < n <= len(CIRCLED) else f"({n})"
        return f"{item['key']} {mark}{item['title']}"
    if kind == INDICATOR:
        return f"{item['code']} {item['name']}"
    if kind == PROJECT:
        return item["name"]
    return f"{item['project']}（{item['measure']}）"


def _text(field_name, value) -> str:
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if field_name in CHOICES:
        return CHOICES[field_name].get(value or "", value or "なし")
    if value is None or value == "":
        return "なし"
    return str(value)


def _year(value) -> str:
    return f"{value}年度" if value else "なし"


def _number(text, decimals=None, unit="") -> str:
    """'27700' → '27,700' (with the indicator's printed decimals); '−' when there is none."""
    value = dec(text)
    if value is None:
        return "−"
    shown = numfmt.as_written(value) if decimals is None else numfmt.number(value, decimals)
    return f"{shown}{unit}"
