"""A revision never rewrites a locked year (issue 14): a target change, a retirement or a new
indicator that would apply from a fiscal year the council has locked would change that year's
evaluation (a grade the public API already serves). Such a change is refused, when saved in a
draft and again when the draft is published, until the year is reopened — which records who and
why (kpis.services.reopen_year)."""

from kpis.access import locked_fiscal_years
from revisions.state import ADD, CHANGE, INDICATOR, RETIRE


def _from_year(change):
    if change.kind != INDICATOR:
        return None  # projects, listings, names: no grade depends on them
    if change.action == ADD:
        return (change.new_value or {}).get("introduced_from_year")
    if change.action == RETIRE or (change.action == CHANGE and change.field == "target"):
        return change.effective_from_year
    return None


def check(strategy, change, locked=None) -> list[str]:
    """Messages refusing `change` because it would apply to a locked year (empty: fine)."""
    year = _from_year(change)
    if not isinstance(year, int):
        return []
    locked = locked_fiscal_years(strategy) if locked is None else locked
    hit = [y for y in locked if y >= year]
    if not hit:
        return []
    return [
        f"{year}年度から適用すると、有識者会議の検証でロックされた{hit[0]}年度の評価が変わります。"
        f"適用開始年度を{max(hit) + 1}年度以降にするか、事務局にロック解除（理由を記録）を依頼してください。"
    ]
