"""What a revision may change: one rule set for the edit forms and for publishing (pure).

check(before, after, change) returns the Japanese messages that refuse `change`, where `before` is
the published state and `after` the state with every change of the draft applied
(revisions.state.apply_changes). stale(before, change) tells whether the value a change started
from is still the published one (two administrators, or a later revision, editing the same item).
"""

from kpis import numfmt
from revisions import period as plan_period
from revisions.snapshot import dec, split_listing_key
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
    current_value,
    find,
)

DIRECTIONS = {"increase", "decrease", "maintain", "reach"}
AGGREGATIONS = {"level", "annual", "cumulative"}
PACKAGES = {"employment", "childcare", "human_resources"}
LEVELS = {"goal", "kpi"}

SAME_AS_BASELINE = "目標値が基準値と同じです（水準維持の指標を除く）。"
MEASURE_NEEDS_POLICY = "施策（①②③）には所属する具体的な施策（ア・イ・ウ）が必要です。"


def period(state) -> tuple[int, int]:
    s = state["strategy"]
    return s["first_fiscal_year"], s["last_fiscal_year"]


def period_text(state) -> str:
    first, last = period(state)
    return f"計画期間（{first}〜{last}年度）"


def _in_period(state, year) -> bool:
    first, last = period(state)
    return isinstance(year, int) and first <= year <= last


def label(state, kind, key) -> str:
    """How a message names an object: its name or title, else its code."""
    item = find(state, kind, key)
    if item is None:
        return key
    return item.get("name") or item.get("title") or key


def check(before: dict, after: dict, change) -> list[str]:
    kind, action = change.kind, change.action
    if action == ADD:
        errors = _check_add(before, after, change)
    else:
        item = find(before, kind, change.object_key)
        if item is None:
            if find(after, kind, change.object_key) is not None:
                return ["この改訂で追加する項目は、追加の内容を編集してください。"]
            return [f"{KIND_LABELS[kind]}「{change.object_key}」が見つかりません。"]
        errors = (
            _check_retire(before, change, item)
            if action == RETIRE
            else _check_change(before, after, change, item)
        )
    return errors


def stale(before: dict, change) -> str | None:
    """A message when the published value is no longer the one the change started from."""
    if change.action != CHANGE:
        return None
    current = current_value(before, change.kind, change.object_key, change.field)
    if find(before, change.kind, change.object_key) is None or current == change.old_value:
        return None
    name = label(before, change.kind, change.object_key)
    field = EDITABLE[change.kind].get(change.field, change.field)
    return (
        f"「{name}」の{field}は、この変更を作成した後に別の改訂などで変更されています"
        f"（現在の値：{show(current)}）。内容を確認し、入力し直してください。"
    )


def show(value) -> str:
    """A stored value as a message shows it."""
    if value is None or value == "":
        return "空欄"
    if isinstance(value, dict) and "last_fiscal_year" in value:
        return plan_period.show(value)
    if isinstance(value, dict):
        parts = []
        if value.get("target_value") is not None:
            parts.append(f"目標値 {_number(value['target_value'])}")
        if value.get("target_fiscal_year"):
            parts.append(f"目標年度 {value['target_fiscal_year']}年度")
        parts.append(
            f"基準値 {_number(value['baseline_value'])}"
            if value.get("baseline_value") is not None
            else "基準値 なし"
        )
        return "、".join(parts)
    return str(value)


def _number(text) -> str:
    value = dec(text)
    return "−" if value is None else numfmt.as_written(value)


# -- change ----------------------------------------------------------------------------------


def _check_change(before, after, change, item) -> list[str]:
    kind, field = change.kind, change.field
    if field not in EDITABLE.get(kind, {}):
        return [f"{KIND_LABELS[kind]}の「{field}」は改訂で変更できません。"]
    if kind == INDICATOR and field == "target":
        return _check_target(before, after, change, item)
    if kind == plan_period.PERIOD:
        return plan_period.check(before, after, change)
    value = change.new_value
    if field in ("title", "name") and not (isinstance(value, str) and value.strip()):
        return [f"{EDITABLE[kind][field]}を入力してください。"]
    if field == "package" and value not in PACKAGES:
        return ["政策パッケージを選んでください。"]
    if field == "unit" and not isinstance(value, str):
        return ["単位は文字で入力してください。"]
    return []


def _check_target(before, after, change, item) -> list[str]:
    errors = []
    value = change.new_value or {}
    year = change.effective_from_year
    target, baseline = dec(value.get("target_value")), dec(value.get("baseline_value"))
    if target is None:
        errors.append("目標値を入力してください。")
    if not _in_period(after, year):
        errors.append(f"適用開始年度が{period_text(after)}の外です。")
    if not _in_period(after, value.get("target_fiscal_year")):
        errors.append(f"目標年度が{period_text(after)}の外です。")
    if target is not None and baseline is not None and target == baseline:
        if item["direction"] != "maintain":
            errors.append(SAME_AS_BASELINE)
    rows = item["targets"]
    latest = max((r["from"] for r in rows), default=None)
    if isinstance(year, int) and latest is not None and year < latest:
        errors.append(
            f"「{item['name']}」には{latest}年度から適用の目標値があります。"
            f"適用開始年度は{latest}年度以降にしてください。"
        )
    if isinstance(year, int) and item.get("introduced_from_year"):
        if year < item["introduced_from_year"]:
            errors.append(
                f"「{item['name']}」は{item['introduced_from_year']}年度から適用の指標です。"
                "適用開始年度はそれ以降にしてください。"
            )
    if isinstance(year, int) and item.get("retired_from_year"):
        if year >= item["retired_from_year"]:
            errors.append(
                f"「{item['name']}」は{item['retired_from_year']}年度から廃止されています。"
            )
    return errors


# -- retire ----------------------------------------------------------------------------------


def _check_retire(before, change, item) -> list[str]:
    year = change.effective_from_year
    name = item.get("name") or item["key"]
    if item.get("retired_from_year"):
        return [f"「{name}」はすでに{item['retired_from_year']}年度から廃止されています。"]
    if change.kind not in (INDICATOR, PROJECT, LISTING):
        return [f"{KIND_LABELS[change.kind]}は廃止できません。"]
    if not _in_period(before, year):
        return [f"廃止年度が{period_text(before)}の外です。"]
    introduced = item.get("introduced_from_year")
    if introduced and year <= introduced:
        return [f"廃止年度は適用開始年度（{introduced}年度）より後にしてください。"]
    return []


# -- add -------------------------------------------------------------------------------------


def _check_add(before, after, change) -> list[str]:
    p = change.new_value or {}
    kind = change.kind
    if kind == GOAL:
        return _check_add_goal(before, p)
    if kind == POLICY:
        return _check_add_policy(before, after, p)
    if kind == MEASURE:
        return _check_add_measure(before, after, p)
    if kind == INDICATOR:
        return _check_add_indicator(before, after, p)
    if kind == PROJECT:
        return _check_add_project(before, after, p)
    if kind == LISTING:
        return _check_add_listing(before, after, change.object_key, p)
    return [f"「{kind}」は追加できません。"]


def _required(p, field, text) -> list[str]:
    value = p.get(field)
    return (
        []
        if isinstance(value, str | int) and str(value).strip()
        else [f"{text}を入力してください。"]
    )


def _check_add_goal(before, p) -> list[str]:
    errors = []
    number = p.get("number")
    if not isinstance(number, int) or number < 1:
        errors.append("基本目標の番号は1以上の整数で入力してください。")
    elif find(before, GOAL, str(number)):
        errors.append(f"基本目標-{number}はすでにあります。")
    errors += _required(p, "title", "基本目標")
    if p.get("package") not in PACKAGES:
        errors.append("政策パッケージを選んでください。")
    return errors


def _check_add_policy(before, after, p) -> list[str]:
    errors = []
    goal = p.get("goal")
    if not goal or find(after, GOAL, goal) is None:
        errors.append("具体的な施策（ア・イ・ウ）には所属する基本目標が必要です。")
    errors += _required(p, "symbol", "記号（ア・イ・ウ）")
    if goal and p.get("symbol") and find(before, POLICY, f"{goal}-{p['symbol']}"):
        errors.append(f"基本目標-{goal}の（{p['symbol']}）はすでにあります。")
    errors += _required(p, "title", "施策")
    return errors


def _check_add_measure(before, after, p) -> list[str]:
    errors = []
    policy = p.get("policy")
    if not policy or find(after, POLICY, policy) is None:
        errors.append(MEASURE_NEEDS_POLICY)
    number = p.get("number")
    if not isinstance(number, int) or number < 1:
        errors.append("施策の番号は1以上の整数で入力してください。")
    elif policy and find(before, MEASURE, f"{policy}-{number}"):
        errors.append(f"施策「{policy}-{number}」はすでにあります。")
    errors += _required(p, "title", "施策名")
    return errors


def _check_add_indicator(before, after, p) -> list[str]:
    errors = []
    code = (p.get("code") or "").strip()
    if not code:
        errors.append("コードを入力してください。")
    elif find(before, INDICATOR, code):
        errors.append(f"コード「{code}」の指標はすでにあります。")
    goal = p.get("goal")
    if not goal or find(after, GOAL, goal) is None:
        errors.append("指標の基本目標を選んでください。")
    level = p.get("level")
    if level not in LEVELS:
        errors.append("区分（数値目標・KPI）を選んでください。")
    measure_key = p.get("measure")
    if level == "kpi":
        measure = find(after, MEASURE, measure_key) if measure_key else None
        if measure is None:
            errors.append("KPIには施策（①②③）を指定してください。")
        elif goal and measure["goal"] != goal:
            errors.append("施策が別の基本目標に属しています。")
    if level == "goal" and measure_key:
        errors.append("数値目標は基本目標に直接属し、施策は指定しません。")
    errors += _required(p, "name", "指標名")
    if p.get("direction") not in DIRECTIONS:
        errors.append("改善の方向を選んでください。")
    if p.get("aggregation") not in AGGREGATIONS:
        errors.append("集計方法を選んでください。")
    target, baseline = dec(p.get("target_value")), dec(p.get("baseline_value"))
    if target is None:
        errors.append("目標値を入力してください。")
    elif baseline is not None and target == baseline and p.get("direction") != "maintain":
        errors.append(SAME_AS_BASELINE)
    if not _in_period(after, p.get("target_fiscal_year")):
        errors.append(f"目標年度が{period_text(after)}の外です。")
    introduced = p.get("introduced_from_year")
    if introduced is not None and not _in_period(after, introduced):
        errors.append(f"適用開始年度が{period_text(after)}の外です。")
    return errors


def _check_add_project(before, after, p) -> list[str]:
    errors = _required(p, "name", "事業名")
    name = (p.get("name") or "").strip()
    if name and find(before, PROJECT, name):
        errors.append(f"事業「{name}」はすでにあります。再掲するときは「事業を再掲」を使います。")
    if "@" in name:
        errors.append("事業名に「@」は使えません。")
    measure = p.get("measure")
    if not measure or find(after, MEASURE, measure) is None:
        errors.append("事業を掲載する施策（①②③）を選んでください。")
    errors += _required(p, "description", "内容")
    introduced = p.get("introduced_from_year")
    if introduced is not None and not _in_period(after, introduced):
        errors.append(f"適用開始年度が{period_text(after)}の外です。")
    return errors


def _check_add_listing(before, after, key, p) -> list[str]:
    errors = []
    project_name, measure_key = split_listing_key(key)
    project = find(after, PROJECT, project_name)
    if project is None or project.get("retired_from_year"):
        errors.append(f"再掲する事業「{project_name}」が存在しません。")
    if not measure_key or find(after, MEASURE, measure_key) is None:
        errors.append(f"施策「{measure_key}」が見つかりません。")
    elif project is not None and find(before, LISTING, key):
        errors.append(f"事業「{project_name}」はすでに施策「{measure_key}」に掲載されています。")
    return errors
