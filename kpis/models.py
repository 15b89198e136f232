"""The strategy as data: Strategy → BasicGoal → Policy → Measure, and Indicator for both the
goal-level 数値目標 and the measure-level KPIs. Names follow docs/glossary.md."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from kpis.fiscal import fiscal_year_label


class Strategy(models.Model):
    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    municipality = models.CharField("自治体", max_length=50)
    first_fiscal_year = models.PositiveSmallIntegerField("計画期間（初年度）")
    last_fiscal_year = models.PositiveSmallIntegerField("計画期間（最終年度）")
    adopted_on = models.DateField("策定日", null=True, blank=True)
    source_line = models.TextField("原文", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "総合戦略"
        ordering = ["first_fiscal_year", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.first_fiscal_year and self.last_fiscal_year:
            if self.last_fiscal_year < self.first_fiscal_year:
                raise ValidationError("計画期間の最終年度は初年度以降にしてください。")

    @property
    def fiscal_years(self):
        return list(range(self.first_fiscal_year, self.last_fiscal_year + 1))

    @property
    def period_label(self):
        return f"{fiscal_year_label(self.first_fiscal_year)}〜{fiscal_year_label(self.last_fiscal_year)}"


class FiscalYear(models.Model):
    """Reference data: 令和・平成 labels for the years the app shows."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    label = models.CharField("表示名", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "年度"
        ordering = ["year"]

    def __str__(self):
        return self.label


class Department(models.Model):
    """担当課: the department that enters an indicator's actuals."""

    name = models.CharField("課名", max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="所属職員", blank=True, related_name="departments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "担当課"
        ordering = ["name"]

    def __str__(self):
        return self.name


class BasicGoal(models.Model):
    class Package(models.TextChoices):
        EMPLOYMENT = "employment", "雇用対策"
        CHILDCARE = "childcare", "子育て支援"
        HUMAN_RESOURCES = "human_resources", "人材育成"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="basic_goals", verbose_name="総合戦略"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.TextField("基本目標")
    package = models.CharField("政策パッケージ", max_length=20, choices=Package.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "基本目標"
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="uniq_goal_number")
        ]

    def __str__(self):
        return f"基本目標-{self.number} {self.title}"

    @property
    def label(self):
        return f"基本目標-{self.number}"


class Direction(models.Model):
    """基本的な方向: the ○ statements under a basic goal."""

    basic_goal = models.ForeignKey(
        BasicGoal, models.CASCADE, related_name="directions", verbose_name="基本目標"
    )
    order = models.PositiveSmallIntegerField("順序")
    text = models.TextField("基本的な方向")

    class Meta:
        verbose_name = verbose_name_plural = "基本的な方向"
        ordering = ["basic_goal", "order"]
        constraints = [
            models.UniqueConstraint(fields=["basic_goal", "order"], name="uniq_direction_order")
        ]

    def __str__(self):
        return self.text[:40]


class Policy(models.Model):
    """具体的な施策 （ア）（イ）（ウ）."""

    basic_goal = models.ForeignKey(
        BasicGoal, models.CASCADE, related_name="policies", verbose_name="基本目標"
    )
    symbol = models.CharField("記号", max_length=4)
    order = models.PositiveSmallIntegerField("順序")
    title = models.CharField("施策", max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "具体的な施策"
        ordering = ["basic_goal", "order"]
        constraints = [
            models.UniqueConstraint(fields=["basic_goal", "symbol"], name="uniq_policy_symbol")
        ]

    def __str__(self):
        return f"{self.basic_goal.number}-（{self.symbol}）{self.title}"

    @property
    def label(self):
        return f"（{self.symbol}）"


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"


class Measure(models.Model):
    """① ② ③ …: a measure inside a policy area, with its KPIs and projects."""

    policy = models.ForeignKey(Policy, models.CASCADE, related_name="measures", verbose_name="施策")
    number = models.PositiveSmallIntegerField("番号")
    title = models.TextField("施策名")
    description = models.TextField("内容", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "施策（①②③）"
        ordering = ["policy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="uniq_measure_number")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def label(self):
        return CIRCLED[self.number - 1] if 0 < self.number <= len(CIRCLED) else f"({self.number})"

    @property
    def code(self):
        """'1-ア-1': goal number, policy symbol, measure number (the fixtures' key)."""
        return f"{self.policy.basic_goal.number}-{self.policy.symbol}-{self.number}"


class IndicatorQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(basic_goal__strategy=strategy)

    def numeric_targets(self):
        return self.filter(level=Indicator.Level.GOAL)

    def kpis(self):
        return self.filter(level=Indicator.Level.KPI)

    def with_tree(self):
        return self.select_related("basic_goal", "measure__policy", "department")

    def in_force(self, fiscal_year):
        """Indicators that count in `fiscal_year`: not yet retired, and already introduced."""
        return self.filter(
            models.Q(introduced_from_year__isnull=True)
            | models.Q(introduced_from_year__lte=fiscal_year),
            models.Q(retired_from_year__isnull=True) | models.Q(retired_from_year__gt=fiscal_year),
        )

    def in_document_order(self):
        return self.order_by(
            "basic_goal__number", "level", "measure__policy__order", "measure__number", "order"
        )


class Indicator(models.Model):
    """One model for the goal-level 数値目標 (level=goal) and the measure-level KPIs (level=kpi)."""

    class Level(models.TextChoices):
        GOAL = "goal", "数値目標"
        KPI = "kpi", "重要業績評価指標（KPI）"

    class BaselineKind(models.TextChoices):
        STATED = "stated", "記載あり"
        IMPLIED = "implied", "目標値と増減から算出"
        NONE = "none", "記載なし"

    class Direction(models.TextChoices):
        INCREASE = "increase", "増加"
        DECREASE = "decrease", "減少"
        MAINTAIN = "maintain", "水準維持（以上）"
        REACH = "reach", "水準到達"

    class Aggregation(models.TextChoices):
        LEVEL = "level", "各年度の水準"
        ANNUAL = "annual", "年間"
        CUMULATIVE = "cumulative", "期間累計（延べ・総額）"

    basic_goal = models.ForeignKey(
        BasicGoal, models.CASCADE, related_name="indicators", verbose_name="基本目標"
    )
    measure = models.ForeignKey(
        Measure,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="施策（①②③）",
    )
    level = models.CharField("区分", max_length=4, choices=Level.choices)
    code = models.CharField("コード", max_length=20)
    order = models.PositiveSmallIntegerField("順序")
    name = models.CharField("指標名", max_length=200)
    unit = models.CharField("単位", max_length=20, blank=True)
    baseline_value = models.DecimalField(
        "基準値", max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_fiscal_year = models.PositiveSmallIntegerField("基準年度", null=True, blank=True)
    baseline_kind = models.CharField("基準値の根拠", max_length=8, choices=BaselineKind.choices)
    target_value = models.DecimalField("目標値", max_digits=16, decimal_places=4)
    target_fiscal_year = models.PositiveSmallIntegerField("目標年度")
    change_value = models.DecimalField(
        "増減（記載値）", max_digits=16, decimal_places=4, null=True, blank=True
    )
    change_unit = models.CharField(
        "増減の単位", max_length=20, blank=True, help_text="ポイント / % / 人 など原文どおり"
    )
    direction = models.CharField("改善の方向", max_length=10, choices=Direction.choices)
    aggregation = models.CharField("集計方法", max_length=10, choices=Aggregation.choices)
    decimals = models.PositiveSmallIntegerField("表示小数桁", default=0)
    # The allowed range of an actual is the unit's (a count ≥ 0, a % within 0–100) unless the
    # indicator says otherwise: a rate of change such as 人口減少率 can be negative (▲0.5 %).
    allow_negative = models.BooleanField(
        "負の値を認める",
        default=False,
        help_text="人口減少率など、変化率の指標は▲（マイナス）の実績値になりえます。",
    )
    department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="担当課",
    )
    source_line = models.TextField("原文")
    reading_note = models.TextField("解釈メモ", blank=True)
    # Revisions (改訂): an indicator added mid-period is in force from `introduced_from_year`; a
    # retired one stays (with its history) and is shown for the years before `retired_from_year`.
    introduced_from_year = models.PositiveSmallIntegerField("適用開始年度", null=True, blank=True)
    retired_from_year = models.PositiveSmallIntegerField("廃止年度", null=True, blank=True)
    # The same indicator across strategies (the 2nd and a future 3rd) shares a lineage key.
    lineage_key = models.CharField("系譜キー", max_length=64, blank=True, db_index=True)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "指標（数値目標・KPI）"
        ordering = ["basic_goal", "level", "order"]
        constraints = [
            models.UniqueConstraint(fields=["basic_goal", "code"], name="uniq_indicator_code")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.level == self.Level.KPI and self.measure_id is None:
            raise ValidationError({"measure": "KPIには施策（①②③）を指定してください。"})
        if self.level == self.Level.GOAL and self.measure_id is not None:
            raise ValidationError({"measure": "数値目標は基本目標に直接属し、施策は指定しません。"})
        if (
            self.measure_id
            and self.basic_goal_id
            and self.measure.policy.basic_goal_id != self.basic_goal_id
        ):
            raise ValidationError({"measure": "施策が別の基本目標に属しています。"})

    def in_force(self, fiscal_year: int) -> bool:
        return (self.introduced_from_year is None or fiscal_year >= self.introduced_from_year) and (
            self.retired_from_year is None or fiscal_year < self.retired_from_year
        )

    def quantize(self, value: Decimal | None) -> Decimal | None:
        """A value at the scale the document prints this indicator with (2.00 %, 25.0 %, 27,700 t)."""
        if value is None:
            return None
        return (
            value.quantize(Decimal(1).scaleb(-self.decimals))
            if self.decimals
            else value.quantize(Decimal(1))
        )


class IndicatorTarget(models.Model):
    """The baseline and target in force from a fiscal year on. A revision that changes a target
    from FY2023 adds a row effective from 2023; earlier years keep being judged against the row
    that was in force then. Indicator.target_value/baseline_value mirror the latest row."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="targets", verbose_name="指標"
    )
    effective_from_year = models.PositiveSmallIntegerField("適用開始年度")
    baseline_value = models.DecimalField(
        "基準値", max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_kind = models.CharField(
        "基準値の根拠", max_length=8, choices=Indicator.BaselineKind.choices
    )
    target_value = models.DecimalField("目標値", max_digits=16, decimal_places=4)
    target_fiscal_year = models.PositiveSmallIntegerField("目標年度")
    revision = models.ForeignKey(
        "revisions.Revision",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_targets",
        verbose_name="改訂",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "目標値（適用年度別）"
        ordering = ["indicator", "effective_from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "effective_from_year"], name="uniq_indicator_target_year"
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.effective_from_year}年度〜 目標{self.target_value}"


def target_in_force(targets, fiscal_year):
    """The IndicatorTarget in force in `fiscal_year` among an indicator's rows (any order)."""
    candidates = [t for t in targets if t.effective_from_year <= fiscal_year]
    if not candidates:
        candidates = list(targets)[:1]  # a year before the first row: judge by the original target
    return max(candidates, key=lambda t: t.effective_from_year) if candidates else None


class GradeBand(models.Model):
    """A strategy's grade scale is data: other municipalities use ◎○△× or S–C."""

    class Rule(models.TextChoices):
        MET = "met", "目標達成"
        PROGRESS_AT_LEAST = "progress_at_least", "進捗率がしきい値以上"
        PROGRESS_ABOVE = "progress_above", "進捗率がしきい値超"
        OTHERWISE = "otherwise", "上記以外"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="grade_bands", verbose_name="総合戦略"
    )
    order = models.PositiveSmallIntegerField("順序")
    label = models.CharField("評価", max_length=4)
    symbol = models.CharField("記号", max_length=4)
    description = models.CharField("説明", max_length=50)
    rule = models.CharField("判定", max_length=20, choices=Rule.choices)
    threshold = models.DecimalField(
        "しきい値（割合）", max_digits=6, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "評価区分"
        ordering = ["strategy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "order"], name="uniq_grade_band_order")
        ]

    def __str__(self):
        return f"{self.label}（{self.symbol}）{self.description}"


class EvaluationSettings(models.Model):
    """Per-strategy knobs of the achievement engine and the entry checks."""

    class GradeBasis(models.TextChoices):
        # kpis.achievement.PRORATED / FINAL
        PRORATED = "prorated", "年度按分（各年度の中間目標に対する進捗ペース）"
        FINAL = "final", "最終目標値に対する進捗率"

    strategy = models.OneToOneField(
        Strategy, models.CASCADE, related_name="evaluation_settings", verbose_name="総合戦略"
    )
    outlier_threshold = models.DecimalField(
        "前年度比の確認しきい値",
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.5"),
        help_text="前年度からの変化率がこの割合を超える値は、確認と説明が必要です（0.5 = 50%）。",
    )
    maintain_tolerance = models.DecimalField(
        "水準維持の許容幅",
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        help_text="「以上の水準維持」の目標を、目標値×（1−許容幅）以上で達成とみなします。",
    )
    grade_basis = models.CharField(
        "評価の基準",
        max_length=10,
        choices=GradeBasis.choices,
        default=GradeBasis.PRORATED,
        help_text="目標年度より前の年度を、その年度の中間目標（基準値から目標値への直線按分）に"
        "対する進捗ペースで評価するか、最終目標値に対する進捗率で評価するか。"
        "目標年度以降はどちらも目標値そのものに対して評価します。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "評価の設定"

    def __str__(self):
        return f"{self.strategy} の評価設定"


class InterimTarget(models.Model):
    """An override of the linear interim target path for one year."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="interim_targets", verbose_name="指標"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("中間目標値", max_digits=16, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "中間目標（年度別）"
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="uniq_interim_target")
        ]

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year}年度 {self.value}"


class ActualQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Actual.Status.CONFIRMED)

    def visible_to(self, user):
        """Council members (and the public API) see only confirmed values."""
        from kpis import roles

        if roles.is_secretariat(user) or roles.is_clerk(user):
            return self
        return self.confirmed()


class Actual(models.Model):
    """実績値: one indicator's value for one fiscal year, with its analysis note."""

    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        SUBMITTED = "submitted", "提出済み"
        CONFIRMED = "confirmed", "確認済み"

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="actuals", verbose_name="指標"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("実績値", max_digits=16, decimal_places=4, null=True, blank=True)
    not_measurable = models.BooleanField("測定不能", default=False)
    not_measurable_reason = models.TextField("測定不能の理由", blank=True)
    data_year = models.PositiveSmallIntegerField(
        "データの対象年",
        null=True,
        blank=True,
        help_text="国勢調査など、年度と異なる時点のデータの場合",
    )
    data_source = models.CharField("出典", max_length=200, blank=True)
    note = models.TextField("要因分析・課題・今後の方向性", blank=True)
    outlier_confirmed = models.BooleanField("前年度比の大きな変化を確認済み", default=False)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版", default=1, help_text="同時編集の検出に使います")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name="更新者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出者",
    )
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確認者",
    )
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)
    # A send-back (差戻し): the secretariat's reason and the clerk's answer live beside the value,
    # never in `note` (要因分析), which is printed in the council's review pack.
    return_reason = models.TextField("差戻しの理由", blank=True)
    returned_at = models.DateTimeField("差戻し日時", null=True, blank=True)
    reply = models.TextField("差戻しへの回答", blank=True)
    history = HistoricalRecords()

    objects = ActualQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "実績値"
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="uniq_actual")
        ]

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year}年度"

    @property
    def has_value(self):
        return self.value is not None and not self.not_measurable

    @property
    def is_returned(self):
        """Sent back and not yet submitted again: the clerk has something to answer."""
        return self.status == self.Status.DRAFT and self.returned_at is not None


class YearReview(models.Model):
    """Whether a fiscal year is locked for the council's review (効果検証)."""

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="year_reviews", verbose_name="総合戦略"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    is_locked = models.BooleanField("ロック中", default=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ロックした人",
    )
    locked_at = models.DateTimeField("ロック日時", null=True, blank=True)
    entry_deadline = models.DateField(
        "入力期限", null=True, blank=True, help_text="担当課への督促メールの基準日"
    )

    class Meta:
        verbose_name = verbose_name_plural = "年度の検証状況"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "fiscal_year"], name="uniq_year_review")
        ]

    def __str__(self):
        return f"{self.strategy} {self.fiscal_year}年度"


class WorkflowEvent(models.Model):
    """Who did which transition when: submit, confirm, return, lock, reopen."""

    class Action(models.TextChoices):
        SAVE = "save", "下書き保存"
        SUBMIT = "submit", "提出"
        CONFIRM = "confirm", "確認"
        RETURN = "return", "差戻し"
        LOCK = "lock", "年度ロック"
        REOPEN = "reopen", "ロック解除"
        IMPORT = "import", "Excel取込"
        RESTORE = "restore", "履歴から復元"
        REPLY = "reply", "差戻しへの回答"
        DEADLINE = "deadline", "入力期限の設定"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="events", verbose_name="総合戦略"
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    actual = models.ForeignKey(
        Actual, models.CASCADE, null=True, blank=True, related_name="events", verbose_name="実績値"
    )
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作者"
    )
    at = models.DateTimeField("日時", auto_now_add=True)
    reason = models.TextField("理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作記録"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class SentMail(models.Model):
    """One email the reminder command sent (kpis/reminders.py), under a key naming what it was
    about: the command skips a key it finds here, so running it twice sends nothing new."""

    key = models.CharField("識別キー", max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="宛先"
    )
    subject = models.CharField("件名", max_length=200)
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "送信済みメール"
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.subject}"
