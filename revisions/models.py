"""改訂 (revisions) of a strategy. See docs/revisions.md for how a revision is stored and why."""

from django.conf import settings
from django.db import models

from kpis.models import Strategy


class Revision(models.Model):
    class Body(models.TextChoices):
        COUNCIL = "council", "根室市創生有識者会議"
        HEADQUARTERS = "headquarters", "根室市人口問題・少子化対策推進本部"
        ASSEMBLY = "assembly", "根室市議会総務常任委員会"
        OTHER = "other", "その他"

    class Status(models.TextChoices):
        DRAFT = "draft", "作成中"
        PUBLISHED = "published", "公開済み"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="revisions", verbose_name="総合戦略"
    )
    number = models.PositiveSmallIntegerField("改訂番号")
    title = models.CharField("件名", max_length=200)
    reason = models.TextField("改訂の理由", blank=True)
    decided_by = models.CharField(
        "決定機関", max_length=20, choices=Body.choices, default=Body.HEADQUARTERS
    )
    decided_on = models.DateField("改訂日", null=True, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="公開者",
    )
    published_at = models.DateTimeField("公開日時", null=True, blank=True)
    # The whole strategy as it stood once this revision was published (see docs/revisions.md).
    snapshot = models.JSONField("公開時点の内容", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "改訂"
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="uniq_revision_number")
        ]

    def __str__(self):
        return f"第{self.number}版 {self.title}"
