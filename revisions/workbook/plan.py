"""What importing a workbook as a new strategy would do (the preview), and the checks that need
the database: the code is free, the period follows the predecessor's. Reads only."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from openpyxl.utils import get_column_letter

from kpis.models import Department, Indicator, Strategy
from revisions.period import next_period_error
from revisions.workbook import columns as C
from revisions.workbook.export import rows_of
from revisions.workbook.reader import Problem


def _strategy_problem(name, message) -> Problem:
    sheet = C.sheet_named(C.STRATEGY_SHEET)
    column = sheet.column(name)
    letter = get_column_letter(sheet.columns.index(column) + 1)
    return Problem(C.STRATEGY_SHEET, C.FIRST_DATA_ROW, column.header, message, letter)


def new_strategy_problems(snapshot, predecessor=None) -> list[Problem]:
    s = snapshot["strategy"]
    problems = []
    try:
        validate_slug(s["code"])
    except ValidationError:
        problems.append(
            _strategy_problem(
                "code",
                f"「{s['code']}」はコードに使えません。半角英数字・ハイフンで入力してください。",
            )
        )
    if Strategy.objects.filter(code=s["code"]).exists():
        problems.append(
            _strategy_problem(
                "code",
                f"コード「{s['code']}」の総合戦略はすでにあります。新しい総合戦略のコードにしてください。",
            )
        )
    message = next_period_error(predecessor, s["first_fiscal_year"])
    if message:  # the rule of start_next_strategy: no fiscal year judged by both
        problems.append(_strategy_problem("first_fiscal_year", message))
    return problems


def lineage_of(predecessor) -> dict[str, str]:
    """code → the lineage key an indicator of the next strategy with that code continues."""
    rows = Indicator.objects.filter(basic_goal__strategy=predecessor).values_list(
        "code", "lineage_key"
    )
    return {code: key or f"{predecessor.code}:{code}" for code, key in rows}


def with_lineage(snapshot, predecessor=None) -> dict:
    """The snapshot (not changed) or, with a predecessor, a copy in which each indicator whose
    code the predecessor has (and whose lineage the workbook leaves blank) continues that
    indicator's lineage."""
    if predecessor is None:
        return snapshot
    lineage = lineage_of(predecessor)
    indicators = [
        item | {"lineage_key": lineage[item["code"]]}
        if not item.get("lineage_key") and item["code"] in lineage
        else item
        for item in snapshot["indicators"]
    ]
    return snapshot | {"indicators": indicators}


@dataclass
class Plan:
    strategy: dict
    counts: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows)
    lineage: int = 0  # indicators continuing one of the predecessor's
    new_departments: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def plan_new_strategy(snapshot, predecessor=None) -> Plan:
    plan = Plan(strategy=snapshot["strategy"])
    plan.counts = [
        (sheet.title, len(rows_of(sheet, snapshot)))
        for sheet in C.sheets()
        if sheet.what != "strategy"
    ]
    if predecessor is not None:
        lineage = lineage_of(predecessor)
        plan.lineage = sum(
            1 for i in snapshot["indicators"] if i.get("lineage_key") or i["code"] in lineage
        )
    names = Counter(i["department"] for i in snapshot["indicators"] if i.get("department"))
    known = set(Department.objects.filter(name__in=names).values_list("name", flat=True))
    plan.new_departments = sorted(set(names) - known)
    plan.problems = new_strategy_problems(snapshot, predecessor)
    return plan
