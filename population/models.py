"""人口ビジョン: population figures as series of (year, value) per source, so yearly actuals and
more projection years can be added later, plus the short/mid/long-term targets and the three points."""

from django.db import models
from simple_history.models import HistoricalRecords

from kpis.models import Strategy


class Category(models.TextChoices):
    TOTAL = "total", "総人口"
    YOUNG = "young", "年少人口（0〜14歳）"
    WORKING = "working", "生産年齢人口（15〜64歳）"
    ELDERLY = "elderly", "老年人口（65歳以上）"
    SHARE_YOUNG = "share_young", "年少人口割合"
    SHARE_WORKING = "share_working", "生産年齢人口割合"
    SHARE_ELDERLY = "share_elderly", "老年人口割合"
    WOMEN_20_39 = "women_20_39", "20〜39歳の女性人口"
    TFR = "tfr", "合計特殊出生率"


AGE_GROUPS = [Category.YOUNG, Category.WORKING, Category.ELDERLY]
# Where the secretariat's yearly actual figures come from (PopulationFigure.data_source).
DATA_SOURCES = ["住民基本台帳", "国勢調査"]


class Source(models.TextChoices):
    ACTUAL = "actual", "実績"
    IPSS = "ipss", "社人研推計"
    CITY_TARGET = "city_target", "根室市推計（目標）"
    CONSTANT_FERTILITY = "constant_fertility", "出生率1.53で推移した場合"


class PopulationFigure(models.Model):
    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="population_figures", verbose_name="総合戦略"
    )
    source = models.CharField("出典", max_length=20, choices=Source.choices)
    year = models.PositiveSmallIntegerField("年")
    category = models.CharField("区分", max_length=20, choices=Category.choices)
    value = models.DecimalField("値", max_digits=12, decimal_places=2)
    is_implied = models.BooleanField(
        "算出値", default=False, help_text="原文の数値から算出したもの"
    )
    data_source = models.CharField(
        "データの出所", max_length=100, blank=True, help_text="国勢調査・住民基本台帳など"
    )
    source_line = models.TextField("原文", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "人口の数値"
        ordering = ["strategy", "source", "category", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "source", "year", "category"], name="uniq_population_figure"
            )
        ]

    def __str__(self):
        return (
            f"{self.get_source_display()} {self.year}年 {self.get_category_display()} {self.value}"
        )


class PopulationTarget(models.Model):
    class Term(models.TextChoices):
        SHORT = "short", "短期"
        MID = "mid", "中期"
        LONG = "long", "長期"

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="population_targets", verbose_name="総合戦略"
    )
    term = models.CharField("区分", max_length=5, choices=Term.choices)
    year = models.PositiveSmallIntegerField("目標年")
    total = models.PositiveIntegerField("目標総人口")
    suppressed_decline = models.PositiveIntegerField("減少抑制数")
    source_line = models.TextField("原文")

    class Meta:
        verbose_name = verbose_name_plural = "目標人口（短期・中期・長期）"
        ordering = ["strategy", "year"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "term"], name="uniq_population_target")
        ]

    def __str__(self):
        return f"{self.get_term_display()}目標 {self.year}年 {self.total:,}人"


class PopulationPoint(models.Model):
    """「根室市人口ビジョン」を踏まえた３つのポイント."""

    strategy = models.ForeignKey(
        Strategy, models.CASCADE, related_name="population_points", verbose_name="総合戦略"
    )
    number = models.PositiveSmallIntegerField("番号")
    title = models.TextField("ポイント")
    category = models.CharField("区分", max_length=20, choices=Category.choices)
    current_year = models.PositiveSmallIntegerField("現状の年")
    current_value = models.DecimalField("現状値", max_digits=12, decimal_places=2)
    target_year = models.PositiveSmallIntegerField("目標年")
    target_value = models.DecimalField("目標値", max_digits=12, decimal_places=2)
    comparison_value = models.DecimalField(
        "比較値（社人研推計等）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    suppressed_decline = models.PositiveIntegerField("減少抑制数", null=True, blank=True)
    annual_suppression = models.PositiveIntegerField(
        "年間の減少抑制（程度）", null=True, blank=True
    )
    future_text = models.CharField("目指すべき将来の姿", max_length=200)
    description = models.TextField("説明")
    source_line = models.TextField("原文")

    class Meta:
        verbose_name = verbose_name_plural = "人口ビジョンの３つのポイント"
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="uniq_population_point")
        ]

    def __str__(self):
        return f"（{self.number}）{self.title}"


class DeclineSuppression(models.Model):
    """The breakdown of the suppressed decline by 2060: natural (出生率) + social (転出超過対策)."""

    strategy = models.OneToOneField(
        Strategy, models.CASCADE, related_name="decline_suppression", verbose_name="総合戦略"
    )
    natural = models.PositiveIntegerField("自然減少抑制")
    social = models.PositiveIntegerField("社会減少抑制")
    total = models.PositiveIntegerField("合計")
    source_line = models.TextField("原文")

    class Meta:
        verbose_name = verbose_name_plural = "人口減少抑制の内訳"

    def __str__(self):
        return f"{self.total:,}人（自然{self.natural:,}人＋社会{self.social:,}人）"
