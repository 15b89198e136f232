"""Writes of actual population figures (source=actual). Keyword-only, each in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction

from population.models import Category, PopulationFigure, Source
from population.rules import YearFigures


class PopulationEntryError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Change:
    year: int
    category: str
    old: object  # Decimal or None
    new: object
    data_source: str

    @property
    def label(self):
        return Category(self.category).label

    @property
    def action(self):
        if self.old is None:
            return "新規"
        return "変更なし" if self.old == self.new else "更新"


@dataclass
class SaveReport:
    changes: list = field(default_factory=list)

    @property
    def created(self):
        return sum(1 for c in self.changes if c.action == "新規")

    @property
    def updated(self):
        return sum(1 for c in self.changes if c.action == "更新")

    @property
    def summary(self):
        return f"新規{self.created}件・更新{self.updated}件"


def plan_changes(*, strategy, rows: list[YearFigures]) -> tuple[list[Change], list[str]]:
    """What saving `rows` would change (read only), and why it cannot, if so."""
    years = {r.year for r in rows}
    existing = {
        (f.year, f.category): f
        for f in PopulationFigure.objects.filter(
            strategy=strategy, source=Source.ACTUAL, year__in=years
        )
    }
    changes, errors = [], []
    for row in rows:
        for category, value in row.values.items():
            old = existing.get((row.year, category))
            if old is not None and old.source_line and old.value != value:
                errors.append(
                    f"{row.year}年の{Category(category).label}（{old.value.normalize():,f}）は総合戦略の原文の数値のため、"
                    "ここでは変更できません。誤りがある場合は管理者に連絡してください。"
                )
            changes.append(
                Change(
                    year=row.year,
                    category=category,
                    old=None if old is None else old.value,
                    new=value,
                    data_source=row.data_source,
                )
            )
    return changes, errors


@transaction.atomic
def save_year_figures(*, strategy, figures: YearFigures, user) -> SaveReport:
    return import_year_figures(strategy=strategy, rows=[figures], user=user)


@transaction.atomic
def import_year_figures(*, strategy, rows: list[YearFigures], user) -> SaveReport:
    """Save every row or none: one refused figure rolls the whole import back."""
    years = [r.year for r in rows]
    if len(set(years)) != len(years):
        raise PopulationEntryError("同じ年が複数回含まれています。1つの年は1行にまとめてください。")
    changes, errors = plan_changes(strategy=strategy, rows=rows)
    if errors:
        raise PopulationEntryError(errors[0])
    existing = {
        (f.year, f.category): f
        for f in PopulationFigure.objects.select_for_update().filter(
            strategy=strategy, source=Source.ACTUAL, year__in=set(years)
        )
    }
    for change in changes:
        figure = existing.get((change.year, change.category))
        if figure is None:
            figure = PopulationFigure(
                strategy=strategy, source=Source.ACTUAL, year=change.year, category=change.category
            )
        elif figure.value == change.new and figure.data_source == change.data_source:
            continue
        elif figure.source_line:
            continue  # a figure from the document with the same value: keep it as loaded
        figure.value = change.new
        figure.data_source = change.data_source
        figure.is_implied = False
        figure._history_user = user
        figure._change_reason = "人口の実績入力"
        figure.save()
    return SaveReport(changes=changes)
