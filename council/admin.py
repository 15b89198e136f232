from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from council.models import Opinion, Response


class ResponseInline(admin.StackedInline):
    model = Response
    extra = 0
    fields = ["body", "author", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    verbose_name = verbose_name_plural = "対応方針"


@admin.register(Opinion)
class OpinionAdmin(SimpleHistoryAdmin):
    list_display = ["fiscal_year", "target_label", "author", "created_at", "has_response"]
    list_filter = ["strategy", "fiscal_year"]
    search_fields = ["body", "response__body"]
    list_select_related = [
        "author",
        "indicator",
        "measure__policy__basic_goal",
        "basic_goal",
        "response",
    ]
    raw_id_fields = ["indicator", "measure", "basic_goal"]
    readonly_fields = ["created_at"]
    inlines = [ResponseInline]

    @admin.display(description="対象")
    def target_label(self, obj):
        return obj.target_label

    @admin.display(description="対応方針", boolean=True)
    def has_response(self, obj):
        return obj.response_or_none is not None


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ["opinion", "author", "updated_at"]
    list_filter = ["opinion__strategy", "opinion__fiscal_year"]
    search_fields = ["body", "opinion__body"]
    list_select_related = [
        "author",
        "opinion__indicator",
        "opinion__measure__policy__basic_goal",
        "opinion__basic_goal",
    ]
    raw_id_fields = ["opinion"]
    readonly_fields = ["created_at", "updated_at"]
