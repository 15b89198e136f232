"""具体的な事業 (projects) and the 重点プロジェクト (3C key projects).

A project marked 【再掲】 is the same project listed again under another measure: one Project,
several ProjectListings. Each listing keeps the 内容 printed where it is listed, since relistings
sometimes describe the project differently (人材確保対策事業: 合同就職説明会 vs 資格取得経費)."""

from django.db import models
from simple_history.models import HistoricalRecords

from kpis.models import Measure, Strategy


class Project(models.Model):
    class FY2021(models.TextChoices):
        NEW = "new", "R3 新規"
        EXPANDED = "expanded", "R3 拡充"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="projects", verbose_name="総合戦略"
    )
    name = models.CharField("事業名", max_length=200)
    description = models.TextField("内容", help_text="初出の掲載での内容")
    is_priority = models.BooleanField("重点", default=False)
    fy2021 = models.CharField("R3区分", max_length=10, choices=FY2021.choices, blank=True)
    is_private = models.BooleanField("民間等", default=False)
    partners = models.CharField(
        "連携機関（民間等）", max_length=300, blank=True, help_text="「、」区切り"
    )
    is_hokkaido = models.BooleanField("北海道", default=False)
    measures = models.ManyToManyField(
        Measure, through="ProjectListing", related_name="projects", verbose_name="掲載施策"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "具体的な事業"
        ordering = ["strategy", "id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="uniq_project_name")
        ]

    def __str__(self):
        return self.name

    @property
    def partner_list(self):
        return [p for p in self.partners.split("、") if p]

    @property
    def badges(self):
        """区分 labels in the order the document prints them."""
        out = []
        if self.is_priority:
            out.append("重点")
        if self.fy2021:
            out.append(self.get_fy2021_display())
        if self.is_private:
            out.append("民間等")
        if self.is_hokkaido:
            out.append("北海道")
        return out


class ProjectListing(models.Model):
    project = models.ForeignKey(
        Project, models.CASCADE, related_name="listings", verbose_name="事業"
    )
    measure = models.ForeignKey(
        Measure, models.CASCADE, related_name="listings", verbose_name="施策"
    )
    order = models.PositiveSmallIntegerField("表内の順序")
    is_relisted = models.BooleanField("再掲", default=False)
    description = models.TextField("内容（この掲載）")
    source_text = models.TextField("原文")

    class Meta:
        verbose_name = verbose_name_plural = "事業の掲載"
        ordering = ["measure", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "measure"], name="uniq_listing")]

    def __str__(self):
        return f"{self.measure.code} {self.project.name}{'【再掲】' if self.is_relisted else ''}"


class KeyProject(models.Model):
    """重点プロジェクト（３つのＣ）: Challenge / Change / Collaboration."""

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="key_projects", verbose_name="総合戦略"
    )
    number = models.PositiveSmallIntegerField("番号")
    code = models.SlugField("コード", max_length=20)
    name = models.CharField("名称", max_length=50)
    label = models.CharField("読み", max_length=50)
    subtitle = models.CharField("副題", max_length=200)
    description = models.TextField("内容")

    class Meta:
        verbose_name = verbose_name_plural = "重点プロジェクト"
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="uniq_key_project")
        ]

    def __str__(self):
        return f"{self.name}「{self.label}」"


class KeyProjectAction(models.Model):
    key_project = models.ForeignKey(
        KeyProject, models.CASCADE, related_name="actions", verbose_name="重点プロジェクト"
    )
    order = models.PositiveSmallIntegerField("順序")
    text = models.TextField("取組む施策")

    class Meta:
        verbose_name = verbose_name_plural = "取組む施策"
        ordering = ["key_project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["key_project", "order"], name="uniq_key_action")
        ]

    def __str__(self):
        return self.text[:40]
