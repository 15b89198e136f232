"""有識者会議: the council's opinions (意見) on a fiscal year's results and the city's responses
(対応方針). An opinion is about exactly one indicator, measure or basic goal."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from kpis.models import BasicGoal, Indicator, Measure, Strategy

TARGET_KINDS = {
    "indicator": "指標",
    "measure": "施策",
    "basic_goal": "基本目標",
}


def target_label(kind, target) -> str:
    """'指標「…」', '施策 1-ア-1 ①…' or '基本目標-1 …': how pages name what an opinion is about."""
    if kind == "measure":
        return f"施策 {target.code} {target.label}{target.title}"
    if kind == "basic_goal":
        return f"{target.label} {target.title}"
    return f"指標「{target.name}」"


class Opinion(models.Model):
    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="opinions", verbose_name="総合戦略"
    )
    fiscal_year = models.PositiveSmallIntegerField("対象年度")
    indicator = models.ForeignKey(
        Indicator,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name="指標",
    )
    measure = models.ForeignKey(
        Measure, models.CASCADE, null=True, blank=True, related_name="opinions", verbose_name="施策"
    )
    basic_goal = models.ForeignKey(
        BasicGoal,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name="基本目標",
    )
    body = models.TextField("意見")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="記入者"
    )
    created_at = models.DateTimeField("記入日時", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "有識者会議の意見"
        ordering = ["strategy", "fiscal_year", "created_at", "id"]
        indexes = [models.Index(fields=["strategy", "fiscal_year"], name="opinion_strategy_year")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, measure__isnull=True, basic_goal__isnull=True)
                    | Q(indicator__isnull=True, measure__isnull=False, basic_goal__isnull=True)
                    | Q(indicator__isnull=True, measure__isnull=True, basic_goal__isnull=False)
                ),
                name="opinion_exactly_one_target",
                violation_error_message="意見の対象（指標・施策・基本目標）を1つだけ指定してください。",
            )
        ]

    def __str__(self):
        return f"{self.fiscal_year}年度 {self.target_label}への意見"

    @property
    def target_kind(self):
        if self.indicator_id:
            return "indicator"
        if self.measure_id:
            return "measure"
        return "basic_goal"

    @property
    def target_id(self):
        return self.indicator_id or self.measure_id or self.basic_goal_id

    @property
    def target(self):
        return getattr(self, self.target_kind)

    @property
    def target_label(self):
        return target_label(self.target_kind, self.target)

    @property
    def response_or_none(self):
        try:
            return self.response
        except Response.DoesNotExist:
            return None


class Response(models.Model):
    """対応方針: the city's response to one opinion, recorded by the secretariat."""

    opinion = models.OneToOneField(
        Opinion, models.CASCADE, related_name="response", verbose_name="意見"
    )
    body = models.TextField("対応方針")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="記入者"
    )
    created_at = models.DateTimeField("記入日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "対応方針"
        ordering = ["opinion"]

    def __str__(self):
        return f"{self.opinion} への対応方針"

    @property
    def was_edited(self):
        return (self.updated_at - self.created_at).total_seconds() > 1
