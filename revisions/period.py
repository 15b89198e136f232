"""計画期間の変更: a revision that extends (or shortens) the strategy's plan period.

One change row (kind "period", object_key "period", field "period"):
  old_value  {"last_fiscal_year": 2024}
  new_value  {"last_fiscal_year": 2025,
              "indicators": {"1-ア-1-1": {"move": true, "target_value": "30000" | null}, …}}
  effective_from_year  the first fiscal year judged against the moved targets (default: the
                       first new year when extending).

What it means (apply, pure, called by revisions.state.apply_changes): the strategy's last year
becomes the new one, and each indicator whose target year was the old end year (or, when
shortening, lies after the new end year) gets a target row from `effective_from_year` with its
target year moved to the new end year — unless the administrator said not to move it (an
indicator missing from "indicators" moves: the default is yes) — and the new target value when
one is given. Years before `effective_from_year` keep the row in force then, so they are judged as
they were (the as-then rule, kpis.evaluation.timelines); the interim path s(y) = (y − b)/(T − b)
of later years runs to the new target year.

The rules (check, pure) and the live checks (check_live: a year to be removed has actuals or is
locked) refuse with Japanese messages; publishing writes Strategy.last_fiscal_year and the
FiscalYear rows (write_strategy) beside the Writer's indicator rows."""

from kpis.fiscal import fiscal_year_label
from revisions.snapshot import dec

PERIOD = "period"  # RevisionChange.kind
KEY = FIELD = "period"  # its object_key and field: there is one plan period per strategy
LABEL = "計画期間"


# -- pure ------------------------------------------------------------------------------------


def period_of(state) -> tuple[int, int]:
    s = state["strategy"]
    return s["first_fiscal_year"], s["last_fiscal_year"]


def current(state) -> dict:
    """The published value a change starts from (RevisionChange.old_value)."""
    return {"last_fiscal_year": state["strategy"]["last_fiscal_year"]}


def show(value: dict) -> str:
    """How a message and the change list show a period value."""
    text = f"最終年度 {value.get('last_fiscal_year')}年度"
    moves = value.get("indicators") or {}
    kept = sorted(k for k, v in moves.items() if not v.get("move", True))
    changed = sorted(k for k, v in moves.items() if v.get("move", True) and v.get("target_value"))
    if kept:
        text += f"（目標年度を移さない指標：{'、'.join(kept)}）"
    if changed:
        text += f"（目標値を変更：{'、'.join(changed)}）"
    return text


def range_text(first, last) -> str:
    return f"{first}〜{last}年度"


def _latest(item):
    return max(item["targets"], key=lambda r: r["from"]) if item["targets"] else item


def candidates(state, new_last=None) -> list[dict]:
    """The indicators whose target year follows the period: their latest target year is the
    current end year, or (shortening) after `new_last`. Retired ones stay as they were."""
    _, last = period_of(state)
    out = []
    for item in state["indicators"]:
        if item.get("retired_from_year"):
            continue
        year = _latest(item)["target_fiscal_year"]
        if year == last or (new_last is not None and isinstance(year, int) and year > new_last):
            out.append(item)
    return out


def choice(change, key) -> dict:
    return ((change.new_value or {}).get("indicators") or {}).get(key) or {}


def moves(change, key) -> bool:
    return bool(choice(change, key).get("move", True))


def apply(state, change, revision_number, set_target, target_in_force, fields):
    """Apply one period change to `state` in place (revisions.state passes its helpers)."""
    new_last = (change.new_value or {}).get("last_fiscal_year")
    from_year = change.effective_from_year
    if not isinstance(new_last, int) or not isinstance(from_year, int):
        return  # refused by check()
    for item in candidates(state, new_last):
        if not moves(change, item["key"]):
            continue
        row = target_in_force(item["targets"], from_year) or item
        value = {f: row.get(f) for f in fields} | {"target_fiscal_year": new_last}
        given = choice(change, item["key"]).get("target_value")
        if given not in (None, ""):
            value["target_value"] = given
        set_target(item, value, from_year, revision_number)
    state["strategy"]["last_fiscal_year"] = new_last


def check(before, after, change) -> list[str]:
    """What refuses a period change, from the published state and the draft's state."""
    first, old_last = period_of(before)
    new_last = (change.new_value or {}).get("last_fiscal_year")
    year = change.effective_from_year
    if not isinstance(new_last, int):
        return ["新しい最終年度を入力してください。"]
    if new_last < first:
        return [f"計画期間の最終年度は初年度（{first}年度）以降にしてください。"]
    if new_last == old_last:
        return [f"計画期間の最終年度が現在と同じ（{old_last}年度）です。"]
    if new_last > old_last + 10:
        return ["計画期間の延長は10年度までにしてください。"]
    errors = []
    latest_from = min(old_last + 1, new_last)
    if not isinstance(year, int) or not first <= year <= latest_from:
        errors.append(
            f"適用開始年度は{range_text(first, latest_from)}の中から選んでください"
            "（それより前の年度は当時の目標値・目標年度で評価したままです）。"
        )
        return errors
    for item in candidates(before, new_last):
        name = item["name"]
        rows_after = [r["from"] for r in item["targets"] if r["from"] > year]
        target_year = _latest(item)["target_fiscal_year"]
        if moves(change, item["key"]):
            if rows_after:
                errors.append(
                    f"「{name}」には{max(rows_after)}年度から適用の目標値があります。"
                    f"適用開始年度は{max(rows_after)}年度以降にしてください。"
                )
        elif target_year > new_last:
            errors.append(
                f"「{name}」の目標年度（{target_year}年度）が新しい計画期間"
                f"（{range_text(first, new_last)}）の外になります。目標年度を移してください。"
            )
        value = choice(change, item["key"]).get("target_value")
        if value not in (None, "") and moves(change, item["key"]):
            after_item = next((i for i in after["indicators"] if i["key"] == item["key"]), None)
            baseline = dec((after_item or item).get("baseline_value"))
            if baseline is not None and dec(value) == baseline and item["direction"] != "maintain":
                errors.append(f"「{name}」：目標値が基準値と同じです（水準維持の指標を除く）。")
    if new_last < old_last:
        for item in after["indicators"]:
            introduced = item.get("introduced_from_year")
            if introduced and introduced > new_last and not item.get("retired_from_year"):
                errors.append(
                    f"「{item['name']}」は{introduced}年度から適用の指標のため、"
                    f"計画期間を{new_last}年度までに短縮できません。"
                )
    return errors


def next_period_error(source, first_fiscal_year) -> str | None:
    """Why a next strategy of `source` cannot start in `first_fiscal_year` (None: it can). Also
    the workbook import as the next strategy (revisions.workbook.plan) — hence here, not in
    revisions.services."""
    if source is None:
        return None
    if first_fiscal_year <= source.first_fiscal_year:
        return (
            f"次期戦略の初年度は{source.name}の初年度（{source.first_fiscal_year}年度）より後に"
            "してください。"
        )
    if first_fiscal_year <= source.last_fiscal_year:
        # Two strategies judging the same fiscal year would give a KPI two grades for it; the
        # source's period may have been extended by a revision (above).
        return (
            f"次期戦略の初年度（{first_fiscal_year}年度）が{source.name}の計画期間"
            f"（{source.first_fiscal_year}〜{source.last_fiscal_year}年度）と重なっています。"
            f"{source.last_fiscal_year + 1}年度以降にしてください。"
        )
    return None


# -- the database ----------------------------------------------------------------------------


def check_live(strategy, change, locked=None) -> list[str]:
    """Refusals that need the live tables: shortening past a year that has actuals or is locked
    (either would drop a judged year), and moving targets from a locked year."""
    if change.kind != PERIOD:
        return []
    from kpis.access import locked_fiscal_years
    from kpis.models import Actual

    new_last = (change.new_value or {}).get("last_fiscal_year")
    if not isinstance(new_last, int):
        return []
    locked = locked_fiscal_years(strategy) if locked is None else locked
    errors = []
    old_last = strategy.last_fiscal_year
    removed = range(new_last + 1, old_last + 1)
    if removed:
        counts = {}
        for year in (
            Actual.objects.filter(
                indicator__basic_goal__strategy=strategy, fiscal_year__in=list(removed)
            )
            .values_list("fiscal_year", flat=True)
            .order_by("fiscal_year")
        ):
            counts[year] = counts.get(year, 0) + 1
        for year, n in counts.items():
            errors.append(
                f"{fiscal_year_label(year)}には実績値が{n}件入力されているため、"
                f"計画期間を{new_last}年度までに短縮できません。"
            )
        for year in sorted(y for y in locked if y in removed):
            errors.append(
                f"{fiscal_year_label(year)}は有識者会議の検証でロックされているため、"
                f"計画期間を{new_last}年度までに短縮できません。"
            )
    year = change.effective_from_year
    hit = [y for y in locked if isinstance(year, int) and y >= year and y <= new_last]
    if hit:
        errors.append(
            f"{year}年度から目標年度を移すと、有識者会議の検証でロックされた{hit[0]}年度の評価が"
            f"変わります。適用開始年度を{max(hit) + 1}年度以降にするか、事務局にロック解除"
            "（理由を記録）を依頼してください。"
        )
    return errors


def touched(before, after, changes) -> set[tuple[str, str]]:
    """(kind, key) of the indicators whose target rows a period change wrote."""
    if not any(c.kind == PERIOD for c in changes):
        return set()
    old = {i["key"]: i["targets"] for i in before["indicators"]}
    return {
        ("indicator", i["key"]) for i in after["indicators"] if old.get(i["key"]) != i["targets"]
    }


def write_strategy(strategy, after, changes) -> None:
    """Publishing: the strategy's period as `after` has it, and a FiscalYear row for each year."""
    if not any(c.kind == PERIOD for c in changes):
        return
    from kpis.models import FiscalYear

    strategy.last_fiscal_year = after["strategy"]["last_fiscal_year"]
    strategy.save(update_fields=["last_fiscal_year"])
    for year in strategy.fiscal_years:
        FiscalYear.objects.get_or_create(year=year, defaults={"label": fiscal_year_label(year)})
