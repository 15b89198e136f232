from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from kpis import services
from kpis.entry.rules import EntryValues
from kpis.models import (
    Actual,
    BasicGoal,
    Department,
    Direction,
    EvaluationSettings,
    FiscalYear,
    GradeBand,
    Indicator,
    InterimTarget,
    Measure,
    Policy,
    SentMail,
    Strategy,
    WorkflowEvent,
    YearReview,
)

admin.site.site_header = "根室市創生総合戦略 KPI進捗管理 管理画面"
admin.site.site_title = "KPI進捗管理 管理画面"
admin.site.index_title = "管理メニュー"


class BasicGoalInline(admin.TabularInline):
    model = BasicGoal
    extra = 0
    fields = ["number", "title", "package"]
    show_change_link = True


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "first_fiscal_year", "last_fiscal_year", "adopted_on"]
    search_fields = ["name", "municipality"]
    inlines = [BasicGoalInline]


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["year", "label"]
    search_fields = ["label"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


class DirectionInline(admin.TabularInline):
    model = Direction
    extra = 0


class PolicyInline(admin.TabularInline):
    model = Policy
    extra = 0
    fields = ["symbol", "order", "title"]
    show_change_link = True


class NumericTargetInline(admin.StackedInline):
    model = Indicator
    extra = 0
    verbose_name = verbose_name_plural = "数値目標"
    fk_name = "basic_goal"
    show_change_link = True
    fields = [
        "code",
        "order",
        "level",
        "name",
        "unit",
        "target_value",
        "baseline_value",
        "direction",
        "source_line",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(level=Indicator.Level.GOAL)


@admin.register(BasicGoal)
class BasicGoalAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "package", "strategy"]
    list_filter = ["strategy", "package"]
    search_fields = ["title"]
    inlines = [DirectionInline, NumericTargetInline, PolicyInline]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "basic_goal"]
    list_filter = ["basic_goal__strategy", "basic_goal"]
    search_fields = ["title"]
    inlines = [MeasureInline]


class KpiInline(admin.StackedInline):
    model = Indicator
    extra = 0
    verbose_name = verbose_name_plural = "重要業績評価指標（KPI）"
    show_change_link = True
    fields = [
        "basic_goal",
        "code",
        "order",
        "level",
        "name",
        "unit",
        "baseline_value",
        "baseline_kind",
        "target_value",
        "target_fiscal_year",
        "change_value",
        "change_unit",
        "direction",
        "aggregation",
        "department",
        "source_line",
    ]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "policy"]
    list_filter = ["policy__basic_goal__strategy", "policy__basic_goal", "policy"]
    search_fields = ["title", "description"]
    list_select_related = ["policy__basic_goal"]
    # projects/admin.py adds the measure's project listings (projects sits above kpis).
    inlines = [KpiInline]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "unit",
        "baseline_value",
        "target_value",
        "direction",
        "aggregation",
        "department",
    ]
    list_filter = [
        "basic_goal__strategy",
        "basic_goal",
        "level",
        "direction",
        "aggregation",
        "baseline_kind",
        "department",
    ]
    search_fields = ["name", "code", "source_line"]
    list_select_related = ["basic_goal", "department"]
    autocomplete_fields = ["measure", "department"]
    fieldsets = [
        (None, {"fields": ["basic_goal", "measure", "level", "code", "order", "name", "unit"]}),
        (
            "基準値・目標値",
            {
                "fields": [
                    "baseline_value",
                    "baseline_fiscal_year",
                    "baseline_kind",
                    "target_value",
                    "target_fiscal_year",
                    "change_value",
                    "change_unit",
                    "direction",
                    "aggregation",
                    "decimals",
                    "allow_negative",
                ]
            },
        ),
        ("担当・原文", {"fields": ["department", "source_line", "reading_note"]}),
    ]


@admin.register(GradeBand)
class GradeBandAdmin(admin.ModelAdmin):
    list_display = ["strategy", "order", "label", "symbol", "description", "rule", "threshold"]
    list_filter = ["strategy"]
    search_fields = ["label", "description"]


@admin.register(EvaluationSettings)
class EvaluationSettingsAdmin(admin.ModelAdmin):
    list_display = ["strategy", "grade_basis", "outlier_threshold", "maintain_tolerance"]
    search_fields = ["strategy__name"]


@admin.register(InterimTarget)
class InterimTargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "fiscal_year", "value"]
    list_filter = ["fiscal_year", "indicator__basic_goal"]
    search_fields = ["indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator"]


@admin.register(Actual)
class ActualAdmin(SimpleHistoryAdmin):
    list_display = [
        "indicator",
        "fiscal_year",
        "value",
        "not_measurable",
        "status",
        "updated_by",
        "updated_at",
    ]
    list_filter = [
        "fiscal_year",
        "status",
        "not_measurable",
        "indicator__basic_goal",
        "indicator__department",
    ]
    search_fields = ["indicator__name", "indicator__code", "note"]
    list_select_related = ["indicator", "updated_by"]
    autocomplete_fields = ["indicator"]
    readonly_fields = [
        "status",
        "version",
        "updated_by",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "confirmed_by",
        "confirmed_at",
        "returned_at",
    ]

    # An edit here is a save like any other (kpis.services.save_actual): refused for a locked
    # year, version + 1 (so a clerk's stale form cannot silently overwrite the correction),
    # a draft again, a workflow event. The status changes only through the workflow pages.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["indicator", "fiscal_year"] if obj is not None else fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                data = super().clean()
                target = self.instance if self.instance.pk else None
                indicator = target.indicator if target else data.get("indicator")
                year = target.fiscal_year if target else data.get("fiscal_year")
                if indicator is not None and year is not None:
                    if services.is_locked(indicator.basic_goal.strategy, year):
                        raise ValidationError(
                            f"{year}年度はロックされています。変更するには事務局がロックを解除してください。"
                        )
                return data

        return CheckedForm

    def save_model(self, request, obj, form, change):
        values = EntryValues(
            obj.value,
            obj.not_measurable,
            obj.not_measurable_reason,
            obj.data_year,
            obj.data_source,
            obj.note,
            obj.outlier_confirmed,
        )
        expected = Actual.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
        saved = services.save_actual(
            indicator=obj.indicator,
            fiscal_year=obj.fiscal_year,
            user=request.user,
            values=values,
            expected_version=expected or 0,
            reason="管理画面で修正",
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(YearReview)
class YearReviewAdmin(admin.ModelAdmin):
    list_display = [
        "strategy",
        "fiscal_year",
        "is_locked",
        "locked_by",
        "locked_at",
        "entry_deadline",
    ]
    list_filter = ["strategy", "is_locked"]
    search_fields = ["strategy__name"]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(admin.ModelAdmin):
    list_display = ["at", "strategy", "fiscal_year", "action", "actor", "actual", "reason"]
    list_filter = ["action", "fiscal_year"]
    search_fields = ["reason", "actual__indicator__name"]
    list_select_related = ["strategy", "actor", "actual__indicator"]

    def has_change_permission(self, request, obj=None):
        return False  # the workflow log is a record, not something to edit

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """What send_reminders sent: deleting a row lets that mail go again on the next run."""

    list_display = ["sent_at", "recipient", "subject", "key"]
    search_fields = ["key", "subject", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
