"""Apply a revision's changes to a snapshot, in memory (pure: no database).

This is the one definition of what a change means. Publishing computes
`after = apply_changes(before, changes)` and then writes the objects of `after` that the changes
touched into the live tables (revisions/services.py); the rules (revisions/rules.py) check
`after`; a draft can be previewed and compared before it is published.

A change is anything with the attributes kind, action, object_key, field, new_value and
effective_from_year (a RevisionChange row, or a SimpleNamespace in unit tests)."""

import copy

from revisions import period
from revisions.kinds import BY_NAME, blank_item
from revisions.snapshot import canonical, dec, listing_key, split_listing_key

GOAL, POLICY, MEASURE, INDICATOR, PROJECT, LISTING = (
    "goal",
    "policy",
    "measure",
    "indicator",
    "project",
    "listing",
)
PERIOD = period.PERIOD  # the plan period (revisions/period.py): one change for the strategy
ADD, CHANGE, RETIRE = "add", "change", "retire"
KIND_ORDER = [GOAL, POLICY, MEASURE, INDICATOR, PROJECT, LISTING]
ACTION_ORDER = [ADD, CHANGE, RETIRE]
COLLECTION = {
    GOAL: "goals",
    POLICY: "policies",
    MEASURE: "measures",
    INDICATOR: "indicators",
    PROJECT: "projects",
    LISTING: "listings",
}
KIND_LABELS = {
    GOAL: "基本目標",
    POLICY: "具体的な施策",
    MEASURE: "施策（①②③）",
    INDICATOR: "指標",
    PROJECT: "具体的な事業",
    LISTING: "事業の掲載",
    PERIOD: period.LABEL,
}
# The fields a revision may change, per kind (adding and retiring are actions of their own).
# "target" is the indicator's baseline and target in force from `effective_from_year` on.
EDITABLE = {
    GOAL: {"title": "基本目標"},
    POLICY: {"title": "施策"},
    MEASURE: {"title": "施策名", "description": "内容"},
    INDICATOR: {
        "target": "目標値・基準値",
        "name": "指標名",
        "unit": "単位",
        "reading_note": "解釈メモ",
    },
    PROJECT: {"description": "内容", "partners": "連携機関（民間等）"},
    LISTING: {"description": "内容（この掲載）"},
    PERIOD: {period.FIELD: period.LABEL},
}
# Changes whose value is a dict (the others hold one text or number).
DICT_FIELDS = {(INDICATOR, "target"), (PERIOD, period.FIELD)}
TARGET_FIELDS = ("baseline_value", "baseline_kind", "target_value", "target_fiscal_year")


def ordered(changes):
    """The plan period first (a target change in the same draft may use a new year), then parents
    before children: goals, policies, measures, indicators, projects, listings; within a kind,
    additions, then changes, then retirements; then in the order they were made."""
    return sorted(
        changes,
        key=lambda c: (
            -1 if c.kind == PERIOD else KIND_ORDER.index(c.kind),
            ACTION_ORDER.index(c.action),
            getattr(c, "pk", None) or 0,
        ),
    )


def find(state: dict, kind: str, key: str):
    if kind == PERIOD:  # the strategy itself (its name names it in messages)
        return state["strategy"]
    for item in state[COLLECTION[kind]]:
        if item["key"] == key:
            return item
    return None


def decimals_of(text) -> int:
    value = dec(text)
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def target_in_force(rows, fiscal_year):
    """The snapshot row in force in `fiscal_year` (as kpis.models.target_in_force)."""
    rows = sorted(rows, key=lambda r: r["from"])
    candidates = [r for r in rows if r["from"] <= fiscal_year] or rows[:1]
    return candidates[-1] if candidates else None


def current_value(state: dict, kind: str, key: str, field: str):
    """A field's value as a change stores it (old_value/new_value); None when missing."""
    item = find(state, kind, key)
    if item is None:
        return None
    if kind == INDICATOR and field == "target":
        return {f: item[f] for f in TARGET_FIELDS}
    if kind == PERIOD:
        return period.current(state)
    return item.get(field)


def apply_changes(snapshot: dict, changes, *, revision_number=None) -> dict:
    """A new snapshot with `changes` applied; `snapshot` is left as it was. Changes that refer to
    objects that do not exist are skipped here and reported by revisions.rules."""
    state = copy.deepcopy(snapshot)
    for change in ordered(changes):
        _apply(state, change, revision_number)
    return canonical(state)


def _apply(state, c, revision_number):
    if c.action == ADD:
        item = _new_item(state, c, revision_number)
        if item is not None and find(state, c.kind, item["key"]) is None:
            state[COLLECTION[c.kind]].append(item)
            if c.kind == PROJECT and (c.new_value or {}).get("measure"):
                state["listings"].append(_first_listing(state, item, c.new_value))
        return
    item = find(state, c.kind, c.object_key)
    if item is None:
        return
    if c.kind == PERIOD:
        period.apply(state, c, revision_number, _set_target, target_in_force, TARGET_FIELDS)
        return
    if c.action == RETIRE:
        item["retired_from_year"] = c.effective_from_year
        return
    if c.kind == INDICATOR and c.field == "target":
        _set_target(item, c.new_value or {}, c.effective_from_year, revision_number)
    elif c.field in EDITABLE.get(c.kind, {}):
        item[c.field] = c.new_value


def _set_target(item, value, from_year, revision_number):
    row = {f: value.get(f) for f in TARGET_FIELDS}
    row["from"] = from_year
    row["revision"] = revision_number
    rows = [r for r in item["targets"] if r["from"] != from_year] + [row]
    rows.sort(key=lambda r: r["from"])
    item["targets"] = rows
    latest = rows[-1]  # Indicator.target_value etc. mirror the latest row
    for f in TARGET_FIELDS:
        item[f] = latest[f]


def _next_order(items, **match):
    orders = [i["order"] for i in items if all(i.get(k) == v for k, v in match.items())]
    return max(orders, default=0) + 1


def _new_item(state, c, revision_number):
    p = dict(c.new_value or {})
    if c.kind == GOAL:
        return {
            "key": c.object_key,
            "id": None,
            "number": p.get("number"),
            "title": p.get("title", ""),
            "package": p.get("package", ""),
            "directions": [],
        }
    if c.kind == POLICY:
        return {
            "key": c.object_key,
            "id": None,
            "goal": p.get("goal"),
            "symbol": p.get("symbol"),
            "order": _next_order(state["policies"], goal=p.get("goal")),
            "title": p.get("title", ""),
        }
    if c.kind == MEASURE:
        policy = find(state, POLICY, p.get("policy") or "")
        return {
            "key": c.object_key,
            "id": None,
            "goal": policy["goal"] if policy else None,
            "policy": p.get("policy") or None,
            "number": p.get("number"),
            "title": p.get("title", ""),
            "description": p.get("description", ""),
        }
    if c.kind == INDICATOR:
        first_year = state["strategy"]["first_fiscal_year"]
        introduced = p.get("introduced_from_year")
        row = {
            "from": introduced or first_year,
            "baseline_value": p.get("baseline_value"),
            "baseline_kind": p.get("baseline_kind")
            or ("stated" if p.get("baseline_value") is not None else "none"),
            "target_value": p.get("target_value"),
            "target_fiscal_year": p.get("target_fiscal_year"),
            "revision": revision_number,
        }
        measure = p.get("measure") or None
        level = p.get("level", "kpi")
        # Every field the kind declares, at its default or as the payload gives it; then the
        # fields a new indicator works out.
        blank = blank_item(BY_NAME[INDICATOR])
        return {
            **blank,
            **{k: v for k, v in p.items() if k in blank},
            "key": c.object_key,
            "id": None,
            "goal": p.get("goal"),
            "measure": measure,
            "level": level,
            "order": _next_order(
                state["indicators"], goal=p.get("goal"), measure=measure, level=level
            ),
            "code": p.get("code"),
            "name": p.get("name", ""),
            "unit": p.get("unit", ""),
            "baseline_value": row["baseline_value"],
            "baseline_fiscal_year": p.get("baseline_fiscal_year"),
            "baseline_kind": row["baseline_kind"],
            "target_value": row["target_value"],
            "target_fiscal_year": row["target_fiscal_year"],
            # The stated change as printed and the 担当課: only an imported workbook gives them.
            "change_value": p.get("change_value"),
            "change_unit": p.get("change_unit") or "",
            "direction": p.get("direction", "increase"),
            "aggregation": p.get("aggregation", "level"),
            "decimals": p.get("decimals", decimals_of(p.get("target_value"))),
            "department": p.get("department") or None,
            "source_line": p.get("source_line", ""),
            "reading_note": p.get("reading_note", ""),
            "introduced_from_year": introduced,
            "retired_from_year": None,
            "lineage_key": p.get("lineage_key") or f"{state['strategy']['code']}:{p.get('code')}",
            "targets": [row],
        }
    if c.kind == PROJECT:
        return {
            "key": c.object_key,
            "id": None,
            "name": c.object_key,
            "description": p.get("description", ""),
            "is_priority": bool(p.get("is_priority")),
            "fy2021": p.get("fy2021", ""),
            "is_private": bool(p.get("partners")),
            "partners": p.get("partners", ""),
            "is_hokkaido": bool(p.get("is_hokkaido")),
            "introduced_from_year": p.get("introduced_from_year"),
            "retired_from_year": None,
        }
    if c.kind == LISTING:
        project, measure = split_listing_key(c.object_key)
        return {
            "key": c.object_key,
            "id": None,
            "project": project,
            "measure": measure,
            "order": _next_order(state["listings"], measure=measure),
            "is_relisted": p.get(
                "is_relisted", any(x["project"] == project for x in state["listings"])
            ),
            "description": p.get("description", ""),
            "source_text": p.get("source_text", ""),
            "introduced_from_year": p.get("introduced_from_year"),
            "retired_from_year": None,
        }
    return None


def _first_listing(state, project, payload):
    measure = payload["measure"]
    return {
        "key": listing_key(project["name"], measure),
        "id": None,
        "project": project["name"],
        "measure": measure,
        "order": _next_order(state["listings"], measure=measure),
        "is_relisted": False,
        # An imported workbook may word the listing apart from the project (revisions.desired).
        "description": payload.get("listing_description", project["description"]),
        "source_text": payload.get("listing_source_text", ""),
        "introduced_from_year": project["introduced_from_year"],
        "retired_from_year": None,
    }


def add_key(kind: str, payload: dict) -> str:
    """The stable code of an object a change adds."""
    p = payload
    if kind == GOAL:
        return str(p.get("number"))
    if kind == POLICY:
        return f"{p.get('goal')}-{p.get('symbol')}"
    if kind == MEASURE:
        return f"{p.get('policy') or ''}-{p.get('number')}"
    if kind == INDICATOR:
        return p.get("code") or ""
    if kind == PROJECT:
        return p.get("name") or ""
    return listing_key(p.get("project") or "", p.get("measure") or "")


def touched(changes) -> set[tuple[str, str]]:
    """(kind, key) of every object the changes add, change or retire (incl. a new project's first
    listing)."""
    out = set()
    for c in changes:
        out.add((c.kind, c.object_key))
        if c.kind == PROJECT and c.action == ADD and (c.new_value or {}).get("measure"):
            out.add((LISTING, listing_key(c.object_key, c.new_value["measure"])))
    return out
