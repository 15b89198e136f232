"""改訂 (revisions) of a strategy. See docs/revisions.md for how a revision is stored and why.

- Revision: one 改訂 (第n版). A draft holds its edits as RevisionChange rows; the live tables are
  untouched until it is published. Once published, `snapshot` holds the whole strategy as it stood.
- RevisionChange: one edit of a draft (add / change / retire of one object, or one field of it).
- ProjectLifecycle / ListingLifecycle: the years a project or a listing is in force. Projects and
  listings live in projects/ (no such columns there), so their retirement is kept here; a retired
  project stays in the database with its history and is shown as 廃止 from that year on.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kpis.models import Strategy
from projects.models import Project, ProjectListing


class RevisionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Revision.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Revision.Status.DRAFT)

    def visible_to(self, user):
        """Administrators see drafts too; everyone else only what has been published."""
        from kpis.access import Access

        return self if Access(user).can_edit_revision else self.published()


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
    version = models.PositiveIntegerField("版", default=1, help_text="同時編集の検出に使います")
    history = HistoricalRecords(excluded_fields=["snapshot"])

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "改訂"
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="uniq_revision_number")
        ]

    def __str__(self):
        return f"第{self.number}版 {self.title}"

    @property
    def label(self):
        return f"第{self.number}版"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def change_reason(self):
        """What the audit trail (django-simple-history) records as the reason of each row."""
        return f"第{self.number}版 {self.title}"[:100]


class RevisionChange(models.Model):
    """One edit inside a draft revision. `object_key` is the object's stable code (indicator
    code '1-ア-1-1', measure '1-ア-1', policy '1-ア', goal '1', project name, listing
    'project name@measure code'), so a change reads the same before and after publishing."""

    class Kind(models.TextChoices):
        GOAL = "goal", "基本目標"
        POLICY = "policy", "具体的な施策"
        MEASURE = "measure", "施策（①②③）"
        INDICATOR = "indicator", "指標"
        PROJECT = "project", "具体的な事業"
        LISTING = "listing", "事業の掲載"
        PERIOD = "period", "計画期間"  # revisions/period.py

    class Action(models.TextChoices):
        ADD = "add", "追加"
        CHANGE = "change", "変更"
        RETIRE = "retire", "廃止"

    revision = models.ForeignKey(
        Revision, models.CASCADE, related_name="changes", verbose_name="改訂"
    )
    kind = models.CharField("対象", max_length=10, choices=Kind.choices)
    object_key = models.CharField("対象のコード", max_length=300)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    field = models.CharField(
        "項目", max_length=40, blank=True, help_text="変更のとき：変更する項目（追加・廃止は空）"
    )
    old_value = models.JSONField("変更前", null=True, blank=True)
    new_value = models.JSONField("変更後", null=True, blank=True)
    effective_from_year = models.PositiveSmallIntegerField("適用開始年度", null=True, blank=True)
    note = models.TextField("メモ", blank=True)
    needs_review = models.BooleanField("要確認", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("版", default=1, help_text="同時編集の検出に使います")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "改訂の変更内容"
        ordering = ["revision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "kind", "object_key", "field"], name="uniq_revision_change"
            )
        ]

    def __str__(self):
        field = f" {self.field}" if self.field else ""
        return f"{self.revision.label} {self.get_kind_display()} {self.object_key}{field} {self.get_action_display()}"


class ProjectLifecycle(models.Model):
    project = models.OneToOneField(
        Project, models.CASCADE, related_name="lifecycle", verbose_name="事業"
    )
    introduced_from_year = models.PositiveSmallIntegerField("適用開始年度", null=True, blank=True)
    retired_from_year = models.PositiveSmallIntegerField("廃止年度", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "事業の適用期間"

    def __str__(self):
        return f"{self.project} の適用期間"


class ListingLifecycle(models.Model):
    listing = models.OneToOneField(
        ProjectListing, models.CASCADE, related_name="lifecycle", verbose_name="事業の掲載"
    )
    introduced_from_year = models.PositiveSmallIntegerField("適用開始年度", null=True, blank=True)
    retired_from_year = models.PositiveSmallIntegerField("廃止年度", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "事業の掲載の適用期間"

    def __str__(self):
        return f"{self.listing} の適用期間"
